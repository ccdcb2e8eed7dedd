package api

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"projectmap/internal/domain"
	"projectmap/internal/tiles"
)

const (
	mediaMVT     = "application/vnd.mapbox-vector-tile"
	relTilesets  = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
	relScheme    = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
	relSchemes   = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes"
	tmsID        = "WebMercatorQuad"
	tileTemplate = "/{tileMatrix}/{tileRow}/{tileCol}"
)

// mvtRoutes registers the vector tiles (OGC API – Tiles 1.0, MVT).
func mvtRoutes(get func(string, echo.HandlerFunc, ...echo.MiddlewareFunc), s *server) {
	get("/ogc/tileMatrixSets", s.tileMatrixSets)
	get("/ogc/tileMatrixSets/:tms", s.tileMatrixSet)
	get("/ogc/tiles", s.tilesetList)
	get("/ogc/tiles/:tms", s.tileset)
	get("/ogc/tiles/:tms/:z/:y/:x", s.vectorTile)
	get("/ogc/collections/:collection/tiles", s.tilesetList)
	get("/ogc/collections/:collection/tiles/:tms", s.tileset)
	get("/ogc/collections/:collection/tiles/:tms/:z/:y/:x", s.vectorTile)
}

// tmsLink is a link that may be a URI template.
type tmsLink struct {
	Href      string `json:"href"`
	Rel       string `json:"rel"`
	Type      string `json:"type,omitempty"`
	Title     string `json:"title,omitempty"`
	Templated bool   `json:"templated,omitempty"`
}

func checkTMS(c echo.Context) error {
	if id := c.Param("tms"); id != tmsID {
		return domain.Errorf(domain.ErrNotFound, "no tile matrix set %q; the one served is %s", id, tmsID)
	}
	return nil
}

func (s *server) tileMatrixSets(c echo.Context) error {
	if _, _, err := query(c, jsonOnly); err != nil {
		return err
	}
	b := base(c)
	return writeJSON(c, mediaJSON, map[string]any{"tileMatrixSets": []map[string]any{{
		"id": tmsID, "title": "Google Maps Compatible for the World", "uri": tiles.TileMatrixSetURI,
		"links": []tmsLink{{Href: b + "/ogc/tileMatrixSets/" + tmsID, Rel: relScheme, Type: mediaJSON, Title: tmsID}},
	}}})
}

func (s *server) tileMatrixSet(c echo.Context) error {
	if _, _, err := query(c, jsonOnly); err != nil {
		return err
	}
	if err := checkTMS(c); err != nil {
		return err
	}
	return writeJSON(c, mediaJSON, tiles.WebMercatorQuad())
}

// tileScope reads the plan and the layers a tiles resource covers: the
// path's collection, or collections= (all the plan's layers with
// features when absent) for the dataset's tiles.
func (s *server) tileScope(c echo.Context, q url.Values) (domain.Plan, []domain.LayerInfo, error) {
	p, err := s.plan(c.Request().Context(), q)
	if err != nil {
		return domain.Plan{}, nil, err
	}
	if c.Param("collection") != "" {
		info, err := s.layerInfo(c, p)
		return p, []domain.LayerInfo{info}, err
	}
	infos, err := s.cfg.Store.Layers(c.Request().Context(), p.ID)
	if err != nil {
		return domain.Plan{}, nil, err
	}
	want := q.Get("collections")
	if want == "" {
		var out []domain.LayerInfo
		for _, info := range infos {
			if info.Count > 0 {
				out = append(out, info)
			}
		}
		return p, out, nil
	}
	out, err := pickLayers(infos, want, "collections", p.ID)
	if err != nil {
		return domain.Plan{}, nil, err
	}
	return p, out, nil
}

// tilesPath is the path of the tiles resource asked for, up to /tiles.
func tilesPath(c echo.Context) string {
	if id := c.Param("collection"); id != "" {
		return "/ogc/collections/" + id + "/tiles"
	}
	return "/ogc/tiles"
}

func tileParams(c echo.Context) []string {
	if c.Param("collection") != "" {
		return []string{"plan", "asof", "v"}
	}
	return []string{"plan", "asof", "v", "collections"}
}

func (s *server) tilesetList(c echo.Context) error {
	q, _, err := query(c, jsonOnly, tileParams(c)...)
	if err != nil {
		return err
	}
	p, layers, err := s.tileScope(c, q)
	if err != nil {
		return err
	}
	doc := s.tilesetDoc(c, q, p, layers)
	delete(doc, "layers")
	delete(doc, "aggregation")
	delete(doc, "boundingBox")
	return writeJSON(c, mediaJSON, map[string]any{
		"links":    []tmsLink{{Href: base(c) + tilesPath(c) + tileQuery(q, ""), Rel: "self", Type: mediaJSON, Title: "tilesets"}},
		"tilesets": []map[string]any{doc},
	})
}

func (s *server) tileset(c echo.Context) error {
	q, _, err := query(c, jsonOnly, tileParams(c)...)
	if err != nil {
		return err
	}
	if err := checkTMS(c); err != nil {
		return err
	}
	p, layers, err := s.tileScope(c, q)
	if err != nil {
		return err
	}
	return writeJSON(c, mediaJSON, s.tilesetDoc(c, q, p, layers))
}

func (s *server) vectorTile(c echo.Context) error {
	q, err := queryValues(c)
	if err != nil {
		return err
	}
	if err := checkParams(q, tileParams(c)...); err != nil {
		return err
	}
	if err := checkTMS(c); err != nil {
		return err
	}
	t, err := tiles.Parse(c.Param("z"), c.Param("y"), c.Param("x"))
	if err != nil {
		return err
	}
	p, layers, err := s.tileScope(c, q)
	if err != nil {
		return err
	}
	asof, err := s.parseAsOf(q, p)
	if err != nil {
		return err
	}
	s.cacheForVersion(c, q.Get("v"))
	ctx := c.Request().Context()
	box := t.Bound(tiles.Buffer, tiles.Extent)
	var out []tiles.Layer
	for _, l := range layers {
		if l.Count == 0 || !l.Extent.Intersects(box) {
			continue // nothing there: no store query
		}
		feats, err := s.layerTile(ctx, p, l, asof, t)
		if err != nil {
			return err
		}
		out = append(out, tiles.Layer{Name: l.ID, Features: feats})
	}
	body, err := tiles.Encode(out)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		return c.NoContent(http.StatusNoContent)
	}
	return c.Blob(http.StatusOK, mediaMVT, body)
}
