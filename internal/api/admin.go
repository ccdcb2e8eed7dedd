package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"projectmap/internal/domain"
)

// audit lists the audit trail, newest first: who wrote what, when, from
// where, under which request id. Admin tokens only.
func (s *server) audit(c echo.Context) error {
	_, q, _, err := s.planQuery(c, jsonOnly, "limit")
	if err != nil {
		return err
	}
	limit, err := parseLimit(q)
	if err != nil {
		return err
	}
	entries, err := s.cfg.Store.Audit(c.Request().Context(), limit)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []domain.AuditEntry{}
	}
	noStore(c)
	return writeJSON(c, mediaJSON, map[string]any{"audit": entries})
}

// tokens lists every token, revoked ones included; never a secret or hash.
func (s *server) tokens(c echo.Context) error {
	if _, _, err := query(c, jsonOnly); err != nil {
		return err
	}
	ts, err := s.cfg.Store.Tokens(c.Request().Context())
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []domain.Token{}
	}
	noStore(c)
	return writeJSON(c, mediaJSON, map[string]any{"tokens": ts})
}

// createToken makes a token and answers with its secret, shown this once.
func (s *server) createToken(c echo.Context) error {
	p, _, _, err := s.planQuery(c, jsonOnly)
	if err != nil {
		return err
	}
	body, _, err := s.readBody(c, mediaJSON)
	if err != nil {
		return err
	}
	var in struct {
		Name     string      `json:"name"`
		Role     domain.Role `json:"role"`
		Projects []int       `json:"projects"`
	}
	if err := decodeStrict(body, &in); err != nil {
		return err
	}
	secret, t, err := s.cfg.Ledger.CreateToken(c.Request().Context(), p, actor(c), in.Name, in.Role, in.Projects)
	if err != nil {
		return err
	}
	noStore(c)
	return writeJSONStatus(c, http.StatusCreated, mediaJSON, map[string]any{"token": t, "secret": secret})
}

// revokeToken revokes a token by id; its holder gets 401 from then on.
func (s *server) revokeToken(c echo.Context) error {
	if _, _, err := query(c, jsonOnly); err != nil {
		return err
	}
	id := c.Param("id")
	if err := s.cfg.Ledger.RevokeToken(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	noStore(c)
	return writeJSON(c, mediaJSON, map[string]any{"token_id": id, "revoked": true})
}
