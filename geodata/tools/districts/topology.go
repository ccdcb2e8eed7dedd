package main

// Topological clean-up of the source polygons.
//
// The source is quantised to a 1/1024° grid, which leaves spikes (the
// ring runs out and straight back), rings that touch themselves at a
// vertex, vertices lying on another edge of the same ring, and collinear
// edges that overlap. None of these are visible on a map but they make
// the polygons invalid under the OGC simple-feature rules. Everything here
// works on exact integer grid coordinates, so every test is exact:
//
//  1. node: split every edge at any source vertex (of any district) lying
//     on it, so shared borders carry identical vertices on both sides;
//  2. cancel opposite directed edges (spikes and doubled-back overlaps
//     enclose no area);
//  3. re-trace rings (leftmost turn at every vertex) and split them at
//     any vertex visited twice, so every ring is simple;
//  4. classify rings by signed area (shells CCW, holes CW) and put holes
//     into their shells;
//  5. drop vertices that are collinear in every ring that uses them.

import (
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// gridScale is the source's quantisation: 1/1024 degree.
const gridScale = 1024

type ipt struct{ X, Y int64 }

func toGrid(p orb.Point) (ipt, error) {
	x, y := p[0]*gridScale, p[1]*gridScale
	if x != math.Trunc(x) || y != math.Trunc(y) {
		return ipt{}, fmt.Errorf("point %v is not on the 1/%d° grid", p, gridScale)
	}
	return ipt{int64(x), int64(y)}, nil
}

func (p ipt) point() orb.Point { return orb.Point{float64(p.X) / gridScale, float64(p.Y) / gridScale} }

func icross(a, b, c ipt) int64 { return (b.X-a.X)*(c.Y-a.Y) - (b.Y-a.Y)*(c.X-a.X) }

// area2 is twice the signed area of an open ring (positive = CCW).
func area2(r []ipt) int64 {
	var s int64
	for i := range r {
		j := (i + 1) % len(r)
		s += r[i].X*r[j].Y - r[j].X*r[i].Y
	}
	return s
}

// gridRing converts a ring to an open integer ring without consecutive
// duplicates.
func gridRing(r orb.Ring) ([]ipt, error) {
	out := make([]ipt, 0, len(r))
	for _, p := range r {
		q, err := toGrid(p)
		if err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1] != q {
			out = append(out, q)
		}
	}
	for len(out) > 1 && out[0] == out[len(out)-1] {
		out = out[:len(out)-1]
	}
	return out, nil
}

// vertexIndex finds grid vertices by column.
type vertexIndex map[int64][]ipt

func newVertexIndex(rings [][]ipt) vertexIndex {
	seen := map[ipt]bool{}
	idx := vertexIndex{}
	for _, r := range rings {
		for _, p := range r {
			if !seen[p] {
				seen[p] = true
				idx[p.X] = append(idx[p.X], p)
			}
		}
	}
	return idx
}

// onEdge returns the indexed vertices strictly inside segment a–b, ordered
// from a to b.
func (idx vertexIndex) onEdge(a, b ipt) []ipt {
	x0, x1 := min(a.X, b.X), max(a.X, b.X)
	y0, y1 := min(a.Y, b.Y), max(a.Y, b.Y)
	var hits []ipt
	for x := x0; x <= x1; x++ {
		for _, p := range idx[x] {
			if p == a || p == b || p.Y < y0 || p.Y > y1 {
				continue
			}
			if icross(a, b, p) == 0 {
				hits = append(hits, p)
			}
		}
	}
	d := func(p ipt) int64 { return (p.X-a.X)*(b.X-a.X) + (p.Y-a.Y)*(b.Y-a.Y) }
	sort.Slice(hits, func(i, j int) bool { return d(hits[i]) < d(hits[j]) })
	return hits
}

type edge struct{ A, B ipt }

func (p ipt) less(q ipt) bool { return p.X < q.X || (p.X == q.X && p.Y < q.Y) }

func (e edge) less(f edge) bool { return e.A.less(f.A) || (e.A == f.A && e.B.less(f.B)) }

// traceRings rebuilds simple rings from a set of directed edges in which
// every vertex has as many incoming as outgoing edges, taking the leftmost
// turn at each vertex.
func traceRings(edges []edge) ([][]ipt, error) {
	out := map[ipt][]ipt{}
	for _, e := range edges {
		out[e.A] = append(out[e.A], e.B)
	}
	// deterministic start order
	starts := make([]ipt, 0, len(out))
	for p := range out {
		starts = append(starts, p)
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i].less(starts[j]) })
	used := map[edge]bool{}
	var rings [][]ipt
	for _, s := range starts {
		for _, t := range out[s] {
			if used[edge{s, t}] {
				continue
			}
			ring := []ipt{s}
			prev, cur := s, t
			used[edge{s, t}] = true
			for cur != s || len(ring) == 0 {
				ring = append(ring, cur)
				best, bestTurn := ipt{}, math.Inf(-1)
				found := false
				for _, n := range out[cur] {
					if used[edge{cur, n}] {
						continue
					}
					dx, dy := float64(cur.X-prev.X), float64(cur.Y-prev.Y)
					cx, cy := float64(n.X-cur.X), float64(n.Y-cur.Y)
					turn := math.Atan2(dx*cy-dy*cx, dx*cx+dy*cy)
					if turn > bestTurn {
						best, bestTurn, found = n, turn, true
					}
				}
				if !found {
					return nil, fmt.Errorf("ring tracing stuck at %v", cur.point())
				}
				used[edge{cur, best}] = true
				prev, cur = cur, best
				if len(ring) > len(edges) {
					return nil, fmt.Errorf("ring tracing does not close")
				}
			}
			rings = append(rings, ring)
		}
	}
	return rings, nil
}

// splitAtRepeats splits a ring that passes through a vertex more than
// once into simple rings: each closed loop between two visits becomes a
// ring of its own (a touching shell, or a hole touching its shell).
func splitAtRepeats(r []ipt) [][]ipt {
	var out [][]ipt
	stack := make([]ipt, 0, len(r))
	pos := map[ipt]int{}
	for _, p := range r {
		if i, ok := pos[p]; ok {
			loop := append([]ipt(nil), stack[i:]...)
			for _, q := range stack[i+1:] {
				delete(pos, q)
			}
			stack = stack[:i+1]
			out = append(out, loop)
			continue
		}
		pos[p] = len(stack)
		stack = append(stack, p)
	}
	return append(out, stack)
}

// ringContains reports whether p is strictly inside ring r (even-odd
// rule, exact); ok is false when p lies on the boundary.
func ringContains(r []ipt, p ipt) (in, ok bool) {
	n := len(r)
	for i := 0; i < n; i++ {
		a, b := r[i], r[(i+1)%n]
		if icross(a, b, p) == 0 && min(a.X, b.X) <= p.X && p.X <= max(a.X, b.X) && min(a.Y, b.Y) <= p.Y && p.Y <= max(a.Y, b.Y) {
			return false, false
		}
		if (a.Y > p.Y) != (b.Y > p.Y) {
			// x of the crossing compared with p.X, without division
			lhs := (p.X - a.X) * (b.Y - a.Y)
			rhs := (b.X - a.X) * (p.Y - a.Y)
			if b.Y-a.Y < 0 {
				lhs, rhs = -lhs, -rhs
			}
			if lhs < rhs {
				in = !in
			}
		}
	}
	return in, true
}

// gridPolygon is a shell with holes, in grid coordinates.
type gridPolygon [][]ipt

// cleanDistrict nodes, cancels and re-traces one district's rings.
func cleanDistrict(rings [][]ipt, idx vertexIndex) ([]gridPolygon, error) {
	count := map[edge]int{}
	for _, r := range rings {
		n := len(r)
		for i := 0; i < n; i++ {
			a, b := r[i], r[(i+1)%n]
			pts := append(append([]ipt{a}, idx.onEdge(a, b)...), b)
			for k := 0; k+1 < len(pts); k++ {
				e := edge{pts[k], pts[k+1]}
				rev := edge{e.B, e.A}
				if count[rev] > 0 {
					count[rev]--
				} else {
					count[e]++
				}
			}
		}
	}
	var edges []edge
	for e, c := range count {
		if c > 1 {
			return nil, fmt.Errorf("edge %v–%v used %d times in the same direction", e.A.point(), e.B.point(), c)
		}
		if c == 1 {
			edges = append(edges, e)
		}
	}
	sort.Slice(edges, func(i, j int) bool { return edges[i].less(edges[j]) })
	traced, err := traceRings(edges)
	if err != nil {
		return nil, err
	}
	var simple [][]ipt
	for _, r := range traced {
		simple = append(simple, splitAtRepeats(r)...)
	}
	var shells, holes [][]ipt
	for _, r := range simple {
		switch a := area2(r); {
		case a > 0:
			shells = append(shells, r)
		case a < 0:
			holes = append(holes, r)
		default:
			return nil, fmt.Errorf("zero-area ring at %v", r[0].point())
		}
	}
	polys := make([]gridPolygon, len(shells))
	for i, s := range shells {
		polys[i] = gridPolygon{s}
	}
	for _, h := range holes {
		best := -1
		for i, s := range shells {
			for _, p := range h {
				if in, ok := ringContains(s, p); ok {
					if in && (best < 0 || area2(s) < area2(shells[best])) {
						best = i
					}
					break
				}
			}
		}
		if best < 0 {
			return nil, fmt.Errorf("hole at %v lies in no shell", h[0].point())
		}
		polys[best] = append(polys[best], h)
	}
	// largest shell first, for stable output
	sort.SliceStable(polys, func(i, j int) bool { return area2(polys[i][0]) > area2(polys[j][0]) })
	return polys, nil
}

// totalArea2 is twice the signed area of polygons (holes negative).
func totalArea2(ps []gridPolygon) int64 {
	var s int64
	for _, p := range ps {
		for _, r := range p {
			s += area2(r)
		}
	}
	return s
}

// dropSharedCollinear removes, across all rings of all districts, every
// vertex that is collinear with its neighbours in each ring it occurs in,
// so that shared borders lose the same vertices on both sides.
func dropSharedCollinear(all [][]gridPolygon) {
	for {
		keep := map[ipt]bool{}
		forEachRing(all, func(r *[]ipt) {
			n := len(*r)
			for i, p := range *r {
				if n <= 3 || icross((*r)[(i+n-1)%n], p, (*r)[(i+1)%n]) != 0 {
					keep[p] = true
				}
			}
		})
		removed := 0
		forEachRing(all, func(r *[]ipt) {
			out := (*r)[:0]
			for _, p := range *r {
				if keep[p] {
					out = append(out, p)
				} else {
					removed++
				}
			}
			*r = out
		})
		if removed == 0 {
			return
		}
	}
}

func forEachRing(all [][]gridPolygon, f func(*[]ipt)) {
	for _, d := range all {
		for _, p := range d {
			for i := range p {
				f(&p[i])
			}
		}
	}
}
