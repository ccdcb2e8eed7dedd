package ledger

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"projectmap/internal/domain"
)

func f64(v float64) *float64 { return &v }
func intp(v int) *int        { return &v }

func TestParseCSV(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  []domain.ReportDraft
		lines []int
	}{
		{
			"english header, every column",
			"project,schedule,site,reported_on,quantity,milestone,fraction,status,source,evidence_url,note\n" +
				"4,charging-piles,,2024-09-30,\"3,200\",,,,市发改委 台账,https://example.org/a,九月\n",
			[]domain.ReportDraft{{Project: 4, Schedule: "charging-piles", ReportedOn: "2024-09-30", Quantity: f64(3200),
				Source: "市发改委 台账", EvidenceURL: "https://example.org/a", Note: "九月"}},
			[]int{2},
		},
		{
			"chinese header with a BOM, columns in any order, a percentage",
			"\ufeff来源,报告日期,项目,比例\n月报,2024-06-30,23,68%\n月报,2024-07-31,23,0.7\n",
			[]domain.ReportDraft{
				{Project: 23, ReportedOn: "2024-06-30", Fraction: f64(0.68), Source: "月报"},
				{Project: 23, ReportedOn: "2024-07-31", Fraction: f64(0.7), Source: "月报"},
			},
			[]int{2, 3},
		},
		{
			"a site and a milestone; a quoted cell over two lines",
			"site,reported_on,milestone,source,note\nold-community-lintong-renhan,2024-07-01,2,台账,\"two\nlines\"\nold-community-lintong-renhan,2024-08-01,3,台账,\n",
			[]domain.ReportDraft{
				{Site: "old-community-lintong-renhan", ReportedOn: "2024-07-01", Milestone: intp(2), Source: "台账", Note: "two\nlines"},
				{Site: "old-community-lintong-renhan", ReportedOn: "2024-08-01", Milestone: intp(3), Source: "台账"},
			},
			[]int{2, 4},
		},
		{
			"CRLF line ends and blank lines",
			"project,reported_on,status,source\r\n\r\n15,2024-12-31,completed,通报\r\n",
			[]domain.ReportDraft{{Project: 15, ReportedOn: "2024-12-31", Status: "completed", Source: "通报"}},
			[]int{3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, lines, err := ParseCSV(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("drafts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.lines, lines); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCSVRejects(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		param    string
		problems []string // Where() of every problem
	}{
		{"empty", "", "line 1", nil},
		{"header only", "project,reported_on,source\n", "line 2", nil},
		{"unknown column", "project,reported_on,source,colour\n1,2024-05-01,x,red\n", "line 1: colour", []string{"line 1: colour"}},
		{"column twice", "project,reported_on,source,项目\n", "line 1: 项目", []string{"line 1: 项目"}},
		{"missing columns", "note\n", "line 1: reported_on", []string{"line 1: reported_on", "line 1: source", "line 1: project"}},
		{"bad cells, each named", "project,reported_on,quantity,milestone,fraction,source\nx,2024-05-01,,,,a\n4,2024-05-01,lots,,,a\n4,2024-05-01,,two,,a\n4,2024-05-01,,,half,a\n",
			"line 2: project", []string{"line 2: project", "line 3: quantity", "line 4: milestone", "line 5: fraction"}},
		{"a percentage is no quantity", "project,reported_on,quantity,source\n4,2024-05-01,50%,a\n", "line 2: quantity", []string{"line 2: quantity"}},
		{"wrong number of cells", "project,reported_on,source\n4,2024-05-01\n", "line 2: row", []string{"line 2: row"}},
		{"not CSV", "project,reported_on,source\n4,\"2024-05-01,a\n", "line 2", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ParseCSV(strings.NewReader(tt.in))
			var de *domain.Error
			if !errors.As(err, &de) || de.Kind != domain.ErrUnprocessable {
				t.Fatalf("err %v, want ErrUnprocessable", err)
			}
			if de.Param != tt.param {
				t.Errorf("param %q, want %q (%s)", de.Param, tt.param, de.Message)
			}
			var where []string
			for _, p := range de.Problems {
				where = append(where, p.Where())
			}
			if diff := cmp.Diff(tt.problems, where); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCSVHoldsAtMostMaxBatch(t *testing.T) {
	var b strings.Builder
	b.WriteString("project,reported_on,fraction,source\n")
	for range MaxBatch + 1 {
		b.WriteString("23,2024-05-01,0.5,a\n")
	}
	_, _, err := ParseCSV(strings.NewReader(b.String()))
	if domain.KindOf(err) != domain.ErrUnprocessable {
		t.Errorf("err %v, want ErrUnprocessable", err)
	}
}

func TestParseJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []domain.ReportDraft
	}{
		{"an object", `{"project":4,"schedule":"charging-piles","reported_on":"2024-09-30","quantity":3200,"source":"台账"}`,
			[]domain.ReportDraft{{Project: 4, Schedule: "charging-piles", ReportedOn: "2024-09-30", Quantity: f64(3200), Source: "台账"}}},
		{"an array", ` [{"site":"s","reported_on":"2024-01-02","milestone":1,"source":"a"},{"project":23,"reported_on":"2024-01-03","fraction":0.5,"source":"b"}] `,
			[]domain.ReportDraft{{Site: "s", ReportedOn: "2024-01-02", Milestone: intp(1), Source: "a"}, {Project: 23, ReportedOn: "2024-01-03", Fraction: f64(0.5), Source: "b"}}},
		{"an empty array", `[]`, []domain.ReportDraft{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseJSON([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseJSONRejects(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		kind     domain.Kind
		param    string
		problems []string
	}{
		{"empty", "  ", domain.ErrInvalid, "body", nil},
		{"null", "null", domain.ErrInvalid, "body", nil},
		{"a number", "42", domain.ErrInvalid, "body", nil},
		{"broken", `{"project":`, domain.ErrInvalid, "body", nil},
		{"broken array", `[{"project":4},]`, domain.ErrInvalid, "body", nil},
		{"two objects", `{"project":4} {"project":5}`, domain.ErrInvalid, "body", nil},
		{"unknown field", `{"project":4,"reported_by":"me"}`, domain.ErrUnprocessable, "reported_by", []string{"reported_by"}},
		{"wrong types in an array", `[{"project":"four"},{"quantity":"many"},{"project":4}]`, domain.ErrUnprocessable, "[0].project", []string{"[0].project", "[1].quantity"}},
		{"not an object in an array", `[1]`, domain.ErrUnprocessable, "[0].body", []string{"[0].body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseJSON([]byte(tt.in))
			var de *domain.Error
			if !errors.As(err, &de) || de.Kind != tt.kind {
				t.Fatalf("err %v, want kind %v", err, tt.kind)
			}
			if de.Param != tt.param {
				t.Errorf("param %q, want %q (%s)", de.Param, tt.param, de.Message)
			}
			var where []string
			for _, p := range de.Problems {
				where = append(where, p.Where())
			}
			if diff := cmp.Diff(tt.problems, where); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDigest(t *testing.T) {
	a := Digest("application/json", []byte(`{"a":1}`))
	if a != Digest("application/json", []byte(`{"a":1}`)) {
		t.Error("the same request gives different digests")
	}
	for _, other := range []string{Digest("text/csv", []byte(`{"a":1}`)), Digest("application/json", []byte(`{"a":2}`)), Digest("application/json{", []byte(`"a":1}`))} {
		if other == a {
			t.Error("different requests share a digest")
		}
	}
	if len(a) != 64 {
		t.Errorf("digest %q is not hex SHA-256", a)
	}
}

func TestCheckKey(t *testing.T) {
	for key, ok := range map[string]bool{
		"":                                     true,
		"2024-09-monthly-ledger":               true,
		"6f1c0b9e-4a5d-4e8c-9a7b-2f3d1c0e9b8a": true,
		"has space":                            false,
		"tab\there":                            false,
		"非ASCII":                               false,
		strings.Repeat("k", MaxKeyLen):         true,
		strings.Repeat("k", MaxKeyLen+1):       false,
	} {
		err := checkKey(key)
		if (err == nil) != ok {
			t.Errorf("checkKey(%q) = %v, want ok %v", key, err, ok)
		}
		if err != nil && (domain.KindOf(err) != domain.ErrInvalid || err.(*domain.Error).Param != "Idempotency-Key") {
			t.Errorf("checkKey(%q) = %v, want ErrInvalid naming Idempotency-Key", key, err)
		}
	}
}

func TestRedactedSecretsLookLikeSecrets(t *testing.T) {
	s, err := newSecret()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s, secretPrefix) || len(s) < 40 {
		t.Errorf("secret %q: want %s and 256 random bits", s, secretPrefix)
	}
	if t2, _ := newSecret(); t2 == s {
		t.Error("two secrets are equal")
	}
	if id, _ := newTokenID(); !strings.HasPrefix(id, "tok_") {
		t.Errorf("token id %q", id)
	}
}
