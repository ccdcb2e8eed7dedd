package api_test

import (
	"encoding/csv"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"projectmap/internal/storetest"
)

// TestTextsInBothLanguages: wherever the API gives a source, a note or a
// layer description it gives the English beside the Chinese, on both
// stores, as the data holds them: items, one feature, the CSV export, the
// collections and the projects.
func TestTextsInBothLanguages(t *testing.T) {
	p := storetest.Dataset(t).Latest()
	type texts struct{ Source, SourceEN, Note, NoteEN string }
	want := map[string]texts{}
	for _, s := range p.Sites {
		note, _ := s.Attrs["note"].(string)
		noteEN, _ := s.Attrs["note_en"].(string)
		want[s.Layer+"/"+s.ID] = texts{s.Source, s.SourceEN, note, noteEN}
	}
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	forEachStore(t, func(t *testing.T, srv *httptest.Server) {
		for _, l := range p.Layers {
			c := decode[map[string]any](t, get(t, srv, "/ogc/collections/"+l.ID))
			if str(c, "description") != l.Description || str(c, "description_en") != l.DescriptionEN {
				t.Errorf("collection %s: description %q / %q, want %q / %q", l.ID, c["description"], c["description_en"], l.Description, l.DescriptionEN)
			}
			it := decode[items](t, get(t, srv, "/ogc/collections/"+l.ID+"/items?limit=10000&asof=2024-06-30"))
			for _, f := range it.Features {
				if _, ok := f.Properties["source_en"]; !ok {
					t.Errorf("%s/%s has no source_en", l.ID, f.ID)
				}
				got := texts{str(f.Properties, "source"), str(f.Properties, "source_en"), str(f.Properties, "note"), str(f.Properties, "note_en")}
				if w := want[l.ID+"/"+f.ID]; got != w {
					t.Errorf("%s/%s: served %+v, the data holds %+v", l.ID, f.ID, got, w)
				}
			}
		}

		one := decode[struct {
			Properties map[string]any `json:"properties"`
		}](t, get(t, srv, "/ogc/collections/rehab-centres/items/rehab-centres-610102"))
		if w := want["rehab-centres/rehab-centres-610102"]; str(one.Properties, "source_en") != w.SourceEN || str(one.Properties, "note_en") != w.NoteEN {
			t.Errorf("one feature: source_en %q, note_en %q; want %q, %q", one.Properties["source_en"], one.Properties["note_en"], w.SourceEN, w.NoteEN)
		}

		r := get(t, srv, "/ogc/collections/old-communities/items?f=csv&district=610117&asof=2024-12-31")
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(r.body), "\ufeff"))).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("CSV: %d rows, %v", len(rows), err)
		}
		src, srcEN, id := slices.Index(rows[0], "source"), slices.Index(rows[0], "source_en"), slices.Index(rows[0], "id")
		note, noteEN := slices.Index(rows[0], "note"), slices.Index(rows[0], "note_en")
		if srcEN != src+1 || note < 0 || noteEN < 0 {
			t.Fatalf("CSV header %v: want source_en beside source, and note and note_en", rows[0])
		}
		for _, row := range rows[1:] {
			w := want["old-communities/"+row[id]]
			if got := (texts{row[src], row[srcEN], row[note], row[noteEN]}); got != w {
				t.Errorf("CSV row %s: %+v, want %+v", row[id], got, w)
			}
		}

		for _, pr := range p.Projects {
			got := decode[struct {
				Project struct {
					Notes   []string `json:"notes"`
					NotesEN []string `json:"notes_en"`
				} `json:"project"`
			}](t, get(t, srv, fmt.Sprintf("/api/projects/%d", pr.Number))).Project
			if diff := cmp.Diff([][]string{pr.Notes, pr.NotesEN}, [][]string{got.Notes, got.NotesEN}); diff != "" {
				t.Errorf("project %d notes (-data +served):\n%s", pr.Number, diff)
			}
		}
	})
}
