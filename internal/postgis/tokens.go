package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"projectmap/internal/domain"
)

// CreateToken stores a new token (its hash, never the secret) with its
// audit entry, in one transaction. A token whose id or secret is taken is
// ErrConflict; one that breaks the schema's rules (no name, an unknown
// role, a reporter without projects) ErrUnprocessable naming the field.
func (s *Store) CreateToken(ctx context.Context, t domain.Token, audit domain.AuditEntry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	projects := make([]int32, len(t.Projects))
	for i, n := range t.Projects {
		projects[i] = int32(n)
	}
	var created *time.Time
	if !t.CreatedAt.IsZero() {
		created = &t.CreatedAt
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, syncCommitSQL); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, insertTokenSQL, t.ID, t.Name, string(t.Role), projects, t.Hash, created,
			auditTime(audit.At), audit.Actor, audit.TokenID, orDefault(audit.Action, "token.create"),
			orDefault(audit.Target, "token "+t.ID), audit.Remote, audit.RequestID)
		return err
	})
	if err == nil {
		s.ledger.heard()
	}
	return mapWriteErr(ctx, err)
}

// RevokeToken revokes a token by id at at (zero: now), with its audit
// entry; ErrNotFound if there is none, ErrConflict if it was revoked
// already (it stays revoked as of the first time).
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time, audit domain.AuditEntry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, syncCommitSQL); err != nil {
			return err
		}
		var revoked bool
		err := tx.QueryRow(ctx, revokeTokenSQL, id, auditTime(at), auditTime(audit.At), audit.Actor, audit.TokenID,
			orDefault(audit.Action, "token.revoke"), orDefault(audit.Target, "token "+id), audit.Remote, audit.RequestID).Scan(&revoked)
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		var at *time.Time
		switch err := tx.QueryRow(ctx, tokenRevokedSQL, id).Scan(&at); {
		case errors.Is(err, pgx.ErrNoRows):
			return domain.Errorf(domain.ErrNotFound, "no token %q", id)
		case err != nil:
			return err
		case at == nil:
			return fmt.Errorf("token %s was neither revoked nor revocable", id)
		}
		return domain.Errorf(domain.ErrConflict, "token %s was revoked already, on %s", id, at.UTC().Format(time.DateOnly))
	})
	if err == nil {
		s.ledger.heard()
	}
	return mapWriteErr(ctx, err)
}

// TokenByHash finds the token whose secret hashes to hash, revoked or
// not; ErrNotFound if none.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (domain.Token, error) {
	if err := ctx.Err(); err != nil {
		return domain.Token{}, err
	}
	rows, err := s.pool.Query(ctx, tokenByHashSQL, hash)
	if err != nil {
		return domain.Token{}, mapErr(ctx, err)
	}
	tokens, err := scanTokens(rows)
	if err != nil {
		return domain.Token{}, mapErr(ctx, err)
	}
	if len(tokens) == 0 {
		return domain.Token{}, domain.Errorf(domain.ErrNotFound, "no such token")
	}
	return tokens[0], nil
}

// Tokens lists every token, oldest first.
func (s *Store) Tokens(ctx context.Context) ([]domain.Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, tokensSQL)
	if err != nil {
		return nil, mapErr(ctx, err)
	}
	tokens, err := scanTokens(rows)
	return tokens, mapErr(ctx, err)
}

func scanTokens(rows pgx.Rows) ([]domain.Token, error) {
	tokens := []domain.Token{}
	var t domain.Token
	var role string
	var projects []int32
	var revoked *time.Time
	_, err := pgx.ForEachRow(rows, []any{&t.ID, &t.Name, &role, &projects, &t.Hash, &t.CreatedAt, &revoked}, func() error {
		tok := t
		tok.Role = domain.Role(role)
		tok.CreatedAt = t.CreatedAt.UTC()
		tok.Projects = nil
		for _, n := range projects {
			tok.Projects = append(tok.Projects, int(n))
		}
		if revoked != nil {
			at := revoked.UTC()
			tok.RevokedAt = &at
		}
		tok.Hash = append([]byte(nil), t.Hash...)
		tokens = append(tokens, tok)
		return nil
	})
	return tokens, err
}

// Audit lists audit entries, newest first, at most limit (0: all).
func (s *Store) Audit(ctx context.Context, limit int) ([]domain.AuditEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit < 0 {
		return nil, domain.Invalid("limit", "must not be negative")
	}
	sql, args := auditSQL, []any{}
	if limit > 0 {
		sql, args = auditLimitSQL, []any{limit}
	}
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, mapErr(ctx, err)
	}
	entries := []domain.AuditEntry{}
	var e domain.AuditEntry
	_, err = pgx.ForEachRow(rows, []any{&e.ID, &e.At, &e.Actor, &e.TokenID, &e.Action, &e.Target, &e.Remote, &e.RequestID}, func() error {
		entry := e
		entry.At = e.At.UTC()
		entries = append(entries, entry)
		return nil
	})
	return entries, mapErr(ctx, err)
}
