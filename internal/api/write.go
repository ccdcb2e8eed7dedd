package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"projectmap/internal/domain"
	"projectmap/internal/ledger"
)

const (
	mediaCSV = "text/csv"
	// headerReplayed tells a client that retried with an Idempotency-Key
	// that it got the first request's result and nothing was filed again.
	headerReplayed = "Idempotent-Replayed"
)

// readBody reads a write's body, at most MaxBody bytes (413 beyond), if
// its Content-Type is one of accepted (415 otherwise), and returns it with
// the media type. Text must be UTF-8.
func (s *server) readBody(c echo.Context, accepted ...string) ([]byte, string, error) {
	req := c.Request()
	ct := req.Header.Get(echo.HeaderContentType)
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || !slices.Contains(accepted, mt) {
		return nil, "", echo.NewHTTPError(http.StatusUnsupportedMediaType,
			fmt.Sprintf("Content-Type %q is not accepted here; send %s", ct, strings.Join(accepted, " or ")))
	}
	if cs := strings.ToLower(params["charset"]); cs != "" && cs != "utf-8" && cs != "us-ascii" {
		return nil, "", echo.NewHTTPError(http.StatusUnsupportedMediaType,
			fmt.Sprintf("charset %s is not accepted; send UTF-8 (save the spreadsheet as \"CSV UTF-8\")", cs))
	}
	tooLarge := func() error {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge,
			fmt.Sprintf("the body is larger than %d bytes; split the ledger", s.cfg.MaxBody))
	}
	if req.ContentLength > s.cfg.MaxBody {
		return nil, "", tooLarge()
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), req.Body, s.cfg.MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, "", tooLarge()
	case err != nil:
		return nil, "", &domain.Error{Kind: domain.ErrInvalid, Param: "body", Message: "the body could not be read", Err: err}
	case !utf8.Valid(body):
		return nil, "", domain.Invalid("body", "is not UTF-8 text; save the spreadsheet as \"CSV UTF-8\"")
	}
	return body, mt, nil
}

// idempotency is the ledger.Write of a request: its Idempotency-Key and a
// digest of what it asks for (the path, the plan, the media type and the
// body), so that one key reused for another request is refused, not
// answered with the first one's result.
func idempotency(c echo.Context, p domain.Plan, mediaType string, body []byte) ledger.Write {
	req := c.Request()
	what := req.Method + " " + req.URL.Path + " plan=" + p.ID + " " + mediaType
	return ledger.Write{Key: req.Header.Get("Idempotency-Key"), Digest: ledger.Digest(what, body)}
}

// fileReports files a JSON report, an array of them, or a CSV ledger, all
// or none, and answers 201 once they are durable.
func (s *server) fileReports(c echo.Context) error {
	p, _, _, err := s.planQuery(c, jsonOnly)
	if err != nil {
		return err
	}
	body, mt, err := s.readBody(c, mediaJSON, mediaCSV)
	if err != nil {
		return err
	}
	ctx, w := c.Request().Context(), idempotency(c, p, mt, body)
	var res domain.FilingResult
	if mt == mediaCSV {
		res, err = s.cfg.Ledger.FileCSV(ctx, p, actor(c), bytes.NewReader(body), w)
	} else {
		var drafts []domain.ReportDraft
		if drafts, err = ledger.ParseJSON(body); err == nil {
			res, err = s.cfg.Ledger.File(ctx, p, actor(c), drafts, nil, w)
		}
	}
	if err != nil {
		return err
	}
	h := c.Response().Header()
	if res.Replayed {
		h.Set(headerReplayed, "true")
	}
	if len(res.Reports) == 1 {
		h.Set(echo.HeaderLocation, reportURL(c, res.Reports[0].ID))
	}
	noStore(c)
	return writeJSONStatus(c, http.StatusCreated, mediaJSON, map[string]any{"reports": res.Reports})
}

// retract withdraws a report with a reason: a new record; the report stays.
func (s *server) retract(c echo.Context) error {
	p, _, _, err := s.planQuery(c, jsonOnly)
	if err != nil {
		return err
	}
	id, err := parseReportID(c)
	if err != nil {
		return err
	}
	body, mt, err := s.readBody(c, mediaJSON)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decodeStrict(body, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	ret, replayed, err := s.cfg.Ledger.Retract(ctx, p, actor(c), id, in.Reason, idempotency(c, p, mt, body))
	if err != nil {
		return err
	}
	r, err := s.cfg.Store.Report(ctx, p.ID, id)
	if err != nil {
		return err
	}
	if replayed {
		c.Response().Header().Set(headerReplayed, "true")
	}
	c.Response().Header().Set(echo.HeaderLocation, reportURL(c, id))
	noStore(c)
	return writeJSONStatus(c, http.StatusCreated, mediaJSON, map[string]any{"retraction": ret, "report": r})
}

// decodeStrict reads one JSON object into v; anything else, an unknown
// field or a field of the wrong type is a 400 naming it.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te) && te.Field != "":
		return domain.Invalid(te.Field, "a JSON %s where a %s belongs", te.Value, te.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return domain.Invalid(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "unknown field")
	}
	return domain.Invalid("body", "not a JSON object: %v", err)
}
