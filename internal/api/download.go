package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"projectmap/internal/domain"
)

// downloadPage is how many sites a download reads from the store at a
// time: what bounds its memory, whatever the layer's size.
const downloadPage = 1000

const (
	itemsPath    = "/ogc/collections/:collection/items"
	downloadPath = "/ogc/collections/:collection/download"
)

// isDownload says whether a request streams a whole selection, unbuffered:
// the download route, or an items CSV without limit (which once was cut
// at maxLimit without a word). The etag middleware lets it through.
func isDownload(c echo.Context) bool {
	switch c.Path() {
	case downloadPath:
		return true
	case itemsPath:
		q := c.QueryParams()
		return q.Get("f") == "csv" && !q.Has("limit")
	}
	return false
}

// sitesVersioner is a store that names the version of what Sites
// returns; both stores are. A download checks it around every page.
type sitesVersioner interface {
	SitesVersion(ctx context.Context) (string, error)
}

// download serves /ogc/collections/{id}/download?f=json|csv: every
// feature of the selection (the items filters, without paging) as one
// GeoJSON collection or CSV file.
func (s *server) download(c echo.Context) error {
	q, err := queryValues(c)
	if err != nil {
		return err
	}
	for _, k := range []string{"limit", "offset"} {
		if q.Has(k) {
			return domain.Invalid(k, "a download is the whole selection; page through /items instead")
		}
	}
	iq, look, err := s.itemsSelection(c, q)
	if err != nil {
		return err
	}
	return s.streamSites(c, look, iq)
}

// streamSites writes every site iq selects, a page at a time. All that
// can fail before the first byte (the first page, the CSV's columns) is
// done first and answered as any error; a failure or a change of data
// version after it aborts the connection, so that a client never takes a
// cut or mixed file for a whole one.
func (s *server) streamSites(c echo.Context, look *lookup, iq itemsQuery) error {
	ctx := c.Request().Context()
	r := &siteReader{store: s.cfg.Store, q: iq.site}
	r.q.Limit, r.q.Offset = downloadPage, 0
	if err := r.start(ctx); err != nil {
		return err
	}
	var enc downloadEncoder = &geojsonDownload{look: look, asof: iq.asof}
	if iq.csv {
		attrs, err := r.attrs(ctx)
		if err != nil {
			return err
		}
		enc = newCSVDownload(look, iq.asof, attrs)
	}
	first, err := r.next(ctx)
	if err != nil {
		return err
	}
	res := c.Response()
	h := res.Header()
	h.Set(echo.HeaderContentType, enc.mediaType())
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+downloadName(iq, enc.ext())+`"`)
	h.Set("X-Total-Count", strconv.Itoa(first.Matched))
	if r.version != "" {
		h.Set("X-Data-Version", r.version)
	}
	noCache(c)
	res.WriteHeader(http.StatusOK)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	if err := s.writePages(c, r, enc, first); err != nil {
		s.abortDownload(c, err)
	}
	return nil
}

// writePages writes the prelude, every page from first on, and the end.
func (s *server) writePages(c echo.Context, r *siteReader, enc downloadEncoder, page domain.SitePage) error {
	ctx := c.Request().Context()
	res := c.Response()
	buf, err := enc.begin(nil, page.Matched)
	if err != nil {
		return err
	}
	written := 0
	for {
		if buf, err = enc.page(buf, page); err != nil {
			return err
		}
		written += len(page.Sites)
		if _, err := res.Write(buf); err != nil {
			return err
		}
		res.Flush()
		buf = buf[:0]
		if len(page.Sites) == 0 || written >= r.matched {
			break
		}
		if page, err = r.next(ctx); err != nil {
			return err
		}
	}
	if written != r.matched {
		return fmt.Errorf("download wrote %d of %d sites", written, r.matched)
	}
	_, err = res.Write(enc.end(buf, written))
	return err
}

// abortDownload ends a response already begun without its end, so that
// the client sees a broken transfer rather than a short file. The panic
// is net/http's way to do so; the recover middleware passes it on.
func (s *server) abortDownload(c echo.Context, err error) {
	level := slog.LevelError
	if ctx := c.Request().Context(); ctx.Err() != nil {
		level = slog.LevelInfo // the client went away
	}
	s.cfg.Logger.Log(c.Request().Context(), level, "download aborted", "path", c.Request().URL.Path,
		"query", redactSecrets(c.Request().URL.RawQuery), "err", err)
	panic(http.ErrAbortHandler)
}

// downloadName is the file name a download offers: the layer and date.
func downloadName(iq itemsQuery, ext string) string {
	return fmt.Sprintf("%s-%s.%s", iq.site.Layer, iq.asof, ext)
}

// siteReader pages through a query, checking that every page is of the
// version the first was read at and matches as many sites.
type siteReader struct {
	store   domain.Store
	q       domain.SiteQuery
	version string // "" when the store names none
	matched int    // -1 until the first page
}

func (r *siteReader) start(ctx context.Context) error {
	r.matched = -1
	v, err := r.currentVersion(ctx)
	r.version = v
	return err
}

func (r *siteReader) currentVersion(ctx context.Context) (string, error) {
	sv, ok := r.store.(sitesVersioner)
	if !ok {
		return "", nil
	}
	return sv.SitesVersion(ctx)
}

// next reads the next page, then checks the version it was read at.
func (r *siteReader) next(ctx context.Context) (domain.SitePage, error) {
	page, err := r.store.Sites(ctx, r.q)
	if err != nil {
		return page, err
	}
	v, err := r.currentVersion(ctx)
	if err != nil {
		return page, err
	}
	switch {
	case v != r.version:
		return page, domain.Errorf(domain.ErrConflict, "the data changed (version %s to %s) while the download was read; download again", r.version, v)
	case r.matched >= 0 && page.Matched != r.matched:
		return page, domain.Errorf(domain.ErrConflict, "the data changed (%d sites, then %d) while the download was read; download again", r.matched, page.Matched)
	}
	r.matched = page.Matched
	r.q.Offset += len(page.Sites)
	return page, nil
}

// attrs pages through the selection once for the names of its
// attributes, which a CSV's header needs before its first row, then
// rewinds. Undated unless the status filter needs the date: reports
// add no attribute, and cost PostGIS a join per site.
func (r *siteReader) attrs(ctx context.Context) ([]string, error) {
	asof := r.q.AsOf
	defer func() { r.q.AsOf, r.q.Offset = asof, 0 }()
	if r.q.Status == "" {
		r.q.AsOf = domain.Date{}
	}
	set := map[string]any{}
	for {
		page, err := r.next(ctx)
		if err != nil {
			return nil, err
		}
		addAttrs(set, page.Sites)
		if len(page.Sites) == 0 || r.q.Offset >= page.Matched {
			break
		}
	}
	return sortedAttrs(set), nil
}
