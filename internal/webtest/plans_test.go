package webtest

// The plan switcher: with a second city's plan beside Xi'an's, the header
// offers both; choosing one reopens the map on it, its city in the title
// and plan= in the URL, and nothing of the other city on the page. With
// one plan there is no switcher and no plan= at all.

import (
	"context"
	"io/fs"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"projectmap/internal/api"
	"projectmap/internal/memstore"
	"projectmap/internal/storetest"
	"projectmap/web"
)

// pageState is what the switcher test reads of the page.
type pageState struct {
	Title   string   `json:"title"`
	Hash    string   `json:"hash"`
	Options []string `json:"options"`
	Chosen  string   `json:"chosen"`
	Text    string   `json:"text"`
}

const pageStateJS = `(() => {
  const sel = document.querySelector('#pm-plan');
  return {
    title: document.title,
    hash: location.hash,
    options: sel ? [...sel.options].map((o) => o.textContent) : [],
    chosen: sel ? sel.value : '',
    text: document.body.textContent,
  };
})()`

func TestPlanSwitch(t *testing.T) {
	exe := needBrowser(t)
	one := startServer(t)
	two := startTwoCities(t)
	ctx, errs := browser(t, exe)

	if err := load(ctx, one+"/"); err != nil {
		t.Fatal(err)
	}
	st := readPage(t, ctx)
	if len(st.Options) != 0 || strings.Contains(st.Hash, "plan=") {
		t.Errorf("one plan: switcher %v, hash %s; want neither", st.Options, st.Hash)
	}

	if err := load(ctx, two+"/"); err != nil {
		t.Fatal(err)
	}
	st = readPage(t, ctx)
	if want := []string{"云溪市 2024年", "西安市 2024年"}; strings.Join(st.Options, "|") != strings.Join(want, "|") || st.Chosen != "xian-2024" ||
		!strings.Contains(st.Hash, "plan=xian-2024") {
		t.Errorf("two plans: switcher %v on %q, hash %s; want %v on xian-2024 and plan= in the hash", st.Options, st.Chosen, st.Hash, want)
	}
	if err := chromedp.Do(ctx, js(`(s => { s.value = 'yunxi-2024'; s.dispatchEvent(new Event('change')) })(document.querySelector('#pm-plan'))`)); err != nil {
		t.Fatal(err)
	}
	var err error
	for range 20 { // the page reloads on the plan chosen
		if err = chromedp.Do(ctx, chromedp.Sleep(200*time.Millisecond), waitIdle()); err == nil {
			if st = readPage(t, ctx); st.Chosen == "yunxi-2024" {
				break
			}
		} else if !staleContext(err) {
			t.Fatal(err)
		}
	}
	if st.Title != "云溪市2024年为民实事地图" || st.Chosen != "yunxi-2024" || !strings.Contains(st.Hash, "plan=yunxi-2024") {
		t.Errorf("after choosing Yunxi: title %q, switcher on %q, hash %s", st.Title, st.Chosen, st.Hash)
	}
	if !strings.Contains(st.Text, "新建公交候车亭") {
		t.Errorf("Yunxi's project is not listed")
	}
	for _, xian := range []string{"雁塔区", "地铁", "西咸新区"} {
		if strings.Contains(st.Text, xian) {
			t.Errorf("the page of Yunxi's plan shows %q, of Xi'an", xian)
		}
	}
	if e := errs.String(); e != "" {
		t.Errorf("JavaScript errors:\n%s", e)
	}
}

func readPage(t *testing.T, ctx context.Context) pageState {
	t.Helper()
	st, err := eval[pageState](ctx, pageStateJS)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// startTwoCities serves geodata/ with storetest's made-up second city.
func startTwoCities(t *testing.T) string {
	t.Helper()
	if _, err := fs.Stat(web.Dist, "dist/app.js"); err != nil {
		t.Skip("web/dist/app.js is not built; run `make web` first")
	}
	webFS, err := fs.Sub(web.Dist, "dist")
	if err != nil {
		t.Fatal(err)
	}
	h := api.New(api.Config{Store: memstore.New(storetest.TwoCities(t)), Web: webFS, Now: func() time.Time { return today }})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
