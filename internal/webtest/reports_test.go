package webtest

// "File a report, see it on the map": reports filed through the API with a
// token show in Chromium beside the plan — in the popup (date, agency,
// source, evidence, history with a retraction), on the marker, in the
// scorecard and in the status filter — and only from their date on.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"projectmap/geodata"
	"projectmap/internal/api"
	"projectmap/internal/dataset"
	"projectmap/internal/domain"
	"projectmap/internal/memstore"
	"projectmap/web"
)

// reporterName is the agency the test's token stands for: what the map
// must show as the reporter.
const reporterName = "市公安局交警支队"

// startLedgerServer serves the real handler over the embedded store with
// its journal in a temporary directory, holding one editor token; it
// returns the URL and the token's secret.
func startLedgerServer(t *testing.T) (string, string) {
	t.Helper()
	if _, err := fs.Stat(web.Dist, "dist/app.js"); err != nil {
		msg := "web/dist/app.js is not built; run `make web` (cd web && npm ci && npm run build) first"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	ds, err := dataset.Load(geodata.Files)
	if err != nil {
		t.Fatalf("loading geodata: %v", err)
	}
	store, err := memstore.Open(ds, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	const secret = "pm_webtest-secret-0123456789abcdefghijklmnopqrstuvwxyz"
	hash := sha256.Sum256([]byte(secret))
	tok := domain.Token{ID: "tok_webtest01", Name: reporterName, Role: domain.RoleEditor, Hash: hash[:], CreatedAt: today}
	audit := domain.AuditEntry{At: today, Actor: "webtest", Action: "token.create", Target: "token " + tok.ID, Remote: "local"}
	if err := store.CreateToken(context.Background(), tok, audit); err != nil {
		t.Fatalf("creating the token: %v", err)
	}
	webFS, err := fs.Sub(web.Dist, "dist")
	if err != nil {
		t.Fatal(err)
	}
	h := api.New(api.Config{Store: store, Web: webFS, Now: func() time.Time { return today }})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL, secret
}

// post sends JSON with the token and decodes the answer, which must be 201.
func post(t *testing.T, u, secret string, body, out any) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %s\n%s", u, res.Status, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatalf("POST %s: %v\n%s", u, err, data)
	}
}

type scorecard struct {
	Counts map[string]int `json:"counts"`
	Final  bool           `json:"final"`
	Kept   int            `json:"kept"`
}

func apiScorecard(t *testing.T, base string) scorecard {
	t.Helper()
	var pr struct {
		Scorecard scorecard `json:"scorecard"`
	}
	getJSON(t, base+"/api/projects", &pr)
	return pr.Scorecard
}

// domScorecardJS reads the scorecard the project list shows.
const domScorecardJS = `(() => {
  const out = {};
  for (const b of document.querySelectorAll('.pm-score-btn[data-filter]')) out[b.dataset.filter] = Number(b.querySelector('b').textContent);
  return out;
})()`

// markerClassJS returns the class of a feature's marker, or nothing if none is drawn.
const markerClassJS = `((layer, id) => { const el = document.querySelector('.pm-feature[data-layer="' + layer + '"][data-id="' + id + '"]'); return el ? el.getAttribute('class') : '' })`

// openPopup opens a feature's popup and waits until its history is in.
func openPopup(ctx context.Context, layer, id string) (string, error) {
	err := chromedp.Do(ctx,
		js(`projectmap.map.closePopup()`),
		js(fmt.Sprintf(`projectmap.open(%q, %q)`, layer, id)),
		poll[chromedp.Void](fmt.Sprintf(`!!document.querySelector('.leaflet-popup-content .pm-pop[data-layer=%q][data-id=%q] .pm-history[data-loaded]')`, layer, id),
			chromedp.WithPollingTimeout(30*time.Second)),
	)
	if err != nil {
		return "", err
	}
	// The popup closed before may still be fading out: read this one.
	return eval[string](ctx, fmt.Sprintf(`document.querySelector('.leaflet-popup-content .pm-pop[data-layer=%q][data-id=%q]').textContent`, layer, id))
}

func TestReportsInBrowser(t *testing.T) {
	exe := needBrowser(t)
	if os.Getenv("PROJECTMAP_WEBTEST_URL") != "" {
		t.Skip("needs its own server with a token")
	}
	base, secret := startLedgerServer(t)
	ctx, jsErrs := browser(t, exe)

	var cfg struct {
		DefaultDate string  `json:"default_date"`
		Tolerance   float64 `json:"tolerance"`
		Range       struct {
			From string `json:"from"`
			To   string `json:"to"`
		} `json:"range"`
	}
	getJSON(t, base+"/api/config", &cfg)
	if cfg.DefaultDate != "2024-12-31" || cfg.Range.From != "2024-01-01" || cfg.Range.To < "2024-12-31" || cfg.Tolerance <= 0 {
		t.Errorf("/api/config: default_date %q, range %+v, tolerance %v; want 2024-12-31 (the plan's last day, as today is after the plan year), the plan year, a tolerance", cfg.DefaultDate, cfg.Range, cfg.Tolerance)
	}

	// The places to report on: an intersection (its own reports) and a
	// metro station (which shows its line's reports).
	inter := layerItems(t, base, "intersections", cfg.DefaultDate).Features[0]
	var station feature
	for _, f := range layerItems(t, base, "metro-stations", cfg.DefaultDate).Features {
		if s, _ := f.Properties["schedule"].(string); s != "" {
			station = f
			break
		}
	}
	if station.ID == "" {
		t.Fatal("no metro station follows a schedule")
	}
	line := station.Properties["schedule"].(string)
	lineProject := int(station.Properties["project"].(float64))

	// Before: the page's scorecard is the API's, all unreported.
	if err := load(ctx, base+"/#lang=zh"); err != nil {
		t.Fatal(err)
	}
	before := apiScorecard(t, base)
	if got, _ := eval[map[string]int](ctx, domScorecardJS); got["unreported"] != before.Counts["unreported"] || got["completed"] != 0 {
		t.Errorf("scorecard before any report: page %v, API %v", got, before.Counts)
	}
	if cls, _ := eval[string](ctx, fmt.Sprintf(`%s(%q, %q)`, markerClassJS, "intersections", inter.ID)); !strings.Contains(cls, "status-unreported") {
		t.Errorf("intersection %s before any report: class %q, want status-unreported", inter.ID, cls)
	}

	// File: the intersection done (source and note with markup in them,
	// which must show as text), the line half built, and a wrong report
	// that is then retracted.
	const source = "交警支队通报〔2024〕7号 <b>原文</b>"
	const evidence = "https://example.org/jj/7?a=1&b=2"
	var filed struct {
		Reports []struct {
			ID int64 `json:"id"`
		} `json:"reports"`
	}
	post(t, base+"/api/reports", secret, []map[string]any{
		{"site": inter.ID, "reported_on": "2024-10-15", "status": "completed", "source": source, "evidence_url": evidence, "note": `<img src=x onerror="document.title='pwned'">渠化完成`},
		{"project": lineProject, "schedule": line, "reported_on": "2024-09-30", "fraction": 0.5, "source": "市轨道集团2024年9月工作台账"},
		{"site": inter.ID, "reported_on": "2024-06-30", "fraction": 0.4, "source": "六月台账"},
	}, &filed)
	if len(filed.Reports) != 3 {
		t.Fatalf("filed %d reports, want 3", len(filed.Reports))
	}
	var retracted struct {
		Retraction struct {
			Reason string `json:"reason"`
		} `json:"retraction"`
	}
	post(t, fmt.Sprintf("%s/api/reports/%d/retract", base, filed.Reports[2].ID), secret, map[string]string{"reason": "数据填错了"}, &retracted)

	after := apiScorecard(t, base)
	if after.Counts["unreported"] >= before.Counts["unreported"] {
		t.Errorf("scorecard after filing: %v, before %v; want fewer unreported", after.Counts, before.Counts)
	}

	// After: the page on the default date.
	if err := load(ctx, base+"/#lang=zh"); err != nil {
		t.Fatal(err)
	}
	t.Run("scorecard changed", func(t *testing.T) {
		got, err := eval[map[string]int](ctx, domScorecardJS)
		if err != nil {
			t.Fatal(err)
		}
		for s, n := range after.Counts {
			if got[s] != n {
				t.Errorf("scorecard shows %d %s, the API %d (all: page %v, API %v)", got[s], s, n, got, after.Counts)
			}
		}
		if got["unreported"] == before.Counts["unreported"] {
			t.Errorf("scorecard unchanged by the reports: %v", got)
		}
		t.Logf("scorecard before %v, after %v", before.Counts, got)
		// The line's project card: planned against reported, its places and
		// the history.
		err = chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`button.pm-proj[data-project="%d"]`, lineProject))),
			poll[chromedp.Void](`!!document.querySelector('#pm-card .pm-history[data-loaded]')`, chromedp.WithPollingTimeout(30*time.Second)),
			waitIdle(),
		)
		if err != nil {
			t.Fatal(err)
		}
		card, _ := eval[string](ctx, `document.getElementById('pm-card').textContent`)
		for _, w := range []string{statusWords["behind"], "计划 100%", "2024-09-30", "市轨道集团2024年9月工作台账", "个地点中"} {
			if !strings.Contains(card, w) {
				t.Errorf("project %d card lacks %q:\n%s", lineProject, w, card)
			}
		}
		saveShot(t, ctx, "reports-card-desktop.png")
	})

	t.Run("popup shows the report beside the plan", func(t *testing.T) {
		if cls, _ := eval[string](ctx, fmt.Sprintf(`%s(%q, %q)`, markerClassJS, "intersections", inter.ID)); !strings.Contains(cls, "status-completed") {
			t.Errorf("intersection %s: class %q, want status-completed", inter.ID, cls)
		}
		text, err := openPopup(ctx, "intersections", inter.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{"已完成", "计划", "报告", "最新报告", "2024-10-15", reporterName, source, "查看证据", "报告记录（2条）", "已撤回：数据填错了", "六月台账", "渠化完成"} {
			if !strings.Contains(text, w) {
				t.Errorf("popup of %s lacks %q:\n%s", inter.ID, w, text)
			}
		}
		type popupDOM struct {
			Injected  int    `json:"injected"`
			Href      string `json:"href"`
			Target    string `json:"target"`
			Rel       string `json:"rel"`
			Struck    string `json:"struck"`
			Newest    string `json:"newest"`
			Bars      string `json:"bars"`
			Title     string `json:"title"`
			ChartDots int    `json:"chartDots"`
		}
		got, err := eval[popupDOM](ctx, `(() => {
		  const pop = document.querySelector('.leaflet-popup-content .pm-pop[data-layer="intersections"]');
		  const a = pop.querySelector('.pm-latest a.pm-evidence') || {};
		  const reps = [...pop.querySelectorAll('.pm-reps > li')];
		  return {
		    injected: pop.querySelectorAll('img, b b, .pm-latest dd b').length,
		    href: a.href || '', target: a.target || '', rel: a.rel || '',
		    struck: (pop.querySelector('.pm-rep-retracted del') || {}).textContent || '',
		    newest: reps.length ? reps[0].querySelector('time').textContent : '',
		    bars: pop.querySelector('.pm-pvr').textContent,
		    title: document.title,
		    chartDots: pop.querySelectorAll('.pm-chart .pm-ch-rep, .pm-chart .pm-ch-retracted').length,
		  };
		})()`)
		if err != nil {
			t.Fatal(err)
		}
		if got.Injected != 0 || got.Title == "pwned" {
			t.Errorf("markup from the report became elements: %d, title %q", got.Injected, got.Title)
		}
		if got.Href != evidence || got.Target != "_blank" || !strings.Contains(got.Rel, "noopener") {
			t.Errorf("evidence link %q target %q rel %q; want %q in a new tab, noopener", got.Href, got.Target, got.Rel, evidence)
		}
		if !strings.Contains(got.Struck, "2024-06-30") || got.Newest != "2024-10-15" {
			t.Errorf("history: struck-through entry %q, newest %q; want the retracted 2024-06-30 report struck through and 2024-10-15 first", got.Struck, got.Newest)
		}
		if !strings.Contains(got.Bars, "计划") || !strings.Contains(got.Bars, "100%") {
			t.Errorf("planned and reported bars: %q", got.Bars)
		}
		if got.ChartDots != 2 {
			t.Errorf("chart shows %d report points, want 2 (one retracted)", got.ChartDots)
		}
		saveShot(t, ctx, "reports-popup-desktop.png")
	})

	t.Run("station shows its line's report", func(t *testing.T) {
		text, err := openPopup(ctx, "metro-stations", station.ID)
		if err != nil {
			saveShot(t, ctx, "debug-station.png")
			dbg, _ := eval[string](ctx, `(document.querySelector('.leaflet-popup-content')||{}).innerHTML || 'no popup'`)
			t.Fatalf("%v; popup: %.2000s", err, dbg)
		}
		for _, w := range []string{statusWords["behind"], "整体报告", "2024-09-30", reporterName, "市轨道集团2024年9月工作台账", "50%"} {
			if !strings.Contains(text, w) {
				t.Errorf("popup of %s lacks %q:\n%s", station.ID, w, text)
			}
		}
		if cls, _ := eval[string](ctx, fmt.Sprintf(`%s(%q, %q)`, markerClassJS, "metro-stations", station.ID)); cls != "" && !strings.Contains(cls, "status-behind") {
			t.Errorf("station %s: class %q, want status-behind", station.ID, cls)
		}
	})

	t.Run("before the report's date", func(t *testing.T) {
		// 2024-09-01: the intersection's only report then is the retracted
		// one, which never counts but stays in the history; the later one
		// is not known yet.
		if err := load(ctx, base+"/#date=2024-09-01&lang=zh"); err != nil {
			t.Fatal(err)
		}
		if cls, _ := eval[string](ctx, fmt.Sprintf(`%s(%q, %q)`, markerClassJS, "intersections", inter.ID)); !strings.Contains(cls, "status-unreported") {
			t.Errorf("intersection %s on 2024-09-01: class %q, want status-unreported", inter.ID, cls)
		}
		text, err := openPopup(ctx, "intersections", inter.ID)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(text, "已完成") || strings.Contains(text, "2024-10-15") || !strings.Contains(text, "暂无进展报告") || !strings.Contains(text, "已撤回：数据填错了") {
			t.Errorf("popup on 2024-09-01 (before the report):\n%s", text)
		}
	})

	t.Run("filter to behind", func(t *testing.T) {
		if err := load(ctx, base+"/#lang=zh"); err != nil {
			t.Fatal(err)
		}
		err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.pm-score-btn[data-filter="behind"]`)), chromedp.Sleep(100*time.Millisecond), waitIdle())
		if err != nil {
			t.Fatal(err)
		}
		type filtered struct {
			Hash     string   `json:"hash"`
			Listed   []string `json:"listed"`
			Features []string `json:"features"`
			Pressed  string   `json:"pressed"`
			Note     string   `json:"note"`
		}
		got, err := eval[filtered](ctx, `(() => ({
		  hash: location.hash,
		  listed: [...document.querySelectorAll('.pm-proj .pm-proj-meta')].map(e => e.dataset.status),
		  features: [...document.querySelectorAll('.pm-feature')].map(e => (e.getAttribute('class').match(/status-(\w+)/) || [])[1]),
		  pressed: document.querySelector('.pm-score-btn[aria-pressed="true"]').dataset.filter,
		  note: document.querySelector('.pm-filterctl').textContent,
		}))()`)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got.Hash, "status=behind") || got.Pressed != "behind" || !strings.Contains(got.Note, "仅显示：落后") {
			t.Errorf("filter: hash %q, pressed %q, note %q", got.Hash, got.Pressed, got.Note)
		}
		if len(got.Listed) != after.Counts["behind"] {
			t.Errorf("list shows %d projects, the scorecard counts %d behind", len(got.Listed), after.Counts["behind"])
		}
		for _, s := range got.Listed {
			if s != "behind" {
				t.Errorf("filtered list shows a project %s", s)
			}
		}
		if len(got.Features) == 0 {
			t.Errorf("the map draws nothing behind; the line's stations are")
		}
		for _, s := range got.Features {
			if s != "behind" {
				t.Errorf("filtered map draws a feature %s", s)
				break
			}
		}
		// The filter is part of the link.
		if err := load(ctx, base+"/"+got.Hash); err != nil {
			t.Fatal(err)
		}
		if p, _ := eval[string](ctx, `(document.querySelector('.pm-score-btn[aria-pressed="true"]') || {dataset: {}}).dataset.filter || ''`); p != "behind" {
			t.Errorf("reloaded %s: filter %q", got.Hash, p)
		}
		saveShot(t, ctx, "reports-filter-desktop.png")
	})

	t.Run("English", func(t *testing.T) {
		if err := load(ctx, base+"/#lang=en"); err != nil {
			t.Fatal(err)
		}
		text, err := openPopup(ctx, "intersections", inter.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{"completed", "Planned", "Reported", "Latest report", "Reported by", reporterName, "Evidence", "Retracted: 数据填错了"} {
			if !strings.Contains(text, w) {
				t.Errorf("English popup lacks %q:\n%s", w, text)
			}
		}
	})

	t.Run("phone", func(t *testing.T) {
		phone := func(on bool) error {
			w, h, m := int64(390), int64(844), true
			if !on {
				w, h, m = 1280, 800, false
			}
			_, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride,
				emulation.SetDeviceMetricsOverrideParams{Width: w, Height: h, DeviceScaleFactor: 1, Mobile: m})
			return err
		}
		if err := phone(true); err != nil {
			t.Fatal(err)
		}
		defer phone(false)
		if err := load(ctx, base+"/#lang=zh"); err != nil {
			t.Fatal(err)
		}
		if _, err := openPopup(ctx, "metro-stations", station.ID); err != nil {
			t.Fatal(err)
		}
		// The popup fits the phone's width and stays below the header.
		type box struct {
			Left   float64 `json:"left"`
			Right  float64 `json:"right"`
			Top    float64 `json:"top"`
			Bottom float64 `json:"bottom"`
			Header float64 `json:"header"`
			Font   float64 `json:"font"`
		}
		if err := chromedp.Do(ctx, chromedp.Sleep(400*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		b, err := eval[box](ctx, `(() => {
		  const r = document.querySelector('.leaflet-popup-content-wrapper').getBoundingClientRect();
		  return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
		    header: document.querySelector('.pm-header').getBoundingClientRect().bottom,
		    font: parseFloat(getComputedStyle(document.querySelector('.pm-plan-text')).fontSize)};
		})()`)
		if err != nil {
			t.Fatal(err)
		}
		if b.Left < 0 || b.Right > 390 || b.Top < b.Header {
			t.Errorf("phone popup at %+v: outside the screen or under the header", b)
		}
		if b.Font < 15 {
			t.Errorf("popup text is %.0f px; want at least 15 for elderly readers", b.Font)
		}
		saveShot(t, ctx, "reports-popup-phone.png")
		err = chromedp.Do(ctx, js(`projectmap.map.closePopup()`), chromedp.Click(chromedp.ID("pm-btn-projects")), chromedp.WaitVisible(chromedp.CSS(".pm-score")), chromedp.Sleep(300*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		saveShot(t, ctx, "reports-list-phone.png")
	})

	if s := jsErrs.String(); s != "" {
		t.Errorf("uncaught JavaScript exceptions:\n%s", s)
	}
}
