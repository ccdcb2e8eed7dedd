package memstore

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"strings"
	"time"

	"projectmap/internal/domain"
	"projectmap/internal/journal"
)

// FileReports stores a filing's reports as one journal record, all or
// none, with its audit entry. IDs follow on from the last report's;
// FiledAt and the audit's At are the caller's, or the time of the write
// when zero; the audit's Action and Target are filled in when empty
// ("report.file", "reports 12,13"). An idempotency key belongs to the
// audit entry's TokenID. A replayed filing writes nothing, not even an
// audit entry, and returns the reports as they now read.
func (s *Store) FileReports(ctx context.Context, f domain.Filing) (domain.FilingResult, error) {
	if err := ctx.Err(); err != nil {
		return domain.FilingResult{}, err
	}
	if len(f.Reports) == 0 {
		return domain.FilingResult{}, domain.Invalid("reports", "a filing needs at least one report")
	}
	reports := make([]domain.Report, len(f.Reports))
	for i, r := range f.Reports {
		var err error
		if reports[i], err = s.checkReport(i, r); err != nil {
			return domain.FilingResult{}, err
		}
	}
	var res domain.FilingResult
	var ids []int64
	err := s.write(func(l *ledger, now time.Time) (*journal.Record, error) {
		k := idemKey{f.Audit.TokenID, f.Key}
		if e := l.keys[k]; f.Key != "" && e != nil {
			if e.digest != f.Digest || e.reports == nil {
				return nil, reusedKey()
			}
			res = domain.FilingResult{Reports: l.views(e.reports), Replayed: true}
			return nil, nil
		}
		rec := fileRecord{Reports: reports, Key: f.Key, Digest: f.Digest, Scope: k.token}
		at := stamp(time.Time{}, now)
		for i := range rec.Reports {
			r := &rec.Reports[i]
			r.ID = l.lastReport + int64(i) + 1
			r.FiledAt = stamp(r.FiledAt, at)
			ids = append(ids, r.ID)
		}
		rec.Audit = auditEntry(f.Audit, l, now, "report.file", "reports "+reportIDs(rec.Reports))
		return record(typeFile, rec)
	})
	if err != nil || res.Replayed {
		return res, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return domain.FilingResult{Reports: s.led.views(ids)}, nil
}

func reusedKey() error {
	return domain.Reject("Idempotency-Key", "was used for another request; send a new key with a new request")
}

// checkReport guards the journal against a report no reader could place:
// one of a plan, project, schedule or site the geodata does not have, or
// without the fields every report has. The rules of what a report may say
// are domain.CheckReport's, applied by the caller.
func (s *Store) checkReport(i int, r domain.Report) (domain.Report, error) {
	reject := func(field, format string, args ...any) (domain.Report, error) {
		e := domain.Reject(field, format, args...)
		e.Problems = []domain.Problem{{Index: &i, Field: field, Message: e.Message}}
		return r, e
	}
	p := s.planByID(r.Plan)
	if p == nil {
		return reject("plan", "there is no plan %q", r.Plan)
	}
	pr, ok := p.Project(r.Project)
	if !ok {
		return reject("project", "plan %s has no project %d", p.ID, r.Project)
	}
	if r.Schedule != "" {
		if _, ok := pr.Schedule(r.Schedule); !ok {
			return reject("schedule", "project %d has no schedule %q", pr.Number, r.Schedule)
		}
	}
	switch ref, ok := s.byID[p.ID][r.Site]; {
	case r.Site == "" && r.Layer != "":
		return reject("site", "a report on layer %s names no site", r.Layer)
	case r.Site == "":
	case !ok:
		return reject("site", "plan %s has no site %q", p.ID, r.Site)
	case r.Layer != "" && r.Layer != ref.layer.info.ID:
		return reject("site", "site %q is in layer %s, not %s", r.Site, ref.layer.info.ID, r.Layer)
	case ref.layer.sites[ref.i].Project != r.Project:
		return reject("site", "site %q belongs to project %d, not %d", r.Site, ref.layer.sites[ref.i].Project, r.Project)
	default:
		r.Layer = ref.layer.info.ID
	}
	switch {
	case r.ReportedOn.IsZero():
		return reject("reported_on", "is missing")
	case !r.Status.Valid():
		return reject("status", "%q is not a report status", r.Status)
	case math.IsNaN(r.Progress) || r.Progress < 0 || r.Progress > 1:
		return reject("progress", "%v is not a fraction 0..1", r.Progress)
	case r.Quantity != nil && (math.IsNaN(*r.Quantity) || math.IsInf(*r.Quantity, 0)):
		return reject("quantity", "%v is not a number", *r.Quantity)
	case r.Fraction != nil && (math.IsNaN(*r.Fraction) || math.IsInf(*r.Fraction, 0)):
		return reject("fraction", "%v is not a number", *r.Fraction)
	case strings.TrimSpace(r.Source) == "":
		return reject("source", "is required")
	}
	r.Retraction = nil
	return r, nil
}

// Retract stores a retraction with its audit entry. Its ID follows on;
// RetractedAt is the caller's or the time of the write. A key already
// used for this retraction replays it (true), even though the report is
// retracted by then; any other retraction of a retracted report is
// ErrConflict.
func (s *Store) Retract(ctx context.Context, f domain.RetractionFiling) (domain.Retraction, bool, error) {
	if err := ctx.Err(); err != nil {
		return domain.Retraction{}, false, err
	}
	x := f.Retraction
	x.Reason = strings.TrimSpace(x.Reason)
	if x.Reason == "" {
		return domain.Retraction{}, false, domain.Reject("reason", "say why the report is retracted")
	}
	var out domain.Retraction
	replayed := false
	err := s.write(func(l *ledger, now time.Time) (*journal.Record, error) {
		k := idemKey{f.Audit.TokenID, f.Key}
		if e := l.keys[k]; f.Key != "" && e != nil {
			if e.digest != f.Digest || e.retracts == 0 {
				return nil, reusedKey()
			}
			out, replayed = *l.retractions[e.retracts], true
			return nil, nil
		}
		if l.reports[x.Report] == nil {
			return nil, domain.Errorf(domain.ErrNotFound, "there is no report %d", x.Report)
		}
		if prev := l.retractions[x.Report]; prev != nil {
			return nil, domain.Errorf(domain.ErrConflict, "report %d was retracted already, on %s", x.Report, prev.RetractedAt.Format(time.DateOnly))
		}
		x.ID = l.lastRetraction + 1
		x.RetractedAt = stamp(x.RetractedAt, now)
		out = x
		return record(typeRetract, retractRecord{Retraction: x, Key: f.Key, Digest: f.Digest, Scope: k.token,
			Audit: auditEntry(f.Audit, l, now, "report.retract", fmt.Sprintf("report %d", x.Report))})
	})
	if err != nil {
		return domain.Retraction{}, false, err
	}
	return out, replayed, nil
}

// CreateToken stores a token: its hash, never a secret. CreatedAt is the
// caller's or the time of the write. A second token with the same ID or
// the same hash is ErrConflict.
func (s *Store) CreateToken(ctx context.Context, t domain.Token, audit domain.AuditEntry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	switch {
	case t.ID == "":
		return domain.Invalid("id", "a token needs an id")
	case len(t.Hash) != sha256.Size:
		return domain.Invalid("hash", "a token's hash is the SHA-256 of its secret, %d bytes, not %d", sha256.Size, len(t.Hash))
	case !t.Role.Valid():
		return domain.Reject("role", "%q is not reporter, editor or admin", t.Role)
	}
	return s.write(func(l *ledger, now time.Time) (*journal.Record, error) {
		switch {
		case l.tokenByID[t.ID] != nil:
			return nil, domain.Errorf(domain.ErrConflict, "there is a token %s already", t.ID)
		case l.tokenByHash[string(t.Hash)] != nil:
			return nil, domain.Errorf(domain.ErrConflict, "another token has this secret")
		}
		t.CreatedAt = stamp(t.CreatedAt, now)
		t.RevokedAt = nil
		return record(typeTokenCreate, tokenRecord{Token: storedToken{Token: t, Hash: t.Hash},
			Audit: auditEntry(audit, l, now, "token.create", "token "+t.ID)})
	})
}

// RevokeToken revokes a token at at (zero: the time of the write).
// Unknown is ErrNotFound; revoked already, ErrConflict.
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time, audit domain.AuditEntry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.write(func(l *ledger, now time.Time) (*journal.Record, error) {
		t := l.tokenByID[id]
		switch {
		case t == nil:
			return nil, domain.Errorf(domain.ErrNotFound, "there is no token %s", id)
		case t.RevokedAt != nil:
			return nil, domain.Errorf(domain.ErrConflict, "token %s was revoked already, on %s", id, t.RevokedAt.Format(time.DateOnly))
		}
		return record(typeTokenRevoke, revokeRecord{ID: id, At: stamp(at, now),
			Audit: auditEntry(audit, l, now, "token.revoke", "token "+id)})
	})
}
