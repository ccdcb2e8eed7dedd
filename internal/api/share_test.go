package api_test

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// shareCard is what a link preview reads of a /share page.
type shareCard struct {
	meta     map[string]string // by property, name, itemprop or http-equiv
	firstImg string            // src of the body's first <img>
	links    []string          // hrefs of the body's links
	title    string            // <title>
}

func parseShareCard(t *testing.T, body []byte) shareCard {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("not HTML: %v", err)
	}
	card := shareCard{meta: map[string]string{}}
	var walk func(n *html.Node, inBody bool)
	walk = func(n *html.Node, inBody bool) {
		if n.Type == html.ElementNode {
			attr := map[string]string{}
			for _, a := range n.Attr {
				attr[a.Key] = a.Val
			}
			switch n.Data {
			case "body":
				inBody = true
			case "title":
				if n.FirstChild != nil {
					card.title = n.FirstChild.Data
				}
			case "meta":
				for _, k := range []string{"property", "name", "itemprop", "http-equiv"} {
					if attr[k] != "" {
						card.meta[attr[k]] = attr["content"]
					}
				}
			case "img":
				if inBody && card.firstImg == "" {
					card.firstImg = attr["src"]
				}
			case "a":
				card.links = append(card.links, attr["href"])
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inBody)
		}
	}
	walk(doc, false)
	return card
}

func TestShareCard(t *testing.T) {
	for _, st := range testStores(t) {
		t.Run(st.name, func(t *testing.T) {
			srv := newServer(t, st.store)
			for _, c := range []struct {
				name, query string
				title       string // in og:title
				desc        string // in og:description
				mapHash     string // in the map link
				imageHas    []string
			}{
				{"zh view", "map=11/34.30000/108.95000&layers=metro-lines,housing-delivery&date=2024-09-30&lang=zh",
					"西安", "数据日期 2024-09-30", "#map=11/34.30000/108.95000&layers=metro-lines,housing-delivery&date=2024-09-30&lang=zh",
					[]string{"/static/metro-lines,housing-delivery.png?", "center=108.95000%2C34.30000", "zoom=11", "size=1200x630", "asof=2024-09-30", "lang=zh"}},
				{"en project", "map=12.5/34.26/108.94&layers=metro-lines&date=2024-07-01&project=1&lang=en",
					"", "data as of 2024-07-01", "project=1",
					[]string{"zoom=12.5", "lang=en", "asof=2024-07-01"}},
				{"defaults", "", "", "", "#map=10/", []string{"/static/", "zoom=10", "lang=zh"}},
				{"status filter", "map=11/34.3/108.95&layers=metro-lines&status=behind", "", "", "status=behind",
					[]string{"status=behind"}},
				{"group", "map=11/34.3/108.95&layers=charging-piles&lang=zh", "", "", "layers=charging-piles&",
					[]string{"/static/charging-piles,charging-piles-zones.png?"}},
				{"own title", "map=11/34.3/108.95&layers=metro-lines&title=" + url.QueryEscape(`地铁 <b>"新线"</b> & more`),
					`地铁 <b>"新线"</b> & more`, "", "layers=metro-lines", []string{"title=%E5%9C%B0%E9%93%81"}},
			} {
				t.Run(c.name, func(t *testing.T) {
					r := get(t, srv, "/share?"+c.query)
					if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
						t.Fatalf("%d %q: %s", r.status, r.header.Get("Content-Type"), r.body)
					}
					card := parseShareCard(t, r.body)
					m := card.meta
					for _, k := range []string{"og:title", "og:description", "og:image", "og:url", "twitter:card", "twitter:image", "name", "image", "description", "refresh"} {
						if m[k] == "" {
							t.Errorf("no %s meta", k)
						}
					}
					if !strings.Contains(m["og:title"], c.title) || m["name"] != m["og:title"] || card.title != m["og:title"] {
						t.Errorf("titles: og %q, itemprop %q, <title> %q; want %q in them", m["og:title"], m["name"], card.title, c.title)
					}
					if !strings.Contains(m["og:description"], c.desc) || m["description"] != m["og:description"] {
						t.Errorf("description %q (itemprop %q), want %q in it", m["og:description"], m["description"], c.desc)
					}
					if m["twitter:card"] != "summary_large_image" {
						t.Errorf("twitter:card %q", m["twitter:card"])
					}
					img := m["og:image"]
					if !strings.HasPrefix(img, srv.URL+"/static/") || m["image"] != img || m["twitter:image"] != img || card.firstImg != img {
						t.Errorf("og:image %q, itemprop image %q, twitter:image %q, first <img> %q: want one absolute static map URL",
							img, m["image"], m["twitter:image"], card.firstImg)
					}
					for _, want := range c.imageHas {
						if !strings.Contains(img, want) {
							t.Errorf("og:image %q lacks %q", img, want)
						}
					}
					if !strings.HasPrefix(m["og:url"], srv.URL+"/share?") {
						t.Errorf("og:url %q", m["og:url"])
					}
					// On to the map: a link and a refresh to the same view.
					if len(card.links) == 0 || !strings.HasPrefix(card.links[0], srv.URL+"/#") || !strings.Contains(card.links[0], c.mapHash) {
						t.Errorf("links %q, want the map at %q", card.links, c.mapHash)
					} else if m["refresh"] != "0; url="+card.links[0] {
						t.Errorf("refresh %q, want 0; url=%s", m["refresh"], card.links[0])
					}
					// The image answers: a 1200×630 PNG.
					ir := get(t, srv, strings.TrimPrefix(img, srv.URL))
					if ir.status != 200 || ir.header.Get("Content-Type") != "image/png" {
						t.Fatalf("og:image: %d %q %s", ir.status, ir.header.Get("Content-Type"), ir.body)
					}
					if b := decodePNG(t, ir.body).Bounds(); b.Dx() != 1200 || b.Dy() != 630 {
						t.Errorf("og:image is %v, want 1200×630", b)
					}
					// Nothing the query holds reaches the page unescaped.
					if strings.Contains(string(r.body), "<b>") {
						t.Errorf("the title's markup reached the page unescaped")
					}
				})
			}
		})
	}
}

func TestShareCardErrors(t *testing.T) {
	st := testStores(t)[0]
	srv := newServer(t, st.store)
	for _, c := range []struct{ q, param string }{
		{"map=abc", "map"},
		{"map=11/34.3", "map"},
		{"map=23/34.3/108.9", "map"},
		{"map=11/89/108.9", "map"},
		{"map=11/34.3/200", "map"},
		{"map=11/NaN/108.9", "map"},
		{"layers=nosuch", "layers"},
		{"layers=metro-lines,", "layers"},
		{"date=2024-13-01", "date"},
		{"project=9999", "project"},
		{"project=x", "project"},
		{"status=done", "status"},
		{"lang=fr", "lang"},
		{"plan=nosuch", "plan"},
		{"title=" + strings.Repeat("长", 81), "title"},
		{"zoom=3", "zoom"},
	} {
		r := get(t, srv, "/share?"+c.q)
		if r.status != 400 || !strings.Contains(string(r.body), `"param":"`+c.param+`"`) {
			t.Errorf("%s: %d %s, want 400 naming %s", c.q, r.status, r.body, c.param)
		}
	}
}
