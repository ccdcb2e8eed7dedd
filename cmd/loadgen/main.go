// Command loadgen is a small closed-loop HTTP load generator for the
// loopback benchmarks of `make bench`: it requests one URL from -c workers
// for -d (in -runs rounds), then prints requests/s and latency
// percentiles, and, given the server's pid, the server's resident memory
// afterwards.
//
// With -report it files progress reports instead: each request is a POST
// of a new report (project 5, a fraction, a note that tells it apart) with
// the bearer token read from -token-file, and counts only when answered
// 201, which the server sends once the report is durable. That measures
// report writes per second.
//
// With -mix, -url is the server's base URL and the workers cycle through
// a mix of the API's reads (mix.go); -resets then sends that many
// requests whose clients reset their connections mid-request, and checks
// that the next request is served within -next-max. `make load` runs it
// so on each store. Any 5xx or socket error makes the exit status 1.
//
// With -synth-boxes it prints the boxes of `projectmap data synth` for the
// wrk scripts under wrk/, which `make bench-http` runs (see wrk/check.lua).
// With -synth-geodata it writes a copy of the geodata with a synthetic
// point layer, which the embedded store serves for the tile runs.
package main

import (
	"bytes"
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
	"sync/atomic"
	"time"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// config is what a round of load needs.
type config struct {
	url     string
	workers int
	gzip    bool
	report  bool
	token   string
	seq     *atomic.Int64 // numbers the reports of -report across workers and rounds
	mix     []string      // with -mix, the paths under url that the workers cycle through
}

// round is the outcome of one timed round.
type round struct {
	latencies []time.Duration
	failures  int
	fiveXX    int // of the failures, answers 5xx
	sockErrs  int // of the failures, no answer at all
	bytes     int64
	elapsed   time.Duration
	firstErr  string
}

func (r round) rate() float64 { return float64(len(r.latencies)) / r.elapsed.Seconds() }

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	cfg := config{seq: new(atomic.Int64)}
	fs.StringVar(&cfg.url, "url", "", "URL to request (loopback only); with -report, the server's /api/reports")
	fs.IntVar(&cfg.workers, "c", 16, "concurrent workers")
	duration := fs.Duration("d", 10*time.Second, "how long each round runs")
	runs := fs.Int("runs", 1, "timed rounds; with more than one, the median round's requests/s is printed too")
	fs.BoolVar(&cfg.gzip, "gzip", true, "ask for gzip, as browsers do")
	fs.BoolVar(&cfg.report, "report", false, "POST a new progress report per request (JSON, project 5) and count 201s")
	tokenFile := fs.String("token-file", "", "with -report, a file holding the bearer token (kept off the command line)")
	pid := fs.Int("pid", 0, "server process id, to report its RSS")
	wait := fs.Duration("wait", 15*time.Second, "how long to wait for the server to answer first")
	mix := fs.Bool("mix", false, "-url is the server's base URL: cycle through a mix of reads (see mix.go)")
	var rc resetConfig
	fs.IntVar(&rc.n, "resets", 0, "after the rounds, this many requests whose clients reset the connection mid-request")
	fs.StringVar(&rc.path, "reset-path", defaultResetPath, "with -resets, the path the resetting clients request (a heavy one)")
	fs.StringVar(&rc.checkPath, "check-path", defaultCheckPath, "with -resets, the path of the next request, timed")
	fs.DurationVar(&rc.nextMax, "next-max", 100*time.Millisecond, "with -resets, the longest the next request may take")
	synthBoxes := fs.Bool("synth-boxes", false, "print the district-sized boxes of projectmap data synth, one a line, and exit (for wrk/bbox.lua)")
	synthDir := fs.String("synth-geodata", "", "write the embedded geodata plus a layer \"synthetic\" of -synth-sites points to this new directory, and exit (for serve --geodata)")
	synthSites := fs.Int("synth-sites", 100000, "with -synth-geodata, how many points")
	synthSeed := fs.Uint64("synth-seed", 1, "with -synth-geodata, the seed the points are drawn from")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *synthBoxes {
		return printSynthBoxes(stdout)
	}
	if *synthDir != "" {
		return writeSynthGeodata(*synthDir, "xian-2024", *synthSites, *synthSeed)
	}
	if *mix {
		cfg.url = strings.TrimSuffix(cfg.url, "/")
		cfg.mix = mixPaths
	}
	if !strings.HasPrefix(cfg.url, "http://127.0.0.1:") && !strings.HasPrefix(cfg.url, "http://localhost:") {
		return errors.New("-url must be a loopback http://127.0.0.1:PORT/… address")
	}
	if cfg.workers < 1 || *runs < 1 || *duration <= 0 {
		return errors.New("-c, -runs and -d must be positive")
	}
	if cfg.report {
		b, err := os.ReadFile(*tokenFile)
		if err != nil {
			return fmt.Errorf("-report needs -token-file: %w", err)
		}
		if cfg.token = strings.TrimSpace(string(b)); cfg.token == "" {
			return fmt.Errorf("-token-file %s is empty", *tokenFile)
		}
	}
	// A request that takes longer than this is counted as an error.
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: cfg.workers, DisableCompression: true}}
	ready := cfg.url
	if cfg.mix != nil {
		ready += "/readyz"
	}
	if err := waitFor(ctx, client, ready, *wait); err != nil {
		return err
	}
	var rounds []round
	for range *runs {
		rounds = append(rounds, runRound(ctx, client, cfg, *duration))
	}
	err := report(stdout, cfg, *duration, rounds, *pid)
	if rc.n > 0 {
		err = errors.Join(err, resets(ctx, client, cfg.url, rc, stdout, *pid))
	}
	return err
}

// runRound runs the workers for d.
func runRound(ctx context.Context, client *http.Client, cfg config, d time.Duration) round {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var total round
	var wg sync.WaitGroup
	start := time.Now()
	for w := range cfg.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local round
			for n := w; ctx.Err() == nil; n++ {
				req, want := newRequest(ctx, cfg, n)
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						local.failures++
						local.sockErrs++
						local.firstErr = err.Error()
					}
					continue
				}
				m, err := io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if err != nil && ctx.Err() == nil {
					local.failures++
					local.sockErrs++
					local.firstErr = err.Error()
					continue
				}
				if res.StatusCode != want {
					if ctx.Err() != nil {
						continue
					}
					local.failures++
					if res.StatusCode >= 500 {
						local.fiveXX++
					}
					local.firstErr = req.URL.RequestURI() + ": " + res.Status
					continue
				}
				local.bytes += m
				local.latencies = append(local.latencies, time.Since(t0))
			}
			mu.Lock()
			total.latencies = append(total.latencies, local.latencies...)
			total.failures += local.failures
			total.fiveXX += local.fiveXX
			total.sockErrs += local.sockErrs
			total.bytes += local.bytes
			if total.firstErr == "" {
				total.firstErr = local.firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	total.elapsed = time.Since(start)
	return total
}

// newRequest returns the next request and the status that counts it.
func newRequest(ctx context.Context, cfg config, n int) (*http.Request, int) {
	if !cfg.report {
		url := cfg.url
		if cfg.mix != nil {
			url += mixPath(cfg.mix, n)
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if cfg.gzip {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		return req, http.StatusOK
	}
	seq := cfg.seq.Add(1)
	body := fmt.Sprintf(`{"project":5,"reported_on":"2024-06-30","fraction":%.2f,"source":"loadgen benchmark","note":"loadgen %d"}`, float64(seq%100)/100, seq)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, cfg.url, bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+cfg.token)
	return req, http.StatusCreated
}

func report(stdout io.Writer, cfg config, d time.Duration, rounds []round, pid int) error {
	var all []time.Duration
	var failures, fiveXX, sockErrs int
	var bytes int64
	var elapsed time.Duration
	var rates []float64
	firstErr := ""
	for _, r := range rounds {
		all = append(all, r.latencies...)
		failures += r.failures
		fiveXX += r.fiveXX
		sockErrs += r.sockErrs
		bytes += r.bytes
		elapsed += r.elapsed
		rates = append(rates, r.rate())
		if firstErr == "" {
			firstErr = r.firstErr
		}
	}
	if len(all) == 0 {
		return fmt.Errorf("no successful requests (%d failures, first: %s)", failures, firstErr)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) time.Duration { return all[int(p*float64(len(all)-1))] }
	what := "requests"
	if cfg.report {
		what = "reports filed (201)"
	}
	fmt.Fprintf(stdout, "url          %s\n", cfg.url)
	if cfg.mix != nil {
		fmt.Fprintf(stdout, "mix          %d paths (cmd/loadgen/mix.go)\n", len(cfg.mix))
	}
	fmt.Fprintf(stdout, "workers      %d for %s × %d rounds\n", cfg.workers, d, len(rounds))
	fmt.Fprintf(stdout, "%-12s %d ok, %d failed (%d 5xx, %d socket errors)\n", what, len(all), failures, fiveXX, sockErrs)
	fmt.Fprintf(stdout, "requests/s   %.0f\n", float64(len(all))/elapsed.Seconds())
	if len(rounds) > 1 {
		sorted := append([]float64(nil), rates...)
		sort.Float64s(sorted)
		per := make([]string, len(rates))
		for i, r := range rates {
			per[i] = fmt.Sprintf("%.0f", r)
		}
		fmt.Fprintf(stdout, "median r/s   %.0f (rounds: %s)\n", sorted[len(sorted)/2], strings.Join(per, ", "))
	}
	fmt.Fprintf(stdout, "latency p50  %s\n", pct(0.50).Round(time.Microsecond))
	fmt.Fprintf(stdout, "latency p99  %s\n", pct(0.99).Round(time.Microsecond))
	fmt.Fprintf(stdout, "latency max  %s\n", all[len(all)-1].Round(time.Microsecond))
	fmt.Fprintf(stdout, "bytes/resp   %d\n", bytes/int64(len(all)))
	if pid != 0 {
		rss, err := residentKB(pid)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "server RSS   %.1f MB (peak %.1f MB)\n", float64(rss.now)/1024, float64(rss.peak)/1024)
	}
	if failures > 0 {
		return fmt.Errorf("%d requests failed (first: %s)", failures, firstErr)
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

// rss is a process's resident memory now and at its peak, in kB.
type rss struct{ now, peak int }

// residentKB reads VmRSS and VmHWM of a process from /proc.
func residentKB(pid int) (rss, error) {
	var r rss
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return r, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		for key, v := range map[string]*int{"VmRSS:": &r.now, "VmHWM:": &r.peak} {
			if rest, ok := strings.CutPrefix(line, key); ok {
				if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", v); err != nil {
					return r, err
				}
			}
		}
	}
	if r.now == 0 {
		return r, errors.New("no VmRSS in /proc status")
	}
	return r, nil
}
