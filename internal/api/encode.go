package api

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"projectmap/internal/domain"
)

// This file writes GeoJSON features by hand: encoding/json through
// orb's Feature marshals every feature twice and sorts map keys, which
// made a whole-layer response several times slower than it needs to be.
// Output is deterministic: fixed properties first, then attributes by key.

// prop is one property. Strings and numbers are kept unboxed: putting
// each into an interface cost an allocation per property per feature,
// the largest share of a whole-layer response's garbage.
type prop struct {
	key  string
	str  string
	num  float64 // a number, or for propAny the index of its value in feature.anys
	kind propKind
}

type propKind uint8

const (
	propNull propKind = iota
	propString
	propNumber
	propAny
)

func strProp(key, s string) prop         { return prop{key: key, kind: propString, str: s} }
func numProp(key string, n float64) prop { return prop{key: key, kind: propNumber, num: n} }
func nullProp(key string) prop           { return prop{key: key} }

// addAny appends a property of any other type (attributes, milestones),
// kept in the feature's anys so that props stay small.
func (f *feature) addAny(key string, v any) {
	if v == nil {
		f.props = append(f.props, nullProp(key))
		return
	}
	f.props = append(f.props, prop{key: key, kind: propAny, num: float64(len(f.anys))})
	f.anys = append(f.anys, v)
}

// value returns property p of f as a plain value, for the CSV writer.
func (f feature) value(p prop) any {
	switch p.kind {
	case propString:
		return p.str
	case propNumber:
		return p.num
	case propAny:
		return f.anys[int(p.num)]
	}
	return nil
}

// feature is a GeoJSON feature ready to encode.
type feature struct {
	id       string
	geometry orb.Geometry
	props    []prop
	anys     []any // the values of propAny properties
}

func (f feature) MarshalJSON() ([]byte, error) {
	return appendFeature(nil, f)
}

func appendFeature(b []byte, f feature) ([]byte, error) {
	b = append(b, `{"type":"Feature","id":`...)
	b = appendString(b, f.id)
	b = append(b, `,"geometry":`...)
	var err error
	if b, err = appendGeometry(b, f.geometry); err != nil {
		return nil, err
	}
	b = append(b, `,"properties":{`...)
	for i, p := range f.props {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, p.key)
		b = append(b, ':')
		switch p.kind {
		case propNull:
			b = append(b, "null"...)
		case propString:
			b = appendString(b, p.str)
		case propNumber:
			if err := finite(p.key, p.num); err != nil {
				return nil, err
			}
			b = appendFloat(b, p.num)
		default:
			if b, err = appendValue(b, f.anys[int(p.num)]); err != nil {
				return nil, err
			}
		}
	}
	return append(b, "}}"...), nil
}

func appendValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case float64:
		if err := finite("value", v); err != nil {
			return nil, err
		}
		return appendFloat(b, v), nil
	case domain.TrackingStatus:
		return appendString(b, string(v)), nil
	case domain.Precision:
		return appendString(b, string(v)), nil
	case []domain.Milestone:
		return appendMilestones(b, v)
	}
	return appendJSON(b, v)
}

// appendMilestones writes milestones exactly as encoding/json would (the
// golden files hold it to that), without its reflection: on a layer whose
// every site has its own steps it was the largest cost of a response.
func appendMilestones(b []byte, ms []domain.Milestone) ([]byte, error) {
	b = append(b, '[')
	for i, m := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		if m.Start != nil {
			b = append(b, `"start":`...)
			b = appendString(b, m.Start.String())
			b = append(b, ',')
		}
		b = append(b, `"date":`...)
		b = appendString(b, m.Date.String())
		if len(m.Quantities) > 0 {
			b = append(b, `,"quantities":{`...)
			for j, k := range sortedKeys(m.Quantities) {
				v := m.Quantities[k]
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("milestone %s: quantity %s is not a finite number", m.Date, k)
				}
				if j > 0 {
					b = append(b, ',')
				}
				b = appendString(b, k)
				b = append(b, ':')
				b = appendFloat(b, v)
			}
			b = append(b, '}')
		}
		if m.Text != "" {
			b = append(b, `,"text":`...)
			b = appendString(b, m.Text)
		}
		if m.TextEN != "" {
			b = append(b, `,"text_en":`...)
			b = appendString(b, m.TextEN)
		}
		b = append(b, '}')
	}
	return append(b, ']'), nil
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// finite refuses NaN and infinities, which JSON cannot carry: written
// as they are, they would make the whole body invalid.
func finite(key string, f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("property %s: %v is not a finite number", key, f)
	}
	return nil
}

func appendFloat(b []byte, f float64) []byte {
	if f == float64(int64(f)) && f < 1e15 && f > -1e15 {
		return strconv.AppendInt(b, int64(f), 10)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

func appendPoint(b []byte, p orb.Point) []byte {
	b = append(b, '[')
	b = appendFloat(b, p[0])
	b = append(b, ',')
	b = appendFloat(b, p[1])
	return append(b, ']')
}

func appendPoints(b []byte, ps []orb.Point) []byte {
	b = append(b, '[')
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPoint(b, p)
	}
	return append(b, ']')
}

func appendRings(b []byte, rs []orb.Ring) []byte {
	b = append(b, '[')
	for i, r := range rs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPoints(b, r)
	}
	return append(b, ']')
}

func appendGeometry(b []byte, g orb.Geometry) ([]byte, error) {
	switch g := g.(type) {
	case nil:
		return append(b, "null"...), nil
	case orb.Point:
		b = append(b, `{"type":"Point","coordinates":`...)
		b = appendPoint(b, g)
	case orb.MultiPoint:
		b = append(b, `{"type":"MultiPoint","coordinates":`...)
		b = appendPoints(b, g)
	case orb.LineString:
		b = append(b, `{"type":"LineString","coordinates":`...)
		b = appendPoints(b, g)
	case orb.MultiLineString:
		b = append(b, `{"type":"MultiLineString","coordinates":[`...)
		for i, ls := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPoints(b, ls)
		}
		b = append(b, ']')
	case orb.Ring:
		b = append(b, `{"type":"Polygon","coordinates":`...)
		b = appendRings(b, []orb.Ring{g})
	case orb.Polygon:
		b = append(b, `{"type":"Polygon","coordinates":`...)
		b = appendRings(b, g)
	case orb.MultiPolygon:
		b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
		for i, p := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendRings(b, p)
		}
		b = append(b, ']')
	default:
		raw, err := json.Marshal(geojson.NewGeometry(g))
		if err != nil {
			return nil, err
		}
		return append(b, raw...), nil
	}
	return append(b, '}'), nil
}

// appendString writes s as a JSON string without HTML escaping, replacing
// invalid UTF-8 as encoding/json does.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	if plainJSON(s) {
		return append(append(b, s...), '"') // most names and sources: copied whole
	}
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// plainJSON reports whether s can be written in a JSON string as it is:
// valid UTF-8 with no control character, quote, backslash, U+2028 or
// U+2029 (which appendString escapes).
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c == 0xe2 {
			return false // 0xe2 leads U+2028 and U+2029 (and other runes the slow path copies)
		}
	}
	return utf8.ValidString(s)
}

// sortedAttrs returns the attribute keys in order.
func sortedAttrs(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
