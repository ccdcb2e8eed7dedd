package api

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"projectmap/internal/domain"
	"projectmap/internal/render"
	"projectmap/internal/symbology"
)

// rasterRoutes registers the PNG tiles (and static maps, raster_static.go).
func rasterRoutes(get func(string, echo.HandlerFunc, ...echo.MiddlewareFunc), s *server) {
	get("/tiles/:layers/:z/:x/:y", s.rasterTile)
	get("/static/:layers", s.staticMap)
}

// encodePNG encodes a rendered image at the best speed: about a tenth
// of a static map's time saved, for a file 5–8 % larger.
func encodePNG(w io.Writer, img image.Image) error {
	e := png.Encoder{CompressionLevel: png.BestSpeed}
	return e.Encode(w, img)
}

// maxRasterZoom is the deepest raster tile served.
const maxRasterZoom = 22

// emptyTiles are the transparent PNGs answered, without a store query,
// for a tile outside every layer's extent (256 and 512 px).
var emptyTiles = [3][]byte{1: encodeEmpty(256), 2: encodeEmpty(512)}

func encodeEmpty(n int) []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewNRGBA(image.Rect(0, 0, n, n)))
	return b.Bytes()
}

// parseTile reads z, x and y ("123.png" or "123@2x.png").
func parseTile(c echo.Context) (maptile.Tile, int, error) {
	z, err := strconv.Atoi(c.Param("z"))
	if err != nil || z < 0 || z > maxRasterZoom {
		return maptile.Tile{}, 0, domain.Invalid("z", "%q is not a zoom from 0 to %d", c.Param("z"), maxRasterZoom)
	}
	n := 1 << z
	x, err := strconv.Atoi(c.Param("x"))
	if err != nil || x < 0 || x >= n {
		return maptile.Tile{}, 0, domain.Invalid("x", "%q is not a column from 0 to %d at zoom %d", c.Param("x"), n-1, z)
	}
	ys, scale := c.Param("y"), 1
	switch {
	case strings.HasSuffix(ys, "@2x.png"):
		ys, scale = strings.TrimSuffix(ys, "@2x.png"), 2
	case strings.HasSuffix(ys, ".png"):
		ys = strings.TrimSuffix(ys, ".png")
	default:
		return maptile.Tile{}, 0, domain.Invalid("y", "%q must end in .png or @2x.png", ys)
	}
	y, err := strconv.Atoi(ys)
	if err != nil || y < 0 || y >= n {
		return maptile.Tile{}, 0, domain.Invalid("y", "%q is not a row from 0 to %d at zoom %d", ys, n-1, z)
	}
	return maptile.New(uint32(x), uint32(y), maptile.Zoom(z)), scale, nil
}

// rasterLayers checks {layers} against the plan's layers.
// rasterScope reads what both raster endpoints draw: the plan, the
// layers of the path and the date.
func (s *server) rasterScope(c echo.Context, q url.Values) (domain.Plan, []domain.LayerInfo, domain.Date, error) {
	p, err := s.plan(c.Request().Context(), q)
	if err != nil {
		return domain.Plan{}, nil, domain.Date{}, err
	}
	layers, err := s.rasterLayers(c, p)
	if err != nil {
		return domain.Plan{}, nil, domain.Date{}, err
	}
	asof, err := s.parseAsOf(q, p)
	return p, layers, asof, err
}

func (s *server) rasterLayers(c echo.Context, p domain.Plan) ([]domain.LayerInfo, error) {
	return s.namedLayers(c, p, c.Param("layers"))
}

// namedLayers looks up a comma-separated list of layer ids in the plan;
// an unknown or repeated one is a 400 naming layers.
func (s *server) namedLayers(c echo.Context, p domain.Plan, ids string) ([]domain.LayerInfo, error) {
	infos, err := s.cfg.Store.Layers(c.Request().Context(), p.ID)
	if err != nil {
		return nil, err
	}
	return pickLayers(infos, ids, "layers", p.ID)
}

// pickLayers is the one rule for a list of layer ids (layers=,
// collections=): each must be one of infos, and named once; the error
// names param.
func pickLayers(infos []domain.LayerInfo, ids, param, planID string) ([]domain.LayerInfo, error) {
	var out []domain.LayerInfo
	seen := map[string]bool{}
	for _, id := range strings.Split(ids, ",") {
		if seen[id] {
			return nil, domain.Invalid(param, "%q is named twice", id)
		}
		seen[id] = true
		i := slices.IndexFunc(infos, func(info domain.LayerInfo) bool { return info.ID == id })
		if i < 0 {
			return nil, domain.Invalid(param, "no collection %q in plan %s; see /ogc/collections", id, planID)
		}
		out = append(out, infos[i])
	}
	return out, nil
}

func (s *server) rasterTile(c echo.Context) error {
	q, err := queryValues(c)
	if err != nil {
		return err
	}
	if err := checkParams(q, "plan", "asof", "v", datumParam); err != nil {
		return err
	}
	gcj, err := parseDatum(q)
	if err != nil {
		return err
	}
	tile, scale, err := parseTile(c)
	if err != nil {
		return err
	}
	p, layers, asof, err := s.rasterScope(c, q)
	if err != nil {
		return err
	}
	s.cacheForVersion(c, q.Get("v"))
	// A symbol drawn near the edge spills into the next tile: look that
	// far beyond it.
	b := tile.Bound()
	pad := (b.Max[0] - b.Min[0]) * 16 / 256
	box := orb.Bound{Min: orb.Point{b.Min[0] - pad, b.Min[1] - pad}, Max: orb.Point{b.Max[0] + pad, b.Max[1] + pad}}
	if gcj { // the tile is a GCJ-02 tile: query the WGS84 area under it
		box = boundToWGS84(box)
	}
	var hit []domain.LayerInfo
	for _, l := range layers {
		if l.Count > 0 && l.Extent.Intersects(box) {
			hit = append(hit, l)
		}
	}
	if len(hit) == 0 {
		return c.Blob(200, "image/png", emptyTiles[scale])
	}
	feats, err := s.rasterFeatures(c, p, hit, box, asof, siteFilter{})
	if err != nil {
		return err
	}
	if gcj {
		for i := range feats {
			feats[i].Geometry = shiftGCJ02(feats[i].Geometry)
		}
	}
	release, err := s.renders.acquire(c.Request().Context())
	if err != nil {
		return err
	}
	defer release()
	size := 256 * scale
	origin := render.World(orb.Point{b.Min[0], b.Max[1]}, float64(tile.Z))
	// World() of the tile's corner, rounded: the tile's own pixel grid.
	origin = orb.Point{math.Round(origin[0]), math.Round(origin[1])}
	cv := render.NewCanvas(size, size, float64(tile.Z), origin, float64(scale))
	cv.Draw(feats)
	var out bytes.Buffer
	if err := encodePNG(&out, cv.Img); err != nil {
		return err
	}
	return c.Blob(200, "image/png", out.Bytes())
}

// rasterFeatures reads every site of the layers in box, with its status
// on asof; project, when not 0, keeps that project's sites only, and
// status, when set, the sites of that status (as the map's filter: base
// layers keep all theirs).
// siteFilter is what a picture keeps of the project layers' sites, as
// the page's filters do (base layers are drawn whole).
type siteFilter struct {
	project  int
	status   domain.TrackingStatus
	district string // an adcode or a zone id
}

func (s *server) rasterFeatures(c echo.Context, p domain.Plan, layers []domain.LayerInfo, box orb.Bound, asof domain.Date, keep siteFilter) ([]render.Feature, error) {
	ctx := c.Request().Context()
	look := newLookup(p, nil, nil)
	var out []render.Feature
	for _, l := range layers {
		bb := box
		sq := domain.SiteQuery{Plan: p.ID, Layer: l.ID, BBox: &bb, AsOf: asof, Project: keep.project}
		if l.Project != 0 {
			sq.Status, sq.District = keep.status, keep.district
		}
		page, err := s.cfg.Store.Sites(ctx, sq)
		if err != nil {
			return nil, err
		}
		for i, site := range page.Sites {
			if site.Geometry == nil || !site.Located() {
				continue
			}
			r := reportAt(page, i)
			out = append(out, render.Feature{Geometry: site.Geometry, Status: siteStatus(look, site, r, asof),
				Approx: symbology.Approximate(site.Precision), Reference: l.Project == 0})
		}
	}
	return out, nil
}

// siteStatus is the site's tracking status on asof, as features carry it.
func siteStatus(l *lookup, s domain.Site, r *domain.Report, asof domain.Date) domain.TrackingStatus {
	pr := l.projects[s.Project]
	if pr == nil {
		return domain.TrackUnreported
	}
	return domain.Track(pr.SiteProgress(s, asof).Planned, domain.ReportedOf(r))
}
