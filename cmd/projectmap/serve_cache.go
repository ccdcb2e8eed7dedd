package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"io"
	"os"
	"runtime/debug"
	"strconv"
)

// cacheConfig sizes the response cache.
type cacheConfig struct {
	megabytes int
}

func cacheFlags(fs *flag.FlagSet, getenv func(string) string, cc *cacheConfig) {
	def := 64
	if v, err := strconv.Atoi(getenv("PROJECTMAP_CACHE_MB")); err == nil {
		def = v
	}
	fs.IntVar(&cc.megabytes, "cache-mb", def, "response cache budget in MiB: whole encoded responses, kept until the data changes (env PROJECTMAP_CACHE_MB); 0 turns it off")
}

func (cc cacheConfig) check() error {
	if cc.megabytes < 0 {
		return errors.New("--cache-mb must be 0 (off) or more")
	}
	return nil
}

// bytes is the api.Config.CacheBytes of the setting: negative for off.
func (cc cacheConfig) bytes() int64 {
	if cc.megabytes == 0 {
		return -1
	}
	return int64(cc.megabytes) << 20
}

// buildStamp names this build for the ETags: its VCS revision when it was
// built from a clean checkout, else a digest of the executable, so that a
// new build never answers 304 for what an old one sent while replicas of
// one build agree.
func buildStamp() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" && modified == "false" {
			return rev
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}
