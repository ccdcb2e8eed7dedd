package webtest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// testGroups: a layer split off another by geometry type (its lines, its
// zone points) has no row of its own in the layer list; a URL naming the
// parent, as URLs did before the split, shows both, and the parent's box
// turns both off.
func testGroups(t *testing.T, ctx context.Context, base string) {
	const date = "2024-06-30"
	hash := "#map=9/34.26000/108.94000&layers=ring-road-nodes,service-circles&date=" + date + "&lang=zh"
	if err := load(ctx, base+"/"+hash); err != nil {
		t.Fatal(err)
	}
	split := []string{"ring-road-nodes", "ring-road-nodes-lines", "service-circles", "service-circles-zones"}
	for _, id := range split {
		matched := layerItems(t, base, id, date).NumberMatched
		if matched == 0 {
			t.Errorf("%s: the API has no features", id)
			continue
		}
		if _, err := chromedp.Run(ctx, poll[drawCount](
			fmt.Sprintf(`(() => { const c = %s(%q); return c.drawn + c.clustered === %d ? c : null })()`, countJS, id, matched),
			chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			got, _ := eval[drawCount](ctx, fmt.Sprintf(`%s(%q)`, countJS, id))
			t.Errorf("%s: drew %d + %d clustered, the API matched %d", id, got.Drawn, got.Clustered, matched)
		}
	}
	rows, err := eval[[]string](ctx, `[...document.querySelectorAll('#pm-layers input[data-layer]')].map(e => e.dataset.layer)`)
	if err != nil {
		t.Fatal(err)
	}
	var colls struct {
		Collections []struct{ ID, Group string } `json:"collections"`
	}
	getJSON(t, base+"/ogc/collections", &colls)
	grouped := 0
	for _, c := range colls.Collections {
		if c.Group == "" {
			continue
		}
		grouped++
		if slices.Contains(rows, c.ID) {
			t.Errorf("layer list has a row for %s, which is shown with %s", c.ID, c.Group)
		}
	}
	if grouped == 0 || len(rows) != len(colls.Collections)-grouped {
		t.Errorf("layer list has %d rows for %d collections, %d of them grouped", len(rows), len(colls.Collections), grouped)
	}
	if !slices.Contains(rows, "ring-road-nodes") || !slices.Contains(rows, "service-circles") {
		t.Errorf("layer list lacks a group's row: %v", rows)
	}
	if got, err := eval[string](ctx, `location.hash`); err != nil || !sameSet(hashLayers(got), []string{"ring-road-nodes", "service-circles"}) {
		t.Errorf("hash %q (%v): want the groups ring-road-nodes, service-circles", got, err)
	}
	meta, err := eval[string](ctx, `document.querySelector('#pm-layers [data-meta="ring-road-nodes"]').textContent`)
	if err != nil || !strings.Contains(meta, "11") {
		t.Errorf("ring-road-nodes row says %q (%v); want its 11 nodes and sections", meta, err)
	}

	if err := chromedp.Do(ctx, js(`document.querySelector('#pm-layers input[data-layer="ring-road-nodes"]').click()`)); err != nil {
		t.Fatal(err)
	}
	for _, id := range split[:2] {
		if got, _ := eval[drawCount](ctx, fmt.Sprintf(`%s(%q)`, countJS, id)); got.Drawn+got.Clustered != 0 {
			t.Errorf("%s: %d features still drawn after its group's box was cleared", id, got.Drawn+got.Clustered)
		}
	}
}
