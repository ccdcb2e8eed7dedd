package api_test

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

type atomFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Href string `xml:"href,attr"`
		Rel  string `xml:"rel,attr"`
	} `xml:"link"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Author  struct {
			Name string `xml:"name"`
		} `xml:"author"`
		Links []struct {
			Href string `xml:"href,attr"`
			Rel  string `xml:"rel,attr"`
		} `xml:"link"`
		Categories []struct {
			Term string `xml:"term,attr"`
		} `xml:"category"`
		Summary string `xml:"summary"`
	} `xml:"entry"`
}

// TestAtomFeed: the feed parses, lists new reports newest first with
// their source and evidence, and marks a retraction.
func TestAtomFeed(t *testing.T) {
	forEachWritable(t, func(t *testing.T, ls *ledgerServer) {
		empty := get(t, ls.Server, "/api/reports.atom")
		var feed atomFeed
		if err := xml.Unmarshal(empty.body, &feed); err != nil || len(feed.Entries) != 0 || feed.Updated == "" || !strings.HasPrefix(feed.ID, "tag:") {
			t.Fatalf("empty feed: %v %+v", err, feed)
		}
		reps := ls.mustFile(t, "editor",
			map[string]any{"project": 4, "schedule": "charging-piles", "reported_on": "2024-09-30", "quantity": 3200, "source": "市发改委 九月台账", "evidence_url": "https://fgw.xa.gov.cn/9.html", "note": "含专用桩"},
			map[string]any{"project": 23, "reported_on": "2024-09-30", "status": "completed", "source": "市文旅局 通报"},
		)
		if r := ls.retract(t, "editor", reps[1].ID, `{"reason":"通报有误"}`); r.status != 201 {
			t.Fatalf("retract: %d %s", r.status, r.body)
		}
		r := get(t, ls.Server, "/api/reports.atom")
		if r.status != 200 || r.header.Get("Content-Type") != "application/atom+xml; charset=utf-8" || r.header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("status %d, type %q, Cache-Control %q", r.status, r.header.Get("Content-Type"), r.header.Get("Cache-Control"))
		}
		if !strings.HasPrefix(string(r.body), "<?xml") {
			t.Errorf("no XML declaration")
		}
		feed = atomFeed{}
		if err := xml.Unmarshal(r.body, &feed); err != nil {
			t.Fatalf("the feed does not parse: %v\n%s", err, r.body)
		}
		if len(feed.Entries) != 2 {
			t.Fatalf("%d entries, want 2", len(feed.Entries))
		}
		if _, err := time.Parse(time.RFC3339, feed.Updated); err != nil {
			t.Errorf("feed updated %q: %v", feed.Updated, err)
		}
		ids := map[string]bool{}
		for _, e := range feed.Entries {
			if !strings.HasPrefix(e.ID, "tag:projectmap,2024:xian-2024/report/") || ids[e.ID] {
				t.Errorf("entry id %q", e.ID)
			}
			ids[e.ID] = true
			if _, err := time.Parse(time.RFC3339, e.Updated); err != nil || e.Author.Name != "editor" {
				t.Errorf("entry %s: updated %q author %q", e.ID, e.Updated, e.Author.Name)
			}
		}
		// Newest filed first: the opera report, retracted and marked.
		opera, piles := feed.Entries[0], feed.Entries[1]
		if !strings.Contains(opera.Title, "23.") || !strings.Contains(opera.Title, "completed") || !strings.Contains(opera.Title, "Retracted") ||
			!strings.Contains(opera.Summary, "通报有误") || !hasTerm(opera.Categories, "retracted") {
			t.Errorf("retracted entry %+v", opera)
		}
		if !strings.Contains(piles.Title, "4.") || !strings.Contains(piles.Title, "in_progress") || strings.Contains(piles.Title, "Retracted") ||
			!strings.Contains(piles.Summary, "市发改委 九月台账") || !strings.Contains(piles.Summary, "含专用桩") {
			t.Errorf("entry %+v", piles)
		}
		var alternate, related string
		for _, l := range piles.Links {
			switch l.Rel {
			case "alternate":
				alternate = l.Href
			case "related":
				related = l.Href
			}
		}
		if alternate != ls.URL+"/api/reports/"+itoa(reps[0].ID) || related != "https://fgw.xa.gov.cn/9.html" {
			t.Errorf("links: alternate %q related %q", alternate, related)
		}
		if got := get(t, ls.Server, strings.TrimPrefix(alternate, ls.URL)); got.status != 200 {
			t.Errorf("the entry's link answers %d", got.status)
		}
		// Per project.
		var four atomFeed
		if err := xml.Unmarshal(get(t, ls.Server, "/api/reports.atom?project=4").body, &four); err != nil || len(four.Entries) != 1 || !strings.HasSuffix(four.ID, "/project/4") {
			t.Errorf("project 4 feed: %v, %d entries, id %s", err, len(four.Entries), four.ID)
		}
	})
}

func hasTerm(cs []struct {
	Term string `xml:"term,attr"`
}, term string) bool {
	for _, c := range cs {
		if c.Term == term {
			return true
		}
	}
	return false
}
