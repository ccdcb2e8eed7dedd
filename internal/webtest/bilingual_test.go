package webtest

// Chinese first: in Chinese the map shows every source, note and layer
// description in Chinese, in English the English, as a person reads them:
// the popups of a metro station, an old community and a district quota
// drawn from the plan's allocations, a project card's notes, and the
// layer list's descriptions.

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"projectmap/internal/dataset"
)

// shownJS reads the open popup's source and note, without their labels.
const shownJS = `((layer, id) => {
  const pop = document.querySelector('.leaflet-popup-content .pm-pop[data-layer="' + layer + '"][data-id="' + id + '"]');
  const text = (sel) => {
    const el = pop && pop.querySelector(sel);
    return el ? [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('') : '';
  };
  return {source: text('.pm-source'), note: text('.pm-pop-note')};
})`

// layerRowsJS maps each row of the layer list to its tooltip.
const layerRowsJS = `Object.fromEntries([...document.querySelectorAll('#pm-layers label.pm-layer')].map((l) => [l.querySelector('input').dataset.layer, l.title]))`

type shown struct {
	Source string `json:"source"`
	Note   string `json:"note"`
}

// bilingualText is one text in both languages, as the API gives it.
type bilingualText struct{ zh, en string }

func (b bilingualText) want(lang string) string {
	if lang == "en" {
		return b.en
	}
	return b.zh
}

// popupPick is a feature whose popup the test opens.
type popupPick struct {
	layer, id    string
	source, note bilingualText
}

// pickFeature takes the first feature of a layer that has a note.
func pickFeature(t *testing.T, base, layer, asof string) popupPick {
	t.Helper()
	str := func(p map[string]any, k string) string { s, _ := p[k].(string); return s }
	for _, f := range layerItems(t, base, layer, asof).Features {
		p := f.Properties
		if str(p, "note") == "" {
			continue
		}
		return popupPick{layer: layer, id: f.ID,
			source: bilingualText{str(p, "source"), str(p, "source_en")},
			note:   bilingualText{str(p, "note"), str(p, "note_en")}}
	}
	t.Fatalf("%s has no feature with a note", layer)
	return popupPick{}
}

func TestBilingualInBrowser(t *testing.T) {
	exe := needBrowser(t)
	base := startServer(t)
	ctx, jsErrs := browser(t, exe)
	var cfg struct {
		DefaultDate string `json:"default_date"`
	}
	getJSON(t, base+"/api/config", &cfg)

	// A station, an old community and a district's quota of
	// rehabilitation centres (drawn from the plan's allocations).
	var picks []popupPick
	for _, layer := range []string{"metro-stations", "old-communities", "rehab-centres"} {
		picks = append(picks, pickFeature(t, base, layer, cfg.DefaultDate))
	}
	var projects struct {
		Projects []struct {
			Number  int      `json:"number"`
			Notes   []string `json:"notes"`
			NotesEN []string `json:"notes_en"`
		} `json:"projects"`
	}
	getJSON(t, base+"/api/projects", &projects)
	project := projects.Projects[0]
	for _, p := range projects.Projects {
		if len(p.Notes) > len(project.Notes) {
			project = p
		}
	}
	var collections struct {
		Collections []struct {
			ID            string `json:"id"`
			Description   string `json:"description"`
			DescriptionEN string `json:"description_en"`
		} `json:"collections"`
	}
	getJSON(t, base+"/ogc/collections", &collections)

	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			if err := load(ctx, base+"/#lang="+lang); err != nil {
				t.Fatal(err)
			}
			for _, p := range picks {
				checkPopup(t, ctx, lang, p)
			}
			checkProjectNotes(t, ctx, lang, project.Number, project.Notes, project.NotesEN)
			// The layer list says what each layer holds when pointed at.
			rows, err := eval[map[string]string](ctx, layerRowsJS)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) == 0 {
				t.Fatal("the layer list has no rows")
			}
			for _, c := range collections.Collections {
				if title, ok := rows[c.ID]; ok {
					checkShown(t, lang, "layer "+c.ID+" description", bilingualText{c.Description, c.DescriptionEN}, title)
				}
			}
		})
	}
	if s := jsErrs.String(); s != "" {
		t.Errorf("JavaScript errors:\n%s", s)
	}
}

func checkPopup(t *testing.T, ctx context.Context, lang string, p popupPick) {
	t.Helper()
	if _, err := openPopup(ctx, p.layer, p.id); err != nil {
		t.Fatalf("opening %s %s: %v", p.layer, p.id, err)
	}
	got, err := eval[shown](ctx, fmt.Sprintf(`%s(%q, %q)`, shownJS, p.layer, p.id))
	if err != nil {
		t.Fatal(err)
	}
	checkShown(t, lang, p.id+" source", p.source, got.Source)
	checkShown(t, lang, p.id+" note", p.note, got.Note)
}

// checkProjectNotes selects a project and reads its card's notes.
func checkProjectNotes(t *testing.T, ctx context.Context, lang string, number int, zh, en []string) {
	t.Helper()
	err := chromedp.Do(ctx,
		js(`projectmap.map.closePopup()`),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`button.pm-proj[data-project="%d"]`, number))),
		poll[chromedp.Void](`!!document.querySelector('#pm-card .pm-history[data-loaded]')`, chromedp.WithPollingTimeout(30*time.Second)),
	)
	if err != nil {
		t.Fatalf("selecting project %d: %v", number, err)
	}
	got, err := eval[[]string](ctx, `[...document.querySelectorAll('#pm-card .pm-notes li')].map((li) => li.textContent)`)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(zh) || len(zh) != len(en) {
		t.Fatalf("project %d card shows %d notes; the API has %d in Chinese, %d in English", number, len(got), len(zh), len(en))
	}
	for i := range got {
		checkShown(t, lang, fmt.Sprintf("project %d note %d", number, i+1), bilingualText{zh[i], en[i]}, got[i])
	}
}

// checkShown: the text shown is the chosen language's, and in Chinese it
// is Chinese.
func checkShown(t *testing.T, lang, what string, text bilingualText, got string) {
	t.Helper()
	if text.zh == "" || text.en == "" {
		t.Errorf("%s: the API lacks a language: zh %q, en %q", what, text.zh, text.en)
	}
	if want := text.want(lang); got != want {
		t.Errorf("%s in %s mode: shows %q, want %q", what, lang, got, want)
	}
	if lang == "zh" && !dataset.ReadsAsChinese(got) {
		t.Errorf("%s in Chinese mode is not Chinese: %q", what, got)
	}
}
