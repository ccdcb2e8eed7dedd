package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// mixPaths is what the map and its users read, roughly in proportion: the
// map's start (config, collections), whole layers, pages, a bbox, single
// features and projects, the ledger, and the derived reports. Every one
// answers 200 on the repository's geodata.
var mixPaths = []string{
	"/api/config",
	"/ogc/collections",
	"/ogc/collections/old-communities/items",
	"/ogc/collections/old-communities/items?limit=10",
	"/ogc/collections/metro-stations/items?bbox=108.8,34.1,109.1,34.4",
	"/ogc/collections/old-communities/items/old-community-baqiao-dianchangyiqu",
	"/ogc/collections/metro-lines",
	"/ogc/collections/metro-lines/items",
	"/api/projects",
	"/api/projects/15",
	"/api/reports",
	"/api/reports.atom",
	"/ogc/collections/old-communities/items?limit=10&offset=10",
	"/api/coverage",
	"/api/data-quality",
	"/api/nearest?from=old-communities&to=metro-stations",
	"/ogc/collections/districts/items",
	"/ogc/collections/charging-piles/items",
	"/",
	"/healthz",
	// A map panned to a box never asked for before: a miss of every cache.
	"/ogc/collections/old-communities/items?bbox=" + boxPlaceholder,
}

// boxPlaceholder in a mix path is replaced by a box of its own for every
// request (boxFor).
const boxPlaceholder = "{box}"

// boxFor is the n-th request's box: 0.2° wide, moved over the old city
// by a step that does not repeat within a run.
func boxFor(n int) string {
	x := 108.80 + float64(n%997)*0.0003
	y := 34.15 + float64(n/997%991)*0.0002
	return fmt.Sprintf("%.4f,%.4f,%.4f,%.4f", x, y, x+0.2, y+0.2)
}

// mixPath is the n-th request's path.
func mixPath(paths []string, n int) string {
	p := paths[n%len(paths)]
	return strings.Replace(p, boxPlaceholder, boxFor(n), 1)
}

const (
	defaultResetPath = "/ogc/collections/model-villages/items" // among the costliest whole layers
	defaultCheckPath = "/ogc/collections/old-communities/items?limit=10"
)

// resetConfig is the burst of abandoned requests, and the check after it.
type resetConfig struct {
	n               int
	path, checkPath string
	nextMax         time.Duration
}

// resets opens rc.n connections, sends each a request for rc.path, and
// resets them all (SO_LINGER 0, then close: an RST, not a FIN) before the
// answers can arrive. Then it times one request for rc.checkPath, which
// must be served within rc.nextMax: the server must not go on building
// answers for clients that have left.
func resets(ctx context.Context, client *http.Client, base string, rc resetConfig, stdout io.Writer, pid int) error {
	addr := strings.TrimPrefix(base, "http://")
	if i := strings.IndexByte(addr, '/'); i >= 0 {
		addr = addr[:i]
	}
	req := "GET " + rc.path + " HTTP/1.1\r\nHost: " + addr + "\r\nAccept-Encoding: gzip\r\n\r\n"
	conns := make([]*net.TCPConn, 0, rc.n)
	var dialErrs int
	for range rc.n {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			dialErrs++
			continue
		}
		conns = append(conns, c.(*net.TCPConn))
	}
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Write([]byte(req))
		}()
	}
	wg.Wait()
	time.Sleep(20 * time.Millisecond) // let the server read them and start work
	for _, c := range conns {
		c.SetLinger(0)
		c.Close()
	}
	t0 := time.Now()
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, base+rc.checkPath, nil)
	if err != nil {
		return err
	}
	r.Header.Set("Accept-Encoding", "gzip")
	res, err := client.Do(r)
	if err != nil {
		return fmt.Errorf("the request after the resets: %w", err)
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	took := time.Since(t0)
	fmt.Fprintf(stdout, "resets       %d connections reset mid-request (%s), %d could not connect\n", len(conns), rc.path, dialErrs)
	fmt.Fprintf(stdout, "next request %s in %s (%s)\n", rc.checkPath, took.Round(time.Microsecond), res.Status)
	if pid != 0 {
		if m, err := residentKB(pid); err == nil {
			fmt.Fprintf(stdout, "server RSS   %.1f MB after the resets (peak %.1f MB)\n", float64(m.now)/1024, float64(m.peak)/1024)
		}
	}
	switch {
	case err != nil:
		return fmt.Errorf("reading the request after the resets: %w", err)
	case res.StatusCode != http.StatusOK:
		return fmt.Errorf("the request after the resets: %s", res.Status)
	case dialErrs > 0:
		return fmt.Errorf("%d of the resetting clients could not connect", dialErrs)
	case took > rc.nextMax:
		return fmt.Errorf("the request after the resets took %s, over -next-max %s", took.Round(time.Millisecond), rc.nextMax)
	}
	return nil
}
