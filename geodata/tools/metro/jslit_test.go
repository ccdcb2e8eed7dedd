package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseJSLiteral(t *testing.T) {
	cases := []struct {
		name, in string
		want     any
		err      string // substring of the error; "" for success
	}{
		{"export default", "export default { a: 1 };", map[string]any{"a": 1.0}, ""},
		{"module.exports", "module.exports = [1, -2.5, 3e2]", []any{1.0, -2.5, 300.0}, ""},
		{"const", "const data = {}\n", map[string]any{}, ""},
		{"quoted keys and trailing commas", `{ 'a b': 'x', "c": [1, 2,], }`, map[string]any{"a b": "x", "c": []any{1.0, 2.0}}, ""},
		{"escapes", `{ s: 'it\'s \"\u4e2d\"\n' }`, map[string]any{"s": "it's \"中\"\n"}, ""},
		{"comments", "// head\n{ /* mid */ a: true, b: null, // tail\n c: false }", map[string]any{"a": true, "b": nil, "c": false}, ""},
		{"chinese", "{ name: '西电科大南校区·未来之瞳（南）' }", map[string]any{"name": "西电科大南校区·未来之瞳（南）"}, ""},
		{"byte order mark", "\uFEFF{ a: 1 }", map[string]any{"a": 1.0}, ""},
		{"expression", "{ a: 1 + 2 }", nil, "expected ','"},
		{"function call", "{ a: f(1) }", nil, "unsupported word"},
		{"unterminated string", "{ a: 'x }", nil, "unterminated string"},
		{"line break in string", "{ a: 'x\ny' }", nil, "line break"},
		{"repeated key", "{ a: 1, a: 2 }", nil, "appears twice"},
		{"missing colon", "{ a 1 }", nil, "expected ':'"},
		{"trailing junk", "{ a: 1 }; x", nil, "after the value"},
		{"truncated", "{ a: [1, 2", nil, "end of input"},
		{"unterminated comment", "{ /* a: 1 }", nil, "unterminated comment"},
		{"error position", "{\n  a: 1,\n  b: ?\n}", nil, "line 3 col 6"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseJSLiteral(c.in)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %#v, want %#v", got, c.want)
			}
		})
	}
}
