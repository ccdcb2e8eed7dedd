package main

// Helpers of the subcommands: flags among positional arguments, optional
// numbers, and errors that name the flag at fault.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"projectmap/internal/domain"
)

// parseArgs parses fs's flags wherever they stand among the arguments, so
// that "report retract 12 --reason …" works as "report retract --reason …
// 12" does, and returns the positional arguments. After "--" everything
// is positional.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, fmt.Errorf("%w: %w", errUsage, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// wantArgs checks the number of positional arguments of a command.
func wantArgs(cmd string, pos []string, n int, what string) error {
	if len(pos) != n {
		return fmt.Errorf("%w: %s takes %s, got %q", errUsage, cmd, what, pos)
	}
	return nil
}

// newFlagSet makes a flag set that reports its errors to stderr.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// optFloat is a float flag that knows whether it was given.
type optFloat struct{ v *float64 }

func (o *optFloat) String() string {
	if o.v == nil {
		return ""
	}
	return strconv.FormatFloat(*o.v, 'g', -1, 64)
}

func (o *optFloat) Set(s string) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return errors.New("not a number")
	}
	o.v = &f
	return nil
}

// optInt is an int flag that knows whether it was given.
type optInt struct{ v *int }

func (o *optInt) String() string {
	if o.v == nil {
		return ""
	}
	return strconv.Itoa(*o.v)
}

func (o *optInt) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return errors.New("not a whole number")
	}
	o.v = &n
	return nil
}

// flagError restates an error whose parameter is one of fs's flags (a
// rule of internal/ledger or internal/domain broken by a flag's value) as
// "--flag: message", so that the operator sees which flag to fix.
func flagError(fs *flag.FlagSet, err error) error {
	var de *domain.Error
	if !errors.As(err, &de) || de.Param == "" {
		return err
	}
	name := strings.ReplaceAll(de.Param, "_", "-")
	if fs.Lookup(name) == nil {
		return err
	}
	msg := "--" + name + ": " + de.Message
	if de.Err != nil {
		msg += ": " + de.Err.Error()
	}
	return errors.New(msg)
}

// parseProjects reads "1,2,3".
func parseProjects(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%w: --projects: %q is not a project number; give numbers separated by commas, e.g. 1,4", errUsage, f)
		}
		out = append(out, n)
	}
	return out, nil
}
