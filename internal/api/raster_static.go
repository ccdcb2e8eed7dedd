package api

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

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
	if err := checkParams(q, "plan", "asof", "bbox", "center", "zoom", "project", "size", "scale", "lang", "title", "v"); err != nil {
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
	p, layers, asof, err := s.rasterScope(c, q)
	if err != nil {
		return err
	}
	project, err := parseProject(q, p)
	if err != nil {
		return err
	}
	var view staticView
	view.w, view.h, view.scale = w, h, scale
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
		fs, err := s.rasterFeatures(c, p, layers, world, asof, project)
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
	img, err := s.drawStatic(c, p, layers, view, asof, project, title, lang)
	if err != nil {
		return err
	}
	s.cacheForVersion(c, q.Get("v"))
	var out bytes.Buffer
	if err := png.Encode(&out, img); err != nil {
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

func (s *server) drawStatic(c echo.Context, p domain.Plan, layers []domain.LayerInfo, v staticView, asof domain.Date, project int, title, lang string) (*image.RGBA, error) {
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
		drawDistrict(cv, d.Geometry, sc)
	}
	fs, err := s.rasterFeatures(c, p, layers, box, asof, project)
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

func drawDistrict(cv *render.Canvas, g orb.Geometry, sc float64) {
	var polys orb.MultiPolygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		polys = g
	}
	for _, p := range polys {
		cv.FillPolygon(p, render.Hex(symbology.DistrictFill, 255))
		for _, r := range p {
			cv.Stroke(orb.LineString(r), float32(sc), render.Hex(symbology.DistrictOutline, 255))
		}
	}
}

// decorate burns in the title, legend, data date, scale bar and attribution.
func decorate(cv *render.Canvas, fonts *render.Fonts, fs []render.Feature, v staticView, box orb.Bound, asof domain.Date, title, lang string, attribution map[string]bool) error {
	sc := v.scale
	big, err := fonts.Face(float64(22 * sc))
	if err != nil {
		return err
	}
	small, err := fonts.Face(float64(13 * sc))
	if err != nil {
		return err
	}
	W, H := v.w*sc, v.h*sc
	ink := color.NRGBA{32, 32, 32, 255}
	panel := color.NRGBA{255, 255, 255, 220}
	cv.Box(image.Rect(0, 0, W, 40*sc), panel)
	cv.Text(big, 14*sc, 29*sc, title, ink)
	// Legend of the statuses present.
	present := map[domain.TrackingStatus]bool{}
	for _, f := range fs {
		present[f.Status] = true
	}
	var rows []symbology.Status
	for _, st := range symbology.Statuses() {
		if present[st.Status] {
			rows = append(rows, st)
		}
	}
	date := "数据日期 " + asof.String()
	if lang == "en" {
		date = "Data as of " + asof.String()
	}
	lh := 20 * sc
	top := 50 * sc
	cv.Box(image.Rect(10*sc, top, 190*sc, top+lh*len(rows)+30*sc), panel)
	cv.Text(small, 16*sc, top+17*sc, date, ink)
	for i, st := range rows {
		y := top + 30*sc + i*lh
		cv.Symbol(float32(24*sc), float32(y+lh/2-4*sc), float32(6*sc), st, false)
		label := st.Label
		if lang == "en" {
			label = st.LabelEN
		}
		cv.Text(small, 38*sc, y+lh/2, label, ink)
	}
	// Scale bar: metres per CSS pixel at the map's centre latitude.
	mpp := geo.Distance(orb.Point{box.Min[0], v.center[1]}, orb.Point{box.Max[0], v.center[1]}) / float64(v.w)
	metres := niceLength(mpp * 120)
	px := int(metres / mpp * float64(sc))
	label := fmt.Sprintf("%g km", metres/1000)
	if metres < 1000 {
		label = fmt.Sprintf("%g m", metres)
	}
	x0, y0 := 14*sc, H-34*sc
	cv.Box(image.Rect(x0-4*sc, y0-16*sc, x0+px+50*sc, y0+8*sc), panel)
	cv.Box(image.Rect(x0, y0, x0+px, y0+3*sc), ink)
	cv.Text(small, x0+px+6*sc, y0+4*sc, label, ink)
	// Attribution, bottom right.
	var srcs []string
	for k := range attribution {
		srcs = append(srcs, k)
	}
	slices.Sort(srcs)
	att := strings.Join(append(srcs, "projectmap"), " · ")
	aw := render.TextWidth(small, att)
	cv.Box(image.Rect(W-aw-12*sc, H-20*sc, W, H), panel)
	cv.Text(small, W-aw-6*sc, H-6*sc, att, ink)
	return nil
}

// niceLength rounds m down to 1, 2 or 5 times a power of ten.
func niceLength(m float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(m)))
	for _, f := range []float64{5, 2, 1} {
		if f*p <= m {
			return f * p
		}
	}
	return p
}
