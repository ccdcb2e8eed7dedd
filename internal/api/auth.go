package api

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"projectmap/internal/domain"
	"projectmap/internal/ledger"
)

// tokenKey is where authenticate keeps the caller's token in the context.
const tokenKey = "projectmap.token"

// authenticate admits requests that carry Authorization: Bearer <secret>
// of a live token (ledger.Service.Authenticate); none, a bad or a revoked
// one is 401. The secret goes no further than the ledger: it is never
// logged nor kept in the context.
func (s *server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		secret, err := bearer(c.Request().Header.Get(echo.HeaderAuthorization))
		if err != nil {
			return err
		}
		t, err := s.cfg.Ledger.Authenticate(c.Request().Context(), secret)
		if err != nil {
			return err
		}
		c.Set(tokenKey, t)
		return next(c)
	}
}

// bearer returns the secret of an Authorization header, "" when absent.
func bearer(h string) (string, error) {
	if h == "" {
		return "", nil
	}
	scheme, secret, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", domain.Errorf(domain.ErrUnauthorized, "send the token as Authorization: Bearer <token>")
	}
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return "", domain.Errorf(domain.ErrUnauthorized, "the Authorization header holds no token")
	}
	return secret, nil
}

// actor is who makes the request: the authenticated token, from the
// client's address, under the request id the audit records.
func actor(c echo.Context) ledger.Actor {
	t, _ := c.Get(tokenKey).(domain.Token)
	return ledger.Actor{Token: t, Remote: c.RealIP(), RequestID: c.Response().Header().Get(echo.HeaderXRequestID)}
}

// requireAdmin lets only an admin token through (after authenticate).
func requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if t, _ := c.Get(tokenKey).(domain.Token); !t.MayManageTokens() {
			return domain.Errorf(domain.ErrForbidden, "only an admin token may do this; token %q is a %s", t.Name, t.Role)
		}
		return next(c)
	}
}

// writeLimit limits each token's writes (after authenticate): WriteRate
// a second, WriteBurst at once; beyond that 429 with Retry-After.
func (s *server) writeLimit() echo.MiddlewareFunc {
	wait := time.Duration(math.Ceil(1 / s.cfg.WriteRate * float64(time.Second)))
	retry := strconv.Itoa(int(math.Ceil(wait.Seconds())))
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(s.cfg.WriteRate), Burst: s.cfg.WriteBurst, ExpiresIn: 10 * time.Minute,
		}),
		IdentifierExtractor: func(c echo.Context) (string, error) {
			t, _ := c.Get(tokenKey).(domain.Token)
			return t.ID, nil
		},
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", retry)
			return domain.Errorf(domain.ErrRateLimited, "too many writes with this token: at most %g a second (bursts of %d); retry after %s s",
				s.cfg.WriteRate, s.cfg.WriteBurst, retry)
		},
	})
}
