package api

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"projectmap/internal/domain"
)

const (
	mediaAtom = "application/atom+xml"
	// feedSize is how many of the newest filed reports the feed carries.
	feedSize = 50
)

// Atom 1.0 (RFC 4287), as encoding/xml writes it.
type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID       string      `xml:"id"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle,omitempty"`
	Updated  string      `xml:"updated"`
	Author   atomPerson  `xml:"author"`
	Links    []atomLink  `xml:"link"`
	Entries  []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Href  string `xml:"href,attr"`
	Rel   string `xml:"rel,attr,omitempty"`
	Type  string `xml:"type,attr,omitempty"`
	Title string `xml:"title,attr,omitempty"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published"`
	Author     atomPerson     `xml:"author"`
	Links      []atomLink     `xml:"link"`
	Categories []atomCategory `xml:"category"`
	Summary    string         `xml:"summary"`
}

// reportsAtom is the feed of the newest filed reports, of the plan or of
// one project, for journalists to subscribe to. A retracted report reads
// as retracted, dated by its retraction, so that readers see it change.
func (s *server) reportsAtom(c echo.Context) error {
	p, q, _, err := s.planQuery(c, jsonOnly, "project")
	if err != nil {
		return err
	}
	project, err := parseProject(q, p)
	if err != nil {
		return err
	}
	page, err := s.cfg.Store.Reports(c.Request().Context(), domain.ReportQuery{Plan: p.ID, Project: project, ByFiling: true, Limit: feedSize})
	if err != nil {
		return err
	}
	feed := atomFeedOf(c, p, project, page.Reports)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(feed); err != nil {
		return err
	}
	buf.WriteByte('\n')
	noCache(c)
	return c.Blob(http.StatusOK, mediaAtom+"; charset=utf-8", buf.Bytes())
}

// tagID is a tag URI (RFC 4151) that names a thing of plan p for good,
// whatever host the service answers on.
func tagID(p domain.Plan, specific string) string {
	return fmt.Sprintf("tag:projectmap,%d:%s/%s", p.Year, p.ID, specific)
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func atomFeedOf(c echo.Context, p domain.Plan, project int, reports []domain.Report) atomFeed {
	self := base(c) + "/api/reports.atom"
	id, title := tagID(p, "reports"), p.City+" "+strconv.Itoa(p.Year)+"年为民实事 · 进展报告 / Progress reports"
	if project != 0 {
		self += "?project=" + strconv.Itoa(project)
		id += "/project/" + strconv.Itoa(project)
		if pr, ok := p.Project(project); ok {
			title = projectTitle(pr) + " · 进展报告 / Progress reports"
		}
	}
	if c.QueryParam("plan") != "" {
		sep := "?"
		if project != 0 {
			sep = "&"
		}
		self += sep + "plan=" + p.ID
	}
	feed := atomFeed{
		ID: id, Title: title, Author: atomPerson{p.IssuedBy},
		Subtitle: "Reports filed by the lead agencies, newest first; retractions shown as such. The plan: " + p.Title,
		Links: []atomLink{
			{Href: self, Rel: "self", Type: mediaAtom},
			{Href: base(c) + "/", Rel: "alternate", Type: "text/html", Title: "the map"},
		},
		Entries: []atomEntry{},
	}
	// With nothing filed yet the feed dates from the plan's issue.
	updated := p.IssuedOn.Time()
	for _, r := range reports {
		feed.Entries = append(feed.Entries, atomEntryOf(c, p, r))
		if t := changed(r); t.After(updated) {
			updated = t
		}
	}
	feed.Updated = atomTime(updated)
	return feed
}

// changed is when a report last changed: its filing or its retraction.
func changed(r domain.Report) time.Time {
	if r.Retraction != nil {
		return r.Retraction.RetractedAt
	}
	return r.FiledAt
}

func projectTitle(pr *domain.Project) string {
	return fmt.Sprintf("%d. %s / %s", pr.Number, pr.Title, pr.TitleEN)
}

func atomEntryOf(c echo.Context, p domain.Plan, r domain.Report) atomEntry {
	target := fmt.Sprintf("project %d", r.Project)
	if pr, ok := p.Project(r.Project); ok {
		target = projectTitle(pr)
	}
	switch {
	case r.Site != "":
		target += " · " + r.Site
	case r.Schedule != "":
		target += " · " + r.Schedule
	}
	status := fmt.Sprintf("%s, %.0f%%", r.Status, r.Progress*100)
	title := target + ": " + status
	summary := []string{fmt.Sprintf("Reported on %s by %s: %s.", r.ReportedOn, r.ReportedBy, status)}
	if r.ExceedsTarget {
		summary = append(summary, "The quantity reported exceeds the plan's target.")
	}
	summary = append(summary, "Source: "+r.Source+".")
	if r.Note != "" {
		summary = append(summary, "Note: "+r.Note)
	}
	e := atomEntry{
		ID: tagID(p, "report/"+strconv.FormatInt(r.ID, 10)), Published: atomTime(r.FiledAt), Updated: atomTime(changed(r)),
		Author: atomPerson{r.ReportedBy},
		Links:  []atomLink{{Href: reportURL(c, r.ID), Rel: "alternate", Type: mediaJSON, Title: "the report"}},
		Categories: []atomCategory{
			{Term: string(r.Status)}, {Term: "project-" + strconv.Itoa(r.Project)},
		},
	}
	if r.EvidenceURL != "" {
		e.Links = append(e.Links, atomLink{Href: r.EvidenceURL, Rel: "related", Title: "evidence"})
	}
	if rt := r.Retraction; rt != nil {
		title = "[已撤回 Retracted] " + title
		summary = append([]string{fmt.Sprintf("Retracted on %s by %s: %s.", rt.RetractedAt.UTC().Format(time.DateOnly), rt.RetractedBy, rt.Reason)}, summary...)
		e.Categories = append(e.Categories, atomCategory{Term: "retracted", Label: "已撤回 Retracted"})
	}
	e.Title, e.Summary = title, strings.Join(summary, " ")
	return e
}
