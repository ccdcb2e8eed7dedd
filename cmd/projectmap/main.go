// Command projectmap serves the map and its API, keeps the ledger of
// reported progress, and checks and loads the data. Run "projectmap help"
// for the subcommands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	// The plan's time zone (Asia/Shanghai) must load on a machine without
	// a zoneinfo database, e.g. a scratch container: "today" is the city's.
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "projectmap:", err)
		os.Exit(exitCode(err))
	}
}
