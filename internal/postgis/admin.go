package postgis

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
)

// DatabaseURL returns connURL pointed at database name on the same server,
// for a postgres:// URL or a keyword/value DSN alike.
func DatabaseURL(connURL, name string) (string, error) {
	if strings.HasPrefix(connURL, "postgres://") || strings.HasPrefix(connURL, "postgresql://") {
		u, err := url.Parse(connURL)
		if err != nil {
			return "", fmt.Errorf("not a valid PostgreSQL URL")
		}
		u.Path = "/" + name
		u.RawPath = ""
		return u.String(), nil
	}
	// In a DSN the last setting of a keyword wins.
	return connURL + " dbname='" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(name) + "'", nil
}

// CreateDatabase creates database name, with the PostGIS extension, on the
// server that connURL reaches (connecting as its user to its database),
// and returns the URL of the new database.
func CreateDatabase(ctx context.Context, connURL, name string) (string, error) {
	conn, err := pgx.Connect(ctx, connURL)
	if err != nil {
		return "", mapErr(ctx, err)
	}
	_, err = conn.Exec(ctx, createDatabaseSQL(name))
	conn.Close(ctx)
	if err != nil {
		return "", mapErr(ctx, fmt.Errorf("creating database %s: %w", name, err))
	}
	dbURL, err := DatabaseURL(connURL, name)
	if err != nil {
		return "", err
	}
	db, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return "", mapErr(ctx, err)
	}
	defer db.Close(ctx)
	if _, err := db.Exec(ctx, createPostGISSQL); err != nil {
		return "", mapErr(ctx, fmt.Errorf("creating the postgis extension in %s: %w", name, err))
	}
	return dbURL, nil
}

// DropDatabase drops database name on the server that connURL reaches,
// closing any connections still open to it. A missing database is no error.
func DropDatabase(ctx context.Context, connURL, name string) error {
	conn, err := pgx.Connect(ctx, connURL)
	if err != nil {
		return mapErr(ctx, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, dropDatabaseSQL(name)); err != nil {
		return mapErr(ctx, fmt.Errorf("dropping database %s: %w", name, err))
	}
	return nil
}

// Databases lists the databases whose names start with prefix.
func Databases(ctx context.Context, connURL, prefix string) ([]string, error) {
	conn, err := pgx.Connect(ctx, connURL)
	if err != nil {
		return nil, mapErr(ctx, err)
	}
	defer conn.Close(ctx)
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix) + "%"
	rows, err := conn.Query(ctx, listDatabasesSQL, like)
	if err != nil {
		return nil, mapErr(ctx, err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return names, mapErr(ctx, err)
}
