package postgis

import (
	"context"

	"github.com/jackc/pgx/v5"

	"projectmap/internal/domain"
)

// The store cuts its own tiles.
var _ domain.TileSource = (*Store)(nil)

// TileFeatures cuts a layer's tile next to the data (domain.TileSource):
// PostGIS projects, clips and snaps each site to the tile's grid with
// ST_AsMVTGeom, after the GiST index on geom has found those whose box
// meets the buffered tile (tileSQL). The plan and layer are checked in
// the same round trip.
func (s *Store) TileFeatures(ctx context.Context, q domain.TileQuery) ([]domain.TileFeature, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkTileQuery(q); err != nil {
		return nil, err
	}
	s.startListening() // what is kept in memory needs it
	out := []domain.TileFeature{}
	var planExists, layerExists bool
	batch := &pgx.Batch{}
	batch.Queue(layerExistsSQL, q.Plan, q.Layer).QueryRow(func(row pgx.Row) error {
		return row.Scan(&planExists, &layerExists)
	})
	withReport := !q.AsOf.IsZero()
	sql, args := tileSQL(q)
	var tile []byte
	batch.Queue(sql, args...).Query(func(rows pgx.Rows) error {
		return eachSite(rows, q.Plan, q.Layer, nil, []any{&tile}, withReport, func(site domain.Site, r *domain.Report) error {
			g, err := decodeWKB(tile)
			if err != nil {
				return decodeErr("tile geometry of "+site.ID, err)
			}
			out = append(out, domain.TileFeature{Site: site, Tile: g, Report: r})
			return nil
		})
	})
	if err := s.pool.SendBatch(ctx, batch).Close(); err != nil {
		return nil, mapErr(ctx, err)
	}
	if err := notFound(q.Plan, q.Layer, planExists, layerExists); err != nil {
		return nil, err
	}
	return out, nil
}

// checkTileQuery refuses a tile that is not in the tile matrix set, so
// that PostGIS never sees one (it would raise an error, not a 400).
func checkTileQuery(q domain.TileQuery) error {
	switch {
	case q.Z < 0 || q.Z > 30:
		return domain.Invalid("z", "zoom %d is not in 0..30", q.Z)
	case q.X < 0 || q.X >= 1<<q.Z:
		return domain.Invalid("x", "column %d is not in 0..%d at zoom %d", q.X, 1<<q.Z-1, q.Z)
	case q.Y < 0 || q.Y >= 1<<q.Z:
		return domain.Invalid("y", "row %d is not in 0..%d at zoom %d", q.Y, 1<<q.Z-1, q.Z)
	case q.Extent <= 0:
		return domain.Invalid("extent", "extent must be positive")
	case q.Buffer < 0:
		return domain.Invalid("buffer", "buffer must not be negative")
	}
	return nil
}
