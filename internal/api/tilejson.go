package api

import (
	"math"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"projectmap/internal/domain"
	"projectmap/internal/render"
)

// tileDocRoutes registers the TileJSON documents and MapLibre styles:
// /tiles/{layers}.json and /styles/{layers}.json, and the styles' sprite.
// The raster tiles' /tiles/:layers/:z/:x/:y has four segments; these have
// one.
func tileDocRoutes(get func(string, echo.HandlerFunc, ...echo.MiddlewareFunc), s *server) {
	get("/tiles/:layers", s.tileJSON)
	get("/styles/:layers", s.style)
	get("/styles/sprite/:file", s.sprite)
}

// Zoom range advertised by the documents. Vector tiles stop at
// vectorMaxZoom: MapLibre draws deeper zooms from them (overzoom), so a
// CDN holds a bounded set; raster tiles go as deep as they are served.
const (
	vectorMaxZoom = 16
	rasterMaxZoom = 18
)

// tileScope is what a TileJSON or style document describes: the plan, its
// layers, the date and the store's state version at the time.
type tileScope struct {
	plan   domain.Plan
	layers []domain.LayerInfo
	ids    string // the layers, comma-joined as asked
	asof   domain.Date
	// version is the store's state version, "" when the store cannot
	// tell it now: the tile URLs then carry none.
	version string
	query   url.Values
}

// readTileScope reads {layers}.json (the suffix required, else 404), the
// plan and asof. A store that cannot name its version now gives URLs
// without v.
func (s *server) readTileScope(c echo.Context, allowed ...string) (tileScope, error) {
	var sc tileScope
	ids, ok := strings.CutSuffix(c.Param("layers"), ".json")
	if !ok {
		return sc, domain.Errorf(domain.ErrNotFound, "no resource %s; the documents are %s/{layers}.json", c.Request().URL.Path, strings.TrimSuffix(c.Path(), "/:layers"))
	}
	q, err := queryValues(c)
	if err != nil {
		return sc, err
	}
	if err := checkParams(q, append([]string{"plan", "asof"}, allowed...)...); err != nil {
		return sc, err
	}
	p, err := s.plan(c.Request().Context(), q)
	if err != nil {
		return sc, err
	}
	layers, err := s.namedLayers(c, p, ids)
	if err != nil {
		return sc, err
	}
	asof, err := s.parseAsOf(q, p)
	if err != nil {
		return sc, err
	}
	sc = tileScope{plan: p, layers: layers, ids: ids, asof: asof, query: q}
	if vs, ok := s.cfg.Store.(domain.StateVersioned); ok {
		v, ok, err := vs.StateVersion(c.Request().Context())
		if err != nil {
			return sc, err
		}
		if ok {
			sc.version = v
		}
	}
	return sc, nil
}

// tileQuery is the query string of the tile URLs: the plan, the date
// (always, resolved: a tile URL names what it shows, so that it can be
// kept) and the version; extra comes first.
func (sc tileScope) tileQuery(extra string) string {
	q := extra + "plan=" + url.QueryEscape(sc.plan.ID) + "&asof=" + sc.asof.String()
	if sc.version != "" {
		q += "&v=" + url.QueryEscape(sc.version)
	}
	return q
}

// pathIDs and queryIDs are the layer ids, comma-joined, escaped for a
// path segment and for a query value.
func (sc tileScope) pathIDs() string  { return sc.joinIDs(url.PathEscape) }
func (sc tileScope) queryIDs() string { return sc.joinIDs(url.QueryEscape) }

func (sc tileScope) joinIDs(esc func(string) string) string {
	ids := make([]string, len(sc.layers))
	for i, l := range sc.layers {
		ids[i] = esc(l.ID)
	}
	return strings.Join(ids, ",")
}

// docQuery is the query string a document links another with: the
// request's own plan and asof, as given.
func (sc tileScope) docQuery() string {
	q := url.Values{}
	for _, k := range []string{"plan", "asof"} {
		if v := sc.query.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// bounds is the union of the layers' extents (the whole world when none
// has a located feature), west, south, east, north.
func (sc tileScope) bounds() [4]float64 {
	var b orb.Bound
	found := false
	for _, l := range sc.layers {
		if l.Count == 0 {
			continue
		}
		if !found {
			b, found = l.Extent, true
			continue
		}
		b = b.Union(l.Extent)
	}
	if !found {
		return [4]float64{-180, -85.051129, 180, 85.051129}
	}
	return [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
}

// center is the middle of the bounds and the deepest zoom (up to 14) at
// which they fit in 512×512 pixels.
func (sc tileScope) center() [3]float64 {
	b := sc.bounds()
	lon, lat := (b[0]+b[2])/2, (b[1]+b[3])/2
	z := 0.0
	for z < 14 {
		lo := render.World(orb.Point{b[0], b[3]}, z+1)
		hi := render.World(orb.Point{b[2], b[1]}, z+1)
		if hi[0]-lo[0] > 512 || hi[1]-lo[1] > 512 {
			break
		}
		z++
	}
	return [3]float64{round6(lon), round6(lat), z}
}

func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// attribution names the plan the data comes from.
func (sc tileScope) attribution() string {
	return "数据：" + sc.plan.Title + " · projectmap"
}

// title names the layers, in Chinese and English.
func (sc tileScope) title() string {
	var zh, en []string
	for _, l := range sc.layers {
		zh, en = append(zh, l.Title), append(en, l.TitleEN)
	}
	return strings.Join(zh, "、") + " / " + strings.Join(en, ", ")
}
