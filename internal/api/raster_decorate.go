package api

import (
	"cmp"
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"projectmap/internal/domain"
	"projectmap/internal/render"
	"projectmap/internal/symbology"
)

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
		if !f.Reference {
			present[f.Status] = true
		}
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
	if !v.legend {
		rows = nil
	}
	// The date, that statuses are as reported (the web map's words), and
	// a filter if any: what is missing was left out, not absent.
	lines := []string{date, "状态按进展报告"}
	if lang == "en" {
		lines[1] = "Statuses as reported"
	}
	if d := v.district; d.Code != "" {
		if lang == "en" {
			lines = append(lines, "Only in: "+cmp.Or(d.NameEN, d.Name))
		} else {
			lines = append(lines, "仅限："+d.Name)
		}
	}
	if v.keep.status != "" {
		st := symbology.Of(v.keep.status)
		if lang == "en" {
			lines = append(lines, "Showing only: "+st.LabelEN)
		} else {
			lines = append(lines, "仅显示："+st.Label)
		}
	}
	right := 190 * sc
	for _, l := range lines {
		right = max(right, 26*sc+render.TextWidth(small, l))
	}
	lh := 20 * sc
	top := 50 * sc
	head := 30*sc + (len(lines)-1)*18*sc
	cv.Box(image.Rect(10*sc, top, right, top+lh*len(rows)+head), panel)
	for i, l := range lines {
		cv.Text(small, 16*sc, top+17*sc+i*18*sc, l, ink)
	}
	for i, st := range rows {
		y := top + head + i*lh
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
	// Right of the scale bar's box, wrapped to fit: never cut off.
	attLines := render.Wrap(small, att, W-(x0+px+50*sc)-18*sc)
	aw := 0
	for _, l := range attLines {
		aw = max(aw, render.TextWidth(small, l))
	}
	alh := 17 * sc
	cv.Box(image.Rect(W-aw-12*sc, H-3*sc-alh*len(attLines), W, H), panel)
	for i, l := range attLines {
		cv.Text(small, W-render.TextWidth(small, l)-6*sc, H-6*sc-alh*(len(attLines)-1-i), l, ink)
	}
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
