package ledger

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"projectmap/internal/domain"
)

// Columns of a ledger CSV, by English name, with the Chinese header a
// bureau's spreadsheet may use instead. Order does not matter; unknown
// columns are refused so that a misspelt one is never silently ignored.
func columns() [][2]string {
	return [][2]string{
		{"project", "项目"},
		{"schedule", "进度计划"},
		{"site", "点位"},
		{"reported_on", "报告日期"},
		{"quantity", "数量"},
		{"milestone", "节点"},
		{"fraction", "比例"},
		{"status", "状态"},
		{"source", "来源"},
		{"evidence_url", "佐证链接"},
		{"note", "备注"},
	}
}

// Columns lists the ledger CSV's columns as "english (中文)", for help texts.
func Columns() []string {
	cols := columns()
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c[0] + " (" + c[1] + ")"
	}
	return out
}

func columnOf(header string) (string, bool) {
	h := strings.TrimSpace(header)
	for _, c := range columns() {
		if strings.EqualFold(h, c[0]) || h == c[1] {
			return c[0], true
		}
	}
	return "", false
}

// ParseCSV reads a monthly ledger: a header line naming columns, then one
// report a row. It returns the drafts with the line each starts on (the
// header is line 1). Every cell that cannot be read is a problem naming
// its line and column; all are returned together, and none is filed.
// Service.FileCSV also lists the rules the readable rows break.
func ParseCSV(r io.Reader) ([]domain.ReportDraft, []int, error) {
	drafts, lines, unread, err := parseCSV(r)
	if err == nil && len(unread) > 0 {
		err = rejected(unread)
	}
	if err != nil {
		return nil, nil, err
	}
	return drafts, lines, nil
}

// parseCSV is ParseCSV with the cells it could not read apart (unread):
// a row with one is still among the drafts, a row with the wrong number
// of cells is not. err is for a ledger that cannot be read at all.
func parseCSV(r io.Reader) (drafts []domain.ReportDraft, lines []int, unread []domain.Problem, err error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, nil, domain.Reject("line 1", "the ledger is empty; its first line names the columns: %s", strings.Join(Columns(), ", "))
	}
	if err != nil {
		return nil, nil, nil, csvError(err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	names := make([]string, len(header))
	seen := map[string]bool{}
	var problems []domain.Problem
	for i, h := range header {
		name, ok := columnOf(h)
		switch {
		case !ok:
			problems = append(problems, domain.Problem{Line: 1, Field: h, Message: fmt.Sprintf("unknown column %q; the columns are %s", h, strings.Join(Columns(), ", "))})
		case seen[name]:
			problems = append(problems, domain.Problem{Line: 1, Field: h, Message: fmt.Sprintf("column %s is given twice", name)})
		}
		names[i], seen[name] = name, true
	}
	for _, need := range []string{"reported_on", "source"} {
		if !seen[need] {
			problems = append(problems, domain.Problem{Line: 1, Field: need, Message: "the ledger needs a " + need + " column"})
		}
	}
	if !seen["project"] && !seen["site"] {
		problems = append(problems, domain.Problem{Line: 1, Field: "project", Message: "the ledger needs a project or a site column"})
	}
	if len(problems) > 0 {
		return nil, nil, nil, rejected(problems)
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(drafts) == MaxBatch {
			return nil, nil, nil, domain.Reject(fmt.Sprintf("line %d", line), "a ledger holds at most %d reports", MaxBatch)
		}
		if len(rec) != len(names) {
			unread = append(unread, domain.Problem{Line: line, Field: "row", Message: fmt.Sprintf("%d cells, but the header names %d columns", len(rec), len(names))})
			continue
		}
		d, rowProblems := draftOf(names, rec, line)
		unread = append(unread, rowProblems...)
		drafts, lines = append(drafts, d), append(lines, line)
	}
	if len(drafts) == 0 && len(unread) == 0 {
		return nil, nil, nil, domain.Reject("line 2", "the ledger has a header but no report")
	}
	return drafts, lines, unread, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return domain.Reject(fmt.Sprintf("line %d", pe.Line), "not valid CSV: %v", pe.Err)
	}
	return err
}

// draftOf reads one row; empty cells are absent values.
func draftOf(names, rec []string, line int) (domain.ReportDraft, []domain.Problem) {
	var d domain.ReportDraft
	var problems []domain.Problem
	bad := func(field, format string, args ...any) {
		problems = append(problems, domain.Problem{Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	for i, name := range names {
		v := strings.TrimSpace(rec[i])
		if v == "" {
			continue
		}
		switch name {
		case "project":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				bad(name, "%q is not a project number", v)
			}
			d.Project = n
		case "milestone":
			n, err := strconv.Atoi(v)
			if err != nil {
				bad(name, "%q is not a whole number of milestones", v)
			}
			d.Milestone = &n
		case "quantity", "fraction":
			f, err := parseNumber(v, name == "fraction")
			if err != nil {
				bad(name, "%q is not a number", v)
			}
			if name == "quantity" {
				d.Quantity = &f
			} else {
				d.Fraction = &f
			}
		case "schedule":
			d.Schedule = v
		case "site":
			d.Site = v
		case "reported_on":
			d.ReportedOn = v
		case "status":
			d.Status = v
		case "source":
			d.Source = v
		case "evidence_url":
			d.EvidenceURL = v
		case "note":
			d.Note = v
		}
	}
	return d, problems
}

// parseNumber reads a figure as a spreadsheet writes it: "3,200" or
// "3200", and, for a fraction only, a percentage "68%" as 0.68 (a
// quantity "68%" is refused rather than read as 0.68 piles).
func parseNumber(v string, percent bool) (float64, error) {
	v = strings.ReplaceAll(v, ",", "")
	scale := 1.0
	if percent && strings.HasSuffix(v, "%") {
		v, scale = strings.TrimSuffix(v, "%"), 0.01
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("not a number")
	}
	return f * scale, nil
}

// ParseJSON reads a report object or an array of them. Malformed JSON is
// ErrInvalid naming the body; a field of the wrong type or an unknown
// field is a problem naming the item and field.
func ParseJSON(body []byte) ([]domain.ReportDraft, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, domain.Invalid("body", "send a report as a JSON object, an array of them, or a text/csv ledger")
	}
	if !json.Valid(body) {
		// Malformed JSON is the body's fault, not a field's: find where.
		var v any
		err := json.Unmarshal(body, &v)
		if err == nil {
			err = errors.New("more than one JSON value; send an array to file several reports")
		}
		return nil, domain.Invalid("body", "not valid JSON: %v", err)
	}
	items := []json.RawMessage{body}
	array := body[0] == '['
	if array {
		if err := json.Unmarshal(body, &items); err != nil {
			return nil, domain.Invalid("body", "not a JSON array of reports: %v", jsonProblem(err))
		}
	} else if body[0] != '{' {
		return nil, domain.Invalid("body", "not a JSON object or array")
	}
	if len(items) > MaxBatch {
		return nil, domain.Reject("reports", "%d reports in one filing; at most %d", len(items), MaxBatch)
	}
	drafts := make([]domain.ReportDraft, len(items))
	var problems []domain.Problem
	for i, raw := range items {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&drafts[i]); err != nil {
			p := domain.Problem{Field: jsonField(err), Message: jsonProblem(err)}
			if array {
				idx := i
				p.Index = &idx
			}
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		return nil, rejected(problems)
	}
	return drafts, nil
}

func jsonField(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return te.Field
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if f = strings.Trim(f, `"`); f != "" {
			return f
		}
		return `""` // a field with an empty name, named as written
	}
	return "body"
}

func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("a JSON %s where a %s belongs", te.Value, te.Type)
	}
	if strings.HasPrefix(err.Error(), "json: unknown field ") {
		return "unknown field; a report has project, schedule, site, reported_on, quantity, milestone, fraction, status, source, evidence_url and note"
	}
	return err.Error()
}
