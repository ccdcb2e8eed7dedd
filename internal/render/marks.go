package render

import (
	"image/color"
	"math"

	"projectmap/internal/domain"
)

// A mark is what a status glyph has inside its shape, as the web map's
// legend draws it (web/src/status.js glyph): strokes with round caps and
// dots, in the glyph's 24-unit box centred on 12,12, where the shape's
// radius is about 9.5 units.
type mark struct {
	lines [][][2]float32 // polylines
	width float32        // their stroke width
	dots  [][3]float32   // x, y, radius
}

// markOf returns the mark of a tracking status; ok false when it has none.
func markOf(s domain.TrackingStatus) (mark, bool) {
	switch s {
	case domain.TrackCompleted:
		return mark{lines: [][][2]float32{{{7.6, 12.4}, {10.6, 15.4}, {16.4, 9}}}, width: 2.6}, true
	case domain.TrackOnTrack:
		return mark{lines: [][][2]float32{{{7, 12}, {16, 12}}, {{12.6, 8.2}, {16.4, 12}, {12.6, 15.8}}}, width: 2.5}, true
	case domain.TrackBehind:
		return mark{lines: [][][2]float32{{{12, 7}, {12, 13.2}}}, width: 2.6, dots: [][3]float32{{12, 16.8, 1.5}}}, true
	case domain.TrackNotStarted:
		return mark{lines: [][][2]float32{{{8.4, 12}, {15.6, 12}}}, width: 2.8}, true
	case domain.TrackSuspended:
		return mark{lines: [][][2]float32{{{9.3, 7.5}, {9.3, 16.5}}, {{14.7, 7.5}, {14.7, 16.5}}}, width: 2.8}, true
	case domain.TrackUnreported:
		return mark{lines: [][][2]float32{questionHook()}, width: 2.1, dots: [][3]float32{{12, 16.9, 1.3}}}, true
	}
	return mark{}, false
}

// questionHook is the hook of a question mark: an arc of radius 2.6
// about 12.1,9.74 from its left side round to the right and down, then
// the stem to 12,14.3.
func questionHook() [][2]float32 {
	var pts [][2]float32
	for a := 180.0; a <= 425; a += 15 {
		r := a * math.Pi / 180
		pts = append(pts, [2]float32{12.1 + 2.6*float32(math.Cos(r)), 9.74 + 2.6*float32(math.Sin(r))})
	}
	return append(pts, [2]float32{12, 13.8}, [2]float32{12, 14.3})
}

// drawMark draws status's mark in col inside a glyph of radius r
// centred on x, y (device pixels), scaled by k (smaller in a hollow one).
func (c *Canvas) drawMark(x, y, r, k float32, status domain.TrackingStatus, col color.Color) {
	m, ok := markOf(status)
	if !ok {
		return
	}
	u := r / 9.5 * k
	at := func(p [2]float32) [2]float32 { return [2]float32{x + (p[0]-12)*u, y + (p[1]-12)*u} }
	for _, l := range m.lines {
		pts := make([][2]float32, len(l))
		for i, p := range l {
			pts[i] = at(p)
		}
		c.strokePath(pts, m.width*u, 0)
	}
	for _, d := range m.dots {
		p := at([2]float32{d[0], d[1]})
		c.circle(p[0], p[1], d[2]*u, false)
	}
	c.fill(col)
}
