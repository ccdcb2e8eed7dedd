package postgis

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"

	"projectmap/migrations"
)

// Migrate applies the pending migrations of migrations/ with tern, each in
// its own transaction, under tern's advisory lock (so servers starting
// together apply them once). Pending, called before, says how many.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return mapErr(ctx, err)
	}
	defer conn.Release()
	// A migration may rebuild an index of a large table: no serving
	// statement_timeout applies to it, and the connection gets it back.
	if _, err := conn.Exec(ctx, "SET statement_timeout = 0"); err != nil {
		return mapErr(ctx, err)
	}
	defer conn.Exec(context.Background(), "RESET statement_timeout")
	m, err := migrate.NewMigrator(ctx, conn.Conn(), versionTable)
	if err != nil {
		return mapErr(ctx, err)
	}
	if err := m.LoadMigrations(migrations.Files); err != nil {
		return fmt.Errorf("loading migrations: %w", err)
	}
	before, err := m.GetCurrentVersion(ctx)
	if err != nil {
		return mapErr(ctx, err)
	}
	if int(before) > len(m.Migrations) {
		return fmt.Errorf("the database is at schema version %d, newer than this program's %d: upgrade the program", before, len(m.Migrations))
	}
	if err := m.Migrate(ctx); err != nil {
		return mapErr(ctx, fmt.Errorf("migrating from version %d: %w", before, err))
	}
	if before > 0 && before < curvesVersion {
		// Sites imported before 0003 get their curves now, from the domain.
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, unboundedSQL); err != nil {
				return err
			}
			_, err := fillCurves(ctx, tx)
			return err
		})
		if err != nil {
			return mapErr(ctx, fmt.Errorf("computing the planned curves of the sites: %w", err))
		}
	}
	return nil
}

// curvesVersion is the migration that gave sites their planned curves.
const curvesVersion = 3

// Pending returns how many migrations the database lacks, without changing
// anything (a database never migrated lacks them all). It is an error if
// the database is ahead of this program.
func Pending(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	names, err := migrate.FindMigrations(migrations.Files)
	if err != nil {
		return 0, fmt.Errorf("loading migrations: %w", err)
	}
	v, err := SchemaVersion(ctx, pool)
	if err != nil {
		return 0, err
	}
	if v > len(names) {
		return 0, fmt.Errorf("the database is at schema version %d, newer than this program's %d: upgrade the program", v, len(names))
	}
	return len(names) - v, nil
}

// SchemaVersion returns the number of the last migration applied, 0 for a
// database never migrated.
func SchemaVersion(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	var exists bool
	if err := pool.QueryRow(ctx, versionTableSQL).Scan(&exists); err != nil {
		return 0, mapErr(ctx, err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := pool.QueryRow(ctx, schemaVersionSQL).Scan(&v); err != nil {
		return 0, mapErr(ctx, err)
	}
	return v, nil
}

// Empty reports whether the database holds no plan yet (serve then
// imports the embedded geodata).
func Empty(ctx context.Context, pool *pgxpool.Pool) (bool, error) {
	var n int
	if err := pool.QueryRow(ctx, countPlansSQL).Scan(&n); err != nil {
		return false, mapErr(ctx, err)
	}
	return n == 0, nil
}
