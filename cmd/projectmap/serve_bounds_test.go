package main

import (
	"flag"
	"strings"
	"testing"

	"projectmap/internal/api"
)

func TestMaxRendersFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want int
		err  string
	}{
		{nil, api.DefaultMaxRenders, ""},
		{[]string{"--max-renders", "4"}, 4, ""},
		{[]string{"--max-renders", "0"}, 0, "--max-renders"},
		{[]string{"--max-renders", "1000"}, 0, "--max-renders"},
	} {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		var bc boundsConfig
		boundsFlags(fs, &bc)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		err := bc.check()
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%v: %v, want an error naming %s", c.args, err, c.err)
		case c.err == "" && (err != nil || bc.maxRenders != c.want):
			t.Errorf("%v: %v, max renders %d, want %d", c.args, err, bc.maxRenders, c.want)
		}
	}
}
