package main

// projectmap report add|import|list|retract: the ledger for operators on
// the server. Every write goes through internal/ledger, as the API's do,
// so a report the API refuses is refused here with the same words.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"projectmap/internal/domain"
	"projectmap/internal/ledger"
)

func runReport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runGroup(ctx, "report", args, getenv, stdout, stderr, []subcommand{
		{"add", runReportAdd}, {"import", runReportImport}, {"list", runReportList}, {"retract", runReportRetract},
	})
}

func reporterFlag(fs *flag.FlagSet) *string {
	return fs.String("reporter", "", "the agency the report is filed for, e.g. 市轨道集团 (audited as cli:<account> as <reporter>)")
}

func needReporter(r string) error {
	if strings.TrimSpace(r) == "" {
		return fmt.Errorf("%w: --reporter: name the agency on whose behalf the report is filed, e.g. --reporter 市轨道集团", errUsage)
	}
	return nil
}

// checkReporter holds the agency an operator files for to the rule of a
// token holder's name, since it stands where a token's name would.
func (s *session) checkReporter(r string) (string, error) {
	r = strings.TrimSpace(r)
	var de *domain.Error
	if err := domain.CheckToken(domain.Token{Name: r, Role: domain.RoleEditor}, s.plan); errors.As(err, &de) {
		return "", errors.New("--reporter: " + de.Message)
	} else if err != nil {
		return "", err
	}
	return r, nil
}

func runReportAdd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report add", stderr)
	o := addLedgerFlags(fs, getenv)
	var d domain.ReportDraft
	var quantity optFloat
	var milestone optInt
	var fraction optFloat
	fs.IntVar(&d.Project, "project", 0, "the project number")
	fs.StringVar(&d.Schedule, "schedule", "", "one of the project's schedules (default: the project's only one, or the whole project)")
	fs.StringVar(&d.Site, "site", "", "a site id, to report on one site instead of a schedule")
	fs.StringVar(&d.ReportedOn, "reported-on", "", "the date the report is about, YYYY-MM-DD")
	fs.Var(&quantity, "quantity", "the cumulative quantity of the target's metric reached, e.g. 3200")
	fs.Var(&milestone, "milestone", "the number of the schedule's milestones reached")
	fs.Var(&fraction, "fraction", "the fraction done, 0..1")
	fs.StringVar(&d.Status, "status", "", "not_started, in_progress, completed or suspended (default: what the measure implies)")
	fs.StringVar(&d.Source, "source", "", "the document, notice or page the report rests on (required)")
	fs.StringVar(&d.EvidenceURL, "evidence-url", "", "an http(s) link to the evidence")
	fs.StringVar(&d.Note, "note", "", "a note")
	reporter := reporterFlag(fs)
	asJSON := fs.Bool("json", false, "print the filed report as JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("report add", pos, 0, "no arguments"); err != nil {
		return err
	}
	if err := needReporter(*reporter); err != nil {
		return err
	}
	d.Quantity, d.Milestone, d.Fraction = quantity.v, milestone.v, fraction.v
	s, err := openSession(ctx, o, getenv, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	if *reporter, err = s.checkReporter(*reporter); err != nil {
		return err
	}
	body, _ := json.Marshal(d)
	res, err := s.svc.File(ctx, s.plan, s.actor(*reporter), []domain.ReportDraft{d}, nil, cliWrite("add", s.plan.ID, *reporter, body))
	if err != nil {
		return fileError(fs, err)
	}
	if *asJSON {
		return writeJSON(stdout, res.Reports[0])
	}
	printFiled(stdout, res)
	return nil
}

func runReportImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report import", stderr)
	o := addLedgerFlags(fs, getenv)
	reporter := reporterFlag(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("report import", pos, 1, "one ledger file, FILE.csv"); err != nil {
		return err
	}
	if err := needReporter(*reporter); err != nil {
		return err
	}
	file := pos[0]
	body, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	s, err := openSession(ctx, o, getenv, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	if *reporter, err = s.checkReporter(*reporter); err != nil {
		return err
	}
	// FileCSV, as the API does: unreadable cells and broken rules are
	// named together, by line.
	res, err := s.svc.FileCSV(ctx, s.plan, s.actor(*reporter), bytes.NewReader(body), cliWrite("import", s.plan.ID, *reporter, body))
	if err != nil {
		return ledgerError(file, err, stderr)
	}
	printFiled(stdout, res)
	return nil
}

// cliWrite makes a command-line write idempotent on its content: the same
// report or ledger filed again for the same reporter (a retry after a
// lost connection, a ledger imported twice) returns what was filed the
// first time instead of filing it again.
func cliWrite(cmd, plan, reporter string, body []byte) ledger.Write {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00", cmd, plan, reporter)
	h.Write(body)
	return ledger.Write{Key: "cli-" + cmd + "-" + hex.EncodeToString(h.Sum(nil))[:40], Digest: ledger.Digest("cli/"+cmd, body)}
}

// fileError names the flag whose value broke a rule: "--quantity: …".
func fileError(fs *flag.FlagSet, err error) error {
	var de *domain.Error
	if !errors.As(err, &de) || len(de.Problems) == 0 {
		return flagError(fs, err)
	}
	msgs := make([]string, len(de.Problems))
	for i, p := range de.Problems {
		msgs[i] = flagError(fs, &domain.Error{Kind: de.Kind, Param: p.Field, Message: p.Message}).Error()
	}
	return errors.New(strings.Join(msgs, "; ") + " (nothing was filed)")
}

// ledgerError prints each problem of a refused ledger on its own line,
// "line 3: quantity: …", and says that nothing was filed.
func ledgerError(file string, err error, stderr io.Writer) error {
	var de *domain.Error
	if !errors.As(err, &de) || len(de.Problems) == 0 {
		if de != nil && de.Kind == domain.ErrUnprocessable {
			fmt.Fprintf(stderr, "%s: %v\n", file, err)
			return fmt.Errorf("%s was refused; nothing was filed", file)
		}
		return err
	}
	for _, p := range de.Problems {
		fmt.Fprintf(stderr, "%s: %s\n", p.Where(), p.Message)
	}
	noun := "problems"
	if len(de.Problems) == 1 {
		noun = "problem"
	}
	return fmt.Errorf("%s: %d %s; nothing was filed", file, len(de.Problems), noun)
}

func printFiled(w io.Writer, res domain.FilingResult) {
	verb := "filed"
	if res.Replayed {
		verb = "already filed (the same content was filed before; nothing filed again)"
	}
	ids := make([]string, len(res.Reports))
	for i, r := range res.Reports {
		ids[i] = strconv.FormatInt(r.ID, 10)
	}
	if len(res.Reports) == 1 {
		r := res.Reports[0]
		fmt.Fprintf(w, "%s report %d: %s, %s, %s (%.0f%%), by %s\n", verb, r.ID, target(r), r.ReportedOn, r.Status, r.Progress*100, r.ReportedBy)
		return
	}
	fmt.Fprintf(w, "%s %d reports: %s\n", verb, len(res.Reports), strings.Join(ids, ", "))
}

// target names what a report is about: "project 4 · charging-piles".
func target(r domain.Report) string {
	t := "project " + strconv.Itoa(r.Project)
	switch {
	case r.Site != "":
		t += " · site " + r.Site
	case r.Schedule != "":
		t += " · " + r.Schedule
	}
	return t
}
