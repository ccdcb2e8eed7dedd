package api

import "testing"

func TestCellQuotesFormulas(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{"任韩小区", "任韩小区"},
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+1", "'+1"},
		{"-1", "'-1"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{-1.5, "-1.5"},
		{nil, ""},
		{true, "true"},
		{[]string{"8", "10"}, `["8","10"]`},
	}
	for _, tt := range tests {
		if got := cell(tt.in); got != tt.want {
			t.Errorf("cell(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
