package memstore

import (
	"encoding/json"
	"time"

	"projectmap/internal/domain"
	"projectmap/internal/journal"
)

// The journal's record types and payloads. Each write is one record, its
// audit entry included, so that it is stored whole or not at all. Fields
// are only ever added; a record once written is read by every later build.
const (
	typeFile        = "report.file"    // fileRecord
	typeRetract     = "report.retract" // retractRecord
	typeTokenCreate = "token.create"   // tokenRecord
	typeTokenRevoke = "token.revoke"   // revokeRecord
)

// fileRecord is a filing: its reports with their IDs and filing time,
// and the idempotency key (Scope is the token ID the key belongs to).
type fileRecord struct {
	Reports []domain.Report   `json:"reports"`
	Key     string            `json:"key,omitempty"`
	Digest  string            `json:"digest,omitempty"`
	Scope   string            `json:"scope,omitempty"`
	Audit   domain.AuditEntry `json:"audit"`
}

type retractRecord struct {
	Retraction domain.Retraction `json:"retraction"`
	Key        string            `json:"key,omitempty"`
	Digest     string            `json:"digest,omitempty"`
	Scope      string            `json:"scope,omitempty"`
	Audit      domain.AuditEntry `json:"audit"`
}

// storedToken is a token with its hash, which domain.Token keeps out of
// JSON. The secret itself is never stored.
type storedToken struct {
	domain.Token
	Hash []byte `json:"hash"`
}

type tokenRecord struct {
	Token storedToken       `json:"token"`
	Audit domain.AuditEntry `json:"audit"`
}

type revokeRecord struct {
	ID    string            `json:"id"`
	At    time.Time         `json:"at"`
	Audit domain.AuditEntry `json:"audit"`
}

func record(typ string, payload any) (*journal.Record, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return nil, &domain.Error{Kind: domain.ErrInternal, Message: "cannot encode a " + typ + " record", Err: err}
	}
	return &journal.Record{Type: typ, Payload: b}, nil
}
