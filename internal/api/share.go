package api

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"projectmap/internal/domain"
)

// shareRoutes registers the share card: /share?<the map's state>.
func shareRoutes(get func(string, echo.HandlerFunc, ...echo.MiddlewareFunc), s *server) {
	get("/share", s.share)
}

// maxShareTitle bounds a card's own title= (characters): it is drawn on
// the picture's title bar too.
const maxShareTitle = 80

// Share cards' picture size: what Open Graph and Twitter's large card ask.
const shareW, shareH = 1200, 630

// shareState is a map view as its URL carries it (web/src/state.js):
// map=z/lat/lng, layers, date, project, the filters cat, district and
// status, plan, basemap, easy and lang; and the card's own title=.
type shareState struct {
	plan         domain.Plan
	planParam    string
	zoom         float64
	lat, lng     float64
	layers       []string // as given: group heads
	drawn        []domain.LayerInfo
	date         domain.Date
	project      int
	status, lang string
	cat          int
	district     districtPick
	basemap      string // a configured basemap's id; another is dropped
	easy         bool
	layersGiven  bool
	mapGiven     bool
	projectTitle string
	title        string // the card's own title (title=), if given
}

// share answers an HTML page for link previews: Open Graph, Twitter and
// WeChat's meta tags with the static map of the view as the image, then
// sends the reader on to the map (a link and a meta refresh: the CSP
// allows no inline script).
func (s *server) share(c echo.Context) error {
	q, err := queryValues(c)
	if err != nil {
		return err
	}
	if err := checkParams(q, "map", "layers", "date", "project", "cat", "district", "status", "plan", "basemap", "easy", "lang", "title"); err != nil {
		return err
	}
	st, err := s.shareState(c, q)
	if err != nil {
		return err
	}
	page := s.sharePage(c, st)
	var out bytes.Buffer
	if err := shareTemplate().Execute(&out, page); err != nil {
		return err
	}
	noCache(c)
	return c.HTMLBlob(200, out.Bytes())
}

func (s *server) shareState(c echo.Context, q url.Values) (shareState, error) {
	var st shareState
	ctx := c.Request().Context()
	p, err := s.plan(ctx, q)
	if err != nil {
		return st, err
	}
	st.plan, st.planParam = p, q.Get("plan")
	switch st.lang = q.Get("lang"); st.lang {
	case "":
		st.lang = "zh"
	case "zh", "en":
	default:
		return st, domain.Invalid("lang", "%q must be zh or en", st.lang)
	}
	if err := st.readView(q); err != nil {
		return st, err
	}
	if !st.mapGiven {
		districts, _, err := s.cityDistricts(ctx, p)
		if err != nil {
			return st, err
		}
		ctr := populationCenter(districts)
		st.lat, st.lng, st.zoom = ctr[0], ctr[1], 10
	}
	if st.date, err = parseDate(q, "date", p.DefaultDateOn(s.today(p))); err != nil {
		return st, err
	}
	if st.project, err = parseProject(q, p); err != nil {
		return st, err
	}
	for _, pr := range p.Projects {
		if pr.Number == st.project {
			st.projectTitle = pr.Title
			if st.lang == "en" && pr.TitleEN != "" {
				st.projectTitle = pr.TitleEN
			}
		}
	}
	if st.title = strings.TrimSpace(q.Get("title")); len([]rune(st.title)) > maxShareTitle {
		return st, domain.Invalid("title", "is %d characters long, over %d", len([]rune(st.title)), maxShareTitle)
	}
	status, err := parseStatus(q)
	if err != nil {
		return st, err
	}
	st.status = string(status)
	if err := s.readShareFilters(ctx, q, &st); err != nil {
		return st, err
	}
	infos, err := s.cfg.Store.Layers(ctx, p.ID)
	if err != nil {
		return st, err
	}
	drawn, err := st.readLayers(q, infos)
	for _, l := range drawn {
		if inCategory(st.plan, l, st.cat) {
			st.drawn = append(st.drawn, l)
		}
	}
	return st, err
}

// readShareFilters reads cat, district, basemap and easy. A basemap the
// server no longer offers is dropped, so that an old link still opens
// (on the default basemap).
func (s *server) readShareFilters(ctx context.Context, q url.Values, st *shareState) error {
	var err error
	if st.cat, err = parseCategory(q, st.plan); err != nil {
		return err
	}
	if st.district, err = s.districtFilter(ctx, q, st.plan); err != nil {
		return err
	}
	switch v := q.Get("easy"); v {
	case "":
	case "1":
		st.easy = true
	default:
		return domain.Invalid("easy", "%q must be 1 (the easy-reading mode) or absent", v)
	}
	for _, b := range s.cfg.basemaps() {
		if b.ID == q.Get("basemap") {
			st.basemap = b.ID
		}
	}
	return nil
}

// readView reads map=z/lat/lng, as the page writes it.
func (st *shareState) readView(q url.Values) error {
	v := q.Get("map")
	if v == "" {
		return nil
	}
	parts := strings.Split(v, "/")
	bad := domain.Invalid("map", "%q is not zoom/lat/lng with a zoom from 0 to %d and a latitude within ±85", v, maxRasterZoom)
	if len(parts) != 3 {
		return bad
	}
	var f [3]float64
	for i, s := range parts {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || x != x {
			return bad
		}
		f[i] = x
	}
	if f[0] < 0 || f[0] > maxRasterZoom || f[1] < -85 || f[1] > 85 || f[2] < -180 || f[2] > 180 {
		return bad
	}
	st.zoom, st.lat, st.lng, st.mapGiven = f[0], f[1], f[2], true
	return nil
}

// readLayers checks layers= against the plan and returns the layers to
// draw: each one named and the layers split from it (Group). Without
// layers=, every project layer.
func (st *shareState) readLayers(q url.Values, infos []domain.LayerInfo) ([]domain.LayerInfo, error) {
	v := q.Get("layers")
	var out []domain.LayerInfo
	if v == "" {
		for _, l := range infos {
			if l.Project != 0 {
				out = append(out, l)
			}
		}
		return out, nil
	}
	st.layersGiven = true
	want := map[string]bool{}
	for _, id := range strings.Split(v, ",") {
		found := false
		for _, l := range infos {
			found = found || l.ID == id
		}
		if !found {
			return nil, domain.Invalid("layers", "no layer %q in plan %s", id, st.plan.ID)
		}
		want[id] = true
		st.layers = append(st.layers, id)
	}
	for _, l := range infos {
		if want[l.ID] || (l.Group != "" && want[l.Group]) {
			out = append(out, l)
		}
	}
	return out, nil
}

// hash is the map's own URL state (web/src/state.js formatHash).
func (st shareState) hash() string {
	parts := []string{fmt.Sprintf("map=%s/%.5f/%.5f", strconv.FormatFloat(st.zoom, 'f', -1, 64), st.lat, st.lng)}
	if st.layersGiven {
		parts = append(parts, "layers="+strings.Join(st.layers, ","))
	}
	parts = append(parts, "date="+st.date.String())
	if st.project != 0 {
		parts = append(parts, "project="+strconv.Itoa(st.project))
	}
	if st.cat != 0 {
		parts = append(parts, "cat="+strconv.Itoa(st.cat))
	}
	if st.district.Code != "" {
		parts = append(parts, "district="+url.QueryEscape(st.district.Code))
	}
	if st.status != "" {
		parts = append(parts, "status="+st.status)
	}
	if st.planParam != "" {
		parts = append(parts, "plan="+url.QueryEscape(st.planParam))
	}
	if st.basemap != "" {
		parts = append(parts, "basemap="+url.QueryEscape(st.basemap))
	}
	if st.easy {
		parts = append(parts, "easy=1")
	}
	return strings.Join(append(parts, "lang="+st.lang), "&")
}

// query is the card's own canonical query: the map's state, and title=.
func (st shareState) query() string {
	if st.title == "" {
		return st.hash()
	}
	return st.hash() + "&title=" + url.QueryEscape(st.title)
}

// planShortName is the plan's name as the page shows it (embed.js
// planName): the city and the plan's own title, without "关于印发…的通知".
func planShortName(p domain.Plan, lang string) string {
	if lang == "en" {
		if m := regexp.MustCompile(`on issuing the (.+)$`).FindStringSubmatch(p.TitleEN); m != nil {
			return strings.TrimPrefix(p.CityEN+": "+m[1], ": ")
		}
		if p.TitleEN != "" {
			return p.TitleEN
		}
	}
	if m := regexp.MustCompile(`印发(.+?)的通知`).FindStringSubmatch(p.Title); m != nil {
		return p.City + "《" + m[1] + "》"
	}
	return p.Title
}
