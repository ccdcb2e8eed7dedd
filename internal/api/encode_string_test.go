package api

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAppendStringIsJSON: every string, plain or needing escapes, is
// written as a JSON string that decodes to what encoding/json makes of it,
// with U+2028 and U+2029 escaped (as encoding/json does for script safety).
func TestAppendStringIsJSON(t *testing.T) {
	for _, s := range []string{
		"", "plain", "西安市 雁塔区", "a\"b", `back\slash`, "line\nbreak\ttab\r", "\x00\x01\x1f",
		"sep\u2028para\u2029", "bad \xc3\x28 utf-8", "\xff", "é€𝄞", "–—‘’“”…", strings.Repeat("长", 500),
	} {
		got := appendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("%q: wrote %s, not JSON: %v", s, got, err)
			continue
		}
		want, _ := json.Marshal(s)
		var wantBack string
		_ = json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Errorf("%q: decodes to %q, want %q", s, back, wantBack)
		}
		if strings.ContainsAny(string(got), "\u2028\u2029") {
			t.Errorf("%q: U+2028 or U+2029 left raw in %s", s, got)
		}
	}
}
