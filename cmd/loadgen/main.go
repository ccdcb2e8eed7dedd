// Command loadgen is a small closed-loop HTTP load generator for the
// loopback benchmarks of `make bench`: it requests one URL from -c workers
// for -d, then prints requests/s and latency percentiles, and, given the
// server's pid, the server's resident memory afterwards.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	url := fs.String("url", "", "URL to request (loopback only)")
	workers := fs.Int("c", 16, "concurrent workers")
	duration := fs.Duration("d", 10*time.Second, "how long to run")
	gzip := fs.Bool("gzip", true, "ask for gzip, as browsers do")
	pid := fs.Int("pid", 0, "server process id, to report its RSS")
	wait := fs.Duration("wait", 15*time.Second, "how long to wait for the server to answer first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !strings.HasPrefix(*url, "http://127.0.0.1:") && !strings.HasPrefix(*url, "http://localhost:") {
		return errors.New("-url must be a loopback http://127.0.0.1:PORT/… address")
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *workers, DisableCompression: true}}
	if err := waitFor(ctx, client, *url, *wait); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	var mu sync.Mutex
	var latencies []time.Duration
	var failures int
	var bytes int64
	var wg sync.WaitGroup
	start := time.Now()
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []time.Duration
			var fails int
			var n int64
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
				if *gzip {
					req.Header.Set("Accept-Encoding", "gzip")
				}
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						fails++
					}
					continue
				}
				m, _ := io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					fails++
					continue
				}
				n += m
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			latencies = append(latencies, local...)
			failures += fails
			bytes += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if len(latencies) == 0 {
		return fmt.Errorf("no successful requests (%d failures)", failures)
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	pct := func(p float64) time.Duration { return latencies[int(p*float64(len(latencies)-1))] }
	fmt.Fprintf(stdout, "url          %s\n", *url)
	fmt.Fprintf(stdout, "workers      %d for %s\n", *workers, duration.String())
	fmt.Fprintf(stdout, "requests     %d ok, %d failed\n", len(latencies), failures)
	fmt.Fprintf(stdout, "requests/s   %.0f\n", float64(len(latencies))/elapsed.Seconds())
	fmt.Fprintf(stdout, "latency p50  %s\n", pct(0.50).Round(time.Microsecond))
	fmt.Fprintf(stdout, "latency p99  %s\n", pct(0.99).Round(time.Microsecond))
	fmt.Fprintf(stdout, "bytes/resp   %d\n", bytes/int64(len(latencies)))
	if *pid != 0 {
		rss, err := residentKB(*pid)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "server RSS   %.1f MB\n", float64(rss)/1024)
	}
	if failures > 0 {
		return fmt.Errorf("%d requests failed", failures)
	}
	return nil
}

// waitFor polls url until it answers, so the load starts on a ready server.
func waitFor(ctx context.Context, client *http.Client, url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		res, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server at %s not ready after %s", url, limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// residentKB reads VmRSS of a process from /proc.
func residentKB(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int
			_, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb)
			return kb, err
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}
