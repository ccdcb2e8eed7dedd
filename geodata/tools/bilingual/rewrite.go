package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"
)

// Entry is one row of the translation table: a text as the data holds it
// now, and the same in Chinese and in English.
type Entry struct {
	Text string `json:"text"`
	ZH   string `json:"zh"`
	EN   string `json:"en"`
}

// Missing is a text the table has no entry for.
type Missing struct {
	Feature, Field, Text string
}

// field is one text property of a feature, as found in the file: where its
// key and value lie, and whether its English twin is there already.
type field struct {
	text             string
	keyStart, valEnd int // raw[keyStart:valEnd] is `"key": "value"`
	valStart         int
	indent           string // what precedes the key: a newline and indentation, or nothing
	colon            string // what lies between key and value: ":" or ": "
	found            bool   // the key has a string value
	hasEN            bool
}

// props gathers the text fields of one feature's properties.
type props struct {
	id     string
	source field
	note   field // attrs.note
}

// edit replaces raw[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// Rewrite gives every feature of a GeoJSON collection whose source (or
// attrs.note) has no English twin the table's Chinese and English. It
// edits the text in place, so the file keeps its layout and the diff shows
// only the changed values. It returns the new file, how many texts it
// changed, and the texts the table lacks (then nothing should be written).
func Rewrite(raw []byte, table map[string]Entry) ([]byte, int, []Missing, error) {
	features, err := scan(raw)
	if err != nil {
		return nil, 0, nil, err
	}
	var edits []edit
	var missing []Missing
	for _, p := range features {
		for _, f := range []struct {
			name, en string
			f        field
		}{{"source", "source_en", p.source}, {"attrs.note", "note_en", p.note}} {
			if !f.f.found || f.f.hasEN {
				continue
			}
			e, ok := table[f.f.text]
			if !ok {
				missing = append(missing, Missing{p.id, f.name, f.f.text})
				continue
			}
			edits = append(edits,
				edit{f.f.valStart, f.f.valEnd, encode(e.ZH)},
				edit{f.f.valEnd, f.f.valEnd, "," + f.f.indent + encode(f.en) + f.f.colon + encode(e.EN)})
		}
	}
	out := apply(raw, edits)
	if err := verify(raw, out, table); err != nil {
		return nil, 0, nil, err
	}
	return out, len(edits) / 2, missing, nil
}

// apply makes the edits, which do not overlap, from the end backwards.
func apply(raw []byte, edits []edit) []byte {
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	out := append([]byte(nil), raw...)
	for _, e := range edits {
		out = append(out[:e.start], append([]byte(e.text), out[e.end:]...)...)
	}
	return out
}

// encode writes s as a JSON string the way the data files do: Chinese and
// symbols as they are, not \u escapes.
func encode(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// frame is one open container of the token walk.
type frame struct{ object, wantKey bool }

// scan walks the file's tokens and returns, for every feature, where its
// source and attrs.note are.
func scan(raw []byte) ([]props, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	var (
		features []props
		path     []string // keys, and "[]" for arrays, from the root to the current value
		stack    []frame
	)
	// endValue closes a value: in an object, its key goes and the next
	// token is a key again.
	endValue := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			path = path[:len(path)-1]
			stack[n-1].wantKey = true
		}
	}
	for {
		before := int(dec.InputOffset())
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return features, nil
		}
		if err != nil {
			return nil, err
		}
		end := int(dec.InputOffset())
		var cur *props
		if len(features) > 0 {
			cur = &features[len(features)-1]
		}
		if n := len(stack); n > 0 && stack[n-1].wantKey {
			if tok == json.Delim('}') {
				stack = stack[:n-1]
				endValue()
				continue
			}
			path = append(path, tok.(string))
			stack[n-1].wantKey = false
			if cur != nil {
				cur.key(path, raw, skipSep(raw, before), end)
			}
			continue
		}
		switch tok {
		case json.Delim('{'):
			if match(path, "features", "[]") {
				features = append(features, props{id: fmt.Sprintf("feature[%d]", len(features))})
			}
			stack = append(stack, frame{object: true, wantKey: true})
		case json.Delim('['):
			stack = append(stack, frame{})
			path = append(path, "[]")
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			path = path[:len(path)-1]
			endValue()
		default:
			if s, ok := tok.(string); ok && cur != nil {
				cur.value(path, s, raw, skipSep(raw, before), end)
			}
			endValue()
		}
	}
}

// key notes where a text property's key starts, and its English twin.
func (p *props) key(path []string, raw []byte, start, end int) {
	f := p.fieldAt(path[:len(path)-1], path[len(path)-1])
	if f == nil {
		if match(path, "features", "[]", "properties", "source_en") {
			p.source.hasEN = true
		}
		if match(path, "features", "[]", "properties", "attrs", "note_en") {
			p.note.hasEN = true
		}
		return
	}
	f.keyStart = start
	i := start
	for i > 0 && strings.ContainsRune(" \t\r\n", rune(raw[i-1])) {
		i--
	}
	f.indent = string(raw[i:start])
	f.valEnd = end // the key's end, until the value is seen
}

// value records a string value: a feature's id, source or note.
func (p *props) value(path []string, s string, raw []byte, start, end int) {
	if match(path, "features", "[]", "id") {
		p.id = s
		return
	}
	if f := p.fieldAt(path[:len(path)-1], path[len(path)-1]); f != nil {
		f.colon = string(raw[f.valEnd:start])
		f.text, f.valStart, f.valEnd, f.found = s, start, end, true
	}
}

func (p *props) fieldAt(parent []string, key string) *field {
	switch {
	case key == "source" && match(parent, "features", "[]", "properties"):
		return &p.source
	case key == "note" && match(parent, "features", "[]", "properties", "attrs"):
		return &p.note
	}
	return nil
}

func match(path []string, want ...string) bool {
	return reflect.DeepEqual(path, want)
}

// skipSep moves from the end of one token past the separators to the
// start of the next.
func skipSep(raw []byte, i int) int {
	for i < len(raw) && strings.ContainsRune(" \t\r\n,:", rune(raw[i])) {
		i++
	}
	return i
}

// verify decodes the old and the new file and checks that they differ in
// the rewritten texts alone: a guard against an edit in the wrong place.
func verify(old, new []byte, table map[string]Entry) error {
	var a, b map[string]any
	if err := json.Unmarshal(old, &a); err != nil {
		return err
	}
	if err := json.Unmarshal(new, &b); err != nil {
		return fmt.Errorf("the rewritten file is not JSON: %w", err)
	}
	fa, _ := a["features"].([]any)
	for _, f := range fa {
		props, _ := f.(map[string]any)["properties"].(map[string]any)
		translate(props, "source", "source_en", table)
		if attrs, ok := props["attrs"].(map[string]any); ok {
			translate(attrs, "note", "note_en", table)
		}
	}
	if !reflect.DeepEqual(a, b) {
		return errors.New("the rewritten file differs from the original in more than the translated texts")
	}
	return nil
}

// translate does to a decoded object what Rewrite does to the text.
func translate(m map[string]any, key, enKey string, table map[string]Entry) {
	s, ok := m[key].(string)
	if _, has := m[enKey]; !ok || has {
		return
	}
	if e, found := table[s]; found {
		m[key], m[enKey] = e.ZH, e.EN
	}
}
