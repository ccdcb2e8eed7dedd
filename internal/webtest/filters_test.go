package webtest

// Filters that act on the map: a district and a tracking status chosen in
// the panel show exactly the API's items for that filter on the map and
// the API's projects in the list; the URL keeps them across a reload; the
// one-tap clear brings everything back; a category hides the other
// categories' layers.

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

const filterDate = "2024-12-31"

// filterLayers are the default layers whose drawing the test checks.
var filterLayers = []string{"old-communities", "schools", "intersections", "metro-stations", "metro-lines", "water-pipelines", "service-circles"}

// listedJS reads the project numbers the list shows.
const listedJS = `[...document.querySelectorAll('#pm-results button.pm-proj[data-project]')].map(b => Number(b.dataset.project))`

// apiCount is the number of a layer's items the API matches for a query.
func apiCount(t *testing.T, base, id, query string) int {
	t.Helper()
	var it items
	getJSON(t, fmt.Sprintf("%s/ogc/collections/%s/items?limit=10000&asof=%s%s", base, id, filterDate, query), &it)
	return it.NumberMatched
}

// apiProjects are the numbers /api/projects lists for a query.
func apiProjects(t *testing.T, base, query string) []int {
	t.Helper()
	var pr struct {
		Projects []struct {
			Number   int `json:"number"`
			Category int `json:"category"`
		} `json:"projects"`
	}
	getJSON(t, base+"/api/projects?asof="+filterDate+query, &pr)
	out := []int{}
	for _, p := range pr.Projects {
		out = append(out, p.Number)
	}
	return out
}

// checkShown compares what the map draws of each layer, and the list,
// with the API's answer to query.
func checkFiltered(t *testing.T, ctx context.Context, base, query string, wantSome bool) {
	t.Helper()
	if err := chromedp.Do(ctx, js(`projectmap.map.setView([34.15, 108.95], 8, {animate: false})`), waitIdle()); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, id := range filterLayers {
		want := apiCount(t, base, id, query)
		total += want
		got, err := eval[drawCount](ctx, fmt.Sprintf(`%s(%q)`, countJS, id))
		if err != nil {
			t.Fatal(err)
		}
		if got.Indexed != want || got.Drawn+got.Clustered < want {
			t.Errorf("%s with %q: map has %d features (%d drawn, %d in clusters), the API %d", id, query, got.Indexed, got.Drawn, got.Clustered, want)
		}
	}
	if wantSome && total == 0 {
		t.Errorf("%q: the API matches nothing in the checked layers; the test checks nothing", query)
	}
	listed, err := eval[[]int](ctx, listedJS)
	if err != nil {
		t.Fatal(err)
	}
	if want := apiProjects(t, base, query); !slices.Equal(listed, want) {
		t.Errorf("%q: list shows projects %v, the API %v", query, listed, want)
	}
}

// waitHash waits until the URL hash holds (or, want false, lacks) s.
func waitHash(s string, want bool) chromedp.Action[chromedp.Void] {
	return poll[chromedp.Void](fmt.Sprintf(`location.hash.includes(%q) === %v`, s, want), chromedp.WithPollingTimeout(20*time.Second))
}

func TestFiltersInBrowser(t *testing.T) {
	exe := needBrowser(t)
	if os.Getenv("PROJECTMAP_WEBTEST_URL") != "" {
		t.Skip("needs its own server with a token")
	}
	base, secret := startLedgerServer(t)
	ctx, jsErrs := browser(t, exe)

	// Two old communities of 临潼 and one of 高陵 reported completed: the
	// status filter then keeps some sites, and the district filter cuts.
	var lintong, gaoling items
	getJSON(t, base+"/ogc/collections/old-communities/items?district=610115&limit=2", &lintong)
	getJSON(t, base+"/ogc/collections/old-communities/items?district=610117&limit=1", &gaoling)
	if len(lintong.Features) != 2 || len(gaoling.Features) != 1 {
		t.Fatalf("old communities: %d in 临潼, %d in 高陵; want 2 and 1", len(lintong.Features), len(gaoling.Features))
	}
	var filed struct {
		Reports []struct{} `json:"reports"`
	}
	var reports []map[string]any
	for _, f := range append(lintong.Features, gaoling.Features...) {
		reports = append(reports, map[string]any{"site": f.ID, "reported_on": "2024-10-01", "status": "completed", "source": "区住建局通报"})
	}
	post(t, base+"/api/reports", secret, reports, &filed)

	const district, status = "610115", "completed"
	query := "&district=" + district + "&status=" + status
	if n := apiCount(t, base, "old-communities", query); n != 2 {
		t.Fatalf("API: %d completed old communities in 临潼, want 2", n)
	}

	if err := load(ctx, base+"/#date="+filterDate+"&lang=zh"); err != nil {
		t.Fatal(err)
	}
	t.Run("unfiltered", func(t *testing.T) { checkFiltered(t, ctx, base, "", true) })

	t.Run("district and status", func(t *testing.T) {
		// Both at once, as a quick hand would: the second must not undo
		// the first while its district is still being looked up.
		err := chromedp.Do(ctx,
			js(`(s => { s.value = '`+district+`'; s.dispatchEvent(new Event('change', {bubbles: true})); document.querySelector('.pm-score-btn[data-filter="`+status+`"]').click() })(document.querySelector('#pm-district'))`),
			waitHash("district="+district, true), waitHash("status="+status, true), waitIdle())
		if err != nil {
			t.Fatal(err)
		}
		checkFiltered(t, ctx, base, query, true)
		saveShot(t, ctx, "filters-district-status.png")
		if on, _ := eval[[]string](ctx, `[...document.querySelectorAll('path.pm-district-on')].map(p => p.dataset.id)`); !slices.Equal(on, []string{"district-" + district}) {
			t.Errorf("outlined districts %v, want district-%s alone", on, district)
		}
		chips, err := eval[[]string](ctx, `[...document.querySelectorAll('.pm-filterctl .pm-active-chip')].map(b => b.textContent)`)
		if err != nil {
			t.Fatal(err)
		}
		if len(chips) != 2 || !strings.Contains(chips[0], "临潼区") || !strings.Contains(chips[1], "报告完成") {
			t.Errorf("the map's filter note shows %q, want the district 临潼区 and the status 报告完成", chips)
		}
	})

	t.Run("reload restores", func(t *testing.T) {
		hash, err := eval[string](ctx, `location.hash`)
		if err != nil {
			t.Fatal(err)
		}
		if err := load(ctx, base+"/"+hash); err != nil {
			t.Fatal(err)
		}
		if v, _ := eval[string](ctx, `document.querySelector('#pm-district').value`); v != district {
			t.Errorf("after reload the district chooser shows %q, want %s", v, district)
		}
		checkFiltered(t, ctx, base, query, true)
	})

	t.Run("one-tap clear", func(t *testing.T) {
		err := chromedp.Do(ctx, js(`document.querySelector('.pm-filterctl [data-clear="all"]').click()`),
			waitHash("district=", false), waitHash("status=", false), waitIdle())
		if err != nil {
			t.Fatal(err)
		}
		checkFiltered(t, ctx, base, "", true)
		if n, _ := eval[int](ctx, `document.querySelectorAll('.pm-active-chip').length`); n != 0 {
			t.Errorf("%d filter chips left after clearing", n)
		}
	})

	t.Run("category hides other layers", func(t *testing.T) {
		var info struct {
			Category int `json:"category"`
		}
		getJSON(t, base+"/ogc/collections/old-communities", &info)
		if info.Category == 0 {
			t.Fatal("old-communities has no category")
		}
		err := chromedp.Do(ctx, js(fmt.Sprintf(`document.querySelector('#pm-cats [data-cat="%d"]').click()`, info.Category)),
			waitHash(fmt.Sprintf("cat=%d", info.Category), true), waitIdle())
		if err != nil {
			t.Fatal(err)
		}
		described := 0
		for _, id := range filterLayers {
			var c struct {
				Category int `json:"category"`
			}
			getJSON(t, base+"/ogc/collections/"+url.PathEscape(id), &c)
			want := 0
			if c.Category == info.Category {
				want = apiCount(t, base, id, "")
			}
			if got, _ := eval[drawCount](ctx, fmt.Sprintf(`%s(%q)`, countJS, id)); got.Indexed != want {
				t.Errorf("category %d: %s (category %d) has %d features on the map, want %d", info.Category, id, c.Category, got.Indexed, want)
			}
			// The layer list says why a layer that is on shows nothing.
			meta, _ := eval[string](ctx, fmt.Sprintf(`(el => el ? el.textContent : '')(document.querySelector('#pm-layers [data-meta=%q]'))`, id))
			hidden := strings.Contains(meta, "按类别筛选")
			if hidden {
				described++
			}
			if meta != "" && hidden != (c.Category != info.Category) {
				t.Errorf("category %d: %s (category %d) is described %q", info.Category, id, c.Category, meta)
			}
		}
		if described == 0 {
			t.Error("no layer of another category is described as hidden by the filter")
		}
		listed, _ := eval[[]int](ctx, listedJS)
		if want := apiProjects(t, base, fmt.Sprintf("&category=%d", info.Category)); !slices.Equal(listed, want) {
			t.Errorf("category %d: list shows %v, the API %v", info.Category, listed, want)
		}
	})

	t.Run("bad filters in a link are dropped", func(t *testing.T) {
		if err := load(ctx, base+"/#date="+filterDate+"&district=nowhere&cat=99&lang=zh"); err != nil {
			t.Fatal(err)
		}
		hash, _ := eval[string](ctx, `location.hash`)
		if strings.Contains(hash, "district=") || strings.Contains(hash, "cat=") {
			t.Errorf("hash %q keeps a filter the server refuses", hash)
		}
		checkFiltered(t, ctx, base, "", true)
	})

	t.Run("phone, English", func(t *testing.T) {
		if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride,
			emulation.SetDeviceMetricsOverrideParams{Width: 375, Height: 740, DeviceScaleFactor: 2, Mobile: true}); err != nil {
			t.Fatal(err)
		}
		defer chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 1280, Height: 800, DeviceScaleFactor: 1})
		if err := load(ctx, base+"/#date="+filterDate+"&district="+district+"&status="+status+"&lang=en"); err != nil {
			t.Fatal(err)
		}
		saveShot(t, ctx, "filters-phone-en.png")
		// Opened without a view, the link frames its district.
		if in, _ := eval[bool](ctx, `projectmap.map.getBounds().contains([34.37, 109.21])`); !in {
			t.Errorf("phone: a link with district=%s and no view does not frame 临潼区", district)
		}
		type note struct {
			Text  string  `json:"text"`
			Right float64 `json:"right"`
			Width float64 `json:"width"`
		}
		got, err := eval[note](ctx, `(() => { const el = document.querySelector('.pm-filterctl'); const r = el.getBoundingClientRect(); return {text: el.textContent, right: r.right, width: innerWidth} })()`)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got.Text, "Lintong District") || !strings.Contains(got.Text, "Clear all filters") || got.Right > got.Width {
			t.Errorf("phone: the map's filter note reads %q and ends at %.0f px of %.0f", got.Text, got.Right, got.Width)
		}
		for _, id := range []string{"old-communities", "metro-stations"} {
			if c, _ := eval[drawCount](ctx, fmt.Sprintf(`%s(%q)`, countJS, id)); c.Indexed != apiCount(t, base, id, query) {
				t.Errorf("phone: %s has %d features on the map, the API %d", id, c.Indexed, apiCount(t, base, id, query))
			}
		}
	})

	if s := jsErrs.String(); s != "" {
		t.Errorf("JavaScript errors: %s", s)
	}
}
