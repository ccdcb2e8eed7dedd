package ledger

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"projectmap/internal/domain"
)

// secretPrefix starts every token secret, so that one pasted in the wrong
// place is easy to recognise (and to scan for).
const secretPrefix = "pm_"

// HashSecret is how a secret is kept: its SHA-256. Secrets are 256 random
// bits, so a fast hash is enough; a slow one would only slow every write.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return secretPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

func newTokenID() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "tok_" + hex.EncodeToString(b), nil
}

// Authenticate returns the live token whose secret is given. A missing,
// unknown or revoked secret is ErrUnauthorized; the secret itself never
// appears in an error.
func (s *Service) Authenticate(ctx context.Context, secret string) (domain.Token, error) {
	if secret == "" {
		return domain.Token{}, domain.Errorf(domain.ErrUnauthorized, "this needs a token: send Authorization: Bearer <token>")
	}
	if !strings.HasPrefix(secret, secretPrefix) || len(secret) > 200 {
		return domain.Token{}, domain.Errorf(domain.ErrUnauthorized, "the token is not valid")
	}
	t, err := s.Store.TokenByHash(ctx, HashSecret(secret))
	switch {
	case domain.KindOf(err) == domain.ErrNotFound:
		return domain.Token{}, domain.Errorf(domain.ErrUnauthorized, "the token is not valid")
	case err != nil:
		return domain.Token{}, err
	case t.Revoked():
		return domain.Token{}, domain.Errorf(domain.ErrUnauthorized, "the token was revoked on %s", t.RevokedAt.UTC().Format("2006-01-02"))
	}
	return t, nil
}

// CreateToken makes a token for name with a role (and a reporter's
// projects), stores its hash and returns the secret, which is shown once
// and kept nowhere.
func (s *Service) CreateToken(ctx context.Context, plan domain.Plan, a Actor, name string, role domain.Role, projects []int) (string, domain.Token, error) {
	if !a.Token.MayManageTokens() {
		return "", domain.Token{}, domain.Errorf(domain.ErrForbidden, "only an admin may create tokens")
	}
	t := domain.Token{Name: strings.TrimSpace(name), Role: role, Projects: projects, CreatedAt: s.now().UTC()}
	if err := domain.CheckToken(t, plan); err != nil {
		return "", domain.Token{}, err
	}
	secret, err := newSecret()
	if err != nil {
		return "", domain.Token{}, err
	}
	if t.ID, err = newTokenID(); err != nil {
		return "", domain.Token{}, err
	}
	t.Hash = HashSecret(secret)
	audit := a.audit("token.create", fmt.Sprintf("token %s (%s, %s)", t.ID, t.Name, t.Role), t.CreatedAt)
	if err := s.Store.CreateToken(ctx, t, audit); err != nil {
		return "", domain.Token{}, err
	}
	return secret, t, nil
}

// RevokeToken revokes the token with the given id.
func (s *Service) RevokeToken(ctx context.Context, a Actor, id string) error {
	if !a.Token.MayManageTokens() {
		return domain.Errorf(domain.ErrForbidden, "only an admin may revoke tokens")
	}
	id = strings.TrimSpace(id)
	if id == "" {
		return domain.Reject("id", "give the id of the token to revoke")
	}
	now := s.now().UTC()
	return s.Store.RevokeToken(ctx, id, now, a.audit("token.revoke", "token "+id, now))
}

// Operator is the actor of the command line: an admin acting on the
// server, audited under the account that ran the command. Reports it
// files carry reporter as their agency.
func Operator(account, reporter string) Actor {
	return Actor{Token: domain.Token{Name: reporter, Role: domain.RoleAdmin}, Remote: "local", Operator: account}
}
