package webtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// axeSource is axe-core's bundle from web/node_modules (a devDependency in
// web/package.json, installed by `npm ci`).
func axeSource(t *testing.T) string {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(here), "..", "..", "web", "node_modules", "axe-core", "axe.min.js")
	b, err := os.ReadFile(p)
	if err != nil {
		msg := fmt.Sprintf("axe-core not installed (%v): run `cd web && npm ci`", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return string(b)
}

// axeViolation is one rule axe found broken, with the elements it names.
type axeViolation struct {
	ID     string    `json:"id"`
	Impact string    `json:"impact"`
	Help   string    `json:"help"`
	Nodes  []axeNode `json:"nodes"`
}

type axeNode struct {
	Target  []string `json:"target"`
	Summary string   `json:"summary"`
}

// axeRunJS runs axe on the document (WCAG 2.0/2.1 A and AA rules and the
// best practices) and returns the critical and serious violations.
const axeRunJS = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}, resultTypes: ['violations']})
  .then(r => r.violations.filter(v => v.impact === 'critical' || v.impact === 'serious').map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 8).map(n => ({target: n.target.map(String), summary: (n.failureSummary || '').slice(0, 300)}))})))`

// runAxe injects axe-core into the page (once per document) and fails the
// test on every critical or serious violation, printing rule, target and
// summary.
func runAxe(t *testing.T, ctx context.Context, src, where string) {
	t.Helper()
	if _, err := eval[bool](ctx, "if (typeof axe === 'undefined') {\n"+src+"\n}; true"); err != nil {
		t.Fatalf("%s: injecting axe-core: %v", where, err)
	}
	// Let transitions (popup fade, panel slide) settle first.
	if err := chromedp.Do(ctx, chromedp.Sleep(400*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRunJS, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: running axe: %v", where, err)
	}
	for _, v := range vs {
		var b strings.Builder
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    %s: %s", strings.Join(n.Target, " "), strings.ReplaceAll(n.Summary, "\n", " / "))
		}
		t.Errorf("%s: %s (%s): %s%s", where, v.ID, v.Impact, v.Help, b.String())
	}
}

func setViewport(ctx context.Context, w, h int64, phone bool) error {
	scale := 1.0
	if phone {
		scale = 2
	}
	_, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride,
		emulation.SetDeviceMetricsOverrideParams{Width: w, Height: h, DeviceScaleFactor: scale, Mobile: phone})
	return err
}

// The map and the embed, on a desktop and on a phone (390×844), with the
// project panel open, with a popup open and in English, have no critical
// or serious axe-core violation.
func TestAxe(t *testing.T) {
	exe := needBrowser(t)
	src := axeSource(t)
	base := startServer(t)
	sites := layerItems(t, base, "schools", "2024-09-30").Features
	if len(sites) == 0 {
		t.Fatal("no schools on 2024-09-30")
	}
	site := sites[0]

	type step struct {
		name  string
		phone bool
		url   string
		do    func(ctx context.Context) error
	}
	openPanel := func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.Click(chromedp.ID("pm-btn-projects")),
			poll[chromedp.Void](`document.querySelectorAll('#pm-results button[data-project]').length > 0`, chromedp.WithPollingTimeout(20*time.Second)))
	}
	openProject := func(ctx context.Context) error {
		if err := openPanel(ctx); err != nil {
			return err
		}
		return chromedp.Do(ctx, js(`document.querySelector('#pm-results button[data-project]').click()`),
			poll[chromedp.Void](`!document.getElementById('pm-card').hidden`, chromedp.WithPollingTimeout(20*time.Second)), waitIdle())
	}
	popup := func(ctx context.Context) error {
		_, err := openPopup(ctx, "schools", site.ID)
		return err
	}
	layers := func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.Click(chromedp.ID("pm-btn-layers")), poll[chromedp.Void](`document.querySelectorAll('#pm-layers input').length > 0`, chromedp.WithPollingTimeout(20*time.Second)))
	}
	table := func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.Click(chromedp.ID("pm-btn-table")), chromedp.WaitVisible(chromedp.ID("pm-table-close")))
	}
	embed := "/embed#project=1&date=2024-09-30&embed=1&lang=zh"
	steps := []step{
		{name: "map", url: "/#date=2024-09-30"},
		{name: "map, phone", phone: true, url: "/#date=2024-09-30"},
		{name: "project panel", url: "/#date=2024-09-30", do: openPanel},
		{name: "project open", url: "/#date=2024-09-30", do: openProject},
		{name: "project open, phone", phone: true, url: "/#date=2024-09-30", do: openProject},
		{name: "layers panel", url: "/#date=2024-09-30", do: layers},
		{name: "popup", url: "/#date=2024-09-30&layers=schools", do: popup},
		{name: "popup, phone", phone: true, url: "/#date=2024-09-30&layers=schools", do: popup},
		{name: "clusters", url: "/#map=9/34.26000/108.94000&date=2024-09-30&layers=schools"},
		{name: "district table", url: "/#date=2024-09-30&layers=schools,old-communities", do: table},
		{name: "district table, phone", phone: true, url: "/#date=2024-09-30&layers=schools", do: table},
		{name: "English, district table", url: "/#date=2024-09-30&layers=schools&lang=en", do: table},
		{name: "English", url: "/#date=2024-09-30&lang=en"},
		{name: "English, project open", url: "/#date=2024-09-30&lang=en", do: openProject},
		{name: "English, popup", url: "/#date=2024-09-30&layers=schools&lang=en", do: popup},
		{name: "embed", url: embed},
		{name: "embed, phone", phone: true, url: embed},
		{name: "embed, English", url: strings.Replace(embed, "lang=zh", "lang=en", 1)},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			ctx, jsErrs := browser(t, exe) // a browser each: one has 3 minutes
			w, h := int64(1280), int64(800)
			if s.phone {
				w, h = 390, 844
			}
			if err := setViewport(ctx, w, h, s.phone); err != nil {
				t.Fatal(err)
			}
			if err := load(ctx, base+s.url); err != nil {
				t.Fatalf("loading %s: %v", s.url, err)
			}
			if s.do != nil {
				if err := s.do(ctx); err != nil {
					t.Fatalf("%s: %v", s.name, err)
				}
			}
			if s.phone && !strings.HasPrefix(s.url, "/embed") {
				// The header's buttons, 表格 / Table included, fit the phone.
				fits, _ := eval[bool](ctx, `(() => { const b = document.getElementById('pm-btn-table').getBoundingClientRect();
				  return b.width > 0 && document.querySelector('.pm-nav').getBoundingClientRect().right <= innerWidth + 0.5 })()`)
				if !fits {
					t.Errorf("%s: the header's buttons do not fit %d px", s.name, w)
				}
			}
			runAxe(t, ctx, src, s.name)
			if e := jsErrs.String(); e != "" {
				t.Errorf("JavaScript errors:\n%s", e)
			}
		})
	}
}
