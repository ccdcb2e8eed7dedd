package storetest

import (
	"os"
	"path/filepath"
	"testing"

	"projectmap/geodata"
	"projectmap/internal/dataset"
)

// The second city of TwoCities: made up, with made-up adcodes (99 is no
// province), in western Yunnan, far from Xi'an. Every text that has an
// English twin has one, so that a store that drops one fails the suite.
const (
	OtherCity = "yunxi"      // the made-up city's id
	OtherPlan = "yunxi-2024" // its plan, issued before Xi'an's: Xi'an stays the latest
)

var otherCityFiles = map[string]string{
	"cities/yunxi/city.json": `{"id": "yunxi", "name": "云溪市", "name_en": "Yunxi", "adcode": "990100"}`,
	"cities/yunxi/districts.geojson": `{"type": "FeatureCollection", "features": [
  {"type": "Feature", "properties": {"adcode": "990101", "name": "东岭区", "name_en": "Dongling District", "population_2020": 120000,
    "precision": "approximate", "source": "测试用的虚构边界", "source_en": "a made-up boundary for tests"},
   "geometry": {"type": "Polygon", "coordinates": [[[100.1, 25.0], [100.2, 25.0], [100.2, 25.1], [100.1, 25.1], [100.1, 25.0]]]}},
  {"type": "Feature", "properties": {"adcode": "990102", "name": "西岭区", "name_en": "Xiling District", "population_2020": 80000,
    "precision": "approximate", "source": "测试用的虚构边界", "source_en": "a made-up boundary for tests"},
   "geometry": {"type": "Polygon", "coordinates": [[[100.0, 25.0], [100.1, 25.0], [100.1, 25.1], [100.0, 25.1], [100.0, 25.0]]]}}
]}`,
	"cities/yunxi/zones.geojson": `{"type": "FeatureCollection", "features": [
  {"type": "Feature", "id": "yunxi-gaoxin", "properties": {"name": "云溪高新区", "name_en": "Yunxi High-tech Zone", "district": "990101",
    "precision": "zone", "source": "测试用的虚构管委会位置", "source_en": "a made-up seat of the zone's committee, for tests"},
   "geometry": {"type": "Point", "coordinates": [100.15, 25.05]}}
]}`,
	"plans/yunxi-2024/plan.json": `{"id": "yunxi-2024", "city_id": "yunxi", "city": "云溪市", "city_en": "Yunxi", "year": 2024,
  "title": "云溪市2024年为民实事(测试用虚构方案)", "title_en": "Yunxi 2024 livelihood projects (a made-up plan for tests)",
  "issued_by": "云溪市人民政府", "issued_by_en": "Yunxi Municipal People's Government", "issued_on": "2024-02-01",
  "time_zone": "Asia/Shanghai", "source": "虚构方案,仅供测试",
  "categories": [{"number": 1, "name": "交通出行", "name_en": "Transport"}],
  "layers": [
    {"id": "districts", "title": "区县", "title_en": "Districts", "description": "云溪市的两个区", "description_en": "The two districts of Yunxi"},
    {"id": "development-zones", "title": "开发区", "title_en": "Development zones", "description": "画在管委会所在地", "description_en": "Drawn at their committees' seats"},
    {"id": "bus-shelters", "project": 1, "title": "公交候车亭", "title_en": "Bus shelters", "description": "新建的候车亭", "description_en": "The new bus shelters"},
    {"id": "bus-shelters-areas", "project": 1, "title": "候车广场", "title_en": "Shelter squares", "description": "候车亭的广场", "description_en": "The shelters' squares", "group": "bus-shelters"},
    {"id": "shelter-quotas", "project": 1, "title": "候车亭任务", "title_en": "Shelter quotas", "description": "各区的任务", "description_en": "Each district's quota", "derived_metric": "shelters"}
  ]}`,
	"plans/yunxi-2024/recipients.json": `[{"id": "yunxi-transport", "kind": "agency", "name": "云溪市交通局", "name_en": "Yunxi Transport Bureau"}]`,
	"plans/yunxi-2024/projects/01.json": `{"plan": "yunxi-2024", "number": 1, "category": 1,
  "title": "新建公交候车亭", "title_en": "New bus shelters", "agencies": ["云溪市交通局"],
  "target": "2024年新建公交候车亭4座。", "target_en": "Build 4 bus shelters in 2024.", "funding": "市级财政", "measures": ["统一设计"],
  "metrics": [{"key": "shelters", "name": "公交候车亭", "name_en": "bus shelters", "unit": "座", "target": 4,
    "note": "虚构的指标说明", "note_en": "a made-up note on the metric"}],
  "schedules": [{"id": "shelters", "name": "候车亭建设", "name_en": "Shelter construction", "metric": "shelters", "milestones": [
    {"start": "2024-01-01", "date": "2024-06-30", "quantities": {"shelters": 2}, "text": "上半年建成2座", "text_en": "2 built by mid-year"},
    {"date": "2024-12-31", "quantities": {"shelters": 4}, "text": "年底全部建成", "text_en": "all built by the year's end"}]}],
  "allocations": [
    {"metric": "shelters", "recipient": "990101", "as_written": "东岭区3座(含高新区1座)", "quantity": 3,
     "note": "虚构的分配说明", "note_en": "a made-up note on the quota",
     "includes": [{"metric": "shelters", "recipient": "yunxi-gaoxin", "as_written": "高新区1座", "quantity": 1}]},
    {"metric": "shelters", "recipient": "990102", "as_written": "西岭区1座", "quantity": 1}],
  "notes": ["虚构方案,仅供测试"], "notes_en": ["a made-up plan, for tests only"]}`,
	"plans/yunxi-2024/layers/bus-shelters.geojson": `{"type": "FeatureCollection", "features": [
  {"type": "Feature", "id": "shelter-dongling-1", "properties": {"project": 1, "name": "东岭路候车亭", "name_en": "Dongling Road shelter",
    "precision": "street", "source": "测试用的虚构位置", "source_en": "a made-up position for tests"},
   "geometry": {"type": "Point", "coordinates": [100.15, 25.03]}},
  {"type": "Feature", "id": "shelter-dongling-2", "properties": {"project": 1, "name": "高新路候车亭", "name_en": "Gaoxin Road shelter",
    "precision": "street", "source": "测试用的虚构位置", "source_en": "a made-up position for tests",
    "attrs": {"note": "虚构的备注", "note_en": "a made-up note"}},
   "geometry": {"type": "Point", "coordinates": [100.17, 25.07]}},
  {"type": "Feature", "id": "shelter-xiling-1", "properties": {"project": 1, "name": "西岭路候车亭", "name_en": "Xiling Road shelter",
    "precision": "street", "source": "测试用的虚构位置", "source_en": "a made-up position for tests"},
   "geometry": {"type": "Point", "coordinates": [100.05, 25.05]}}
]}`,
	"plans/yunxi-2024/layers/bus-shelters-areas.geojson": `{"type": "FeatureCollection", "features": [
  {"type": "Feature", "id": "shelter-square-dongling", "properties": {"project": 1, "name": "东岭候车广场", "name_en": "Dongling shelter square",
    "precision": "approximate", "source": "测试用的虚构位置", "source_en": "a made-up position for tests"},
   "geometry": {"type": "Polygon", "coordinates": [[[100.12, 25.02], [100.13, 25.02], [100.13, 25.03], [100.12, 25.03], [100.12, 25.02]]]}}
]}`,
}

// TwoCitiesDir writes geodata/ with a second, made-up city and its plan
// beside Xi'an into a temporary directory of tb's own, and returns it: a
// directory an operator could serve (projectmap serve --dir).
func TwoCitiesDir(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.CopyFS(dir, geodata.Files); err != nil {
		tb.Fatalf("copying geodata: %v", err)
	}
	for name, body := range otherCityFiles {
		file := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// TwoCities loads TwoCitiesDir.
func TwoCities(tb testing.TB) *dataset.Dataset {
	tb.Helper()
	ds, err := dataset.Load(os.DirFS(TwoCitiesDir(tb)))
	if err != nil {
		tb.Fatalf("loading geodata with a second city: %v", err)
	}
	return ds
}
