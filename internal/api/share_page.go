package api

import (
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// sharePage is what the share card's template shows.
type sharePage struct {
	Lang, Locale       string
	Title, Description string
	Image, ImageAlt    string
	URL, Map           string
	Open               string
	W, H               int
}

func (s *server) sharePage(c echo.Context, st shareState) sharePage {
	b := base(c)
	name := planShortName(st.plan, st.lang)
	title := name
	switch {
	case st.title != "":
		title = st.title
	case st.projectTitle != "":
		title = st.projectTitle + " · " + name
	}
	ids := make([]string, len(st.drawn))
	for i, l := range st.drawn {
		ids[i] = l.ID
	}
	img := url.Values{}
	img.Set("center", strconv.FormatFloat(st.lng, 'f', 5, 64)+","+strconv.FormatFloat(st.lat, 'f', 5, 64))
	img.Set("zoom", strconv.FormatFloat(st.zoom, 'f', -1, 64))
	img.Set("size", strconv.Itoa(shareW)+"x"+strconv.Itoa(shareH))
	img.Set("asof", st.date.String())
	img.Set("lang", st.lang)
	img.Set("title", title)
	if st.planParam != "" {
		img.Set("plan", st.planParam)
	}
	if st.status != "" {
		img.Set("status", st.status)
	}
	if st.district.Code != "" {
		img.Set("district", st.district.Code)
	}
	layers := "districts"
	if len(ids) > 0 {
		layers = strings.Join(ids, ",")
	}
	p := sharePage{
		Lang: "zh-CN", Locale: "zh_CN", Title: title, W: shareW, H: shareH,
		Image: b + "/static/" + layers + ".png?" + img.Encode(),
		URL:   b + "/share?" + st.query(),
		Map:   b + "/#" + st.hash(),
		Description: layerTitle(st.drawn, st.lang) + " · 数据日期 " + st.date.String() +
			"。状态按进展报告；尚无报告的不表示未完成。",
		ImageAlt: title + "：地图，数据日期 " + st.date.String(),
		Open:     "打开地图：",
	}
	if st.lang == "en" {
		p.Lang, p.Locale, p.Open = "en", "en_GB", "Open the map: "
		p.Description = layerTitle(st.drawn, "en") + " · data as of " + st.date.String() +
			". Statuses are as reported; no report yet does not mean not done."
		p.ImageAlt = title + ": map, data as of " + st.date.String()
	}
	return p
}

// shareTemplate is the card: the meta tags that link previews read (Open
// Graph, Twitter, and the itemprop ones and first image that WeChat
// reads), then a link and a refresh to the map.
func shareTemplate() *template.Template {
	return template.Must(template.New("share").Parse(`<!doctype html>
<html lang="{{.Lang}}" itemscope itemtype="https://schema.org/WebPage">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<meta name="description" content="{{.Description}}">
<meta property="og:type" content="website">
<meta property="og:site_name" content="projectmap">
<meta property="og:locale" content="{{.Locale}}">
<meta property="og:title" content="{{.Title}}">
<meta property="og:description" content="{{.Description}}">
<meta property="og:image" content="{{.Image}}">
<meta property="og:image:type" content="image/png">
<meta property="og:image:width" content="{{.W}}">
<meta property="og:image:height" content="{{.H}}">
<meta property="og:image:alt" content="{{.ImageAlt}}">
<meta property="og:url" content="{{.URL}}">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:title" content="{{.Title}}">
<meta name="twitter:description" content="{{.Description}}">
<meta name="twitter:image" content="{{.Image}}">
<meta name="twitter:image:alt" content="{{.ImageAlt}}">
<meta itemprop="name" content="{{.Title}}">
<meta itemprop="description" content="{{.Description}}">
<meta itemprop="image" content="{{.Image}}">
<meta http-equiv="refresh" content="0; url={{.Map}}">
<style>.pm-share-img{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}</style>
</head>
<body>
<img class="pm-share-img" src="{{.Image}}" alt="{{.ImageAlt}}" width="{{.W}}" height="{{.H}}">
<p><a href="{{.Map}}">{{.Open}}{{.Title}}</a></p>
</body>
</html>
`))
}
