package webtest

// Every status and precision through MapLibre: made-up sites drawn with
// the style's own point layer (the test data has no reports, so the real
// tile shows "no report yet" only).

import (
	"context"
	"encoding/json"
	"fmt"
	"image/color"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// mlProbeJS hides every layer but the background and draws, with the
// style's own point layer, one made-up site of each status at exact (row
// 0) and town (row 1) precision, at pixel (40+60·column, 40+60·row), and
// with its cells layer the aggregated cells given, in row 3.
const mlProbeJS = `((statuses, cells) => {
  window.probed = false;
  for (const l of map.getStyle().layers) if (l.id !== 'background') map.setLayoutProperty(l.id, 'visibility', 'none');
  const features = [];
  statuses.forEach((status, i) => ['exact', 'town'].forEach((precision, j) => {
    const at = map.unproject([40 + 60 * i, 40 + 60 * j]);
    features.push({type: 'Feature', properties: {id: status + '-' + precision, status, precision}, geometry: {type: 'Point', coordinates: [at.lng, at.lat]}});
  }));
  cells.forEach((props, i) => {
    const at = map.unproject([40 + 60 * i, 220]);
    features.push({type: 'Feature', properties: {...props, aggregated: true}, geometry: {type: 'Point', coordinates: [at.lng, at.lat]}});
  });
  map.addSource('probe', {type: 'geojson', data: {type: 'FeatureCollection', features}});
  const points = {...map.getStyle().layers.find(l => l.id === 'schools-points'), id: 'probe', source: 'probe'};
  delete points['source-layer'];
  points.layout = {...points.layout, visibility: 'visible'};
  map.addLayer(points);
  const agg = {...map.getStyle().layers.find(l => l.id === 'schools-cells'), id: 'probe-cells', source: 'probe'};
  delete agg['source-layer'];
  agg.layout = {...agg.layout, visibility: 'visible'};
  map.addLayer(agg);
  map.once('idle', () => { window.probed = true; });
})`

// checkProbeSymbols: every status is drawn in its colour, solid at an
// exact place unless its shape is a ring, hollow at an approximate one.
func checkProbeSymbols(t *testing.T, ctx context.Context) {
	statuses := []string{"completed", "on_track", "behind", "not_started", "suspended", "unreported"}
	// Cells and the status whose colour they take: the one most of their
	// points have, the first in the legend among equals.
	cells := []struct {
		props map[string]int
		want  string
	}{
		{map[string]int{"count": 50, "n_behind": 30, "n_unreported": 20}, "behind"},
		{map[string]int{"count": 400, "n_completed": 150, "n_on_track": 100, "n_unreported": 150}, "completed"},
		{map[string]int{"count": 9, "n_suspended": 5, "n_not_started": 4}, "suspended"},
	}
	var cellProps []map[string]int
	for _, c := range cells {
		cellProps = append(cellProps, c.props)
	}
	arg, _ := json.Marshal(statuses)
	cellArg, _ := json.Marshal(cellProps)
	if _, err := eval[any](ctx, fmt.Sprintf("%s(%s, %s)", mlProbeJS, arg, cellArg)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, poll[chromedp.Void](`window.probed`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatal(err)
	}
	for i, status := range statuses {
		var inked [2]int
		for j, precision := range []string{"exact", "town"} {
			x, y := 40+60*i, 40+60*j
			cols, err := eval[[][3]int](ctx, fmt.Sprintf("%s(%d, %d)", mlPixelsJS, x, y))
			if err != nil {
				t.Fatal(err)
			}
			want := statusRGB[status]
			coloured := 0
			for _, c := range cols {
				if nearRGB(c, want) {
					coloured++
				}
			}
			hollow := status == "not_started" || status == "unreported" || approxPrecision[precision]
			if coloured < 40 {
				t.Errorf("%s at %s precision: %d pixels of %v (hollow %v), want at least 40", status, precision, coloured, want, hollow)
			}
			inked[j] = coloured
		}
		// The marks (✓ → ! ❚❚ ? –) sit in the middle of every symbol, so
		// hollowness shows in how much of the status colour there is: a
		// solid symbol holds clearly more than its hollow twin, a ring
		// status is drawn alike at both precisions.
		ring := status == "not_started" || status == "unreported"
		if solid, hollow := inked[0], inked[1]; ring && solid != hollow || !ring && solid < hollow+8 {
			t.Errorf("%s: %d pixels of its colour at an exact place, %d at a town's: want %s", status, solid, hollow,
				map[bool]string{true: "the same (a ring either way)", false: "clearly more when exact (solid) than approximate (hollow)"}[ring])
		}
	}
	// A cell is 85% opaque over the background (#f3f0e8).
	for i, c := range cells {
		cols, err := eval[[][3]int](ctx, fmt.Sprintf("%s(%d, %d)", mlPixelsJS, 40+60*i, 220))
		if err != nil {
			t.Fatal(err)
		}
		st, bg := statusRGB[c.want], color.RGBA{0xf3, 0xf0, 0xe8, 0xff}
		mix := func(a, b uint8) uint8 { return uint8(0.85*float64(a) + 0.15*float64(b) + 0.5) }
		want := color.RGBA{mix(st.R, bg.R), mix(st.G, bg.G), mix(st.B, bg.B), 0xff}
		if got := cols[len(cols)/2]; !nearRGB(got, want) {
			t.Errorf("cell %v: centre %v, want %s's colour %v", c.props, got, c.want, want)
		}
	}
}
