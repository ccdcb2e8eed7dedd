package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"projectmap/internal/dataset"
	"projectmap/internal/postgis"
)

// EnvURL names the variable that points the PostGIS tests at a server.
const EnvURL = "TEST_DATABASE_URL"

// hint says how to run the PostGIS tests; it ends every skip message.
const hint = "set " + EnvURL + "=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable to run the PostGIS tests"

// dbPrefix starts the name of every scratch database, followed by the pid
// of the test binary that made it, so that leftovers can be recognised.
const dbPrefix = "projectmap_test_"

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
		sweep(ctx, server.url)
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
	name = scratchName()
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

func scratchName() string {
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%s%d_%s", dbPrefix, os.Getpid(), hex.EncodeToString(b))
}

// sweep drops scratch databases left by test binaries that died before
// cleaning up: their pid no longer runs. Only on a server on this machine,
// where the pid means something.
func sweep(ctx context.Context, serverURL string) {
	if !local(serverURL) {
		return
	}
	names, err := postgis.Databases(ctx, serverURL, dbPrefix)
	if err != nil {
		return
	}
	for _, name := range names {
		pid, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(name, dbPrefix), "_", 2)[0])
		if err != nil || pid <= 0 || pid == os.Getpid() || syscall.Kill(pid, 0) != syscall.ESRCH {
			continue
		}
		postgis.DropDatabase(ctx, serverURL, name)
	}
}

func local(serverURL string) bool {
	u, err := url.Parse(serverURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return false
	}
	switch u.Hostname() {
	case "127.0.0.1", "localhost", "::1", "":
		return true
	}
	return false
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
