package api

import (
	"bytes"
	"image/png"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"projectmap/internal/domain"
	"projectmap/internal/render"
	"projectmap/internal/symbology"
)

// spritePath is where the styles' sprite is served: MapLibre asks for
// symbols.json and symbols.png, or symbols@2x.json and symbols@2x.png.
const spritePath = "/styles/sprite/symbols"

// spriteCell is the side of one icon of the sprite, in CSS pixels: room
// for the widest shape (the diamond) with its white edge.
const spriteCell = 24

// spriteIcon is one icon: a status's shape, solid or hollow, at column
// and row of the sprite sheet.
type spriteIcon struct {
	name     string
	status   symbology.Status
	hollow   bool
	col, row int
}

// spriteIcons lists the icons: pm-<status> (solid) and pm-<status>-hollow.
func spriteIcons() []spriteIcon {
	var out []spriteIcon
	for i, st := range symbology.Statuses() {
		out = append(out,
			spriteIcon{"pm-" + string(st.Status), st, false, i, 0},
			spriteIcon{"pm-" + string(st.Status) + "-hollow", st, true, i, 1})
	}
	return out
}

// sprite serves the sheet of status symbols drawn by internal/render, as
// the raster tiles draw them, and its index.
func (s *server) sprite(c echo.Context) error {
	q, err := queryValues(c)
	if err != nil {
		return err
	}
	if err := checkParams(q); err != nil {
		return err
	}
	ratio, ext := 0, ""
	switch c.Param("file") {
	case "symbols.json":
		ratio, ext = 1, "json"
	case "symbols.png":
		ratio, ext = 1, "png"
	case "symbols@2x.json":
		ratio, ext = 2, "json"
	case "symbols@2x.png":
		ratio, ext = 2, "png"
	default:
		return domain.Errorf(domain.ErrNotFound, "no sprite file %q; the sprite is %s (.json, .png, @2x.json, @2x.png)", c.Param("file"), spritePath)
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	icons := spriteIcons()
	if ext == "json" {
		index := oa{}
		for _, ic := range icons {
			index[ic.name] = oa{"x": ic.col * spriteCell * ratio, "y": ic.row * spriteCell * ratio,
				"width": spriteCell * ratio, "height": spriteCell * ratio, "pixelRatio": ratio}
		}
		return writeJSON(c, mediaJSON, index)
	}
	cols, rows := len(symbology.Statuses()), 2
	cv := render.NewCanvas(cols*spriteCell*ratio, rows*spriteCell*ratio, 0, orb.Point{}, float64(ratio))
	for _, ic := range icons {
		x := float32((ic.col*spriteCell + spriteCell/2) * ratio)
		y := float32((ic.row*spriteCell + spriteCell/2) * ratio)
		cv.Symbol(x, y, float32(render.PointRadius*ratio), ic.status, ic.hollow)
	}
	var out bytes.Buffer
	if err := png.Encode(&out, cv.Img); err != nil {
		return err
	}
	return c.Blob(200, "image/png", out.Bytes())
}
