package basemap

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// ApprovalPlaceholder stands where a 审图号 could not be checked against
// the provider's current publication: a deployment must replace it with
// the number the provider shows today (the approval field of a file entry).
const ApprovalPlaceholder = "审图号：待核实（请按天地图当前公布的审图号填写）"

// TiandituKeyEnv is the environment variable the 天地图 preset reads its
// browser key from.
const TiandituKeyEnv = "PROJECTMAP_TIANDITU_KEY"

const tiandituWMTS = "https://t{s}.tianditu.gov.cn/%s_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=%s&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}"

var tiandituSubdomains = []string{"0", "1", "2", "3", "4", "5", "6", "7"}

// Preset is the named basemap, its key read with getenv; false when no
// preset has that name.
func Preset(name string, getenv func(string) string) (Basemap, bool) {
	switch name {
	case "osm":
		return Basemap{
			ID: "osm", Name: "OpenStreetMap", NameEN: "OpenStreetMap",
			URL:         "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
			Attribution: `&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors`,
			CRS:         WGS84, MaxZoom: 19,
		}, true
	case "tianditu":
		return Basemap{
			ID: "tianditu", Name: "天地图", NameEN: "Tianditu",
			URL: fmt.Sprintf(tiandituWMTS, "vec", "vec"), Subdomains: slices.Clone(tiandituSubdomains),
			Labels:   &Layer{URL: fmt.Sprintf(tiandituWMTS, "cva", "cva"), Subdomains: slices.Clone(tiandituSubdomains)},
			KeyParam: "tk", Key: getenv(TiandituKeyEnv), KeyEnv: TiandituKeyEnv,
			Attribution: `&copy; <a href="https://www.tianditu.gov.cn/">天地图</a> 国家地理信息公共服务平台`,
			Approval:    ApprovalPlaceholder,
			CRS:         WGS84, MaxZoom: 18,
		}, true
	case "amap":
		return Basemap{
			ID: "amap", Name: "高德地图", NameEN: "AMap",
			URL:         "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
			Subdomains:  []string{"1", "2", "3", "4"},
			Attribution: `&copy; <a href="https://www.amap.com/">高德地图</a>`,
			Approval:    "审图号：待核实（请按高德地图当前公布的审图号填写）",
			CRS:         GCJ02, MaxZoom: 18,
		}, true
	}
	return Basemap{}, false
}

// PresetNames lists the presets.
func PresetNames() []string { return []string{"osm", "tianditu", "amap"} }

// Presets builds the comma-separated presets, in order.
func Presets(names string, getenv func(string) string) ([]Basemap, error) {
	var list []Basemap
	for _, n := range strings.Split(names, ",") {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		b, ok := Preset(n, getenv)
		if !ok {
			return nil, fmt.Errorf("%q is no preset: use %s", n, strings.Join(PresetNames(), ", "))
		}
		list = append(list, b)
	}
	return list, nil
}

// Public is the entry as the browser gets it: the key filled into the
// templates (into {key}, else as the key_param query parameter), and
// neither the key nor the name of its variable on their own.
func (b Basemap) Public() Basemap {
	out := b
	t := b.tiles().withKey(b.KeyParam, b.Key)
	out.URL, out.Subdomains = t.URL, t.Subdomains
	if b.Labels != nil {
		l := b.Labels.withKey(b.KeyParam, b.Key)
		out.Labels = &l
	}
	out.Key, out.KeyEnv = "", ""
	out.CRS = b.Datum()
	return out
}

func (l Layer) withKey(param, key string) Layer {
	out := Layer{URL: l.URL, Subdomains: slices.Clone(l.Subdomains)}
	switch {
	case key == "":
	case strings.Contains(l.URL, "{key}"):
		out.URL = strings.ReplaceAll(l.URL, "{key}", url.QueryEscape(key))
	case param != "":
		sep := "?"
		if strings.Contains(l.URL, "?") {
			sep = "&"
		}
		out.URL = l.URL + sep + param + "=" + url.QueryEscape(key)
	}
	return out
}
