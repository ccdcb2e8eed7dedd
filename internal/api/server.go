// Package api is projectmap's HTTP layer: an Echo server with the OGC API –
// Features endpoints under /ogc, the project API and the reports ledger
// under /api, and the map.
package api

import (
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"projectmap/internal/basemap"
	"projectmap/internal/domain"
	"projectmap/internal/ledger"
	"projectmap/internal/render"
)

// Basemap is a tile layer the map may draw under the data.
type Basemap = basemap.Basemap

// Defaults of the Config fields that have one.
const (
	DefaultWriteRate  = 5.0     // writes a second per token, sustained
	DefaultWriteBurst = 20      // writes per token allowed at once
	DefaultMaxBody    = 5 << 20 // bytes of a write's body (a ledger CSV)
)

// Config is everything the server needs, passed in explicitly.
type Config struct {
	Store  domain.Store
	Logger *slog.Logger
	// Basemaps are the basemaps of the switcher, the first the default;
	// empty, Basemap alone is the list (none when its URL is "").
	Basemaps []Basemap
	Basemap  Basemap
	// Now gives the current time: the default date (plan.DefaultDate) and
	// the city's today that reports may not be dated after.
	Now func() time.Time
	// Web holds the built front end (index.html, app.js, app.css) at its root.
	Web fs.FS
	// Ledger files reports and checks tokens; nil builds one over Store
	// with Now.
	Ledger *ledger.Service
	// WriteRate (per second) and WriteBurst limit each token's writes;
	// zero means DefaultWriteRate and DefaultWriteBurst.
	WriteRate  float64
	WriteBurst int
	// MaxBody bounds a write's body in bytes (413 beyond); zero means
	// DefaultMaxBody.
	MaxBody int64
	// PublicURL, when set, is the base of every link (scheme://host and
	// perhaps a path prefix). Else a Host header in AllowedHosts (nil means
	// DefaultAllowedHosts) is used, and otherwise ListenAddr.
	PublicURL    string
	AllowedHosts []string
	ListenAddr   string
	// CSPHosts are more origins the map may load images and data from,
	// beside the basemap's (CSP img-src and connect-src).
	CSPHosts []string
	// EmbedFrameAncestors is the CSP frame-ancestors of the embed view;
	// "" means DefaultEmbedFrameAncestors. Every other page may not be framed.
	EmbedFrameAncestors string
	// HSTS sends Strict-Transport-Security, for deployments behind TLS.
	HSTS bool
	// MaxInFlight caps the requests at work, MaxQueued those waiting for
	// a turn, and QueueWait how long one waits; past any of them a
	// request is answered 503 with Retry-After. Zero means the default.
	MaxInFlight int
	MaxQueued   int
	QueueWait   time.Duration
	// Draining is closed when the server begins to shut down: /readyz
	// answers 503 from then on, while requests in flight finish.
	Draining <-chan struct{}
	// RequestTimeout bounds the work of each request and ReadyTimeout
	// /readyz's store query; past them the answer is 503 with
	// Retry-After. Zero means DefaultRequestTimeout, DefaultReadyTimeout.
	RequestTimeout time.Duration
	ReadyTimeout   time.Duration
	// CacheBytes is the response cache's budget: zero means
	// DefaultCacheBytes, a negative value no cache at all.
	CacheBytes int64
	// MaxRenders bounds the images (static maps, raster tiles) drawn at
	// once; a render waits for a slot until its request's deadline, then
	// gets 503 with Retry-After. Zero means DefaultMaxRenders.
	MaxRenders int
	// BuildStamp names the build (its revision, or a digest of the
	// binary): ETags derive from it, so that a new build never answers 304
	// for what an old one sent.
	BuildStamp string
}

// New returns the HTTP handler for the whole service.
func New(cfg Config) *echo.Echo {
	e, _ := newService(cfg)
	return e
}

// newService is New, with the server behind the handler (for tests that
// look inside it).
func newService(cfg Config) (*echo.Echo, *server) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Ledger == nil {
		cfg.Ledger = &ledger.Service{Store: cfg.Store, Now: cfg.Now}
	}
	if cfg.WriteRate <= 0 {
		cfg.WriteRate = DefaultWriteRate
	}
	if cfg.WriteBurst <= 0 {
		cfg.WriteBurst = DefaultWriteBurst
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	cfg.MaxInFlight = orDefault(cfg.MaxInFlight, DefaultMaxInFlight)
	cfg.MaxQueued = orDefault(cfg.MaxQueued, DefaultMaxQueued)
	cfg.QueueWait = orDefault(cfg.QueueWait, DefaultQueueWait)
	cfg.RequestTimeout = orDefault(cfg.RequestTimeout, DefaultRequestTimeout)
	cfg.ReadyTimeout = orDefault(cfg.ReadyTimeout, DefaultReadyTimeout)
	cfg.MaxRenders = orDefault(cfg.MaxRenders, DefaultMaxRenders)
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// The client address is audited: trust X-Forwarded-For only from a
	// proxy on this machine or a private network, never from the client.
	e.IPExtractor = echo.ExtractIPFromXFFHeader()
	e.HTTPErrorHandler = errorHandler(cfg.Logger)
	s := &server{cfg: cfg, links: newLinker(cfg), fonts: sync.OnceValues(render.LoadSystemFonts),
		renders: newRenderSlots(cfg.MaxRenders)}
	if cfg.CacheBytes >= 0 {
		s.respCache = newResponseCache(orDefault(cfg.CacheBytes, DefaultCacheBytes))
	}
	routes(e, s)
	return e, s
}

// NewHTTPServer wraps the handler with timeouts suited to the public web.
func NewHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
}

type server struct {
	cfg   Config
	links linker
	zones sync.Map     // time zone name → *time.Location, loaded once
	cache versionCache // answers computed from the plan data alone
	// respCache keeps whole responses by state version; nil when off.
	respCache   *responseCache
	points      pointIndexes // point layers indexed for vector tiles (mvt_index.go)
	gzipWriters sync.Pool    // *gzip.Writer
	buffers     bufferPool
	// fonts parses the system CJK font once, at the first static map:
	// parsing it took about a quarter of each render.
	fonts func() (*render.Fonts, error)
	// renders bounds the images drawn at once (Config.MaxRenders).
	renders renderSlots
}

// today is the date it is now in the plan's city.
func (s *server) today(p domain.Plan) domain.Date {
	loc, ok := s.zones.Load(p.TimeZone)
	if !ok {
		loc, _ = s.zones.LoadOrStore(p.TimeZone, p.Zone())
	}
	return domain.DateOf(s.cfg.Now().In(loc.(*time.Location)))
}
