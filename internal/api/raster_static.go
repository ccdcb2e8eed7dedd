package api

import (
	"bytes"
	"image"
	"image/color"
	"math"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"projectmap/internal/domain"
	"projectmap/internal/render"
	"projectmap/internal/symbology"
)

// Static map size caps: W and H at most 2400 at scale 1, and the output
// at most 4000 px a side at scale 2 (W, H ≤ 2000).
const (
	maxStaticSide   = 2400
	maxStaticOutput = 4000
)

// parseFloats reads n comma-separated numbers of parameter name.
func parseFloats(q string, name string, n int) ([]float64, error) {
	parts := strings.Split(q, ",")
	if len(parts) != n {
		return nil, domain.Invalid(name, "%q needs %d comma-separated numbers", q, n)
	}
	out := make([]float64, n)
	for i, p := range parts {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, domain.Invalid(name, "%q is not a number", p)
		}
		out[i] = v
	}
	return out, nil
}

type staticView struct {
	w, h, scale int
	zoom        float64
	center      orb.Point
	legend      bool         // the statuses' legend (the data date is always shown)
	keep        siteFilter   // the project layers' sites drawn
	district    districtPick // keep.district's names, for the caption
}

func parseSize(q map[string][]string) (int, int, int, error) {
	scale := 1
	if v := first(q, "scale"); v != "" {
		if v != "1" && v != "2" {
			return 0, 0, 0, domain.Invalid("scale", "%q must be 1 or 2", v)
		}
		scale = int(v[0] - '0')
	}
	w, h := 1200, 675
	if v := first(q, "size"); v != "" {
		a, b, ok := strings.Cut(v, "x")
		var err1, err2 error
		w, err1 = strconv.Atoi(a)
		h, err2 = strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil || w < 64 || h < 64 {
			return 0, 0, 0, domain.Invalid("size", "%q is not WxH with W and H at least 64", v)
		}
	}
	limit := min(maxStaticSide, maxStaticOutput/scale)
	if w > limit || h > limit {
		return 0, 0, 0, domain.Invalid("size", "%dx%d is over the cap: W and H at most %d at scale %d (at most 2400 at scale 1, 4000 px output at scale 2)", w, h, limit, scale)
	}
	return w, h, scale, nil
}

func first(q map[string][]string, k string) string {
	if v := q[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// fitZoom is the fractional zoom at which b fills w×h (CSS px) with a margin.
func fitZoom(b orb.Bound, w, h int) float64 {
	a, c := render.World(b.Min, 0), render.World(b.Max, 0)
	dx, dy := math.Abs(c[0]-a[0]), math.Abs(c[1]-a[1])
	z := math.Min(math.Log2(float64(w)*0.85/math.Max(dx, 1e-9)), math.Log2(float64(h)*0.75/math.Max(dy, 1e-9)))
	return math.Max(0, math.Min(18, z))
}

func (s *server) staticMap(c echo.Context) error {
	q, err := queryValues(c)
	if err != nil {
		return err
	}
	if err := checkParams(q, "plan", "asof", "bbox", "center", "zoom", "project", "size", "scale", "lang", "title", "legend", "status", "district", "v"); err != nil {
		return err
	}
	name := c.Param("layers")
	if !strings.HasSuffix(name, ".png") {
		return domain.Invalid("layers", "%q must end in .png", name)
	}
	c.SetParamValues(strings.TrimSuffix(name, ".png"))
	w, h, scale, err := parseSize(q)
	if err != nil {
		return err
	}
	lang := q.Get("lang")
	if lang == "" {
		lang = "zh"
	} else if lang != "zh" && lang != "en" {
		return domain.Invalid("lang", "%q must be zh or en", lang)
	}
	legend := true
	switch v := q.Get("legend"); v {
	case "", "1":
	case "0":
		legend = false
	default:
		return domain.Invalid("legend", "%q must be 1 (the default) or 0", v)
	}
	status, err := parseStatus(q)
	if err != nil {
		return err
	}
	p, layers, asof, err := s.rasterScope(c, q)
	if err != nil {
		return err
	}
	project, err := parseProject(q, p)
	if err != nil {
		return err
	}
	district, err := s.districtFilter(c.Request().Context(), q, p)
	if err != nil {
		return err
	}
	var view staticView
	view.w, view.h, view.scale, view.legend, view.district = w, h, scale, legend, district
	view.keep = siteFilter{project: project, status: status, district: district.Code}
	n := 0
	for _, k := range []string{"bbox", "center", "project"} {
		if q.Get(k) != "" {
			n++
		}
	}
	if n != 1 {
		return domain.Invalid("bbox", "give one of bbox, center with zoom, or project")
	}
	title := q.Get("title")
	switch {
	case q.Get("bbox") != "":
		v, err := parseFloats(q.Get("bbox"), "bbox", 4)
		if err != nil {
			return err
		}
		if v[0] >= v[2] || v[1] >= v[3] || v[0] < -180 || v[2] > 180 || v[1] < -85 || v[3] > 85 {
			return domain.Invalid("bbox", "%q is not minLon,minLat,maxLon,maxLat within the world", q.Get("bbox"))
		}
		b := orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}
		view.center, view.zoom = b.Center(), fitZoom(b, w, h)
	case q.Get("center") != "":
		v, err := parseFloats(q.Get("center"), "center", 2)
		if err != nil {
			return err
		}
		if math.Abs(v[0]) > 180 || math.Abs(v[1]) > 85 {
			return domain.Invalid("center", "%q is outside the world", q.Get("center"))
		}
		z, err := strconv.ParseFloat(q.Get("zoom"), 64)
		if err != nil || z < 0 || z > maxRasterZoom {
			return domain.Invalid("zoom", "%q is not a zoom from 0 to %d", q.Get("zoom"), maxRasterZoom)
		}
		view.center, view.zoom = orb.Point{v[0], v[1]}, z
	default:
		world := orb.Bound{Min: orb.Point{-180, -85}, Max: orb.Point{180, 85}}
		fs, err := s.rasterFeatures(c, p, layers, world, asof, view.keep)
		if err != nil {
			return err
		}
		if len(fs) == 0 {
			return domain.Errorf(domain.ErrNotFound, "project %d has no located site in these layers", project)
		}
		b := fs[0].Geometry.Bound()
		for _, f := range fs[1:] {
			b = b.Union(f.Geometry.Bound())
		}
		view.center, view.zoom = b.Center(), math.Min(16, fitZoom(b.Pad(0.002), w, h))
		if title == "" {
			for _, pr := range p.Projects {
				if pr.Number == project {
					title = pr.Title
					if lang == "en" && pr.TitleEN != "" {
						title = pr.TitleEN
					}
				}
			}
		}
	}
	if title == "" {
		title = layerTitle(layers, lang)
	}
	release, err := s.renders.acquire(c.Request().Context())
	if err != nil {
		return err
	}
	defer release()
	img, err := s.drawStatic(c, p, layers, view, asof, title, lang)
	if err != nil {
		return err
	}
	s.cacheForVersion(c, q.Get("v"))
	var out bytes.Buffer
	if err := encodePNG(&out, img); err != nil {
		return err
	}
	return c.Blob(200, "image/png", out.Bytes())
}

func layerTitle(layers []domain.LayerInfo, lang string) string {
	var names []string
	for _, l := range layers {
		if lang == "en" && l.TitleEN != "" {
			names = append(names, l.TitleEN)
		} else {
			names = append(names, l.Title)
		}
	}
	if len(names) > 3 {
		names = append(names[:3], "…")
	}
	sep := "、"
	if lang == "en" {
		sep = ", "
	}
	return strings.Join(names, sep)
}

func (s *server) drawStatic(c echo.Context, p domain.Plan, layers []domain.LayerInfo, v staticView, asof domain.Date, title, lang string) (*image.RGBA, error) {
	sc := float64(v.scale)
	cw := render.World(v.center, v.zoom)
	origin := orb.Point{cw[0] - float64(v.w)/2, cw[1] - float64(v.h)/2}
	cv := render.NewCanvas(v.w*v.scale, v.h*v.scale, v.zoom, origin, sc)
	cv.Box(cv.Img.Bounds(), color.NRGBA{255, 255, 255, 255})
	// The view's bound, for the queries.
	ws := 256 * math.Exp2(v.zoom)
	unproject := func(x, y float64) orb.Point {
		lon := x/ws*360 - 180
		lat := math.Atan(math.Sinh(math.Pi*(1-2*y/ws))) * 180 / math.Pi
		return orb.Point{lon, lat}
	}
	tl, br := unproject(origin[0], origin[1]), unproject(origin[0]+float64(v.w), origin[1]+float64(v.h))
	box := orb.Bound{Min: orb.Point{tl[0], br[1]}, Max: orb.Point{br[0], tl[1]}}
	districts, _, err := s.cityDistricts(c.Request().Context(), p)
	if err != nil {
		return nil, err
	}
	attribution := map[string]bool{}
	var polys []orb.Polygon
	for _, d := range districts {
		if d.Geometry == nil || !d.Geometry.Bound().Intersects(box) {
			continue
		}
		src := d.Source
		if lang == "en" && d.SourceEN != "" {
			src = d.SourceEN
		}
		if src != "" {
			attribution[src] = true
		}
		polys = append(polys, asPolygons(d.Geometry)...)
	}
	drawDistricts(cv, polys, sc)
	fs, err := s.rasterFeatures(c, p, layers, box, asof, v.keep)
	if err != nil {
		return nil, err
	}
	cv.Draw(fs)
	fonts, err := s.fonts()
	if err != nil {
		return nil, err
	}
	return cv.Img, decorate(cv, fonts, fs, v, box, asof, title, lang, attribution)
}

// asPolygons lists a geometry's polygons (none for other kinds).
func asPolygons(g orb.Geometry) []orb.Polygon {
	switch g := g.(type) {
	case orb.Polygon:
		return []orb.Polygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}

// drawDistricts fills the districts in one pass, then outlines them.
func drawDistricts(cv *render.Canvas, polys []orb.Polygon, sc float64) {
	cv.FillPolygons(polys, render.Hex(symbology.DistrictFill, 255))
	for _, p := range polys {
		for _, r := range p {
			cv.Stroke(orb.LineString(r), float32(sc), render.Hex(symbology.DistrictOutline, 255))
		}
	}
}
