package domain

import (
	"slices"
	"time"
)

// Role says what a token may do.
type Role string

const (
	RoleReporter Role = "reporter" // files reports for its own projects only
	RoleEditor   Role = "editor"   // files reports for any project
	RoleAdmin    Role = "admin"    // everything, including managing tokens
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleReporter, RoleEditor, RoleAdmin:
		return true
	}
	return false
}

// Token is a bearer credential. Only the SHA-256 hash of its secret is
// kept; the secret is shown once, when it is created.
type Token struct {
	ID        string     `json:"id"`   // public handle, e.g. tok_3f9a…
	Name      string     `json:"name"` // who holds it: the agency, e.g. 市轨道集团
	Role      Role       `json:"role"`
	Projects  []int      `json:"projects,omitempty"` // a reporter's projects
	Hash      []byte     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Revoked reports whether the token has been revoked.
func (t Token) Revoked() bool { return t.RevokedAt != nil }

// MayFile reports whether the token may file or retract reports of project n.
func (t Token) MayFile(n int) bool {
	switch t.Role {
	case RoleAdmin, RoleEditor:
		return true
	case RoleReporter:
		return slices.Contains(t.Projects, n)
	}
	return false
}

// MayManageTokens reports whether the token may create and revoke tokens.
func (t Token) MayManageTokens() bool { return t.Role == RoleAdmin }

// CheckToken validates a token about to be created.
func CheckToken(t Token, p Plan) error {
	switch {
	case t.Name == "" || len([]rune(t.Name)) > 100:
		return Reject("name", "give the holder's name, 1 to 100 characters")
	case !t.Role.Valid():
		return Reject("role", "%q is not reporter, editor or admin", t.Role)
	case t.Role == RoleReporter && len(t.Projects) == 0:
		return Reject("projects", "a reporter needs the projects it may report on")
	case t.Role != RoleReporter && len(t.Projects) > 0:
		return Reject("projects", "only a reporter is limited to projects; an %s may report on all", t.Role)
	}
	for _, n := range t.Projects {
		if _, ok := p.Project(n); !ok {
			return Reject("projects", "plan %s has no project %d", p.ID, n)
		}
	}
	return nil
}

// Project returns project number n of the plan.
func (p Plan) Project(n int) (*Project, bool) {
	for i := range p.Projects {
		if p.Projects[i].Number == n {
			return &p.Projects[i], true
		}
	}
	return nil, false
}
