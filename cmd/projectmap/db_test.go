package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"projectmap/internal/domain"
	"projectmap/internal/postgis"
	"projectmap/internal/storetest"
)

func env(url string) func(string) string {
	return func(key string) string {
		if key == "DATABASE_URL" {
			return url
		}
		return ""
	}
}

func TestMigrateImportServe(t *testing.T) {
	url := storetest.NewEmptyDatabase(t)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	// serve with --migrate=false refuses an unmigrated database.
	if _, _, err := openPostGIS(ctx, url, postgis.PoolOptions{}, false, storetest.Dataset(t), log); err == nil || !strings.Contains(err.Error(), "projectmap migrate") {
		t.Fatalf("openPostGIS without migrating: %v, want a refusal naming projectmap migrate", err)
	}
	// An import before the migrations is refused too.
	var out, errOut bytes.Buffer
	if err := runImport(ctx, nil, env(url), &out, &errOut); err == nil || !strings.Contains(err.Error(), "migrate") {
		t.Fatalf("import before migrate: %v", err)
	}
	if err := runMigrate(ctx, nil, env(url), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	var applied, version int
	if _, err := fmt.Sscanf(out.String(), "applied %d migrations; the schema is at version %d", &applied, &version); err != nil || applied < 3 || applied != version {
		t.Errorf("migrate said %q", out.String())
	}
	out.Reset()
	if err := runMigrate(ctx, []string{"--database-url", url}, env(""), &out, &errOut); err != nil || !strings.Contains(out.String(), "applied 0 migrations") {
		t.Errorf("migrate again: %v, %q", err, out.String())
	}
	out.Reset()
	if err := runImport(ctx, nil, env(url), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "imported 13 districts") {
		t.Errorf("import said %q", out.String())
	}
	out.Reset()
	if err := runImport(ctx, nil, env(url), &out, &errOut); err != nil || !strings.HasPrefix(out.String(), "unchanged") {
		t.Errorf("second import: %v, %q", err, out.String())
	}

	// A collection from a file, then a file with a bad feature.
	dir := t.TempDir()
	good := filepath.Join(dir, "stations.geojson")
	os.WriteFile(good, []byte(`{"type": "FeatureCollection", "features": [{"type": "Feature", "id": "s1",
		"geometry": {"type": "Point", "coordinates": [108.95, 34.25]}, "properties": {"name": "站"}}]}`), 0o644)
	out.Reset()
	err := runImport(ctx, []string{"--collection", "stations", "--file", good, "--precision", "exact", "--source", "city register"}, env(url), &out, &errOut)
	if err != nil || !strings.Contains(out.String(), "imported 1 features") {
		t.Errorf("collection import: %v, %q", err, out.String())
	}
	bad := filepath.Join(dir, "bad.geojson")
	os.WriteFile(bad, []byte(`{"type": "FeatureCollection", "features": [{"type": "Feature", "id": "s1",
		"geometry": {"type": "Point", "coordinates": [108.95, 34.25]}, "properties": {"name": "站"}},
		{"type": "Feature", "geometry": null, "properties": {"name": "无"}}]}`), 0o644)
	errOut.Reset()
	err = runImport(ctx, []string{"--collection", "bad", "--file", bad, "--precision", "exact", "--source", "x"}, env(url), &out, &errOut)
	if err == nil || !strings.Contains(errOut.String(), "features[1]: no geometry") {
		t.Errorf("bad collection: %v, stderr %q", err, errOut.String())
	}
	if err := runImport(ctx, []string{"--collection", "x"}, env(url), &out, &errOut); !errors.Is(err, errUsage) {
		t.Errorf("--collection without --file: %v, want a usage error", err)
	}

	store, closeStore, err := openPostGIS(ctx, url, postgis.PoolOptions{}, false, storetest.Dataset(t), log)
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	if store.Kind() != "postgis" {
		t.Errorf("Kind = %s", store.Kind())
	}
}

func TestServeImportsIntoAnEmptyDatabase(t *testing.T) {
	url := storetest.NewEmptyDatabase(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, closeStore, err := openPostGIS(context.Background(), url, postgis.PoolOptions{}, true, storetest.Dataset(t), log)
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	storetest.Run(t, func(*testing.T) domain.Store { return store })
}

func TestNoDatabaseURL(t *testing.T) {
	for name, run := range map[string]func(context.Context, []string, func(string) string, io.Writer, io.Writer) error{
		"migrate": runMigrate, "import": runImport, "synth": runSynth,
	} {
		if err := run(context.Background(), nil, env(""), io.Discard, io.Discard); !errors.Is(err, errUsage) {
			t.Errorf("%s without a database URL: %v, want a usage error", name, err)
		}
	}
}

func TestSynth(t *testing.T) {
	var out bytes.Buffer
	url := storetest.NewEmptyDatabase(t) // only to skip without a server; synth makes its own
	if err := runSynth(context.Background(), []string{"--features", "2000", "--rounds", "1"}, env(url), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "2000") || !strings.Contains(out.String(), " ms") {
		t.Errorf("synth printed:\n%s", out.String())
	}
}
