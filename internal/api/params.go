package api

import (
	"context"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"projectmap/internal/domain"
)

const (
	defaultLimit = 100
	maxLimit     = 10000
)

// checkParams rejects any query parameter not in allowed, naming it.
func checkParams(q url.Values, allowed ...string) error {
	var unknown []string
	for k := range q {
		ok := false
		for _, a := range allowed {
			if k == a {
				ok = true
				break
			}
		}
		if !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return domain.Invalid(unknown[0], "unknown parameter; this endpoint takes %s", strings.Join(allowed, ", "))
	}
	for k, vs := range q {
		if len(vs) > 1 {
			return domain.Invalid(k, "given %d times; give it once", len(vs))
		}
	}
	return nil
}

// Formats an endpoint offers, the default first.
var (
	jsonOnly = []string{"json"}
	jsonCSV  = []string{"json", "csv"}
)

// query checks the request's parameters against those the endpoint takes
// (f, the format, is always one) and returns them with the format asked
// for: "json" when f is absent or names JSON or GeoJSON.
func query(c echo.Context, formats []string, allowed ...string) (url.Values, string, error) {
	q, err := queryValues(c)
	if err != nil {
		return nil, "", err
	}
	if err := checkParams(q, append([]string{"f"}, allowed...)...); err != nil {
		return nil, "", err
	}
	f := q.Get("f")
	switch f {
	case "", "geojson", "application/json", "application/geo+json":
		f = "json"
	}
	for _, offered := range formats {
		if f == offered {
			return q, f, nil
		}
	}
	return nil, "", domain.Invalid("f", "format %q is not offered; use f=%s", q.Get("f"), strings.Join(formats, " or f="))
}

// parseBBox reads "minLon,minLat,maxLon,maxLat" in CRS84 (a 6-number 3D box
// is accepted and its heights ignored).
func parseBBox(s string) (*orb.Bound, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return nil, domain.Invalid("bbox", "want 4 numbers minLon,minLat,maxLon,maxLat, got %d", len(parts))
	}
	n := make([]float64, len(parts))
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, domain.Invalid("bbox", "%q is not a number", p)
		}
		n[i] = f
	}
	if len(n) == 6 {
		n = []float64{n[0], n[1], n[3], n[4]}
	}
	b := orb.Bound{Min: orb.Point{n[0], n[1]}, Max: orb.Point{n[2], n[3]}}
	switch {
	case b.Min[0] < -180 || b.Max[0] > 180:
		return nil, domain.Invalid("bbox", "longitudes must lie in -180..180")
	case b.Min[1] < -90 || b.Max[1] > 90:
		return nil, domain.Invalid("bbox", "latitudes must lie in -90..90")
	case b.Min[1] > b.Max[1]:
		return nil, domain.Invalid("bbox", "minLat %g is greater than maxLat %g", b.Min[1], b.Max[1])
	case b.Min[0] > b.Max[0]:
		return nil, domain.Invalid("bbox", "minLon %g is greater than maxLon %g (boxes across the antimeridian are not supported)", b.Min[0], b.Max[0])
	}
	return &b, nil
}

// parseInt reads a non-negative integer parameter, def when absent.
func parseInt(q url.Values, name string, def, min int) (int, error) {
	s := q.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, domain.Invalid(name, "%q is not an integer", s)
	}
	if n < min {
		return 0, domain.Invalid(name, "must be at least %d, got %d", min, n)
	}
	return n, nil
}

// parseLimit applies the default and clamps to the maximum, as OGC API
// Features asks servers to do rather than fail.
func parseLimit(q url.Values) (int, error) {
	n, err := parseInt(q, "limit", defaultLimit, 1)
	if err != nil {
		return 0, err
	}
	return min(n, maxLimit), nil
}

// parseAsOf reads asof=YYYY-MM-DD; absent, the plan's default date:
// the city's today while the plan's year lasts, else its last day.
func (s *server) parseAsOf(q url.Values, p domain.Plan) (domain.Date, error) {
	if q.Get("asof") == "" {
		return p.DefaultDateOn(s.today(p)), nil
	}
	return parseDate(q, "asof", domain.Date{})
}

// parseDate reads a YYYY-MM-DD parameter, def when absent.
func parseDate(q url.Values, name string, def domain.Date) (domain.Date, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	d, err := domain.ParseDate(v)
	if err != nil {
		return domain.Date{}, domain.Invalid(name, "%v", err)
	}
	if d.Year() < 1900 || d.Year() > 2200 {
		return domain.Date{}, domain.Invalid(name, "year %d is out of range", d.Year())
	}
	return d, nil
}

// parseStatus reads status=, a tracking status.
func parseStatus(q url.Values) (domain.TrackingStatus, error) {
	v := domain.TrackingStatus(q.Get("status"))
	if v == "" || v.Valid() {
		return v, nil
	}
	return "", domain.Invalid("status", "%q is not one of %s", v, statusList())
}

func statusList() string {
	var names []string
	for _, st := range domain.TrackingStatuses() {
		names = append(names, string(st))
	}
	return strings.Join(names, ", ")
}

// planQuery checks the request like query, with plan always allowed, and
// returns the plan it names (the latest by default) with the parameters.
func (s *server) planQuery(c echo.Context, formats []string, allowed ...string) (domain.Plan, url.Values, string, error) {
	q, format, err := query(c, formats, append([]string{"plan"}, allowed...)...)
	if err != nil {
		return domain.Plan{}, nil, "", err
	}
	p, err := s.plan(c.Request().Context(), q)
	return p, q, format, err
}

// plan returns the plan named by the plan parameter, or the latest.
func (s *server) plan(ctx context.Context, q url.Values) (domain.Plan, error) {
	plans, err := s.cfg.Store.Plans(ctx)
	if err != nil {
		return domain.Plan{}, err
	}
	if len(plans) == 0 {
		return domain.Plan{}, domain.Errorf(domain.ErrNotFound, "no plan is loaded")
	}
	id := q.Get("plan")
	if id == "" {
		return plans[len(plans)-1], nil
	}
	for _, p := range plans {
		if p.ID == id {
			return p, nil
		}
	}
	ids := make([]string, len(plans))
	for i, p := range plans {
		ids[i] = p.ID
	}
	return domain.Plan{}, domain.Invalid("plan", "no plan %q; plans are %s", id, strings.Join(ids, ", "))
}

// parseProject reads project=N and checks the plan has it.
func parseProject(q url.Values, p domain.Plan) (int, error) {
	v := q.Get("project")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, domain.Invalid("project", "%q is not a project number", v)
	}
	for _, pr := range p.Projects {
		if pr.Number == n {
			return n, nil
		}
	}
	return 0, domain.Invalid("project", "plan %s has no project %d (1–%d)", p.ID, n, len(p.Projects))
}

// districtPick is the district or zone a district= names: its adcode or
// zone id, and its names.
type districtPick struct{ Code, Name, NameEN string }

// parseDistrict accepts an adcode, a zone id, or a district or zone name
// in Chinese or English, of plan p's city (districts and zones), and
// returns the one it names (zero for none). Another city's district is
// refused, not answered with nothing.
func parseDistrict(q url.Values, p domain.Plan, districts []domain.District, zones []domain.Zone) (districtPick, error) {
	v := strings.TrimSpace(q.Get("district"))
	if v == "" {
		return districtPick{}, nil
	}
	for _, d := range districts {
		if v == d.Adcode || v == d.Name || strings.EqualFold(v, d.NameEN) || v == strings.TrimRight(d.Name, "区县") {
			return districtPick{d.Adcode, d.Name, d.NameEN}, nil
		}
	}
	for _, z := range zones {
		if v == z.ID || v == z.Name || strings.EqualFold(v, z.NameEN) {
			return districtPick{z.ID, z.Name, z.NameEN}, nil
		}
	}
	return districtPick{}, domain.Invalid("district", "%q is not a district adcode, zone id or name of %s (plan %s)", v, p.CityEN, p.ID)
}
