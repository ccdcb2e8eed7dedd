package main

// The PostGIS subcommands: migrate, import and data synth, and the
// opening of the PostGIS store for serve.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"projectmap/geodata"
	"projectmap/internal/dataset"
	"projectmap/internal/domain"
	"projectmap/internal/postgis"
)

// databaseFlag adds --database-url, defaulting to DATABASE_URL.
func databaseFlag(fs *flag.FlagSet, getenv func(string) string) *string {
	return fs.String("database-url", getenv("DATABASE_URL"), "PostgreSQL/PostGIS URL (env DATABASE_URL)")
}

func parseDBFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: %s takes no arguments, got %q", errUsage, fs.Name(), fs.Args())
	}
	return nil
}

func needDatabaseURL(cmd, url string) error {
	if url == "" {
		return fmt.Errorf("%w: %s needs --database-url or DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/projectmap?sslmode=disable", errUsage, cmd)
	}
	return nil
}

// runMigrate is "projectmap migrate [--database-url URL]": it applies the
// pending migrations and says how many.
func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := databaseFlag(fs, getenv)
	if err := parseDBFlags(fs, args); err != nil {
		return err
	}
	if err := needDatabaseURL("migrate", *url); err != nil {
		return err
	}
	store, err := postgis.Open(ctx, *url)
	if err != nil {
		return fmt.Errorf("connecting to PostGIS: %w", err)
	}
	defer store.Close()
	pending, err := postgis.Pending(ctx, store.Pool())
	if err != nil {
		return err
	}
	if err := postgis.Migrate(ctx, store.Pool()); err != nil {
		return err
	}
	v, err := postgis.SchemaVersion(ctx, store.Pool())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "applied %d migrations; the schema is at version %d\n", pending, v)
	return nil
}

// runImport is "projectmap import [--database-url URL]": the embedded
// geodata (or --dir) into PostGIS in one transaction; or, with
// --collection NAME --file F.geojson [--plan ID], an external GeoJSON file
// into a named collection.
func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := databaseFlag(fs, getenv)
	dir := fs.String("dir", "", "import geodata from this directory instead of the embedded geodata/")
	collection := fs.String("collection", "", "import --file into this collection (a-z, 0-9, -, _) instead of the geodata")
	file := fs.String("file", "", "the GeoJSON FeatureCollection to import into --collection")
	plan := fs.String("plan", "", "the plan the collection belongs to (default: the latest)")
	var meta postgis.CollectionMeta
	fs.StringVar(&meta.Title, "title", "", "the collection's title (default: its id)")
	fs.StringVar(&meta.TitleEN, "title-en", "", "the collection's English title")
	fs.StringVar(&meta.Description, "description", "", "what the collection holds")
	fs.IntVar(&meta.Project, "project", 0, "the project every feature belongs to, unless its properties.project says")
	precision := fs.String("precision", "", "the precision of features without properties.precision: exact, street, approximate, town, district or zone")
	fs.StringVar(&meta.Source, "source", "", "what positions rest on, for features without properties.source")
	if err := parseDBFlags(fs, args); err != nil {
		return err
	}
	if err := needDatabaseURL("import", *url); err != nil {
		return err
	}
	if (*collection == "") != (*file == "") {
		return fmt.Errorf("%w: --collection and --file go together", errUsage)
	}
	meta.Precision = domain.Precision(*precision)
	store, err := postgis.Open(ctx, *url)
	if err != nil {
		return fmt.Errorf("connecting to PostGIS: %w", err)
	}
	defer store.Close()
	if n, err := postgis.Pending(ctx, store.Pool()); err != nil {
		return err
	} else if n > 0 {
		return fmt.Errorf("the database lacks %d migrations: run projectmap migrate first", n)
	}
	if *collection != "" {
		return importCollection(ctx, store, *plan, *collection, *file, meta, stdout, stderr)
	}
	began := time.Now()
	var files iofs.FS = geodata.Files
	if *dir != "" {
		files = os.DirFS(*dir)
	}
	ds, err := dataset.Load(files)
	if err != nil {
		return fmt.Errorf("loading geodata: %w", err)
	}
	st, err := postgis.Import(ctx, store.Pool(), ds)
	if err != nil {
		return err
	}
	if st.Unchanged {
		fmt.Fprintf(stdout, "unchanged: the database already holds this geodata (checksum %s); nothing written (%s)\n", st.Checksum[:12], sinceRounded(began))
		return nil
	}
	fmt.Fprintf(stdout, "imported %d districts, %d zones, %d plans, %d projects, %d layers, %d sites, %d milestones, %d allocations in %s (import %s, checksum %s)\n",
		st.Districts, st.Zones, st.Plans, st.Projects, st.Layers, st.Sites, st.Milestones, st.Allocations,
		sinceRounded(began), roundDuration(st.Duration), st.Checksum[:12])
	return nil
}

func importCollection(ctx context.Context, store *postgis.Store, plan, collection, file string, meta postgis.CollectionMeta, stdout, stderr io.Writer) error {
	began := time.Now()
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	meta.File = filepath.Base(file)
	n, err := postgis.ImportGeoJSON(ctx, store.Pool(), plan, collection, f, meta)
	if err != nil {
		var joined interface{ Unwrap() []error }
		if errors.As(err, &joined) {
			for _, e := range joined.Unwrap() {
				fmt.Fprintf(stderr, "%s: %v\n", file, e)
			}
			return fmt.Errorf("%s has bad features; nothing was written", file)
		}
		return err
	}
	fmt.Fprintf(stdout, "imported %d features of %s into collection %s in %s\n", n, file, collection, sinceRounded(began))
	return nil
}

// openPostGIS opens the PostGIS store for serve. It applies pending
// migrations, or with migrate false refuses to start while any are
// pending, and imports ds into a database that holds no plan yet; a
// database with data is left as it is, with a warning when it differs from
// ds. The returned function closes the store.
func openPostGIS(ctx context.Context, url string, opts postgis.PoolOptions, migrate bool, ds *dataset.Dataset, log *slog.Logger) (domain.Store, func(), error) {
	store, err := postgis.OpenWith(ctx, url, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("connecting to PostGIS: %w", err)
	}
	fail := func(err error) (domain.Store, func(), error) {
		store.Close()
		return nil, nil, err
	}
	pending, err := postgis.Pending(ctx, store.Pool())
	if err != nil {
		return fail(err)
	}
	if pending > 0 {
		if !migrate {
			return fail(fmt.Errorf("the database lacks %d migrations and --migrate=false: run projectmap migrate, or serve with --migrate", pending))
		}
		began := time.Now()
		if err := postgis.Migrate(ctx, store.Pool()); err != nil {
			return fail(err)
		}
		log.Info("applied migrations", "count", pending, "took", sinceRounded(began))
	}
	empty, err := postgis.Empty(ctx, store.Pool())
	if err != nil {
		return fail(err)
	}
	if empty {
		st, err := postgis.Import(ctx, store.Pool(), ds)
		if err != nil {
			return fail(err)
		}
		log.Info("imported the embedded geodata into an empty database", "sites", st.Sites, "projects", st.Projects, "took", roundDuration(st.Duration))
		return store, store.Close, nil
	}
	// A database that holds data is never overwritten at start: it may hold
	// what staff changed there. Say when it differs from this binary's data.
	held, err := postgis.ImportedChecksum(ctx, store.Pool())
	if err != nil {
		return fail(err)
	}
	if embedded, err := postgis.Checksum(ds); err == nil && held != embedded {
		log.Warn("the database holds other geodata than this binary embeds; run projectmap import to replace it", "database_checksum", held, "embedded_checksum", embedded)
	}
	return store, store.Close, nil
}

// runSynth is "projectmap data synth --features N [--scale]": it loads N
// generated sites into a scratch database on the server of --database-url
// and times a district-sized bbox query with limit 100. --scale runs it
// for N = 10,000, 100,000 and 1,000,000 and says how the time grows.
// With --reports SHARE, that share of the sites carries reports and the
// same boxes are also asked for with status= (--status, default behind).
func runSynth(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("data synth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := databaseFlag(fs, getenv)
	features := fs.Int("features", 100000, "how many synthetic sites to load")
	scale := fs.Bool("scale", false, "run for 10,000, 100,000 and 1,000,000 sites and print the curve")
	rounds := fs.Int("rounds", 5, "timed rounds of queries, one per district each")
	seed := fs.Uint64("seed", 1, "random seed of the generated sites")
	keep := fs.Bool("keep", false, "keep the scratch databases instead of dropping them")
	cluster := fs.Bool("cluster", true, "CLUSTER the sites on the GiST index after loading, as a bulk load would")
	var so synthOpts
	fs.Float64Var(&so.reported, "reports", 0, "the share of sites (0..1) that carry one to three reports each; with any, the status= query is timed too")
	status := fs.String("status", string(domain.TrackBehind), "with --reports, the tracking status the status= query filters on")
	if err := parseDBFlags(fs, args); err != nil {
		return err
	}
	if err := needDatabaseURL("data synth", *url); err != nil {
		return err
	}
	if *features <= 0 || *rounds <= 0 {
		return fmt.Errorf("%w: --features and --rounds must be positive", errUsage)
	}
	if so.reported < 0 || so.reported > 1 {
		return fmt.Errorf("%w: --reports is a share of the sites, 0..1", errUsage)
	}
	if so.status = domain.TrackingStatus(*status); !so.status.Valid() {
		return fmt.Errorf("%w: --status %q is not a tracking status (%v)", errUsage, *status, domain.TrackingStatuses())
	}
	sizes := []int{*features}
	if *scale {
		sizes = []int{10_000, 100_000, 1_000_000}
	}
	ds, err := dataset.Load(geodata.Files)
	if err != nil {
		return fmt.Errorf("loading geodata: %w", err)
	}
	clustered := "clustered on the GiST index after loading"
	if !*cluster {
		clustered = "in generation order (not clustered)"
	}
	fmt.Fprintf(stdout, "synthetic scale run: sites spread uniformly by area over the %d districts, %s; each query is a %.1f° × %.1f° box (≈ 100 km², a district's size) around a district's centroid, limit 100, count included; %d rounds × %d districts after a warm-up round\n",
		len(ds.Districts), clustered, postgis.SynthBox, postgis.SynthBox, *rounds, len(ds.Districts))
	if so.reported > 0 {
		fmt.Fprintf(stdout, "%.0f%% of the sites carry reports (one to three each, some retracted); the status=%s query asks for the same boxes with limit 100, on the plan's last day, the tracking status computed in the database\n",
			so.reported*100, so.status)
	}
	const row = "%10s %10s %10s %10s %10s %10s %14s %10s %10s"
	fmt.Fprintf(stdout, row, "N", "generate", "COPY", "index", "SQL median", "SQL p90", "matched/query", "median", "p90")
	if so.reported > 0 {
		fmt.Fprintf(stdout, " %10s %14s %10s %14s", "reports", "status median", "status p90", "status matched")
	}
	fmt.Fprintln(stdout)
	var medians, sqlMedians []time.Duration
	for _, n := range sizes {
		load, timing, status, err := synthOnce(ctx, *url, ds, n, *seed, *rounds, *keep, *cluster, so, stdout)
		if err != nil {
			return err
		}
		medians, sqlMedians = append(medians, timing.indexed.Median), append(sqlMedians, timing.sql.Median)
		fmt.Fprintf(stdout, row, strconv.Itoa(n), roundDuration(load.Gen), roundDuration(load.Copy), roundDuration(load.Index),
			millis(timing.sql.Median), millis(timing.sql.P90), strconv.FormatFloat(timing.sql.Matched, 'f', 0, 64),
			millis(timing.indexed.Median), millis(timing.indexed.P90))
		if so.reported > 0 {
			fmt.Fprintf(stdout, " %10d %14s %10s %14s", load.Reports, millis(status.Median), millis(status.P90), strconv.FormatFloat(status.Matched, 'f', 0, 64))
		}
		fmt.Fprintln(stdout)
	}
	for i := 1; i < len(sizes); i++ {
		nRatio := float64(sizes[i]) / float64(sizes[0])
		for _, c := range []struct {
			what    string
			medians []time.Duration
		}{{"median", medians}, {"SQL median", sqlMedians}} {
			tRatio := float64(c.medians[i]) / float64(c.medians[0])
			fmt.Fprintf(stdout, "N ×%g → %s ×%.2f (time grows as N^%.2f; linear would be ×%g)\n",
				nRatio, c.what, tRatio, math.Log(tRatio)/math.Log(nRatio), nRatio)
		}
	}
	return nil
}

// bboxTiming is the bbox query timed on the SQL path (before the store
// holds the layer's point index) and as it is served once it does.
type bboxTiming struct {
	sql, indexed postgis.SynthTiming
}

// synthOpts are the report options of data synth.
type synthOpts struct {
	reported float64               // share of sites with reports
	status   domain.TrackingStatus // what the status= query filters on
}

// synthOnce runs one size in a scratch database of its own. It returns
// the load, the bbox timing and, with reports, the status= timing.
func synthOnce(ctx context.Context, url string, ds *dataset.Dataset, n int, seed uint64, rounds int, keep, cluster bool, so synthOpts, stdout io.Writer) (load postgis.SynthLoad, timing bboxTiming, status postgis.SynthTiming, err error) {
	b := make([]byte, 3)
	rand.Read(b)
	name := "projectmap_synth_" + strconv.Itoa(os.Getpid()) + "_" + hex.EncodeToString(b)
	dbURL, err := postgis.CreateDatabase(ctx, url, name)
	if err != nil {
		return load, timing, status, err
	}
	defer func() {
		if keep {
			fmt.Fprintf(stdout, "kept scratch database %s\n", name)
			return
		}
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		postgis.DropDatabase(cleanup, url, name)
	}()
	store, err := postgis.Open(ctx, dbURL)
	if err != nil {
		return load, timing, status, err
	}
	defer store.Close()
	if err = postgis.Migrate(ctx, store.Pool()); err != nil {
		return load, timing, status, err
	}
	if _, err = postgis.Import(ctx, store.Pool(), ds); err != nil {
		return load, timing, status, err
	}
	plan := ds.Latest()
	load, err = postgis.LoadSyntheticWith(ctx, store.Pool(), postgis.SynthOptions{
		Plan: plan.ID, Districts: ds.Districts, N: n, Seed: seed, Cluster: cluster, Reported: so.reported})
	if err != nil {
		return load, timing, status, err
	}
	if timing.sql, err = postgis.MeasureBBox(ctx, store, plan.ID, ds.Districts, rounds); err != nil {
		return load, timing, status, err
	}
	// The served path: once the store holds the layer's point index
	// (built in the background after the first query), a bbox page reads
	// only its own rows.
	wait, cancel := context.WithTimeout(ctx, 2*time.Minute)
	indexed := store.AwaitPointIndex(wait, plan.ID, postgis.SyntheticLayer)
	cancel()
	if !indexed {
		return load, timing, status, fmt.Errorf("the point index of %d synthetic sites was not built within 2 minutes", n)
	}
	if timing.indexed, err = postgis.MeasureBBox(ctx, store, plan.ID, ds.Districts, rounds); err != nil || so.reported == 0 {
		return load, timing, status, err
	}
	q := domain.SiteQuery{Plan: plan.ID, Layer: postgis.SyntheticLayer, Status: so.status, AsOf: plan.LastDay(), Limit: 100}
	status, err = postgis.MeasureSites(ctx, store, q, ds.Districts, rounds)
	return load, timing, status, err
}

func sinceRounded(t time.Time) time.Duration { return roundDuration(time.Since(t)) }

func roundDuration(d time.Duration) time.Duration {
	switch {
	case d > time.Second:
		return d.Round(10 * time.Millisecond)
	case d > time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d
}

func millis(d time.Duration) string {
	return strings.TrimRight(strings.TrimRight(strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64), "0"), ".") + " ms"
}
