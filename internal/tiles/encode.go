package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt/vectortile"
)

// Layer is one layer of a vector tile: its name and its features, whose
// geometry is in tile coordinates already (Cut).
type Layer struct {
	Name     string
	Features []Feature
}

// Feature is a feature of a layer: its geometry in tile coordinates and
// its properties, in order.
type Feature struct {
	Geometry orb.Geometry
	Props    []Prop
}

// Prop is one property of a feature.
type Prop struct {
	Key   string
	Value Value
}

// Value is a property's value: a string, an integer, a number or a
// boolean (made by Str, Int, Num and Bool).
type Value struct {
	kind uint8
	s    string
	n    float64
	i    int64
}

const (
	kindString = iota + 1
	kindInt
	kindNum
	kindBool
)

// Str, Int, Num and Bool make values.
func Str(s string) Value  { return Value{kind: kindString, s: s} }
func Int(i int) Value     { return Value{kind: kindInt, i: int64(i)} }
func Num(n float64) Value { return Value{kind: kindNum, n: n} }
func Bool(b bool) Value {
	v := Value{kind: kindBool}
	if b {
		v.i = 1
	}
	return v
}

// proto writes v into tv, its fields pointing into v (which the caller
// keeps alive).
func (v *Value) proto(tv *vectortile.Tile_Value, b *bool) {
	switch v.kind {
	case kindString:
		tv.StringValue = &v.s
	case kindInt:
		tv.SintValue = &v.i
	case kindNum:
		tv.DoubleValue = &v.n
	default:
		*b = v.i == 1
		tv.BoolValue = b
	}
}

// Encode writes layers as a Mapbox Vector Tile (version 2, Extent units),
// each key and value once per layer (the MVT dictionaries). Layers
// without features are left out; no layer at all is an empty (zero-byte)
// tile.
func Encode(layers []Layer) ([]byte, error) {
	tile := &vectortile.Tile{}
	for _, l := range layers {
		if pl := encodeLayer(l); pl != nil {
			tile.Layers = append(tile.Layers, pl)
		}
	}
	if len(tile.Layers) == 0 {
		return []byte{}, nil
	}
	return tile.Marshal()
}

// encodeLayer builds one layer, allocating in a few large blocks: a
// tile of a thousand features must not cost a thousand allocations of
// each kind.
func encodeLayer(l Layer) *vectortile.Tile_Layer {
	version, extent, name := uint32(2), uint32(Extent), l.Name
	out := &vectortile.Tile_Layer{Version: &version, Name: &name, Extent: &extent}
	keys := map[string]uint32{}
	values := make(map[Value]uint32, 2*len(l.Features))
	var vals []Value // the distinct values, in order
	feats := make([]vectortile.Tile_Feature, 0, len(l.Features))
	types := [4]vectortile.Tile_GeomType{0, vectortile.Tile_POINT, vectortile.Tile_LINESTRING, vectortile.Tile_POLYGON}
	nprops := 0
	for _, f := range l.Features {
		nprops += len(f.Props)
	}
	tags := make([]uint32, 0, 2*nprops)
	e := geomEncoder{out: make([]uint32, 0, 3*len(l.Features))}
	for _, f := range l.Features {
		start := len(e.out)
		e.x, e.y = 0, 0 // each feature's cursor starts at the origin
		typ := e.geometry(f.Geometry)
		if typ == 0 || len(e.out) == start {
			e.out = e.out[:start]
			continue
		}
		t0 := len(tags)
		for _, p := range f.Props {
			k, ok := keys[p.Key]
			if !ok {
				k = uint32(len(out.Keys))
				keys[p.Key] = k
				out.Keys = append(out.Keys, p.Key)
			}
			v, ok := values[p.Value]
			if !ok {
				v = uint32(len(vals))
				values[p.Value] = v
				vals = append(vals, p.Value)
			}
			tags = append(tags, k, v)
		}
		feats = append(feats, vectortile.Tile_Feature{Tags: tags[t0:len(tags):len(tags)], Type: &types[typ], Geometry: e.out[start:len(e.out):len(e.out)]})
	}
	if len(feats) == 0 {
		return nil
	}
	out.Features = make([]*vectortile.Tile_Feature, len(feats))
	for i := range feats {
		out.Features[i] = &feats[i]
	}
	tvs := make([]vectortile.Tile_Value, len(vals))
	bools := make([]bool, len(vals))
	out.Values = make([]*vectortile.Tile_Value, len(vals))
	for i := range vals {
		vals[i].proto(&tvs[i], &bools[i])
		out.Values[i] = &tvs[i]
	}
	return out
}

// geometry appends a geometry as MVT commands (MoveTo, LineTo,
// ClosePath with zigzag deltas) and returns its type (0: none); rings are
// written without their closing vertex.
func (e *geomEncoder) geometry(g orb.Geometry) vectortile.Tile_GeomType {
	switch g := g.(type) {
	case orb.Point:
		e.out = append(e.out, command(1, 1))
		e.to(g)
		return vectortile.Tile_POINT
	case orb.MultiPoint:
		e.points(g)
		return vectortile.Tile_POINT
	case orb.LineString:
		e.line(g)
		return vectortile.Tile_LINESTRING
	case orb.MultiLineString:
		for _, l := range g {
			e.line(l)
		}
		return vectortile.Tile_LINESTRING
	case orb.Polygon:
		e.polygon(g)
		return vectortile.Tile_POLYGON
	case orb.MultiPolygon:
		for _, p := range g {
			e.polygon(p)
		}
		return vectortile.Tile_POLYGON
	}
	return 0
}

type geomEncoder struct {
	out  []uint32
	x, y int32
}

func command(id, count int) uint32 { return uint32(id&7) | uint32(count)<<3 }

func zigzag(v int32) uint32 { return uint32((v << 1) ^ (v >> 31)) }

func (e *geomEncoder) to(p orb.Point) {
	x, y := int32(math.Round(p[0])), int32(math.Round(p[1]))
	e.out = append(e.out, zigzag(x-e.x), zigzag(y-e.y))
	e.x, e.y = x, y
}

func (e *geomEncoder) points(ps []orb.Point) {
	e.out = append(e.out, command(1, len(ps)))
	for _, p := range ps {
		e.to(p)
	}
}

func (e *geomEncoder) line(l []orb.Point) {
	if len(l) < 2 {
		return
	}
	e.out = append(e.out, command(1, 1))
	e.to(l[0])
	e.out = append(e.out, command(2, len(l)-1))
	for _, p := range l[1:] {
		e.to(p)
	}
}

func (e *geomEncoder) polygon(pg orb.Polygon) {
	for _, r := range pg {
		if len(r) > 1 && r[0] == r[len(r)-1] {
			r = r[:len(r)-1]
		}
		if len(r) < 3 {
			continue
		}
		e.line(r)
		e.out = append(e.out, command(7, 1))
	}
}
