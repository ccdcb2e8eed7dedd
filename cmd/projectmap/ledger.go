package main

// What the token and report commands share: the store they act on, the
// plan, and the ledger service that holds every rule (internal/ledger).
// The command line has no rule of its own.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"projectmap/internal/domain"
	"projectmap/internal/ledger"
)

// ledgerOpts are the flags every ledger command takes.
type ledgerOpts struct {
	store *storeConfig
	plan  *string
}

func addLedgerFlags(fs *flag.FlagSet, getenv func(string) string) ledgerOpts {
	return ledgerOpts{
		store: storeFlags(fs, getenv),
		plan:  fs.String("plan", "", "plan id (default: the latest)"),
	}
}

// session is an open store with its plan and ledger service.
type session struct {
	store    *openedStore
	plan     domain.Plan
	svc      *ledger.Service
	operator string // the account that runs the command, for the audit
}

// openSession opens the store the flags select. With the embedded store
// this is safe while a server runs on the same data directory: the
// journal takes a lock for each append and the server follows the file.
func openSession(ctx context.Context, o ledgerOpts, getenv func(string) string, stderr io.Writer) (*session, error) {
	ds, err := o.store.loadGeodata()
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	store, err := openStore(ctx, *o.store, ds, log)
	if err != nil {
		return nil, err
	}
	plan, err := pickPlan(ctx, store, *o.plan)
	if err != nil {
		store.close()
		return nil, err
	}
	return &session{
		store:    store,
		plan:     plan,
		svc:      &ledger.Service{Store: store.Store, Now: time.Now},
		operator: operatorName(getenv),
	}, nil
}

func (s *session) Close() { s.store.close() }

// actor files as the server's operator on behalf of reporter (an agency);
// the audit reads "cli:<account> as <reporter>".
func (s *session) actor(reporter string) ledger.Actor {
	return ledger.Operator(s.operator, reporter)
}

// pickPlan returns the plan of the given id, or the latest.
func pickPlan(ctx context.Context, store domain.Store, id string) (domain.Plan, error) {
	plans, err := store.Plans(ctx)
	if err != nil {
		return domain.Plan{}, err
	}
	if len(plans) == 0 {
		return domain.Plan{}, fmt.Errorf("the store holds no plan")
	}
	if id == "" {
		return plans[len(plans)-1], nil
	}
	for _, p := range plans {
		if p.ID == id {
			return p, nil
		}
	}
	return domain.Plan{}, fmt.Errorf("%w: --plan: no plan %q", errUsage, id)
}

// operatorName is the account running the command, as the shell says.
func operatorName(getenv func(string) string) string {
	for _, k := range []string{"USER", "LOGNAME"} {
		if v := getenv(k); v != "" {
			return v
		}
	}
	return "unknown"
}
