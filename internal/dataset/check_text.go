package dataset

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"projectmap/internal/domain"
)

// texts checks that every text a reader is shown about the data is written
// in Chinese, with the same in English beside it: the source of each
// district, zone and site, the notes of projects, metrics, allocations and
// sites, and each layer's description. The map shows the one of the chosen
// language, so a missing half would show a Chinese reader English.
func (c *checker) texts() {
	for _, d := range c.ds.Districts {
		c.bilingual(path.Join("cities", d.City, "districts.geojson"), d.Adcode, "source", d.Source, d.SourceEN, true)
	}
	for _, z := range c.ds.Zones {
		c.bilingual(path.Join("cities", z.City, "zones.geojson"), z.ID, "source", z.Source, z.SourceEN, true)
	}
	for _, p := range c.ds.Plans {
		c.planTexts(p)
	}
}

func (c *checker) planTexts(p *Plan) {
	dir := path.Join("plans", p.ID)
	for _, l := range p.Layers {
		c.bilingual(path.Join(dir, "plan.json"), l.ID, "description", l.Description, l.DescriptionEN, true)
	}
	for _, pr := range p.Projects {
		file := path.Join(dir, "projects", fmt.Sprintf("%02d.json", pr.Number))
		c.notes(file, pr)
		for _, m := range pr.Metrics {
			c.bilingual(file, "metric "+m.Key, "note", m.Note, m.NoteEN, false)
		}
		for _, a := range pr.Allocations {
			c.allocationNotes(file, a)
		}
	}
	for _, s := range p.Sites {
		if derivedLayer(p.Layer(s.Layer)) {
			continue // its source is its district's or zone's, its note its allocation's
		}
		file := path.Join(dir, "layers", s.Layer+".geojson")
		if s.Source != "" { // an empty source is the site rule's to name
			c.bilingual(file, s.ID, "source", s.Source, s.SourceEN, true)
		}
		for _, key := range noteKeys(s.Attrs) {
			note, _ := s.Attrs[key].(string)
			noteEN, _ := s.Attrs[key+"_en"].(string)
			c.bilingual(file, s.ID, "attrs."+key, note, noteEN, false)
		}
	}
}

// noteKeys lists, sorted, the attrs that are notes: "note" and the
// specific ones such as "schedule_note", each with its "_en" twin.
func noteKeys(attrs map[string]any) []string {
	keys := []string{"note"}
	for k := range attrs {
		if strings.HasSuffix(k, "_note") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys[1:])
	return keys
}

// notes checks a project's notes: Chinese, and notes_en the same list in
// English, item by item.
func (c *checker) notes(file string, pr domain.Project) {
	if len(pr.Notes) != len(pr.NotesEN) {
		c.add(file, "", "notes has %d items but notes_en %d: give each note in Chinese and in English, item by item", len(pr.Notes), len(pr.NotesEN))
	}
	for i := range min(len(pr.Notes), len(pr.NotesEN)) {
		c.bilingual(file, fmt.Sprintf("notes[%d]", i), "notes", pr.Notes[i], pr.NotesEN[i], true)
	}
}

func (c *checker) allocationNotes(file string, a domain.Allocation) {
	c.bilingual(file, "allocation "+a.AsWritten, "note", a.Note, a.NoteEN, false)
	for _, in := range a.Includes {
		c.allocationNotes(file, in)
	}
}

// bilingual checks one text, field in Chinese and field_en in English.
// An optional text may be absent in both languages, never in one.
func (c *checker) bilingual(file, feature, field, zh, en string, required bool) {
	if !required && zh == "" && en == "" {
		return
	}
	if !ReadsAsChinese(zh) {
		c.add(file, feature, "%s is not written in Chinese (%q): write it in Chinese, the English in %s_en", field, clip(zh), field)
	}
	if en == "" {
		c.add(file, feature, "%s_en is empty: give the English of %s", field, field)
	}
}

// derivedLayer reports whether the loader draws the layer's sites from the
// districts, the zones or a metric's allocations rather than from a file.
func derivedLayer(l *domain.Layer) bool {
	return l != nil && (l.ID == "districts" || l.ID == "development-zones" || l.DerivedMetric != "")
}

// englishRun is three English words in a row: a Chinese text may name
// GCJ-02 or a software package, but does not speak English.
var englishRun = regexp.MustCompile(`[A-Za-z]{2,}(?:[\s,]+[A-Za-z]{2,}){2,}`)

// ReadsAsChinese reports whether s is written in Chinese: it has Chinese
// characters and no English phrase. An English sentence that only quotes
// Chinese names, as the sources used to be, is not.
func ReadsAsChinese(s string) bool {
	if englishRun.MatchString(s) {
		return false
	}
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// clip shortens a text quoted in a problem to its first 40 characters.
func clip(s string) string {
	r := []rune(s)
	if len(r) <= 40 {
		return s
	}
	return string(r[:40]) + "…"
}
