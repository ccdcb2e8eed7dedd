package main

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A small reader for the JavaScript object literal MetroMan ships its data
// in (`export default { lineList: [...], stationList: [...] };`). It takes
// what a hand-written data file uses — unquoted or quoted keys, single- or
// double-quoted strings, numbers, true/false/null, trailing commas and
// comments — and nothing else: no expressions, so no JS engine is needed.
// Objects become map[string]any, arrays []any, numbers float64.

type jsReader struct {
	s   string
	pos int
}

// parseJSLiteral reads one value, after an optional `export default`,
// `module.exports =` or `const name =`, and an optional trailing `;`.
func parseJSLiteral(s string) (any, error) {
	r := &jsReader{s: s}
	if err := r.skipPrefix(); err != nil {
		return nil, err
	}
	v, err := r.value()
	if err != nil {
		return nil, err
	}
	if err := r.space(); err != nil {
		return nil, err
	}
	if r.peek() == ';' {
		r.pos++
		if err := r.space(); err != nil {
			return nil, err
		}
	}
	if r.pos < len(r.s) {
		return nil, r.errorf("unexpected %q after the value", r.peek())
	}
	return v, nil
}

func (r *jsReader) errorf(format string, args ...any) error {
	line := 1 + strings.Count(r.s[:r.pos], "\n")
	col := 1 + utf8.RuneCountInString(r.s[strings.LastIndex(r.s[:r.pos], "\n")+1:r.pos])
	return fmt.Errorf("line %d col %d: %s", line, col, fmt.Sprintf(format, args...))
}

func (r *jsReader) peek() byte {
	if r.pos < len(r.s) {
		return r.s[r.pos]
	}
	return 0
}

// space skips white space and comments.
func (r *jsReader) space() error {
	for r.pos < len(r.s) {
		switch {
		case strings.IndexByte(" \t\r\n", r.s[r.pos]) >= 0:
			r.pos++
		case strings.HasPrefix(r.s[r.pos:], "\uFEFF"):
			r.pos += len("\uFEFF")
		case strings.HasPrefix(r.s[r.pos:], "//"):
			if i := strings.IndexByte(r.s[r.pos:], '\n'); i >= 0 {
				r.pos += i + 1
			} else {
				r.pos = len(r.s)
			}
		case strings.HasPrefix(r.s[r.pos:], "/*"):
			i := strings.Index(r.s[r.pos+2:], "*/")
			if i < 0 {
				return r.errorf("unterminated comment")
			}
			r.pos += i + 4
		default:
			return nil
		}
	}
	return nil
}

// skipPrefix skips the words and `=` before the first `{` or `[`.
func (r *jsReader) skipPrefix() error {
	for {
		if err := r.space(); err != nil {
			return err
		}
		switch c := r.peek(); {
		case c == '{' || c == '[':
			return nil
		case c == '=' || c == '.':
			r.pos++
		case isIdentByte(c):
			r.ident()
		default:
			return r.errorf("expected an object or array, found %q", c)
		}
	}
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (r *jsReader) ident() string {
	start := r.pos
	for r.pos < len(r.s) && isIdentByte(r.s[r.pos]) {
		r.pos++
	}
	return r.s[start:r.pos]
}

func (r *jsReader) value() (any, error) {
	if err := r.space(); err != nil {
		return nil, err
	}
	switch c := r.peek(); {
	case c == '{':
		return r.object()
	case c == '[':
		return r.array()
	case c == '\'' || c == '"':
		return r.str()
	case c == '-' || c == '+' || c == '.' || c >= '0' && c <= '9':
		return r.number()
	case isIdentByte(c):
		switch w := r.ident(); w {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		default:
			return nil, r.errorf("unsupported word %q (only data literals are read)", w)
		}
	case c == 0:
		return nil, r.errorf("unexpected end of input")
	default:
		return nil, r.errorf("unexpected %q", c)
	}
}

func (r *jsReader) object() (map[string]any, error) {
	r.pos++ // {
	out := map[string]any{}
	for {
		if err := r.space(); err != nil {
			return nil, err
		}
		if r.peek() == '}' {
			r.pos++
			return out, nil
		}
		var key string
		switch c := r.peek(); {
		case c == '\'' || c == '"':
			k, err := r.str()
			if err != nil {
				return nil, err
			}
			key = k
		case isIdentByte(c):
			key = r.ident()
		default:
			return nil, r.errorf("expected a key, found %q", c)
		}
		if err := r.space(); err != nil {
			return nil, err
		}
		if r.peek() != ':' {
			return nil, r.errorf("expected ':' after key %q", key)
		}
		r.pos++
		v, err := r.value()
		if err != nil {
			return nil, err
		}
		if _, dup := out[key]; dup {
			return nil, r.errorf("key %q appears twice", key)
		}
		out[key] = v
		if err := r.comma('}'); err != nil {
			return nil, err
		}
	}
}

func (r *jsReader) array() ([]any, error) {
	r.pos++ // [
	out := []any{}
	for {
		if err := r.space(); err != nil {
			return nil, err
		}
		if r.peek() == ']' {
			r.pos++
			return out, nil
		}
		v, err := r.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		if err := r.comma(']'); err != nil {
			return nil, err
		}
	}
}

// comma consumes the separator after an element: a comma, or nothing
// before the closing bracket (which the caller then consumes).
func (r *jsReader) comma(closing byte) error {
	if err := r.space(); err != nil {
		return err
	}
	switch r.peek() {
	case ',':
		r.pos++
		return nil
	case closing:
		return nil
	case 0:
		return r.errorf("unexpected end of input")
	}
	return r.errorf("expected ',' or %q, found %q", closing, r.peek())
}

func (r *jsReader) number() (float64, error) {
	start := r.pos
	for r.pos < len(r.s) && strings.IndexByte("+-.0123456789eE", r.s[r.pos]) >= 0 {
		r.pos++
	}
	f, err := strconv.ParseFloat(r.s[start:r.pos], 64)
	if err != nil {
		r.pos = start
		return 0, r.errorf("bad number %q", r.s[start:r.pos])
	}
	return f, nil
}

var jsEscapes = map[byte]string{'n': "\n", 't': "\t", 'r': "\r", 'b': "\b", 'f': "\f", 'v': "\v", '0': "\x00"}

func (r *jsReader) str() (string, error) {
	quote := r.s[r.pos]
	r.pos++
	var b strings.Builder
	for r.pos < len(r.s) {
		c := r.s[r.pos]
		switch {
		case c == quote:
			r.pos++
			return b.String(), nil
		case c == '\n':
			return "", r.errorf("line break inside a string")
		case c == '\\' && r.pos+1 < len(r.s):
			e := r.s[r.pos+1]
			r.pos += 2
			if s, ok := jsEscapes[e]; ok {
				b.WriteString(s)
			} else if e == 'u' {
				if r.pos+4 > len(r.s) {
					return "", r.errorf("short \\u escape")
				}
				n, err := strconv.ParseUint(r.s[r.pos:r.pos+4], 16, 32)
				if err != nil {
					return "", r.errorf("bad \\u escape")
				}
				b.WriteRune(rune(n))
				r.pos += 4
			} else if e != '\n' { // a backslash before a line break continues the line
				b.WriteByte(e) // \' \" \\ and any other escaped character
			}
		default:
			b.WriteByte(c)
			r.pos++
		}
	}
	return "", r.errorf("unterminated string")
}
