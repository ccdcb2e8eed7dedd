package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var testTable = map[string]Entry{
	"town centre, estimated":       {Text: "town centre, estimated", ZH: "画在镇中心,位置为估计", EN: "town centre, estimated"},
	"the plan names 9 of 12":       {Text: "the plan names 9 of 12", ZH: "方案说12个,只列了9个", EN: "the plan names 9 of 12"},
	"位置按两条路的交叉口估计":                 {Text: "位置按两条路的交叉口估计", ZH: "位置按两条路的交叉口估计", EN: "where the two roads cross, estimated"},
	"a \"quoted\" <road> & 1–3 km": {Text: "a \"quoted\" <road> & 1–3 km", ZH: "“引号”里的路,误差1–3公里", EN: "a \"quoted\" <road> & 1–3 km"},
}

// indented is a layer file as the plan layers are written: one property a
// line. The second feature has its English already and stays as it is.
const indented = `{
 "type": "FeatureCollection",
 "features": [
  {
   "type": "Feature",
   "id": "a",
   "geometry": null,
   "properties": {
    "id": "a",
    "name": "甲",
    "source": "town centre, estimated",
    "attrs": {
     "lines": [
      "8"
     ],
     "note": "the plan names 9 of 12"
    }
   }
  },
  {
   "type": "Feature",
   "id": "b",
   "geometry": null,
   "properties": {
    "source": "已有中文",
    "source_en": "already bilingual",
    "attrs": {"note": "已有", "note_en": "done"}
   }
  }
 ]
}
`

const wantIndented = `{
 "type": "FeatureCollection",
 "features": [
  {
   "type": "Feature",
   "id": "a",
   "geometry": null,
   "properties": {
    "id": "a",
    "name": "甲",
    "source": "画在镇中心,位置为估计",
    "source_en": "town centre, estimated",
    "attrs": {
     "lines": [
      "8"
     ],
     "note": "方案说12个,只列了9个",
     "note_en": "the plan names 9 of 12"
    }
   }
  },
  {
   "type": "Feature",
   "id": "b",
   "geometry": null,
   "properties": {
    "source": "已有中文",
    "source_en": "already bilingual",
    "attrs": {"note": "已有", "note_en": "done"}
   }
  }
 ]
}
`

// compact is a city file: one feature a line, no spaces.
const compact = `{"type":"FeatureCollection","features":[
{"type":"Feature","id":"x","properties":{"name":"区","source":"位置按两条路的交叉口估计"},"geometry":{"type":"Point","coordinates":[108.9,34.2]}},
{"type":"Feature","id":"y","properties":{"source":"a \"quoted\" <road> & 1–3 km","name":"乙"},"geometry":{"type":"Point","coordinates":[108.9,34.3]}}
]}
`

const wantCompact = `{"type":"FeatureCollection","features":[
{"type":"Feature","id":"x","properties":{"name":"区","source":"位置按两条路的交叉口估计","source_en":"where the two roads cross, estimated"},"geometry":{"type":"Point","coordinates":[108.9,34.2]}},
{"type":"Feature","id":"y","properties":{"source":"“引号”里的路,误差1–3公里","source_en":"a \"quoted\" <road> & 1–3 km","name":"乙"},"geometry":{"type":"Point","coordinates":[108.9,34.3]}}
]}
`

func TestRewrite(t *testing.T) {
	tests := []struct {
		name, in, want string
		changed        int
	}{
		{"indented", indented, wantIndented, 2},
		{"compact", compact, wantCompact, 2},
		{"already bilingual", wantIndented, wantIndented, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, changed, missing, err := Rewrite([]byte(tt.in), testTable)
			if err != nil {
				t.Fatal(err)
			}
			if len(missing) > 0 {
				t.Errorf("missing %v", missing)
			}
			if changed != tt.changed {
				t.Errorf("changed %d texts, want %d", changed, tt.changed)
			}
			if string(out) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", out, tt.want)
			}
		})
	}
}

func TestRewriteNamesMissing(t *testing.T) {
	in := strings.Replace(indented, "the plan names 9 of 12", "an untranslated note", 1)
	_, _, missing, err := Rewrite([]byte(in), testTable)
	if err != nil {
		t.Fatal(err)
	}
	want := Missing{Feature: "a", Field: "attrs.note", Text: "an untranslated note"}
	if len(missing) != 1 || missing[0] != want {
		t.Errorf("missing = %v, want [%v]", missing, want)
	}
}

// TestRun writes a directory only when every text has an entry.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	layer := filepath.Join(dir, "plans", "p", "layers", "l.geojson")
	city := filepath.Join(dir, "cities", "c", "zones.geojson")
	for f, data := range map[string]string{layer: indented, city: compact} {
		os.MkdirAll(filepath.Dir(f), 0o755)
		if err := os.WriteFile(f, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tablePath := filepath.Join(dir, "table.json")
	var entries []Entry
	for _, e := range testTable {
		entries = append(entries, e)
	}
	write := func(entries []Entry) {
		b, _ := json.Marshal(entries)
		os.WriteFile(tablePath, b, 0o644)
	}

	write(entries[:0]) // an empty table: every text is missing
	var out bytes.Buffer
	if err := run([]string{"-table", tablePath, dir}, &out); err == nil || !strings.Contains(out.String(), "no table entry") {
		t.Fatalf("run with an empty table: err %v, output\n%s", err, &out)
	}
	if b, _ := os.ReadFile(layer); string(b) != indented {
		t.Error("a file was written although texts were missing")
	}

	write(entries)
	out.Reset()
	if err := run([]string{"-table", tablePath, dir}, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, &out)
	}
	for f, want := range map[string]string{layer: wantIndented, city: wantCompact} {
		if b, _ := os.ReadFile(f); string(b) != want {
			t.Errorf("%s:\n%s", f, b)
		}
	}
}

func TestReadTableRefuses(t *testing.T) {
	tests := map[string]string{
		"no Chinese":  `[{"text":"a","zh":"a","en":"a"}]`,
		"English zh":  `[{"text":"a","zh":"凤城八路 near the city centre","en":"a"}]`,
		"no English":  `[{"text":"a","zh":"甲","en":""}]`,
		"two answers": `[{"text":"a","zh":"甲","en":"a"},{"text":"a","zh":"乙","en":"a"}]`,
	}
	for name, table := range tests {
		t.Run(name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "t.json")
			os.WriteFile(f, []byte(table), 0o644)
			if _, err := readTable(f); err == nil {
				t.Error("accepted")
			}
		})
	}
}
