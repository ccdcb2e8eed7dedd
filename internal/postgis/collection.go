package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paulmach/orb/geojson"

	"projectmap/internal/domain"
	"projectmap/internal/geomutil"
)

// CollectionMeta describes a collection imported from an external GeoJSON
// file, and gives the defaults for what its features do not say.
type CollectionMeta struct {
	Title       string // default: the collection's id
	TitleEN     string
	Description string
	File        string // the file's name, recorded with the layer
	// Project, Precision and Source (Chinese; SourceEN the same in
	// English) apply to every feature whose properties do not give their
	// own "project", "precision", "source".
	Project   int
	Precision domain.Precision
	Source    string
	SourceEN  string
}

// MaxCollectionBytes bounds the GeoJSON ImportGeoJSON reads.
const MaxCollectionBytes = 512 << 20

// maxReported bounds the bad features one error lists.
const maxReported = 100

var collectionID = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// siteProperties are the feature properties that become site fields; every
// other property is kept in the site's attrs.
var siteProperties = map[string]bool{"id": true, "project": true, "name": true, "name_en": true, "district": true,
	"zone": true, "precision": true, "source": true, "source_en": true, "schedule": true, "milestones": true, "attrs": true}

// ImportGeoJSON reads a GeoJSON FeatureCollection from r into the named
// collection of plan (the latest plan when plan is ""), replacing an
// earlier import of the same collection, in one transaction. A feature's
// id is its "id" (or properties.id), else "<collection>-<n>" for the n-th.
// Its properties name, name_en, project, district, zone, precision,
// source, source_en, schedule and milestones fill the site, the rest become attrs.
//
// Every feature is checked before anything is written. Bad features make
// an ErrInvalid error per feature (Param "features[3]", with the reason),
// joined into one; nothing is written then. A collection id that is one of
// the plan's own layers is ErrConflict, an unknown plan ErrNotFound.
func ImportGeoJSON(ctx context.Context, pool *pgxpool.Pool, plan, collection string, r io.Reader, meta CollectionMeta) (n int, err error) {
	if !collectionID.MatchString(collection) || len(collection) > 100 {
		return 0, domain.Invalid("collection", "%q is not a collection id: use a-z, 0-9, - and _", collection)
	}
	if meta.Precision != "" && !meta.Precision.Valid() {
		return 0, domain.Invalid("precision", "%q is not one of exact, street, approximate, town, district, zone", meta.Precision)
	}
	if plan == "" {
		if err := pool.QueryRow(ctx, latestPlanSQL).Scan(&plan); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return 0, domain.Errorf(domain.ErrNotFound, "the database holds no plan: import the geodata first")
			}
			return 0, mapErr(ctx, err)
		}
	}
	features, err := readFeatures(r)
	if err != nil {
		return 0, err
	}
	known, err := knownIDs(ctx, pool, plan)
	if err != nil {
		return 0, err
	}
	if !known["plan"] {
		return 0, domain.Errorf(domain.ErrNotFound, "no plan %q", plan)
	}
	if meta.Project != 0 && !known["project/"+strconv.Itoa(meta.Project)] {
		return 0, domain.Invalid("project", "plan %s has no project %d", plan, meta.Project)
	}
	sites, err := collectionSites(plan, collection, features, meta, known)
	if err != nil {
		return 0, err
	}
	if meta.Title == "" {
		meta.Title = collection
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, unboundedSQL); err != nil {
			return err
		}
		var origin string
		switch err := tx.QueryRow(ctx, collectionLayerSQL, plan, collection).Scan(&origin); {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return err
		case origin != "collection":
			return domain.Errorf(domain.ErrConflict, "%q is one of plan %s's own layers; choose another collection id", collection, plan)
		default:
			if _, err := tx.Exec(ctx, deleteLayerSQL, plan, collection); err != nil {
				return err
			}
		}
		var ord int
		if err := tx.QueryRow(ctx, nextLayerOrdSQL, plan).Scan(&ord); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, insertLayerSQL, plan, collection, ord, "collection", meta.Project, 0,
			meta.Title, meta.TitleEN, meta.Description, "", meta.File, "", ""); err != nil {
			return err
		}
		index, err := collectionIndex(ctx, tx, plan, domain.Layer{ID: collection, Project: meta.Project})
		if err != nil {
			return err
		}
		rows := make([]siteRow, len(sites))
		for i, s := range sites {
			if rows[i], err = newSiteRow(s, i, index.curve(s)); err != nil {
				return err
			}
		}
		if err := copySites(ctx, tx, rows); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, deriveDistrictsSQL, plan, collection)
		return err
	})
	if err != nil {
		return 0, mapImportErr(ctx, err)
	}
	return len(sites), nil
}

// collectionIndex reads the plan's projects, for the planned curves of a
// collection's sites, with layer as the collection's.
func collectionIndex(ctx context.Context, tx pgx.Tx, plan string, layer domain.Layer) (planIndex, error) {
	plans, err := readPlans(ctx, tx)
	if err != nil {
		return planIndex{}, err
	}
	for i := range plans {
		if plans[i].ID == plan {
			ix := newPlanIndex(&plans[i])
			ix.layers[layer.ID] = layer
			return ix, nil
		}
	}
	return planIndex{}, domain.Errorf(domain.ErrNotFound, "no plan %q", plan)
}

// readFeatures decodes the FeatureCollection into its raw features.
func readFeatures(r io.Reader) ([]json.RawMessage, error) {
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxCollectionBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the GeoJSON: %w", err)
	}
	if len(b) > MaxCollectionBytes {
		return nil, domain.Invalid("file", "larger than %d MiB", MaxCollectionBytes>>20)
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		return nil, domain.Invalid("file", "not JSON: %v", err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, domain.Invalid("type", "is %q, want FeatureCollection", fc.Type)
	}
	if len(fc.Features) == 0 {
		return nil, domain.Invalid("features", "the collection has no features")
	}
	return fc.Features, nil
}

// knownIDs lists what features may refer to: "plan", "district/<adcode>",
// "zone/<id>", "project/<n>" and "schedule/<n>/<id>".
func knownIDs(ctx context.Context, pool *pgxpool.Pool, plan string) (map[string]bool, error) {
	known := map[string]bool{}
	var exists bool
	if err := pool.QueryRow(ctx, planExistsSQL, plan).Scan(&exists); err != nil {
		return nil, mapErr(ctx, err)
	}
	known["plan"] = exists
	rows, err := pool.Query(ctx, knownIDsSQL, plan)
	if err != nil {
		return nil, mapErr(ctx, err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, id string
		if err := rows.Scan(&kind, &id); err != nil {
			return nil, mapErr(ctx, err)
		}
		known[kind+"/"+id] = true
	}
	return known, mapErr(ctx, rows.Err())
}

// collectionSites checks every feature and turns the good ones into sites.
// It returns the bad ones as one joined error of ErrInvalid errors.
func collectionSites(plan, collection string, features []json.RawMessage, meta CollectionMeta, known map[string]bool) ([]domain.Site, error) {
	var problems []error
	bad := func(i int, format string, args ...any) {
		if len(problems) < maxReported {
			problems = append(problems, domain.Invalid(fmt.Sprintf("features[%d]", i), format, args...))
		}
	}
	sites := make([]domain.Site, 0, len(features))
	seen := map[string]int{}
	for i, raw := range features {
		s, reason := collectionSite(raw, meta, known)
		if reason != "" {
			bad(i, "%s", reason)
			continue
		}
		if s.ID == "" {
			s.ID = fmt.Sprintf("%s-%d", collection, i+1)
		}
		if j, dup := seen[s.ID]; dup {
			bad(i, "id %q is already used by features[%d]", s.ID, j)
			continue
		}
		seen[s.ID] = i
		s.PlanID, s.Layer = plan, collection
		sites = append(sites, s)
	}
	if len(problems) > 0 {
		if n := len(features) - len(sites); n > len(problems) {
			problems = append(problems, fmt.Errorf("and more: %d bad features in all", n))
		}
		return nil, errors.Join(problems...)
	}
	return sites, nil
}

// collectionSite checks one feature; reason says what is wrong with it.
func collectionSite(raw json.RawMessage, meta CollectionMeta, known map[string]bool) (s domain.Site, reason string) {
	var f struct {
		Type       string            `json:"type"`
		ID         any               `json:"id"`
		Geometry   *geojson.Geometry `json:"geometry"`
		Properties map[string]any    `json:"properties"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return s, "not a GeoJSON feature: " + err.Error()
	}
	if f.Type != "Feature" {
		return s, fmt.Sprintf("type is %q, want Feature", f.Type)
	}
	if f.Geometry == nil || f.Geometry.Geometry() == nil {
		return s, "no geometry"
	}
	s.Geometry = f.Geometry.Geometry()
	if msg := geomutil.Invalid(s.Geometry); msg != "" {
		return s, "invalid geometry: " + msg
	}
	props := f.Properties
	str := func(key string) (string, bool) {
		v, ok := props[key]
		if !ok || v == nil {
			return "", true
		}
		x, isString := v.(string)
		return strings.TrimSpace(x), isString
	}
	var ok bool
	switch id := f.ID.(type) {
	case nil:
		if s.ID, ok = str("id"); !ok {
			return s, "properties.id must be a string"
		}
	case string:
		s.ID = strings.TrimSpace(id)
	case float64:
		s.ID = strconv.FormatFloat(id, 'f', -1, 64)
	default:
		return s, "id must be a string or a number"
	}
	if len(s.ID) > 200 || strings.ContainsAny(s.ID, "/?#") {
		return s, fmt.Sprintf("id %q must be at most 200 characters without / ? #", s.ID)
	}
	if s.Name, ok = str("name"); !ok || s.Name == "" {
		return s, "properties.name is missing or not a string"
	}
	if s.NameEN, ok = str("name_en"); !ok {
		return s, "properties.name_en must be a string"
	}
	s.Project = meta.Project
	if v, has := props["project"]; has && v != nil {
		n, isNumber := v.(float64)
		if !isNumber || n != math.Trunc(n) || !known["project/"+strconv.Itoa(int(n))] {
			return s, fmt.Sprintf("properties.project %v is not a project of the plan", v)
		}
		s.Project = int(n)
	}
	if s.District, ok = str("district"); !ok || s.District != "" && !known["district/"+s.District] {
		return s, fmt.Sprintf("properties.district %v is not a district adcode of the plan's city", props["district"])
	}
	if s.Zone, ok = str("zone"); !ok || s.Zone != "" && !known["zone/"+s.Zone] {
		return s, fmt.Sprintf("properties.zone %v is not a development zone id of the plan's city", props["zone"])
	}
	precision, ok := str("precision")
	if !ok {
		return s, "properties.precision must be a string"
	}
	s.Precision = domain.Precision(precision)
	if s.Precision == "" {
		s.Precision = meta.Precision
	}
	if !s.Precision.Valid() {
		return s, fmt.Sprintf("precision %q is not one of exact, street, approximate, town, district, zone (give properties.precision or a default)", s.Precision)
	}
	if s.Source, ok = str("source"); !ok {
		return s, "properties.source must be a string"
	}
	if s.SourceEN, ok = str("source_en"); !ok {
		return s, "properties.source_en must be a string"
	}
	if s.Source == "" {
		s.Source, s.SourceEN = meta.Source, meta.SourceEN
	}
	if s.Source == "" {
		return s, "no source: say what the position rests on (properties.source or a default)"
	}
	if s.Schedule, ok = str("schedule"); !ok || s.Schedule != "" && !known[fmt.Sprintf("schedule/%d/%s", s.Project, s.Schedule)] {
		return s, fmt.Sprintf("properties.schedule %v is not a schedule of project %d", props["schedule"], s.Project)
	}
	if v, has := props["milestones"]; has && v != nil {
		b, _ := json.Marshal(v)
		if err := json.Unmarshal(b, &s.Milestones); err != nil {
			return s, "properties.milestones: " + err.Error()
		}
		for j, m := range s.Milestones {
			if m.Date.IsZero() || m.Start != nil && m.Start.After(m.Date) || m.Text == "" && len(m.Quantities) == 0 {
				return s, fmt.Sprintf("properties.milestones[%d] needs a date (not before its start) and a text or quantities", j)
			}
		}
	}
	attrs := map[string]any{}
	if v, has := props["attrs"]; has && v != nil {
		a, isObject := v.(map[string]any)
		if !isObject {
			return s, "properties.attrs must be an object"
		}
		for k, x := range a {
			attrs[k] = x
		}
	}
	for k, v := range props {
		if !siteProperties[k] {
			attrs[k] = v
		}
	}
	if len(attrs) > 0 {
		s.Attrs = attrs
	}
	return s, ""
}
