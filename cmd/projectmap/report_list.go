package main

// projectmap report list and report retract.

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"projectmap/internal/domain"
)

func runReportList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report list", stderr)
	o := addLedgerFlags(fs, getenv)
	var q domain.ReportQuery
	var since, until string
	fs.IntVar(&q.Project, "project", 0, "only reports of this project")
	fs.StringVar(&q.Schedule, "schedule", "", "only reports on this schedule")
	fs.StringVar(&q.Site, "site", "", "only reports bearing on this site (its own, and its schedule's it inherits)")
	fs.StringVar(&since, "since", "", "only reports dated on or after YYYY-MM-DD")
	fs.StringVar(&until, "until", "", "only reports dated on or before YYYY-MM-DD")
	fs.IntVar(&q.Limit, "limit", 50, "at most this many reports, newest first; 0 for all")
	fs.IntVar(&q.Offset, "offset", 0, "skip this many reports first")
	asJSON := fs.Bool("json", false, "print JSON: {\"reports\": […], \"numberMatched\": N}")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("report list", pos, 0, "no arguments"); err != nil {
		return err
	}
	switch {
	case q.Limit < 0:
		return fmt.Errorf("%w: --limit must be 0 (all) or more", errUsage)
	case q.Offset < 0:
		return fmt.Errorf("%w: --offset must be 0 or more", errUsage)
	case q.Project < 0:
		return fmt.Errorf("%w: --project must be a project number", errUsage)
	}
	for _, d := range []struct {
		flag, value string
		into        *domain.Date
	}{{"since", since, &q.Since}, {"until", until, &q.Until}} {
		if d.value == "" {
			continue
		}
		if *d.into, err = domain.ParseDate(d.value); err != nil {
			return fmt.Errorf("%w: --%s: %v", errUsage, d.flag, err)
		}
	}
	s, err := openSession(ctx, o, getenv, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	q.Plan = s.plan.ID
	page, err := s.store.Reports(ctx, q)
	if err != nil {
		return flagError(fs, err)
	}
	if page.Reports == nil {
		page.Reports = []domain.Report{}
	}
	if *asJSON {
		return writeJSON(stdout, map[string]any{"reports": page.Reports, "numberMatched": page.Matched, "numberReturned": len(page.Reports)})
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tREPORTED_ON\tTARGET\tMEASURE\tSTATUS\tREPORTED_BY\tSOURCE\tRETRACTED")
	for _, r := range page.Reports {
		retracted := ""
		if r.Retraction != nil {
			retracted = "retracted: " + clip(r.Retraction.Reason, 40)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.ReportedOn, target(r), measure(r), r.Status, r.ReportedBy, clip(r.Source, 40), retracted)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d of %d reports\n", len(page.Reports), page.Matched)
	return nil
}

// measure is a report's measure as given, with the fraction it comes to.
func measure(r domain.Report) string {
	pct := strconv.FormatFloat(r.Progress*100, 'f', 0, 64) + "%"
	switch {
	case r.Quantity != nil:
		return strconv.FormatFloat(*r.Quantity, 'f', -1, 64) + " " + r.Metric + " (" + pct + ")"
	case r.Milestone != nil:
		return "milestone " + strconv.Itoa(*r.Milestone) + " (" + pct + ")"
	}
	return pct
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func runReportRetract(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report retract", stderr)
	o := addLedgerFlags(fs, getenv)
	reason := fs.String("reason", "", "why the report is withdrawn (required; shown beside it)")
	reporter := fs.String("reporter", "", "the agency on whose behalf it is retracted (default: the one that filed it)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("report retract", pos, 1, "one report id"); err != nil {
		return err
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id < 1 {
		return fmt.Errorf("%w: report retract: %q is not a report id", errUsage, pos[0])
	}
	s, err := openSession(ctx, o, getenv, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	by := *reporter
	if strings.TrimSpace(by) == "" {
		r, err := s.store.Report(ctx, s.plan.ID, id)
		if err != nil {
			return reportError(id, err)
		}
		by = r.ReportedBy
	} else if by, err = s.checkReporter(by); err != nil {
		return err
	}
	ret, _, err := s.svc.Retract(ctx, s.plan, s.actor(by), id, *reason, cliWrite("retract", s.plan.ID, by, []byte(pos[0]+"\x00"+*reason)))
	if err != nil {
		return reportError(id, flagError(fs, err))
	}
	fmt.Fprintf(stdout, "retracted report %d (retraction %d) for %s: %s\n", id, ret.ID, ret.RetractedBy, ret.Reason)
	return nil
}

func reportError(id int64, err error) error {
	switch domain.KindOf(err) {
	case domain.ErrNotFound:
		return fmt.Errorf("no report %d (see projectmap report list)", id)
	case domain.ErrConflict:
		return fmt.Errorf("report %d: %w", id, err)
	}
	return err
}
