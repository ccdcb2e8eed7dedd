package domain

import (
	"context"
	"time"
)

// ReportStatus is the state a progress report gives.
type ReportStatus string

const (
	ReportNotStarted ReportStatus = "not_started"
	ReportInProgress ReportStatus = "in_progress"
	ReportCompleted  ReportStatus = "completed"
	ReportSuspended  ReportStatus = "suspended"
)

// Valid reports whether s is a status a report may give.
func (s ReportStatus) Valid() bool {
	switch s {
	case ReportNotStarted, ReportInProgress, ReportCompleted, ReportSuspended:
		return true
	}
	return false
}

// Report is one entry of the ledger (工作台账): what an agency reported
// done by a date, and what it rests on. It targets a project, one of its
// schedules, or one site. History is append-only: a correction is a new
// report, a mistake is retracted by a Retraction, nothing is changed.
type Report struct {
	ID       int64  `json:"id"`
	Plan     string `json:"plan"`
	Project  int    `json:"project"`
	Schedule string `json:"schedule,omitempty"` // a project with one schedule always names it
	Layer    string `json:"layer,omitempty"`    // with Site: the site reported on
	Site     string `json:"site,omitempty"`

	ReportedOn Date `json:"reported_on"`
	// The measure as given: exactly one of Quantity (a cumulative figure of
	// Metric), Milestone (the number of steps reached, 0..n) or Fraction,
	// or none when Status alone says it all.
	Quantity  *float64 `json:"quantity,omitempty"`
	Metric    string   `json:"metric,omitempty"`
	Milestone *int     `json:"milestone,omitempty"`
	Fraction  *float64 `json:"fraction,omitempty"`
	// Progress is the fraction done the measure comes to, 0..1; Status is
	// the status given, or the one Progress implies.
	Progress float64      `json:"progress"`
	Status   ReportStatus `json:"status"`
	// ExceedsTarget flags a quantity above the target: kept as reported
	// (the plan's own figures are sometimes exceeded), counted as done.
	ExceedsTarget bool `json:"exceeds_target,omitempty"`

	Source      string `json:"source"`
	EvidenceURL string `json:"evidence_url,omitempty"`
	Note        string `json:"note,omitempty"`

	// ReportedBy is the name of the token that filed it: the agency.
	ReportedBy string    `json:"reported_by"`
	TokenID    string    `json:"token_id"`
	FiledAt    time.Time `json:"filed_at"`

	// Retraction is set on reads when the report has been retracted.
	Retraction *Retraction `json:"retraction,omitempty"`
}

// Retracted reports whether r has been retracted.
func (r Report) Retracted() bool { return r.Retraction != nil }

// Retraction withdraws a report filed in error. Both stay in the history.
type Retraction struct {
	ID          int64     `json:"id"`
	Report      int64     `json:"report"`
	Reason      string    `json:"reason"`
	RetractedBy string    `json:"retracted_by"`
	TokenID     string    `json:"token_id"`
	RetractedAt time.Time `json:"retracted_at"`
}

// ReportQuery selects reports of one plan, newest first: by ReportedOn
// then by ID, or by ID alone (newest filed first) with ByFiling. Zero
// fields do not filter. Site selects the reports that bear on a site: its
// own, and those of the schedule it inherits from (Project.InheritsFrom).
type ReportQuery struct {
	Plan     string
	Project  int
	Schedule string
	Site     string
	Since    Date // reported on or after
	Until    Date // reported on or before
	ByFiling bool
	Limit    int // 0 means no limit
	Offset   int
}

// ReportPage is one page of reports and how many the query matched.
type ReportPage struct {
	Reports []Report
	Matched int
}

// SiteTally counts a project's sites of one tracking status on a date, with
// the sum of their reported progress (0 for unreported sites).
type SiteTally struct {
	Project  int
	Status   TrackingStatus
	Sites    int
	Progress float64
}

// Filing is one write of the ledger: reports filed together, all or none.
// Key, when set, makes the write idempotent per token: a second filing with
// the same TokenID and Key returns the first one's reports (if Digest, the
// hash of the request, matches) instead of filing again.
type Filing struct {
	Reports []Report
	Key     string
	Digest  string
	Audit   AuditEntry
}

// FilingResult is what a filing stored, or, Replayed, had stored before.
type FilingResult struct {
	Reports  []Report
	Replayed bool
}

// RetractionFiling is a retraction with its audit entry and idempotency key.
type RetractionFiling struct {
	Retraction Retraction
	Key        string
	Digest     string
	Audit      AuditEntry
}

// AuditEntry records one write: who, when, from where, what.
type AuditEntry struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`    // the token's name, or "cli:<user>" on the server
	TokenID   string    `json:"token_id"` // empty from the command line
	Action    string    `json:"action"`   // report.file, report.retract, token.create, token.revoke
	Target    string    `json:"target"`   // e.g. "reports 12,13", "token tok_…"
	Remote    string    `json:"remote"`   // client address, or "local"
	RequestID string    `json:"request_id"`
}

// Ledger is where reports, tokens and the audit trail are kept. Writes
// return only once what they wrote is durable. Both stores implement it
// and pass internal/storetest.
type Ledger interface {
	// FileReports stores the filing's reports in one transaction, giving
	// them IDs and FiledAt, with its audit entry; see Filing for Key.
	// A reused Key with another Digest is ErrUnprocessable.
	FileReports(ctx context.Context, f Filing) (FilingResult, error)
	// Retract stores a retraction; an unknown report is ErrNotFound, one
	// already retracted ErrConflict.
	Retract(ctx context.Context, f RetractionFiling) (Retraction, bool, error)
	// Report returns one report of a plan with its retraction, if any.
	Report(ctx context.Context, plan string, id int64) (Report, error)
	// Reports runs a query; retracted reports are included and marked.
	Reports(ctx context.Context, q ReportQuery) (ReportPage, error)
	// LatestReports returns, for each project and schedule of the plan
	// reported on without a site, its latest report on or before asof
	// that is not retracted.
	LatestReports(ctx context.Context, plan string, asof Date) ([]Report, error)
	// SiteTallies counts the plan's sites by project and tracking status
	// on asof, computed where the data is.
	SiteTallies(ctx context.Context, plan string, asof Date) ([]SiteTally, error)

	// CreateToken stores a new token (its hash, never the secret).
	CreateToken(ctx context.Context, t Token, audit AuditEntry) error
	// RevokeToken revokes a token by ID; ErrNotFound if there is none.
	RevokeToken(ctx context.Context, id string, at time.Time, audit AuditEntry) error
	// TokenByHash finds the token whose secret hashes to hash, revoked or
	// not; ErrNotFound if none.
	TokenByHash(ctx context.Context, hash []byte) (Token, error)
	// Tokens lists every token, oldest first.
	Tokens(ctx context.Context) ([]Token, error)
	// Audit lists audit entries, newest first, at most limit (0: all).
	Audit(ctx context.Context, limit int) ([]AuditEntry, error)
}
