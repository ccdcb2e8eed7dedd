package api

import (
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"projectmap/internal/domain"
)

// queryValues is the one place a request's query string is parsed. Echo's
// QueryParams (url.ParseQuery with its error ignored) drops a pair it
// cannot read, such as project=1;x, and the answer loses that filter
// silently; here any such pair is a 400 naming its parameter.
func queryValues(c echo.Context) (url.Values, error) {
	return parseQueryString(c.Request().URL.RawQuery)
}

// parseQueryString reads raw strictly: "&" is the only separator, every
// escape must be valid and every parameter needs a name and a non-blank
// value (a blank filter is refused rather than read as no filter). Empty
// pieces, as in "a=1&&b=2" or a trailing "&", carry nothing and are
// skipped.
func parseQueryString(raw string) (url.Values, error) {
	q := url.Values{}
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, err := parsePair(pair)
		if err != nil {
			return nil, err
		}
		q[k] = append(q[k], v)
	}
	return q, nil
}

// parsePair reads one name=value piece of a query string.
func parsePair(pair string) (string, string, error) {
	rawKey, rawValue, _ := strings.Cut(pair, "=")
	key, err := url.QueryUnescape(rawKey)
	if err != nil {
		return "", "", domain.Invalid(rawKey, "parameter name %q is not valid percent-encoding", rawKey)
	}
	if key == "" {
		return "", "", domain.Invalid("", "a parameter in %q has no name", pair)
	}
	if strings.Contains(rawKey, ";") || strings.Contains(rawValue, ";") {
		return "", "", domain.Invalid(key, "%q contains \";\", which is not a separator here; separate parameters with \"&\", or write a \";\" in a value as %%3B", pair)
	}
	value, err := url.QueryUnescape(rawValue)
	if err != nil {
		return "", "", domain.Invalid(key, "value %q is not valid percent-encoding", rawValue)
	}
	if strings.TrimSpace(value) == "" {
		return "", "", domain.Invalid(key, "has an empty value; give a value or leave the parameter out")
	}
	return key, value, nil
}
