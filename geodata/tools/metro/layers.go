package main

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// object is a JSON object that keeps its keys in file order, so that
// rewriting a layer changes only the values the tool sets.
type object []member

type member struct {
	Key   string
	Value json.RawMessage
}

func (o *object) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("want an object: %v", err)
	}
	*o = (*o)[:0]
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		*o = append(*o, member{t.(string), v})
	}
	_, err := dec.Token()
	return err
}

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshal(m.Key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(m.Value)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// get decodes the value of key into v; a missing key is an error.
func (o object) get(key string, v any) error {
	for _, m := range o {
		if m.Key == key {
			return json.Unmarshal(m.Value, v)
		}
	}
	return fmt.Errorf("no %q", key)
}

// set replaces the value of key in place, or inserts it after the key
// `after` (at the end when that is absent too).
func (o *object) set(key string, v any, after string) error {
	raw, err := marshal(v)
	if err != nil {
		return err
	}
	at := len(*o)
	for i, m := range *o {
		if m.Key == key {
			(*o)[i].Value = raw
			return nil
		}
		if m.Key == after {
			at = i + 1
		}
	}
	*o = append((*o)[:at], append(object{{key, raw}}, (*o)[at:]...)...)
	return nil
}

// marshal is json.Marshal without HTML escaping, as the layers are written.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// layer is a FeatureCollection read for rewriting.
type layer struct {
	top      object
	Features []object
}

func readLayer(b []byte) (*layer, error) {
	l := &layer{}
	if err := json.Unmarshal(b, &l.top); err != nil {
		return nil, err
	}
	if err := l.top.get("features", &l.Features); err != nil {
		return nil, err
	}
	return l, nil
}

// encode writes the layer as the files are kept: one-space indent, no
// HTML escaping, a final newline.
func (l *layer) encode() ([]byte, error) {
	if err := l.top.set("features", l.Features, ""); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(l.top); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// feature returns the feature with that id, with its properties.
func (l *layer) feature(id string) (f *object, props *object, err error) {
	for i := range l.Features {
		var fid string
		if l.Features[i].get("id", &fid) == nil && fid == id {
			props = &object{}
			if err := l.Features[i].get("properties", props); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", id, err)
			}
			return &l.Features[i], props, nil
		}
	}
	return nil, nil, fmt.Errorf("no feature %q", id)
}

type geometry struct {
	Type        string `json:"type"`
	Coordinates any    `json:"coordinates"`
}
