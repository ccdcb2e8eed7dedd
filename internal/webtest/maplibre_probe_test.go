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
// 0) and town (row 1) precision, at pixel (40+60·column, 40+60·row).
const mlProbeJS = `((statuses) => {
  window.probed = false;
  for (const l of map.getStyle().layers) if (l.id !== 'background') map.setLayoutProperty(l.id, 'visibility', 'none');
  const features = [];
  statuses.forEach((status, i) => ['exact', 'town'].forEach((precision, j) => {
    const at = map.unproject([40 + 60 * i, 40 + 60 * j]);
    features.push({type: 'Feature', properties: {id: status + '-' + precision, status, precision}, geometry: {type: 'Point', coordinates: [at.lng, at.lat]}});
  }));
  map.addSource('probe', {type: 'geojson', data: {type: 'FeatureCollection', features}});
  const points = {...map.getStyle().layers.find(l => l.id === 'schools-points'), id: 'probe', source: 'probe'};
  delete points['source-layer'];
  points.layout = {...points.layout, visibility: 'visible'};
  map.addLayer(points);
  map.once('idle', () => { window.probed = true; });
})`

// checkProbeSymbols: every status is drawn in its colour, solid at an
// exact place unless its shape is a ring, hollow (white inside) at an
// approximate one.
func checkProbeSymbols(t *testing.T, ctx context.Context) {
	statuses := []string{"completed", "on_track", "behind", "not_started", "suspended", "unreported"}
	arg, _ := json.Marshal(statuses)
	if _, err := eval[any](ctx, fmt.Sprintf("%s(%s)", mlProbeJS, arg)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](`window.probed`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatal(err)
	}
	for i, status := range statuses {
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
			centre := want
			if hollow {
				centre = color.RGBA{255, 255, 255, 255}
			}
			if coloured < 40 || !nearRGB(cols[len(cols)/2], centre) {
				t.Errorf("%s at %s precision: %d pixels of %v, centre %v, want %v (hollow %v)", status, precision, coloured, want, cols[len(cols)/2], centre, hollow)
			}
		}
	}
}
