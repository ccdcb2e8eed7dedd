package ledger

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"projectmap/internal/domain"
)

// checkRefusal fails t unless err is the ledger's own kind of refusal: an
// ErrInvalid naming what is wrong, or an ErrUnprocessable whose every
// problem says where.
func checkRefusal(t *testing.T, err error) {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) || de.Message == "" {
		t.Fatalf("error %v (%T) is not a domain error with a message", err, err)
	}
	switch de.Kind {
	case domain.ErrInvalid:
		if de.Param == "" {
			t.Fatalf("%v names nothing", err)
		}
	case domain.ErrUnprocessable:
		if de.Param == "" {
			t.Fatalf("%v names nothing", err)
		}
		for _, p := range de.Problems {
			if p.Where() == "" || p.Message == "" {
				t.Fatalf("problem %+v says not where or what", p)
			}
		}
	default:
		t.Fatalf("error %v of kind %v", err, de.Kind)
	}
}

// writeCSV writes drafts back as a ledger with every column.
func writeCSV(t *testing.T, drafts []domain.ReportDraft) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	var header []string
	for _, c := range columns() {
		header = append(header, c[0])
	}
	w.Write(header)
	num := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'g', -1, 64)
	}
	for _, d := range drafts {
		project, milestone := "", ""
		if d.Project != 0 {
			project = strconv.Itoa(d.Project)
		}
		if d.Milestone != nil {
			milestone = strconv.Itoa(*d.Milestone)
		}
		w.Write([]string{project, d.Schedule, d.Site, d.ReportedOn, num(d.Quantity), milestone, num(d.Fraction),
			d.Status, d.Source, d.EvidenceURL, d.Note})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// FuzzParseCSV: a ledger that parses has one line number a draft, rising
// from 2, at most MaxBatch drafts, and written back with every column
// parses to the same drafts; one that does not is a refusal saying where.
func FuzzParseCSV(f *testing.F) {
	for _, s := range []string{
		"project,schedule,site,reported_on,quantity,milestone,fraction,status,source,evidence_url,note\n4,charging-piles,,2024-09-30,\"3,200\",,,,台账,https://example.org/a,九月\n",
		"\ufeff来源,报告日期,项目,比例\n月报,2024-06-30,23,68%\n月报,2024-07-31,23,0.7\n",
		"site,reported_on,source,status\nx-1,2024-05-01,s,completed\r\n",
		"project,reported_on,source\n1,2024-01-01\n",
		"project,reported_on,source,colour\n",
		"project,reported_on,source\n\"unterminated\n",
		"", "project,reported_on,source\n",
		"project,reported_on,source,quantity\nx,2024-01-01,s,NaN\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		drafts, lines, err := ParseCSV(bytes.NewReader([]byte(in)))
		if err != nil {
			checkRefusal(t, err)
			return
		}
		if len(drafts) == 0 || len(drafts) > MaxBatch || len(lines) != len(drafts) {
			t.Fatalf("%d drafts, %d lines", len(drafts), len(lines))
		}
		for i, l := range lines {
			if l < 2 || (i > 0 && l <= lines[i-1]) {
				t.Fatalf("lines %v do not rise from 2", lines)
			}
		}
		again, _, err := ParseCSV(bytes.NewReader(writeCSV(t, drafts)))
		if err != nil {
			t.Fatalf("written back, the ledger is refused: %v", err)
		}
		if diff := cmp.Diff(drafts, again); diff != "" {
			t.Fatalf("written back and read again (-first +again):\n%s", diff)
		}
	})
}

// FuzzParseJSON: a body that parses holds 1 to MaxBatch drafts which,
// encoded again as an array, parse to the same drafts; one that does not
// is a refusal saying where.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{
		`{"project":4,"schedule":"charging-piles","reported_on":"2024-09-30","quantity":3200,"source":"台账"}`,
		`[{"site":"x-1","reported_on":"2024-05-01","status":"completed","source":"s"},{"project":1,"fraction":0.5,"milestone":2}]`,
		`{"project":"4"}`, `{"colour":"red"}`, `[1,2]`, `{} {}`, `"x"`, ``, `[`, `{"quantity":1e400}`, `[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		drafts, err := ParseJSON(body)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		if len(drafts) > MaxBatch {
			t.Fatalf("%d drafts", len(drafts))
		}
		if len(drafts) == 0 {
			return // an empty array: nothing to file, refused when filing
		}
		b, err := json.Marshal(drafts)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseJSON(b)
		if err != nil {
			t.Fatalf("encoded again as %s, refused: %v", b, err)
		}
		if diff := cmp.Diff(drafts, again); diff != "" {
			t.Fatalf("encoded again and read (-first +again):\n%s", diff)
		}
	})
}
