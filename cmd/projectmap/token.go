package main

// projectmap token create|list|revoke: the bearer tokens reporters file
// with. A secret is printed once, when it is made, and kept nowhere.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"projectmap/internal/domain"
)

// tokenOperator is the name token commands act under (audited as
// "cli:<account> as operator").
const tokenOperator = "operator"

func runToken(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runGroup(ctx, "token", args, getenv, stdout, stderr, []subcommand{
		{"create", runTokenCreate}, {"list", runTokenList}, {"revoke", runTokenRevoke},
	})
}

func runTokenCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("token create", stderr)
	o := addLedgerFlags(fs, getenv)
	name := fs.String("name", "", "who holds the token: the agency, e.g. 市轨道集团")
	role := fs.String("role", "", "reporter (files for --projects only), editor (any project) or admin (also manages tokens)")
	projects := fs.String("projects", "", "a reporter's projects, e.g. 1 or 1,4")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("token create", pos, 0, "no arguments"); err != nil {
		return err
	}
	nums, err := parseProjects(*projects)
	if err != nil {
		return err
	}
	s, err := openSession(ctx, o, getenv, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	secret, t, err := s.svc.CreateToken(ctx, s.plan, s.actor(tokenOperator), *name, domain.Role(*role), nums)
	if err != nil {
		return flagError(fs, err)
	}
	fmt.Fprintf(stdout, "id      %s\nname    %s\nrole    %s\n", t.ID, t.Name, t.Role)
	if len(t.Projects) > 0 {
		fmt.Fprintf(stdout, "projects %s\n", joinInts(t.Projects))
	}
	fmt.Fprintf(stdout, "secret  %s\n", secret)
	fmt.Fprintln(stderr, "The secret is shown only this once and is stored only as a hash: give it to its holder now.")
	fmt.Fprintln(stderr, "They send it as: Authorization: Bearer <secret>")
	return nil
}

func runTokenList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("token list", stderr)
	o := addLedgerFlags(fs, getenv)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("token list", pos, 0, "no arguments"); err != nil {
		return err
	}
	s, err := openSession(ctx, o, getenv, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	tokens, err := s.store.Tokens(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if tokens == nil {
			tokens = []domain.Token{}
		}
		return writeJSON(stdout, map[string]any{"tokens": tokens}) // Hash is never encoded
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tPROJECTS\tCREATED\tREVOKED")
	for _, t := range tokens {
		projects, revoked := joinInts(t.Projects), ""
		if projects == "" {
			projects = "all"
		}
		if t.RevokedAt != nil {
			revoked = t.RevokedAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, projects, t.CreatedAt.UTC().Format(time.RFC3339), revoked)
	}
	return tw.Flush()
}

func runTokenRevoke(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("token revoke", stderr)
	o := addLedgerFlags(fs, getenv)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("token revoke", pos, 1, "one token id (see token list)"); err != nil {
		return err
	}
	s, err := openSession(ctx, o, getenv, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.svc.RevokeToken(ctx, s.actor(tokenOperator), pos[0]); err != nil {
		if domain.KindOf(err) == domain.ErrNotFound {
			return fmt.Errorf("no token %q (see projectmap token list)", pos[0])
		}
		return err
	}
	fmt.Fprintf(stdout, "revoked %s\n", pos[0])
	return nil
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
