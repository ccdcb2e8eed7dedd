package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"projectmap/internal/postgis"
)

func TestMadeAt(t *testing.T) {
	now := time.Unix(1796000000, 0)
	tests := []struct {
		name string
		ok   bool
	}{
		{scratchName(now), true},
		{dbPrefix + "t1796000000_00ff00ff", true},
		{dbPrefix + "12345_00ff00ff", false}, // the old, pid-based names
		{dbPrefix + "t_00ff00ff", false},
		{dbPrefix + "tx_00ff00ff", false},
		{dbPrefix + "t-5_00ff00ff", false},
		{"other_t1796000000_00ff00ff", false},
	}
	for _, tt := range tests {
		made, ok := madeAt(tt.name)
		if ok != tt.ok || (ok && !made.Equal(now)) {
			t.Errorf("madeAt(%q) = %v, %v; want %v, %v", tt.name, made, ok, now, tt.ok)
		}
	}
}

// TestSweep: the sweep drops a scratch database older than staleAge and
// keeps a young one that no process of this test made (another run's,
// live), whether its age is in its name or only on the server.
func TestSweep(t *testing.T) {
	server := requireServer(t)
	ctx := context.Background()
	now := time.Now()
	old := scratchName(now.Add(-staleAge - time.Hour))
	young := scratchName(now.Add(-time.Hour))
	legacy := fmt.Sprintf("%s%d_%s", dbPrefix, 1, "0badc0de") // pid 1 runs
	for _, name := range []string{old, young, legacy} {
		if _, err := postgis.CreateDatabase(ctx, server, name); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { dropDatabase(t, name) })
	}
	mine := []string{old, young, legacy}
	sweepNames(ctx, server, mine, now)
	if got := existing(t, server); slices.Contains(got, old) || !slices.Contains(got, young) || !slices.Contains(got, legacy) {
		t.Fatalf("after the sweep: %v; want %s dropped and %s, %s kept", got, old, young, legacy)
	}
	// Later, the legacy name's age comes from the server.
	sweepNames(ctx, server, []string{legacy}, now.Add(staleAge+time.Hour))
	if slices.Contains(existing(t, server), legacy) {
		t.Fatalf("%s, aged on the server, survived a sweep past staleAge", legacy)
	}
}

func existing(t *testing.T, server string) []string {
	t.Helper()
	names, err := postgis.Databases(context.Background(), server, dbPrefix)
	if err != nil {
		t.Fatal(err)
	}
	return names
}
