package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"projectmap/internal/dataset"
	"projectmap/internal/postgis"
)

// EnvURL names the variable that points the PostGIS tests at a server.
const EnvURL = "TEST_DATABASE_URL"

// hint says how to run the PostGIS tests; it ends every skip message.
const hint = "set " + EnvURL + "=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable to run the PostGIS tests"

// dbPrefix starts the name of every scratch database, followed by "t",
// the Unix time it was made and a random suffix, so that leftovers can be
// recognised and aged without asking who made them.
const dbPrefix = "projectmap_test_"

// staleAge is how old a scratch database must be before a sweep drops it:
// far longer than any test run, so that another run's live database, on
// a server shared across machines or process namespaces, is never taken.
const staleAge = 6 * time.Hour

var server struct {
	once   sync.Once
	url    string
	reason string // why the server cannot be used, or ""
}

// serverURL returns TEST_DATABASE_URL once it has answered, or why not.
func serverURL() (string, string) {
	server.once.Do(func() {
		server.url = os.Getenv(EnvURL)
		if server.url == "" {
			server.reason = EnvURL + " is not set"
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s, err := postgis.Open(ctx, server.url)
		if err != nil {
			server.reason = "the database at " + EnvURL + " does not answer (" + err.Error() + ")"
			return
		}
		s.Close()
		sweep(ctx, server.url, time.Now())
	})
	return server.url, server.reason
}

// inCI reports whether the tests run in CI, where PostGIS must be there.
func inCI() bool { return os.Getenv("CI") == "true" }

// requireServer returns the server URL, or skips tb (fails it in CI).
func requireServer(tb testing.TB) string {
	tb.Helper()
	u, reason := serverURL()
	if reason != "" {
		if inCI() {
			tb.Fatalf("PostGIS is required in CI: %s; %s", reason, hint)
		}
		tb.Skipf("%s; %s", reason, hint)
	}
	return u
}

// NewDatabase creates a fresh scratch database with PostGIS and the real
// migrations applied (nothing imported) and drops it when tb ends. It
// returns the database's URL. Without a server it skips tb (fails in CI).
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	u, name := newDatabase(tb, true)
	tb.Cleanup(func() { dropDatabase(tb, name) })
	return u
}

// NewEmptyDatabase is NewDatabase without the migrations: PostGIS only.
func NewEmptyDatabase(tb testing.TB) string {
	tb.Helper()
	u, name := newDatabase(tb, false)
	tb.Cleanup(func() { dropDatabase(tb, name) })
	return u
}

func newDatabase(tb testing.TB, migrate bool) (dbURL, name string) {
	tb.Helper()
	server := requireServer(tb)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name = scratchName(time.Now())
	dbURL, err := postgis.CreateDatabase(ctx, server, name)
	if err != nil {
		tb.Fatalf("creating scratch database: %v", err)
	}
	if !migrate {
		return dbURL, name
	}
	pool, err := postgis.NewPool(ctx, dbURL)
	if err != nil {
		dropDatabase(tb, name)
		tb.Fatal(err)
	}
	defer pool.Close()
	if err := postgis.Migrate(ctx, pool); err != nil {
		dropDatabase(tb, name)
		tb.Fatalf("migrating scratch database: %v", err)
	}
	return dbURL, name
}

func dropDatabase(tb testing.TB, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := postgis.DropDatabase(ctx, server.url, name); err != nil {
		tb.Errorf("dropping scratch database %s: %v", name, err)
	}
}

func scratchName(now time.Time) string {
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%st%d_%s", dbPrefix, now.Unix(), hex.EncodeToString(b))
}

// sweep drops scratch databases left by test runs that died before
// cleaning up. A run drops the databases it made itself (NewDatabase's
// cleanup); the sweep takes only those older than staleAge, never judging
// liveness by pid, which means nothing on a server shared across process
// namespaces.
func sweep(ctx context.Context, serverURL string, now time.Time) {
	names, err := postgis.Databases(ctx, serverURL, dbPrefix)
	if err == nil {
		sweepNames(ctx, serverURL, names, now)
	}
}

// sweepNames drops those of names that are older than staleAge at now.
func sweepNames(ctx context.Context, serverURL string, names []string, now time.Time) {
	for _, name := range names {
		made, ok := madeAt(name)
		if !ok {
			// An older name, without its time: the server knows when
			// the database's files were written.
			var err error
			if made, err = createdOnServer(ctx, serverURL, name); err != nil {
				continue
			}
		}
		if now.Sub(made) > staleAge {
			postgis.DropDatabase(ctx, serverURL, name)
		}
	}
}

// madeAt reads the time in a scratch database's name, if it has one.
func madeAt(name string) (time.Time, bool) {
	rest, ok := strings.CutPrefix(name, dbPrefix+"t")
	if !ok {
		return time.Time{}, false
	}
	secs, _, _ := strings.Cut(rest, "_")
	n, err := strconv.ParseInt(secs, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

// createdOnServerSQL is when database $1 was created: its PG_VERSION file
// is written then and never again. Reading it needs a superuser or
// pg_read_server_files; without either the database is left alone.
const createdOnServerSQL = `SELECT (pg_stat_file('base/' || oid || '/PG_VERSION')).modification FROM pg_database WHERE datname = $1`

func createdOnServer(ctx context.Context, serverURL, name string) (time.Time, error) {
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return time.Time{}, err
	}
	defer conn.Close(ctx)
	var t time.Time
	err = conn.QueryRow(ctx, createdOnServerSQL, name).Scan(&t)
	return t, err
}

// PostGIS returns a PostGIS store holding the geodata, built from the real
// migrations and Import in a scratch database of tb's own, dropped when tb
// ends. Without a server it skips tb, and fails it when CI=true.
func PostGIS(tb testing.TB) *postgis.Store {
	tb.Helper()
	requireServer(tb)
	return importedStore(tb, NewDatabase(tb))
}

func importedStore(tb testing.TB, dbURL string) *postgis.Store {
	tb.Helper()
	ds, err := loadDataset()
	if err != nil {
		tb.Fatal(err)
	}
	s, err := openImported(dbURL, ds)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

func openImported(dbURL string, ds *dataset.Dataset) (*postgis.Store, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := postgis.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	if _, err := postgis.Import(ctx, s.Pool(), ds); err != nil {
		s.Close()
		return nil, fmt.Errorf("importing geodata: %w", err)
	}
	return s, nil
}
