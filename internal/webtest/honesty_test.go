package webtest

// The honesty rule, as the issue puts it: with no reports, no output
// anywhere carries "completed" as a status, and the rendered page contains
// no 已完成 outside the legend. The check reads what a person sees: the
// page with the default layers and the project list, a popup (任韩小区,
// the one the issue found saying 已完成) and a project card, in Chinese
// and in English.

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// honestyJS reads the page: its text outside the legend (and, for the
// English check, outside the plan's own milestone and target texts, which
// may say "completed" of a step: they are the plan's words, shown under
// "Schedule (planned milestones)"), the legend's text, and the drawn
// features with the completed class.
const honestyJS = `((skipPlanText) => {
  const body = document.body.cloneNode(true);
  for (const el of body.querySelectorAll('.pm-legend, script, noscript' + (skipPlanText ? ', .pm-tl, .pm-target' : ''))) el.remove();
  // innerText of a detached node is its textContent; hidden dialogs are
  // left out as a person would not see them.
  for (const el of body.querySelectorAll('[hidden]')) el.remove();
  const legend = document.querySelector('.pm-legend');
  return {
    text: body.textContent,
    legend: legend ? legend.textContent : '',
    completed: document.querySelectorAll('.pm-feature.status-completed, .pm-glyph.status-completed, .pm-badge.status-completed, path.status-completed, .pm-proj-meta.status-completed').length,
    features: document.querySelectorAll('.pm-feature').length,
    unreported: document.querySelectorAll('.pm-feature.status-unreported').length,
    scoreUnreported: (document.querySelector('.pm-score-btn[data-filter="unreported"] b') || {}).textContent || '',
    scoreKept: (document.querySelector('.pm-fin-kept b') || {}).textContent || '',
  };
})`

type honesty struct {
	Text            string `json:"text"`
	Legend          string `json:"legend"`
	Completed       int    `json:"completed"`
	Features        int    `json:"features"`
	Unreported      int    `json:"unreported"`
	ScoreUnreported string `json:"scoreUnreported"`
	ScoreKept       string `json:"scoreKept"`
}

// completedWord finds the word "completed" as a status would say it.
var completedWord = map[string]*regexp.Regexp{
	"zh": regexp.MustCompile(`已完成`),
	"en": regexp.MustCompile(`(?i)\bcompleted\b`),
}

func context40(s string, loc []int) string {
	r := []rune(s)
	// Convert byte offsets to a rune window around the match.
	start := len([]rune(s[:loc[0]]))
	a, b := max(0, start-40), min(len(r), start+40)
	return strings.Join(strings.Fields(string(r[a:b])), " ")
}

func testHonesty(t *testing.T, ctx context.Context, base string) {
	// The API first: every project unreported, the scorecard says so.
	var pr struct {
		Scorecard struct {
			Total  int            `json:"total"`
			Counts map[string]int `json:"counts"`
			Final  bool           `json:"final"`
			Kept   int            `json:"kept"`
		} `json:"scorecard"`
		Projects []struct {
			Number int    `json:"number"`
			Status string `json:"status"`
		} `json:"projects"`
	}
	getJSON(t, base+"/api/projects", &pr)
	if pr.Scorecard.Total != len(pr.Projects) || pr.Scorecard.Counts["unreported"] != len(pr.Projects) || pr.Scorecard.Kept != 0 {
		t.Errorf("scorecard with no reports: %+v; want all %d unreported, none kept", pr.Scorecard, len(pr.Projects))
	}
	for _, p := range pr.Projects {
		if p.Status != "unreported" {
			t.Errorf("project %d: status %q with no reports", p.Number, p.Status)
		}
	}

	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			if err := load(ctx, base+"/#lang="+lang); err != nil {
				t.Fatal(err)
			}
			check := func(where string) honesty {
				t.Helper()
				h, err := eval[honesty](ctx, fmt.Sprintf(`%s(%v)`, honestyJS, lang == "en"))
				if err != nil {
					t.Fatal(err)
				}
				if loc := completedWord[lang].FindStringIndex(h.Text); loc != nil {
					t.Errorf("%s: the page says %q outside the legend: …%s…", where, h.Text[loc[0]:loc[1]], context40(h.Text, loc))
				}
				if h.Completed != 0 {
					t.Errorf("%s: %d drawn features or list entries have the completed class", where, h.Completed)
				}
				return h
			}
			h := check("the map with the default layers and the project list")
			if h.Features == 0 || h.Unreported != h.Features {
				t.Errorf("%d of %d drawn features are unreported; want all", h.Unreported, h.Features)
			}
			if h.ScoreUnreported != fmt.Sprint(len(pr.Projects)) || h.ScoreKept != "0" {
				t.Errorf("scorecard shows %q unreported, %q kept; want %d and 0", h.ScoreUnreported, h.ScoreKept, len(pr.Projects))
			}
			// The legend is where the word is explained, with the tolerance.
			wantLegend := map[string][]string{
				"zh": {"已完成（据报告）", "未报告进展", "落后：报告进度低于计划10个百分点以上"},
				"en": {"completed (as reported)", "no progress reported", "more than 10 percentage points below the plan"},
			}[lang]
			for _, w := range wantLegend {
				if !strings.Contains(h.Legend, w) {
					t.Errorf("legend lacks %q: %s", w, h.Legend)
				}
			}

			// 任韩小区's popup: the plan in words, and no report.
			err := chromedp.Do(ctx,
				js(`projectmap.map.closePopup()`),
				js(`projectmap.open('old-communities', 'old-community-lintong-renhan')`),
				poll[chromedp.Void](`!!document.querySelector('.leaflet-popup-content .pm-pop[data-id="old-community-lintong-renhan"] .pm-history[data-loaded]')`, chromedp.WithPollingTimeout(30*time.Second)),
			)
			if err != nil {
				t.Fatalf("opening 任韩小区: %v", err)
			}
			pop, _ := eval[string](ctx, `document.querySelector('.leaflet-popup-content .pm-pop[data-id="old-community-lintong-renhan"]').textContent`)
			want := map[string][]string{
				"zh": {"任韩小区", "未报告", "计划：应于2024年", "暂无进展报告", "截至所选日期，尚无任何报告。"},
				"en": {"unreported", "Scheduled to be done by", "no progress reported", "Nothing reported by this date."},
			}[lang]
			for _, w := range want {
				if !strings.Contains(pop, w) {
					t.Errorf("任韩小区 popup lacks %q:\n%s", w, pop)
				}
			}
			check("with 任韩小区's popup open")
			saveShot(t, ctx, "honest-popup-"+lang+".png")

			// The old-communities project's card.
			err = chromedp.Do(ctx,
				chromedp.Click(chromedp.CSS(`button.pm-proj[data-project="15"]`)),
				poll[chromedp.Void](`!!document.querySelector('#pm-card .pm-history[data-loaded]')`, chromedp.WithPollingTimeout(30*time.Second)),
				waitIdle(),
			)
			if err != nil {
				t.Fatalf("selecting project 15: %v", err)
			}
			card, _ := eval[string](ctx, `document.getElementById('pm-card').textContent`)
			for _, w := range map[string][]string{"zh": {"未报告", "暂无进展报告"}, "en": {"unreported", "no progress reported"}}[lang] {
				if !strings.Contains(card, w) {
					t.Errorf("project 15 card lacks %q:\n%s", w, card)
				}
			}
			check("with project 15 selected")
		})
	}
}
