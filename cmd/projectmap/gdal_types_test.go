package main

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// gdalGeometryTypes checks that GDAL gives every collection one geometry
// type, the one the collection's metadata states. GDAL's OAPIF driver
// types a layer by its first page of items and lists a layer whose
// features mix types (Polygon beside MultiPolygon included) without one.
func gdalGeometryTypes(gdal func(...string) string, base string) func(t *testing.T) {
	return func(t *testing.T) {
		var doc struct {
			Collections []struct {
				ID           string `json:"id"`
				GeometryType string `json:"geometryType"`
			} `json:"collections"`
		}
		getJSON(t, base+"/ogc/collections", 200, &doc)
		reported := ogrLayerTypes(gdal("-ro", "OAPIF:"+base+"/ogc"))
		if len(reported) != len(doc.Collections) {
			t.Errorf("ogrinfo lists %d layers, the API %d collections", len(reported), len(doc.Collections))
		}
		for _, c := range doc.Collections {
			got, listed := reported[c.ID]
			switch {
			case c.GeometryType == "" || c.GeometryType == "Geometry":
				t.Errorf("%s: the collection states geometryType %q, want one type", c.ID, c.GeometryType)
			case !listed:
				t.Errorf("%s: not listed by ogrinfo", c.ID)
			case got != ogrTypeName(c.GeometryType):
				t.Errorf("%s: ogrinfo reports type %q, the collection states %s", c.ID, got, c.GeometryType)
			}
		}
	}
}

// ogrLayer is a line of ogrinfo's layer list: "3: metro-lines (title: 地铁线路) (Line String)";
// a layer of no single type has no last bracket.
var ogrLayer = regexp.MustCompile(`(?m)^\d+: (\S+)(?: \(title: [^\n]*?\))?(?: \(([A-Za-z ]+)\))?$`)

// ogrLayerTypes maps each layer ogrinfo lists to the type it reports, "" for none.
func ogrLayerTypes(out string) map[string]string {
	types := map[string]string{}
	for _, m := range ogrLayer.FindAllStringSubmatch(out, -1) {
		types[m[1]] = m[2]
	}
	return types
}

// ogrTypeName is how ogrinfo names a GeoJSON geometry type:
// "MultiLineString" is "Multi Line String".
func ogrTypeName(geojson string) string {
	var b strings.Builder
	for i, r := range geojson {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestOGRLayerTypes(t *testing.T) {
	out := "INFO: Open of `OAPIF:http://x/ogc'\n      using driver `OAPIF' successful.\n" +
		"1: districts (title: 区县) (Multi Polygon)\n2: water-areas (title: 汉长安城遗址区)\n" +
		"3: charging-piles-zones (title: 充电桩(开发区)) (Point)\n4: school-partnerships (Multi Line String)\n"
	want := map[string]string{"districts": "Multi Polygon", "water-areas": "", "charging-piles-zones": "Point", "school-partnerships": "Multi Line String"}
	got := ogrLayerTypes(out)
	if len(got) != len(want) {
		t.Errorf("parsed %v, want %v", got, want)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: %q, want %q", id, got[id], w)
		}
	}
	for in, w := range map[string]string{"Point": "Point", "LineString": "Line String", "MultiPolygon": "Multi Polygon"} {
		if got := ogrTypeName(in); got != w {
			t.Errorf("ogrTypeName(%s) = %q, want %q", in, got, w)
		}
	}
}
