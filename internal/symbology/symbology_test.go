package symbology_test

import (
	"os"
	"strings"
	"testing"

	"projectmap/internal/domain"
	"projectmap/internal/symbology"
)

// TestColoursAreThePages: every status's colour is the --st-<status>
// variable of the web map's style sheet, so pictures and the page agree.
func TestColoursAreThePages(t *testing.T) {
	css, err := os.ReadFile("../../web/src/style.css")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range symbology.Statuses() {
		want := "--st-" + string(s.Status) + ": " + s.Color + ";"
		if !strings.Contains(string(css), want) {
			t.Errorf("style.css lacks %q", want)
		}
	}
	if got := symbology.Of("made-up").Status; got != domain.TrackUnreported {
		t.Errorf("an unknown status is drawn as %s, want unreported", got)
	}
}
