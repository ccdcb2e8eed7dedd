package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"projectmap/internal/domain"
)

const (
	mediaGeoJSON = "application/geo+json"
	mediaJSON    = "application/json"
	mediaOpenAPI = "application/vnd.oai.openapi+json;version=3.0"
	crs84        = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
)

var conformanceClasses = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/dataset-tilesets",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
	"http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
	"http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
}

func (s *server) landing(c echo.Context) error {
	if _, _, err := query(c, jsonOnly); err != nil {
		return err
	}
	b := base(c)
	return writeJSON(c, mediaJSON, map[string]any{
		"title":       "projectmap — 西安市2024年为民实事 / Xi'an 2024 livelihood projects",
		"description": "Where each project of the plan is and how far along it is. OGC API – Features, Part 1: Core, and OGC API – Tiles (Mapbox Vector Tiles).",
		"links": []link{
			{b + "/ogc", "self", mediaJSON, "this document"},
			{b + "/ogc/api", "service-desc", mediaOpenAPI, "the API definition (OpenAPI 3.0)"},
			{b + "/ogc/conformance", "conformance", mediaJSON, "conformance classes"},
			{b + "/ogc/collections", "data", mediaJSON, "the collections"},
			{b + "/ogc/tiles", relTilesets, mediaJSON, "vector tiles of the collections (OGC API – Tiles)"},
			{b + "/ogc/tileMatrixSets", relSchemes, mediaJSON, "tile matrix sets"},
		},
	})
}

func (s *server) conformance(c echo.Context) error {
	if _, _, err := query(c, jsonOnly); err != nil {
		return err
	}
	return writeJSON(c, mediaJSON, map[string]any{"conformsTo": conformanceClasses})
}

type collectionDoc struct {
	ID            string `json:"id"`
	Title         string `json:"title"`
	TitleEN       string `json:"title_en"`
	Description   string `json:"description"`
	DescriptionEN string `json:"description_en"` // Description is in Chinese
	Project       int    `json:"project"`
	Category      int    `json:"category"`
	Features      int    `json:"features"`
	ItemType      string `json:"itemType"`
	// GeometryType is the GeoJSON type of every located feature; a
	// collection has one (clients such as GDAL type a layer by its first
	// features). Omitted while no feature is located.
	GeometryType string `json:"geometryType,omitempty"`
	// Group is the collection this one was split from by geometry type;
	// the map shows the two as one layer.
	Group  string   `json:"group,omitempty"`
	CRS    []string `json:"crs"`
	Extent *extent  `json:"extent,omitempty"`
	Links  []link   `json:"links"`
}

type extent struct {
	Spatial struct {
		BBox [][4]float64 `json:"bbox"`
		CRS  string       `json:"crs"`
	} `json:"spatial"`
}

func (s *server) collectionDoc(c echo.Context, p domain.Plan, info domain.LayerInfo) collectionDoc {
	b := base(c)
	suffix := ""
	if c.QueryParam("plan") != "" {
		suffix = "?plan=" + url.QueryEscape(p.ID)
	}
	doc := collectionDoc{
		ID: info.ID, Title: info.Title, TitleEN: info.TitleEN, Description: info.Description, DescriptionEN: info.DescriptionEN,
		Project: info.Project, Features: info.Count,
		ItemType: "feature", GeometryType: info.GeometryType, Group: info.Group, CRS: []string{crs84},
		Links: []link{
			{b + "/ogc/collections/" + info.ID + suffix, "self", mediaJSON, info.TitleEN},
			{b + "/ogc/collections/" + info.ID + "/items" + suffix, "items", mediaGeoJSON, info.TitleEN + " (GeoJSON)"},
			{b + "/ogc/collections/" + info.ID + "/tiles" + suffix, relTilesets, mediaJSON, info.TitleEN + " (vector tiles)"},
		},
	}
	doc.Category = layerCategory(p, info)
	if info.Count > 0 {
		doc.Extent = &extent{}
		doc.Extent.Spatial.CRS = crs84
		doc.Extent.Spatial.BBox = [][4]float64{{info.Extent.Min[0], info.Extent.Min[1], info.Extent.Max[0], info.Extent.Max[1]}}
	}
	return doc
}

func (s *server) collections(c echo.Context) error {
	p, _, _, err := s.planQuery(c, jsonOnly)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	infos, err := s.cfg.Store.Layers(ctx, p.ID)
	if err != nil {
		return err
	}
	docs := make([]collectionDoc, len(infos))
	for i, info := range infos {
		docs[i] = s.collectionDoc(c, p, info)
	}
	b := base(c)
	return writeJSON(c, mediaJSON, map[string]any{
		"links":       []link{{b + "/ogc/collections", "self", mediaJSON, "collections"}},
		"collections": docs,
	})
}

func (s *server) layerInfo(c echo.Context, p domain.Plan) (domain.LayerInfo, error) {
	id := c.Param("collection")
	infos, err := s.cfg.Store.Layers(c.Request().Context(), p.ID)
	if err != nil {
		return domain.LayerInfo{}, err
	}
	for _, info := range infos {
		if info.ID == id {
			return info, nil
		}
	}
	return domain.LayerInfo{}, domain.Errorf(domain.ErrNotFound, "no collection %q in plan %s; see /ogc/collections", id, p.ID)
}

func (s *server) collection(c echo.Context) error {
	p, _, _, err := s.planQuery(c, jsonOnly)
	if err != nil {
		return err
	}
	info, err := s.layerInfo(c, p)
	if err != nil {
		return err
	}
	return writeJSON(c, mediaJSON, s.collectionDoc(c, p, info))
}

// itemsQuery is a parsed items request.
type itemsQuery struct {
	site domain.SiteQuery
	asof domain.Date
	csv  bool
	gcj  bool // datum=gcj02
}

func (s *server) parseItems(c echo.Context, p domain.Plan) (itemsQuery, error) {
	var iq itemsQuery
	q, format, err := query(c, jsonCSV, "plan", "bbox", "limit", "offset", "project", "district", "status", "asof", datumParam)
	if err != nil {
		return iq, err
	}
	iq.csv = format == "csv"
	sq := domain.SiteQuery{Plan: p.ID, Layer: c.Param("collection")}
	if iq.gcj, err = parseDatum(q); err != nil {
		return iq, err
	}
	if iq.gcj && isDownload(c) {
		return iq, domain.Invalid(datumParam, "a download is in WGS84 (CRS84); datum=gcj02 is for drawing on a GCJ-02 basemap")
	}
	if sq.BBox, err = parseBBox(q.Get("bbox")); err != nil {
		return iq, err
	}
	if sq.BBox != nil && iq.gcj {
		b := boundToWGS84(*sq.BBox)
		sq.BBox = &b
	}
	if sq.Limit, err = parseLimit(q); err != nil {
		return iq, err
	}
	if sq.Offset, err = parseInt(q, "offset", 0, 0); err != nil {
		return iq, err
	}
	if sq.Project, err = parseProject(q, p); err != nil {
		return iq, err
	}
	d, err := s.districtFilter(c.Request().Context(), q, p)
	if err != nil {
		return iq, err
	}
	sq.District = d.Code
	if sq.Status, err = parseStatus(q); err != nil {
		return iq, err
	}
	if iq.asof, err = s.parseAsOf(q, p); err != nil {
		return iq, err
	}
	// Always dated, so that the page carries the reports that speak for
	// its sites; the store filters by status itself, next to the data.
	sq.AsOf = iq.asof
	iq.site = sq
	return iq, nil
}

// itemsSelection reads what items and downloads share: the plan, the
// layer, the filters, and the lookup that names districts and zones.
func (s *server) itemsSelection(c echo.Context, q url.Values) (itemsQuery, *lookup, error) {
	ctx := c.Request().Context()
	p, err := s.plan(ctx, q)
	if err != nil {
		return itemsQuery{}, nil, err
	}
	if _, err := s.layerInfo(c, p); err != nil {
		return itemsQuery{}, nil, err
	}
	iq, err := s.parseItems(c, p)
	if err != nil {
		return itemsQuery{}, nil, err
	}
	districts, zones, err := s.cityDistricts(ctx, p)
	if err != nil {
		return itemsQuery{}, nil, err
	}
	return iq, newLookup(p, districts, zones), nil
}

func (s *server) items(c echo.Context) error {
	ctx := c.Request().Context()
	q, err := queryValues(c)
	if err != nil {
		return err
	}
	iq, look, err := s.itemsSelection(c, q)
	if err != nil {
		return err
	}
	if isDownload(c) {
		return s.streamSites(c, look, iq) // the whole layer, never cut
	}
	page, err := s.cfg.Store.Sites(ctx, iq.site)
	if err != nil {
		return err
	}
	if iq.gcj {
		page.Sites = shiftSites(page.Sites)
	}
	noCache(c)
	if iq.csv {
		return writeCSV(c, look, page, iq)
	}
	fc := featureCollection{
		NumberMatched: page.Matched, NumberReturned: len(page.Sites), AsOf: iq.asof.String(),
		Links: pageLinks(c, iq.site, len(page.Sites), page.Matched),
	}
	features := func(b []byte) ([]byte, error) {
		var props []prop
		var anys []any
		var err error
		for i, site := range page.Sites {
			if ctx.Err() != nil {
				return nil, ctx.Err() // the client left: stop building its layer (a feature may be a big polygon)
			}
			if i > 0 {
				b = append(b, ',')
			}
			f := look.featureInto(props[:0], anys[:0], site, reportAt(page, i), iq.asof)
			if b, err = appendFeature(b, f); err != nil {
				return nil, err
			}
			props, anys = f.props, f.anys
		}
		return b, nil
	}
	// About 1.3 KB a feature with its tracking properties: one buffer,
	// reused once the response has copied it.
	body, err := fc.appendJSON(s.buffers.get(1536*len(page.Sites)+1024), features)
	if err != nil {
		return err
	}
	defer s.buffers.put(body)
	return c.Blob(http.StatusOK, mediaGeoJSON, body)
}

// reportAt is the report that speaks for the page's i-th site, or nil.
func reportAt(page domain.SitePage, i int) *domain.Report {
	if i < len(page.Reports) {
		return page.Reports[i]
	}
	return nil
}

// pageLinks builds self, next and prev links that keep every other
// parameter, so that clients such as GDAL can walk all pages.
func pageLinks(c echo.Context, q domain.SiteQuery, returned, matched int) []link {
	links := pagingLinks(c, mediaGeoJSON, q.Limit, q.Offset, returned, matched)
	coll := link{base(c) + "/ogc/collections/" + q.Layer, "collection", mediaJSON, "the collection"}
	return append(links[:1], append([]link{coll}, links[1:]...)...)
}

// pagingLinks are the self, next and prev links of a page of limit items
// from offset, each keeping the request's other parameters.
func pagingLinks(c echo.Context, mediaType string, limit, offset, returned, matched int) []link {
	u := base(c) + c.Request().URL.Path
	with := func(offset int) string {
		params := url.Values{}
		for k, vs := range c.QueryParams() {
			params[k] = vs
		}
		params.Set("limit", strconv.Itoa(limit))
		params.Set("offset", strconv.Itoa(offset))
		return u + "?" + params.Encode()
	}
	links := []link{{with(offset), "self", mediaType, "this page"}}
	if offset+returned < matched {
		links = append(links, link{with(offset + limit), "next", mediaType, "next page"})
	}
	if offset > 0 {
		links = append(links, link{with(max(0, offset-limit)), "prev", mediaType, "previous page"})
	}
	return links
}

func (s *server) item(c echo.Context) error {
	p, q, _, err := s.planQuery(c, jsonOnly, "asof", datumParam)
	if err != nil {
		return err
	}
	gcj, err := parseDatum(q)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.layerInfo(c, p); err != nil {
		return err
	}
	asof, err := s.parseAsOf(q, p)
	if err != nil {
		return err
	}
	id := c.Param("feature")
	if !utf8.ValidString(id) || strings.ContainsRune(id, 0) {
		return domain.Errorf(domain.ErrNotFound, "no feature %q in collection %q", id, c.Param("collection"))
	}
	site, err := s.cfg.Store.Site(ctx, p.ID, c.Param("collection"), id)
	if err != nil {
		return err
	}
	districts, zones, err := s.cityDistricts(ctx, p)
	if err != nil {
		return err
	}
	report, err := s.cfg.Store.SiteReport(ctx, p.ID, site.Layer, site.ID, asof)
	if err != nil {
		return err
	}
	if gcj {
		site.Geometry = shiftGCJ02(site.Geometry)
	}
	f := newLookup(p, districts, zones).feature(site, report, asof)
	b := base(c)
	coll := b + "/ogc/collections/" + site.Layer
	links, err := appendJSON(nil, []link{
		{coll + "/items/" + url.PathEscape(site.ID), "self", mediaGeoJSON, site.Name},
		{coll, "collection", mediaJSON, "the collection"},
	})
	if err != nil {
		return err
	}
	body, err := appendFeature(nil, f)
	if err != nil {
		return err
	}
	// A single feature carries its links and date as foreign members.
	body = append(append(append(body[:len(body)-1], `,"asof":`...), appendString(nil, asof.String())...), `,"links":`...)
	body = append(append(body, links...), '}', '\n')
	noCache(c)
	return c.Blob(http.StatusOK, mediaGeoJSON, body)
}
