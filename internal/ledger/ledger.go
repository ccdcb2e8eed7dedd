// Package ledger files and retracts progress reports and manages tokens
// on behalf of a caller, the same way for the HTTP API and the command
// line: it resolves sites, applies domain.CheckReport to every report of a
// batch, checks the caller's scope, and hands one all-or-nothing filing
// with its audit entry to the store.
package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"projectmap/internal/domain"
)

// Service files reports into a store.
type Service struct {
	Store domain.Store
	// Now gives the current time: reports may not be dated after the
	// city's today.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Actor is who writes: a token's holder, or an operator on the server.
type Actor struct {
	Token domain.Token // Role and Projects decide the scope; Name is the reporter
	// Remote is where the write came from: the client address for the
	// API, "local" for the command line.
	Remote    string
	RequestID string
	// Operator, for the command line, is the server account that ran the
	// command (audited as "cli:<operator>").
	Operator string
}

func (a Actor) audit(action, target string, at time.Time) domain.AuditEntry {
	actor := a.Token.Name
	if a.Operator != "" {
		actor = "cli:" + a.Operator + " as " + a.Token.Name
	}
	return domain.AuditEntry{At: at, Actor: actor, TokenID: a.Token.ID, Action: action, Target: target,
		Remote: a.Remote, RequestID: a.RequestID}
}

// Write is what makes a write idempotent: the client's key and a digest
// of its request. An empty Key files every time.
type Write struct {
	Key    string
	Digest string
}

// Digest returns a digest of a request body for Write.Digest.
func Digest(contentType string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(contentType))
	h.Write([]byte{0})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// MaxBatch is the most reports one filing may hold.
const MaxBatch = 5000

// MaxKeyLen bounds an Idempotency-Key.
const MaxKeyLen = 255

// File checks every draft, then files them all in one write, or none.
// lines, when given (a CSV ledger), names each draft's line in problems;
// otherwise problems name the draft's index. A draft outside the actor's
// projects is ErrForbidden.
func (s *Service) File(ctx context.Context, plan domain.Plan, a Actor, drafts []domain.ReportDraft, lines []int, w Write) (domain.FilingResult, error) {
	return s.file(ctx, plan, a, drafts, lines, nil, w)
}

// FileCSV reads a ledger CSV (see ParseCSV) and files it like File. Every
// cell that cannot be read and every rule a row breaks are listed
// together, by line, and then nothing is filed.
func (s *Service) FileCSV(ctx context.Context, plan domain.Plan, a Actor, r io.Reader, w Write) (domain.FilingResult, error) {
	drafts, lines, unread, err := parseCSV(r)
	if err != nil {
		return domain.FilingResult{}, err
	}
	return s.file(ctx, plan, a, drafts, lines, unread, w)
}

// file is File, given the problems found reading the drafts (unread),
// whose lines are not checked further.
func (s *Service) file(ctx context.Context, plan domain.Plan, a Actor, drafts []domain.ReportDraft, lines []int, unread []domain.Problem, w Write) (domain.FilingResult, error) {
	if err := checkKey(w.Key); err != nil {
		return domain.FilingResult{}, err
	}
	switch {
	case len(drafts) == 0 && len(unread) == 0:
		return domain.FilingResult{}, domain.Reject("reports", "no report given")
	case len(drafts) > MaxBatch:
		return domain.FilingResult{}, domain.Reject("reports", "%d reports in one filing; at most %d", len(drafts), MaxBatch)
	}
	skip := map[int]bool{}
	for _, p := range unread {
		skip[p.Line] = true
	}
	now := s.now()
	today := plan.Today(now)
	lookup := s.siteLookup(ctx, plan.ID)
	reports := make([]domain.Report, 0, len(drafts))
	problems := append([]domain.Problem(nil), unread...)
	for i, d := range drafts {
		if lines != nil && skip[lines[i]] {
			continue
		}
		r, err := domain.CheckReport(plan, d, today, lookup)
		if err == nil && !a.Token.MayFile(r.Project) {
			return domain.FilingResult{}, &domain.Error{Kind: domain.ErrForbidden, Param: where(i, lines, "project"),
				Message: fmt.Sprintf("token %q may not report on project %d", a.Token.Name, r.Project)}
		}
		if err != nil {
			p, ok := problemOf(err, i, lines)
			if !ok {
				return domain.FilingResult{}, err
			}
			problems = append(problems, p)
			continue
		}
		r.ReportedBy, r.TokenID, r.FiledAt = a.Token.Name, a.Token.ID, now.UTC()
		reports = append(reports, r)
	}
	if len(problems) > 0 {
		// By line, then in the order found (a row's cells left to right).
		sort.SliceStable(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
		return domain.FilingResult{}, rejected(problems)
	}
	f := domain.Filing{Reports: reports, Key: w.Key, Digest: w.Digest,
		Audit: a.audit("report.file", fmt.Sprintf("%d reports", len(reports)), now.UTC())}
	return s.Store.FileReports(ctx, f)
}

// Retract withdraws report id of the plan, with a reason.
func (s *Service) Retract(ctx context.Context, plan domain.Plan, a Actor, id int64, reason string, w Write) (domain.Retraction, bool, error) {
	if err := checkKey(w.Key); err != nil {
		return domain.Retraction{}, false, err
	}
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return domain.Retraction{}, false, domain.Reject("reason", "say why the report is retracted")
	case len([]rune(reason)) > domain.MaxNoteLen:
		return domain.Retraction{}, false, domain.Reject("reason", "is longer than %d characters", domain.MaxNoteLen)
	}
	r, err := s.Store.Report(ctx, plan.ID, id)
	if err != nil {
		return domain.Retraction{}, false, err
	}
	if !a.Token.MayFile(r.Project) {
		return domain.Retraction{}, false, &domain.Error{Kind: domain.ErrForbidden, Param: "id",
			Message: fmt.Sprintf("token %q may not retract reports of project %d", a.Token.Name, r.Project)}
	}
	now := s.now().UTC()
	f := domain.RetractionFiling{
		Retraction: domain.Retraction{Report: id, Reason: reason, RetractedBy: a.Token.Name, TokenID: a.Token.ID, RetractedAt: now},
		Key:        w.Key, Digest: w.Digest,
		Audit: a.audit("report.retract", fmt.Sprintf("report %d", id), now),
	}
	return s.Store.Retract(ctx, f)
}

func (s *Service) siteLookup(ctx context.Context, plan string) domain.SiteLookup {
	return func(id string) (*domain.Site, error) {
		site, err := s.Store.SiteByID(ctx, plan, id)
		if domain.KindOf(err) == domain.ErrNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return &site, nil
	}
}

func checkKey(key string) error {
	if len(key) > MaxKeyLen {
		return domain.Invalid("Idempotency-Key", "is longer than %d characters", MaxKeyLen)
	}
	for _, c := range key {
		if c < 0x21 || c > 0x7e {
			return domain.Invalid("Idempotency-Key", "must be printable ASCII without spaces")
		}
	}
	return nil
}

// problemOf turns a rule broken by draft i into a problem naming its line
// or index; other errors (the store failing) are not problems.
func problemOf(err error, i int, lines []int) (domain.Problem, bool) {
	var de *domain.Error
	if !errors.As(err, &de) || de.Kind != domain.ErrUnprocessable {
		return domain.Problem{}, false
	}
	p := domain.Problem{Field: de.Param, Message: de.Message}
	if lines != nil {
		p.Line = lines[i]
	} else {
		idx := i
		p.Index = &idx
	}
	return p, true
}

func where(i int, lines []int, field string) string {
	if lines != nil {
		return fmt.Sprintf("line %d: %s", lines[i], field)
	}
	return fmt.Sprintf("[%d].%s", i, field)
}

// rejected is the error for a batch with problems: all of them listed,
// the first named in Param and Message.
func rejected(problems []domain.Problem) error {
	first := problems[0]
	msg := first.Message
	if len(problems) > 1 {
		msg = fmt.Sprintf("%s (and %d more problems; nothing was filed)", msg, len(problems)-1)
	} else {
		msg += " (nothing was filed)"
	}
	return &domain.Error{Kind: domain.ErrUnprocessable, Param: first.Where(), Message: msg, Problems: problems}
}
