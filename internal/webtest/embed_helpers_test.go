package webtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"projectmap/internal/api"
)

// articleServer serves the real handler and, at /article.html, a news
// article with the embed code the test pastes into it: an article page of
// its own, without the map's CSP, so that the snippet's inline script runs
// as it would on a newspaper's site.
type articleServer struct {
	mu   sync.Mutex
	code string
}

func (a *articleServer) set(code string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.code = code
}

func (a *articleServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	code := a.code
	a.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><html><head><meta charset="utf-8"><title>Article</title></head>
<body style="margin:0"><p>Article text.</p><div id="article" style="width:800px">%s</div><p>More text.</p>
<script>window.heights = []; addEventListener('message', (e) => { if (e.data && e.data.type === 'projectmap:height') heights.push(e.data.height) })</script>
</body></html>`, code)
}

// startArticleServer serves the map with a basemap, and the article.
func startArticleServer(t *testing.T, basemap api.Basemap, art *articleServer) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/", appHandler(t, basemap))
	mux.Handle("/article.html", art)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// hashParams splits a URL hash into its keys and values.
func hashParams(hash string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(strings.TrimPrefix(hash, "#"), "&") {
		if k, v, ok := strings.Cut(part, "="); ok {
			out[k] = v
		}
	}
	return out
}

// walkCoords calls fn for every position of a GeoJSON geometry.
func walkCoords(raw json.RawMessage, fn func(lon, lat float64)) {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return
	}
	var walk func(any)
	walk = func(x any) {
		a, ok := x.([]any)
		if !ok || len(a) == 0 {
			return
		}
		if lon, ok := a[0].(float64); ok && len(a) >= 2 {
			fn(lon, a[1].(float64))
			return
		}
		for _, y := range a {
			walk(y)
		}
	}
	walk(v)
}

// fetched is what a download link answered.
type fetched struct {
	status int
	ctype  string
	body   []byte
}

func fetch(t *testing.T, u string) fetched {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return fetched{res.StatusCode, res.Header.Get("Content-Type"), b}
}

// dlLink is a download link as the page shows it.
type dlLink struct {
	Href     string `json:"href"`
	Format   string `json:"format"`
	Label    string `json:"label"`
	Text     string `json:"text"`
	Download bool   `json:"download"`
	Tab      int    `json:"tab"`
	Shown    bool   `json:"shown"`
}

// linksJS lists the download links under a selector (in doc, a
// document expression).
func linksJS(doc, sel string) string {
	return fmt.Sprintf(`[...%s.querySelectorAll(%q)].map((a) => ({
	  href: a.href, format: a.dataset.format || '', label: a.getAttribute('aria-label') || '', text: a.textContent,
	  download: a.hasAttribute('download'), tab: a.tabIndex, shown: a.getClientRects().length > 0,
	}))`, doc, sel)
}

// checkDownloads fetches every link: 200, the format's media type, and
// for GeoJSON the features wanted (when want >= 0).
func checkDownloads(t *testing.T, where string, links []dlLink, wantLabel string, want int) {
	t.Helper()
	if len(links) == 0 {
		t.Errorf("%s: no download link", where)
		return
	}
	for _, l := range links {
		if !l.Download || l.Tab < 0 || !strings.Contains(l.Label, wantLabel) || !strings.Contains(l.Label, l.Text) {
			t.Errorf("%s: link %q (%s): download %v, tabIndex %d, label %q; want download, keyboard reachable, a label naming %q and the format",
				where, l.Text, l.Href, l.Download, l.Tab, l.Label, wantLabel)
		}
		got := fetch(t, l.Href)
		wantType := map[string]string{"csv": "text/csv", "json": "application/geo+json"}[l.Format]
		if got.status != http.StatusOK || wantType == "" || !strings.HasPrefix(got.ctype, wantType) {
			t.Errorf("%s: %s answered %d %q, want 200 %s", where, l.Href, got.status, got.ctype, wantType)
			continue
		}
		if l.Format == "json" && want >= 0 {
			var fc items
			if err := json.Unmarshal(got.body, &fc); err != nil || len(fc.Features) != want {
				t.Errorf("%s: %s has %d features (%v), want %d", where, l.Href, len(fc.Features), err, want)
			}
		}
	}
}
