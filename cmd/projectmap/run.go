package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"strings"

	"projectmap/geodata"
	"projectmap/internal/dataset"
)

const usage = `usage: projectmap <command> [flags]

commands:
  serve          serve the map and the API (see serve -h)
  token create   --name NAME --role reporter|editor|admin [--projects 1,4]:
                 make a bearer token; its secret is printed once
  token list     the tokens: id, name, role, projects, created, revoked
  token revoke   ID: revoke a token (its holder gets 401 from then on)
  report add     --reporter AGENCY --project N [--schedule S | --site ID]
                 --reported-on YYYY-MM-DD (--quantity Q | --milestone N |
                 --fraction F) [--status S] --source TEXT [--evidence-url U]
                 [--note T]: file one report
  report import  --reporter AGENCY FILE.csv: file a monthly ledger, all or
                 nothing; each bad row is named by its line
  report list    [--project N] [--site ID] [--limit N] [--json]: reports,
                 newest first, retractions shown
  report retract ID --reason TEXT: withdraw a report (it stays in the history)
  migrate        apply pending PostGIS migrations (--database-url or DATABASE_URL)
  import         load the geodata into PostGIS in one transaction; with
                 --collection NAME --file F.geojson, an external layer
  data check     validate geodata/; exits 1 naming file, feature and problem
  data summary   print the data-quality report as JSON
  data synth     time bbox queries over N synthetic sites in a scratch database

The token and report commands act on the store serve would use: PostGIS
with --database-url (or DATABASE_URL), else the embedded store's journal
under --data-dir (or PROJECTMAP_DATA_DIR; default $XDG_DATA_HOME/projectmap,
else ~/.local/share/projectmap). They may run while the server runs on the
same data directory or database; the server sees their writes at once.
Each command's flags: projectmap <command> -h.
`

// errUsage marks a mistake on the command line (exit status 2).
var errUsage = errors.New("usage")

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// run is the whole program; main only wires it to the process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, getenv, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // "-h": the flags were printed, as asked
	}
	return err
}

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: no command given", errUsage)
	}
	switch cmd, rest := args[1], args[2:]; cmd {
	case "data":
		if len(rest) > 0 && rest[0] == "synth" {
			return runSynth(ctx, rest[1:], getenv, stdout, stderr)
		}
		return runData(rest, stdout, stderr)
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, getenv, stdout, stderr)
	case "import":
		return runImport(ctx, rest, getenv, stdout, stderr)
	case "token":
		return runToken(ctx, rest, getenv, stdout, stderr)
	case "report":
		return runReport(ctx, rest, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
}

func runData(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: data needs check, summary or synth", errUsage)
	}
	fs := flag.NewFlagSet("data "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	planID := fs.String("plan", "", "plan id (default: the latest)")
	dir := fs.String("dir", "", "read the data from this directory instead of the embedded geodata/")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	var files iofs.FS = geodata.Files
	if *dir != "" {
		files = os.DirFS(*dir)
	}
	ds, err := dataset.Load(files)
	switch args[0] {
	case "check":
		var problems dataset.Problems
		if errors.As(err, &problems) {
			for _, p := range problems {
				fmt.Fprintln(stdout, p)
			}
			return fmt.Errorf("%d problems in geodata", len(problems))
		}
		if err != nil {
			return err
		}
		n := 0
		for _, p := range ds.Plans {
			n += len(p.Sites)
		}
		fmt.Fprintf(stdout, "ok: %d districts, %d zones, %d plans, %d features\n", len(ds.Districts), len(ds.Zones), len(ds.Plans), n)
		return nil
	case "summary":
		if err != nil {
			return err
		}
		p := ds.Latest()
		if *planID != "" {
			if p = ds.Plan(*planID); p == nil {
				return fmt.Errorf("%w: no plan %q", errUsage, *planID)
			}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(dataset.Summarize(p))
	default:
		return fmt.Errorf("%w: unknown data command %q", errUsage, args[0])
	}
}

// subcommand is one command of a group such as "report add".
type subcommand struct {
	name string
	run  func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error
}

// runGroup runs the subcommand of group that args name.
func runGroup(ctx context.Context, group string, args []string, getenv func(string) string, stdout, stderr io.Writer, cmds []subcommand) error {
	names := make([]string, len(cmds))
	for i, c := range cmds {
		if len(args) > 0 && args[0] == c.name {
			return c.run(ctx, args[1:], getenv, stdout, stderr)
		}
		names[i] = c.name
	}
	fmt.Fprint(stderr, usage)
	if len(args) == 0 {
		return fmt.Errorf("%w: %s needs %s", errUsage, group, strings.Join(names, ", "))
	}
	return fmt.Errorf("%w: unknown %s command %q", errUsage, group, args[0])
}
