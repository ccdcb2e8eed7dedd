package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"projectmap/internal/storetest"
)

// TestServeOnPostGIS runs the real program on a PostGIS database: it
// migrates and imports at start, serves what GDAL reads, answers 503 while
// the database is away and recovers by itself when it returns.
func TestServeOnPostGIS(t *testing.T) {
	dbURL := storetest.NewEmptyDatabase(t)
	base, logs, _ := startServer(t, map[string]string{"DATABASE_URL": dbURL})
	first, _, _ := strings.Cut(logs.String(), "\n")
	if !strings.Contains(first, `"store":"postgis"`) || !regexp.MustCompile(`"database":"[^"@]+/projectmap_test_`).MatchString(first) {
		t.Errorf("first log line does not name the store: %s", first)
	}
	var health struct{ Store string }
	getJSON(t, base+"/healthz", 200, &health)
	if health.Store != "postgis" {
		t.Errorf("/healthz store %q, want postgis", health.Store)
	}
	var items struct{ NumberMatched int }
	getJSON(t, base+"/ogc/collections/intersections/items", 200, &items)
	if items.NumberMatched != 16 {
		t.Errorf("intersections: %d", items.NumberMatched)
	}

	if ogrinfo, err := exec.LookPath("ogrinfo"); err == nil {
		gdal := func(args ...string) string {
			out, err := exec.Command(ogrinfo, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("ogrinfo %v: %v\n%s", args, err, out)
			}
			return string(out)
		}
		t.Run("GDAL lists every collection", gdalCollections(gdal, base))
		t.Run("GDAL finds one geometry type per collection", gdalGeometryTypes(gdal, base))
		if out := gdal("-so", "OAPIF:"+base+"/ogc", "intersections"); !strings.Contains(out, "Feature Count: 16") {
			t.Errorf("GDAL on PostGIS: %s", out)
		}
		if out := gdal("-q", "-oo", "PAGE_SIZE=5", "OAPIF:"+base+"/ogc", "old-communities"); strings.Count(out, "OGRFeature(old-communities)") != 74 {
			t.Errorf("GDAL paged %d old communities from PostGIS, want 74", strings.Count(out, "OGRFeature(old-communities)"))
		}
	} else if inCI() {
		t.Error("ogrinfo not found; .ci/run installs gdal-bin")
	}

	// The database goes away: new connections refused, open ones killed.
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	admin := *u
	admin.Path = "/postgres"
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	exec := func(sql string) {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	ident := pgx.Identifier{name}.Sanitize()
	exec(`ALTER DATABASE ` + ident + ` ALLOW_CONNECTIONS false`)
	t.Cleanup(func() { conn.Exec(context.Background(), `ALTER DATABASE `+ident+` ALLOW_CONNECTIONS true`) })
	if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, name); err != nil {
		t.Fatal(err)
	}
	var body struct{ Code, Message string }
	getJSON(t, base+"/ogc/collections/schools/items?limit=7", http.StatusServiceUnavailable, &body)
	if body.Code != "unavailable" || body.Message == "" {
		t.Errorf("while the database is away: %+v", body)
	}
	getJSON(t, base+"/readyz", http.StatusServiceUnavailable, &body)

	// It returns: the service recovers without a restart.
	exec(`ALTER DATABASE ` + ident + ` ALLOW_CONNECTIONS true`)
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("/readyz did not recover after the database returned")
		}
		time.Sleep(200 * time.Millisecond)
	}
	getJSON(t, base+"/ogc/collections/schools/items?limit=7", 200, &items)
	if items.NumberMatched != 64 {
		t.Errorf("schools after recovery: %d", items.NumberMatched)
	}
}

func getJSON(t *testing.T, u string, status int, v any) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != status {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("GET %s: %d, want %d: %s", u, res.StatusCode, status, b)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

func inCI() bool { return os.Getenv("CI") == "true" }
