package postgis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"projectmap/internal/dataset"
	"projectmap/internal/domain"
)

// importFormat is part of the checksum: bump it when Import starts writing
// the same data differently, so that the next import rewrites it. 2: sites
// carry their planned curves, plans their time zone. 3: cities, and the
// English of sources, notes and descriptions.
const importFormat = 3

// ImportStats says what an import wrote, or would have written.
type ImportStats struct {
	Checksum    string        `json:"checksum"`  // sha256 of the dataset as imported
	Unchanged   bool          `json:"unchanged"` // the database already held exactly this dataset
	Cities      int           `json:"cities"`
	Districts   int           `json:"districts"`
	Zones       int           `json:"zones"`
	Plans       int           `json:"plans"`
	Projects    int           `json:"projects"`
	Layers      int           `json:"layers"`
	Sites       int           `json:"sites"`
	Milestones  int           `json:"milestones"`
	Allocations int           `json:"allocations"`
	Duration    time.Duration `json:"duration_ns"`
}

// Import writes the whole dataset in one transaction: the districts and
// zones, and each plan with everything it holds, replacing what earlier
// imports wrote (collections imported with ImportGeoJSON are kept). It is
// idempotent: when the database already holds a dataset with the same
// checksum nothing is written and Unchanged is set. Any failure rolls the
// whole import back and leaves the database as it was.
func Import(ctx context.Context, pool *pgxpool.Pool, ds *dataset.Dataset) (ImportStats, error) {
	began := time.Now()
	stats := countDataset(ds)
	sum, err := Checksum(ds)
	if err != nil {
		return stats, err
	}
	stats.Checksum = sum
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, unboundedSQL); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, importLockSQL); err != nil {
			return err
		}
		var last string
		switch err := tx.QueryRow(ctx, lastChecksumSQL).Scan(&last); {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return err
		}
		if last == sum {
			stats.Unchanged = true
			return nil
		}
		if err := writeDataset(ctx, tx, ds); err != nil {
			return err
		}
		doc, err := json.Marshal(stats)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, recordImportSQL, sum, doc)
		return err
	})
	stats.Duration = time.Since(began)
	if err != nil {
		return stats, mapImportErr(ctx, fmt.Errorf("import rolled back: %w", err))
	}
	return stats, nil
}

func countDataset(ds *dataset.Dataset) ImportStats {
	st := ImportStats{Cities: len(ds.Cities), Districts: len(ds.Districts), Zones: len(ds.Zones), Plans: len(ds.Plans)}
	var countAlloc func([]domain.Allocation) int
	countAlloc = func(as []domain.Allocation) int {
		n := len(as)
		for _, a := range as {
			n += countAlloc(a.Includes)
		}
		return n
	}
	for _, p := range ds.Plans {
		st.Projects += len(p.Projects)
		st.Layers += len(p.Layers)
		st.Sites += len(p.Sites)
		for _, pr := range p.Projects {
			for _, sc := range pr.Schedules {
				st.Milestones += len(sc.Milestones)
			}
			st.Allocations += countAlloc(pr.Allocations)
		}
	}
	return st
}

// Checksum returns the sha256 of the dataset's canonical JSON (maps are
// written with sorted keys, geometry as GeoJSON), the identity Import
// compares.
func Checksum(ds *dataset.Dataset) (string, error) {
	h := sha256.New()
	enc := json.NewEncoder(h)
	write := func(v any) error { return enc.Encode(v) }
	if err := write(importFormat); err != nil {
		return "", err
	}
	if err := write(ds.Cities); err != nil {
		return "", err
	}
	for _, d := range ds.Districts {
		if err := writeWithGeometry(h, enc, d, d.Geometry); err != nil {
			return "", err
		}
	}
	for _, z := range ds.Zones {
		if err := writeWithGeometry(h, enc, z, z.Point); err != nil {
			return "", err
		}
	}
	for _, p := range ds.Plans {
		if err := write(p.Plan); err != nil {
			return "", err
		}
		if err := write(p.Projects); err != nil {
			return "", err
		}
		for _, s := range p.Sites {
			if err := writeWithGeometry(h, enc, s, s.Geometry); err != nil {
				return "", err
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func writeWithGeometry(h hash.Hash, enc *json.Encoder, v any, g orb.Geometry) error {
	if err := enc.Encode(v); err != nil {
		return err
	}
	if g == nil {
		_, err := h.Write([]byte("null\n"))
		return err
	}
	return enc.Encode(geojson.NewGeometry(g))
}

// writeDataset replaces the cities with their districts and zones, and
// each plan of ds.
func writeDataset(ctx context.Context, tx pgx.Tx, ds *dataset.Dataset) error {
	b := &pgx.Batch{}
	b.Queue(deleteZonesSQL)
	b.Queue(deleteDistrictSQL)
	b.Queue(deleteCitiesSQL)
	for i, c := range ds.Cities {
		b.Queue(insertCitySQL, c.ID, i, c.Name, c.NameEN, c.Adcode)
	}
	for i, d := range ds.Districts {
		g, err := encodeEWKB(d.Geometry)
		if err != nil {
			return fmt.Errorf("district %s: %w", d.Adcode, err)
		}
		b.Queue(insertDistrictSQL, d.Adcode, i, d.Name, d.NameEN, d.Population, d.City, d.Source, d.SourceEN, g)
	}
	for i, z := range ds.Zones {
		g, err := encodeEWKB(z.Point)
		if err != nil {
			return fmt.Errorf("zone %s: %w", z.ID, err)
		}
		b.Queue(insertZoneSQL, z.ID, i, z.Name, z.NameEN, z.District, z.City, z.Source, z.SourceEN, g)
	}
	var sites []siteRow
	for _, p := range ds.Plans {
		if err := queuePlan(b, p); err != nil {
			return err
		}
		ord := map[string]int{} // position of each site within its layer
		index := newPlanIndex(&p.Plan)
		for _, s := range p.Sites {
			row, err := newSiteRow(s, ord[s.Layer], index.curve(s))
			ord[s.Layer]++
			if err != nil {
				return err
			}
			sites = append(sites, row)
		}
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	return copySites(ctx, tx, sites)
}

func queuePlan(b *pgx.Batch, p *dataset.Plan) error {
	b.Queue(upsertPlanSQL, p.ID, p.City, p.CityEN, p.Year, p.Title, p.TitleEN, p.IssuedBy, p.IssuedByEN, p.IssuedOn.Time(), p.Source,
		p.TimeZone, p.CityID)
	b.Queue(deletePlanLayersSQL, p.ID)
	b.Queue(deletePlanProjectsSQL, p.ID)
	b.Queue(deletePlanCategoriesSQL, p.ID)
	b.Queue(deletePlanAgenciesSQL, p.ID)
	for i, c := range p.Categories {
		b.Queue(insertCategorySQL, p.ID, c.Number, i, c.Name, c.NameEN)
	}
	for i, a := range p.Agencies {
		b.Queue(insertAgencySQL, p.ID, a.ID, i, string(a.Kind), a.Name, a.NameEN)
	}
	for _, pr := range p.Projects {
		b.Queue(insertProjectSQL, p.ID, pr.Number, pr.Category, pr.Title, pr.TitleEN, nonNil(pr.Agencies), pr.Target, pr.TargetEN,
			pr.Funding, nonNil(pr.Measures), nonNil(pr.Notes), nonNil(pr.NotesEN))
		for i, m := range pr.Metrics {
			b.Queue(insertMetricSQL, p.ID, pr.Number, m.Key, i, m.Name, m.NameEN, m.Unit, m.Target, m.Note, m.NoteEN)
		}
		for i, sc := range pr.Schedules {
			b.Queue(insertScheduleSQL, p.ID, pr.Number, sc.ID, i, sc.Name, sc.NameEN, sc.Metric)
			for j, m := range sc.Milestones {
				var start *time.Time
				if m.Start != nil {
					t := m.Start.Time()
					start = &t
				}
				var quantities []byte
				if m.Quantities != nil {
					var err error
					if quantities, err = json.Marshal(m.Quantities); err != nil {
						return err
					}
				}
				b.Queue(insertMilestoneSQL, p.ID, pr.Number, sc.ID, j, start, m.Date.Time(), quantities, m.Text, m.TextEN)
			}
		}
		queueAllocations(b, p.ID, pr.Number, nil, pr.Allocations)
	}
	for i, l := range p.Layers {
		b.Queue(insertLayerSQL, p.ID, l.ID, i, "geodata", l.Project, l.Category, l.Title, l.TitleEN, l.Description, l.DerivedMetric, "",
			l.DescriptionEN, l.Group)
	}
	return nil
}

func queueAllocations(b *pgx.Batch, plan string, project int, parent []int32, as []domain.Allocation) {
	for i, a := range as {
		path := append(append([]int32{}, parent...), int32(i+1))
		b.Queue(insertAllocSQL, plan, project, path, a.Metric, a.Recipient, a.AsWritten, a.Quantity, a.Note, a.NoteEN)
		queueAllocations(b, plan, project, path, a.Includes)
	}
}

// siteRow is one site as COPY sends it, in siteCopyColumns order: NULL
// (nil) for the optional fields left empty, geometry as EWKB bytes, which
// PostGIS reads in COPY's binary format, and the planned curve.
type siteRow []any

func newSiteRow(s domain.Site, ord int, c plannedCurve) (siteRow, error) {
	g, err := encodeEWKB(s.Geometry)
	if err != nil {
		return nil, fmt.Errorf("site %s: %w", s.ID, err)
	}
	var milestones, attrs []byte
	if len(s.Milestones) > 0 {
		if milestones, err = json.Marshal(s.Milestones); err != nil {
			return nil, fmt.Errorf("site %s: %w", s.ID, err)
		}
	}
	if len(s.Attrs) > 0 {
		if attrs, err = json.Marshal(s.Attrs); err != nil {
			return nil, fmt.Errorf("site %s: %w", s.ID, err)
		}
	}
	var project any
	if s.Project != 0 {
		project = int32(s.Project)
	}
	return siteRow{s.PlanID, s.Layer, s.ID, int32(ord), project, s.Name, s.NameEN, null(s.District), null(s.Zone),
		string(s.Precision), s.Source, s.SourceEN, null(s.Schedule), milestones, attrs, g, c.dates, c.fractions, c.inherits}, nil
}

// null is nil for "", to write NULL.
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// copySites loads sites with COPY.
func copySites(ctx context.Context, tx pgx.Tx, rows []siteRow) error {
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"sites"}, siteCopyColumns, pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
		return rows[i], nil
	}))
	return err
}

// ImportedChecksum returns the checksum of the dataset the database last
// imported, or "" if it never imported one.
func ImportedChecksum(ctx context.Context, pool *pgxpool.Pool) (string, error) {
	var last string
	err := pool.QueryRow(ctx, lastChecksumSQL).Scan(&last)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return last, mapErr(ctx, err)
}
