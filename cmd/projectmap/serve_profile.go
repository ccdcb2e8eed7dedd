package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"
)

// profileConfig is serve's profiling: a CPU profile written to a file for
// the whole time the server serves. `make bench-http` uses it to profile a
// load run. It is a file, not an HTTP endpoint, so that nothing a client
// can reach ever starts or reads a profile.
type profileConfig struct {
	cpuProfile string
}

func profileFlags(fs *flag.FlagSet, pc *profileConfig) {
	fs.StringVar(&pc.cpuProfile, "cpuprofile", "", "write a CPU profile of the serving, from the listener's opening to shutdown, to this file (for benchmarks)")
}

// start begins the CPU profile, if one is asked for, once the store is
// open: the profile is of serving, not of loading the data. The returned
// function stops it and closes the file; serve calls it on shutdown, after
// the requests in flight have finished. A profile that cannot be written
// out is logged, never a reason to fail a clean shutdown.
func (pc profileConfig) start(log *slog.Logger) (stop func(), err error) {
	if pc.cpuProfile == "" {
		return func() {}, nil
	}
	f, err := os.Create(pc.cpuProfile)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		os.Remove(pc.cpuProfile)
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	log.Info("writing a CPU profile", "file", pc.cpuProfile)
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			log.Error("writing the CPU profile", "file", pc.cpuProfile, "err", err)
			return
		}
		log.Info("wrote the CPU profile", "file", pc.cpuProfile)
	}, nil
}
