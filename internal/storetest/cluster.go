package storetest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"projectmap/internal/postgis"
)

// pgBinDir is where Debian installs PostgreSQL 15's server programs;
// PG_BINDIR points elsewhere.
const pgBinDir = "/usr/lib/postgresql/15/bin"

// Cluster is a PostgreSQL server of one test's own, in a temporary
// directory on a port of its own, that the test may stop, start and lock
// as it likes: the shared server is never touched. It is removed when the
// test ends.
type Cluster struct {
	tb   testing.TB
	bin  string
	dir  string // the cluster's data and its socket
	port int
	cred *syscall.Credential // the postgres user's, when run as root
	// URL reaches the cluster's postgres database as its superuser.
	URL string
}

// StartCluster initialises and starts a cluster for tb, migrated and
// holding the geodata. Without the PostgreSQL programs it skips tb, and
// fails it when CI=true.
func StartCluster(tb testing.TB) *Cluster {
	tb.Helper()
	c := &Cluster{tb: tb, bin: os.Getenv("PG_BINDIR")}
	if c.bin == "" {
		c.bin = pgBinDir
	}
	if _, err := os.Stat(filepath.Join(c.bin, "pg_ctl")); err != nil {
		msg := fmt.Sprintf("no PostgreSQL programs in %s (set PG_BINDIR): %v", c.bin, err)
		if inCI() {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	c.init()
	c.Start()
	// Stopped before its directory is removed (cleanups run last first);
	// a cluster the test left stopped makes this fail, which is fine.
	tb.Cleanup(func() { _ = c.command("pg_ctl", "stop", "-D", c.data(), "-m", "immediate", "-s").Run() })
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
	c.load()
	return c
}

// init makes the directory (owned by postgres when run as root, since
// initdb refuses root) and the cluster in it.
func (c *Cluster) init() {
	dir, err := os.MkdirTemp("", "projectmap-pg-")
	if err != nil {
		c.tb.Fatal(err)
	}
	c.dir = dir
	c.tb.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			c.tb.Fatalf("running as root, initdb needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			c.tb.Fatal(err)
		}
	}
	c.port = freePort(c.tb)
	c.run("initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions")
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// Start starts the cluster and waits until it accepts connections.
func (c *Cluster) Start() {
	c.tb.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50", c.port, c.dir)
	c.run("pg_ctl", "start", "-D", c.data(), "-w", "-s", "-l", filepath.Join(c.dir, "log"), "-o", opts)
}

// Stop stops the cluster at once, dropping every connection, as a crash
// or a restart of the database would.
func (c *Cluster) Stop() {
	c.tb.Helper()
	c.run("pg_ctl", "stop", "-D", c.data(), "-m", "fast", "-w", "-s")
}

// load migrates the cluster's postgres database and imports the geodata.
func (c *Cluster) load() {
	c.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pool, err := postgis.NewPool(ctx, c.URL)
	if err != nil {
		c.tb.Fatal(err)
	}
	defer pool.Close()
	if err := postgis.Migrate(ctx, pool); err != nil {
		c.tb.Fatalf("migrating the test cluster: %v", err)
	}
	if _, err := postgis.Import(ctx, pool, Dataset(c.tb)); err != nil {
		c.tb.Fatalf("importing into the test cluster: %v", err)
	}
}

func (c *Cluster) run(name string, args ...string) {
	c.tb.Helper()
	if out, err := c.command(name, args...).CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		c.tb.Fatalf("%s %v: %v\n%s\n%s", name, args, err, out, log)
	}
}

// command runs a PostgreSQL program as the cluster's owner.
func (c *Cluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Dir = c.dir
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd
}

// freePort is a loopback port that nothing listened on a moment ago.
func freePort(tb testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
