package memstore

import (
	"encoding/json"
	"fmt"
	"sort"

	"projectmap/internal/domain"
	"projectmap/internal/journal"
)

// ledger is the journal's content in memory, indexed for reads. Reports
// are kept as filed (Retraction nil); retractions are looked up by report
// when a report is read.
type ledger struct {
	reports     map[int64]*domain.Report
	retractions map[int64]*domain.Retraction // by the report they retract
	plans       map[string]*planLedger
	tokens      []*domain.Token // oldest first
	tokenByID   map[string]*domain.Token
	tokenByHash map[string]*domain.Token
	audit       []domain.AuditEntry // oldest first
	keys        map[idemKey]*idemEntry

	// The last IDs given: the next are one more. Derived from the journal.
	lastReport, lastRetraction, lastAudit int64
}

// planLedger holds one plan's reports in the orders reads want. The
// date-sorted lists are by (reported_on, id), oldest first, so that the
// latest on or before a date is a binary search away.
type planLedger struct {
	byFiling   []*domain.Report // by id
	byDate     []*domain.Report
	bySite     map[string][]*domain.Report   // a site's own reports, by date
	bySchedule map[schedKey][]*domain.Report // reports on no site, by date
}

// schedKey names a project's schedule; "" for the whole project.
type schedKey struct {
	project  int
	schedule string
}

// idemKey is an idempotency key: a token's (its ID; "" from the command
// line) own key.
type idemKey struct{ token, key string }

// idemEntry is what a key was used for: a filing's reports, or the report
// a retraction retracted.
type idemEntry struct {
	digest   string
	reports  []int64
	retracts int64
}

func newLedger() *ledger {
	return &ledger{
		reports: map[int64]*domain.Report{}, retractions: map[int64]*domain.Retraction{},
		plans: map[string]*planLedger{}, tokenByID: map[string]*domain.Token{},
		tokenByHash: map[string]*domain.Token{}, keys: map[idemKey]*idemEntry{},
	}
}

func (l *ledger) plan(id string) *planLedger {
	pl := l.plans[id]
	if pl == nil {
		pl = &planLedger{bySite: map[string][]*domain.Report{}, bySchedule: map[schedKey][]*domain.Report{}}
		l.plans[id] = pl
	}
	return pl
}

// after reports whether a comes after b in (reported_on, id) order.
func after(a, b *domain.Report) bool {
	if a.ReportedOn.After(b.ReportedOn) {
		return true
	}
	return !a.ReportedOn.Before(b.ReportedOn) && a.ID > b.ID
}

func insertByDate(list []*domain.Report, r *domain.Report) []*domain.Report {
	i := sort.Search(len(list), func(i int) bool { return after(list[i], r) })
	list = append(list, nil)
	copy(list[i+1:], list[i:])
	list[i] = r
	return list
}

// latest returns the last report of a date-sorted list dated on or before
// asof that is not retracted, or nil.
func (l *ledger) latest(list []*domain.Report, asof domain.Date) *domain.Report {
	i := sort.Search(len(list), func(i int) bool { return list[i].ReportedOn.After(asof) })
	for i--; i >= 0; i-- {
		if l.retractions[list[i].ID] == nil {
			return list[i]
		}
	}
	return nil
}

// view returns a copy of a stored report for a caller, with its
// retraction if any; nil for nil.
func (l *ledger) view(r *domain.Report) *domain.Report {
	if r == nil {
		return nil
	}
	v := *r
	v.Quantity = clonePtr(r.Quantity)
	v.Milestone = clonePtr(r.Milestone)
	v.Fraction = clonePtr(r.Fraction)
	if x := l.retractions[r.ID]; x != nil {
		c := *x
		v.Retraction = &c
	}
	return &v
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func (l *ledger) views(ids []int64) []domain.Report {
	out := make([]domain.Report, 0, len(ids))
	for _, id := range ids {
		out = append(out, *l.view(l.reports[id]))
	}
	return out
}

func cloneToken(t *domain.Token) domain.Token {
	c := *t
	c.Projects = append([]int(nil), t.Projects...)
	if len(c.Projects) == 0 {
		c.Projects = nil
	}
	c.Hash = append([]byte(nil), t.Hash...)
	c.RevokedAt = clonePtr(t.RevokedAt)
	return c
}

// apply takes one journal record into the ledger. It trusts the record's
// content, which was validated when it was written, but refuses what
// cannot follow from what came before (an ID given twice, a retraction of
// nothing): the journal then names the line.
func (l *ledger) apply(rec journal.Record) error {
	switch rec.Type {
	case typeFile:
		var f fileRecord
		if err := decode(rec, &f); err != nil {
			return err
		}
		return l.applyFile(f)
	case typeRetract:
		var x retractRecord
		if err := decode(rec, &x); err != nil {
			return err
		}
		return l.applyRetract(x)
	case typeTokenCreate:
		var t tokenRecord
		if err := decode(rec, &t); err != nil {
			return err
		}
		return l.applyToken(t)
	case typeTokenRevoke:
		var r revokeRecord
		if err := decode(rec, &r); err != nil {
			return err
		}
		return l.applyRevoke(r)
	}
	return fmt.Errorf("unknown record type %q (written by a newer projectmap?)", rec.Type)
}

func decode(rec journal.Record, v any) error {
	if err := json.Unmarshal(rec.Payload, v); err != nil {
		return fmt.Errorf("%s record: %w", rec.Type, err)
	}
	return nil
}

func (l *ledger) applyFile(f fileRecord) error {
	if len(f.Reports) == 0 {
		return fmt.Errorf("a filing of no reports")
	}
	ids := make([]int64, len(f.Reports))
	last := l.lastReport
	for i, r := range f.Reports {
		if r.ID <= last {
			return fmt.Errorf("report id %d does not follow %d", r.ID, last)
		}
		last, ids[i] = r.ID, r.ID
	}
	if f.Key != "" {
		k := idemKey{f.Scope, f.Key}
		if l.keys[k] != nil {
			return fmt.Errorf("idempotency key %q used twice", f.Key)
		}
		l.keys[k] = &idemEntry{digest: f.Digest, reports: ids}
	}
	for i := range f.Reports {
		r := &f.Reports[i]
		r.Retraction = nil
		l.reports[r.ID] = r
		pl := l.plan(r.Plan)
		pl.byFiling = append(pl.byFiling, r)
		pl.byDate = insertByDate(pl.byDate, r)
		if r.Site != "" {
			pl.bySite[r.Site] = insertByDate(pl.bySite[r.Site], r)
		} else {
			k := schedKey{r.Project, r.Schedule}
			pl.bySchedule[k] = insertByDate(pl.bySchedule[k], r)
		}
	}
	l.lastReport = last
	return l.applyAudit(f.Audit)
}

func (l *ledger) applyRetract(x retractRecord) error {
	r := x.Retraction
	switch {
	case l.reports[r.Report] == nil:
		return fmt.Errorf("retraction %d of report %d, which does not exist", r.ID, r.Report)
	case l.retractions[r.Report] != nil:
		return fmt.Errorf("report %d retracted twice", r.Report)
	case r.ID <= l.lastRetraction:
		return fmt.Errorf("retraction id %d does not follow %d", r.ID, l.lastRetraction)
	}
	if x.Key != "" {
		k := idemKey{x.Scope, x.Key}
		if l.keys[k] != nil {
			return fmt.Errorf("idempotency key %q used twice", x.Key)
		}
		l.keys[k] = &idemEntry{digest: x.Digest, retracts: r.Report}
	}
	l.retractions[r.Report] = &r
	l.lastRetraction = r.ID
	return l.applyAudit(x.Audit)
}

func (l *ledger) applyToken(t tokenRecord) error {
	tok := t.Token.Token
	tok.Hash = t.Token.Hash
	switch {
	case l.tokenByID[tok.ID] != nil:
		return fmt.Errorf("token %s created twice", tok.ID)
	case l.tokenByHash[string(tok.Hash)] != nil:
		return fmt.Errorf("token %s has the secret of another", tok.ID)
	}
	l.tokens = append(l.tokens, &tok)
	l.tokenByID[tok.ID] = &tok
	l.tokenByHash[string(tok.Hash)] = &tok
	return l.applyAudit(t.Audit)
}

func (l *ledger) applyRevoke(r revokeRecord) error {
	t := l.tokenByID[r.ID]
	switch {
	case t == nil:
		return fmt.Errorf("revocation of token %s, which does not exist", r.ID)
	case t.RevokedAt != nil:
		return fmt.Errorf("token %s revoked twice", r.ID)
	}
	at := r.At
	t.RevokedAt = &at
	return l.applyAudit(r.Audit)
}

func (l *ledger) applyAudit(e domain.AuditEntry) error {
	if e.ID <= l.lastAudit {
		return fmt.Errorf("audit id %d does not follow %d", e.ID, l.lastAudit)
	}
	l.audit = append(l.audit, e)
	l.lastAudit = e.ID
	return nil
}
