package main

import (
	"reflect"
	"strings"
	"testing"
)

// fixtureSections are sections over testdata/xa-fixture.js: a whole loop,
// and a line read backwards, with a renamed station and one past the
// source's end.
var fixtureSections = []Section{
	{Line: "1", LineID: "l-1", Source: "1号线", Loop: true},
	{Line: "2", LineID: "l-2", Source: "2号线", From: "六里", To: "新城•北",
		Aliases: map[string]string{"老街口": "老街"},
		Beyond:  []Estimate{{Name: "七站", Source: "源数据里没有这个站,位置为估计", SourceEN: "not in the source; estimated", MaxKM: 3}}},
}

// fixtureOurs are the stations of testdata/stations.geojson.
var fixtureOurs = []ourStation{
	{0, "s-dongmen", "东门", []string{"1"}},
	{1, "s-nanhu", "南湖(公园)", []string{"1", "2"}},
	{2, "s-ximen", "西门", []string{"1"}},
	{3, "s-beiqiao", "北桥", []string{"1"}},
	{4, "s-xinchengbei", "新城•北", []string{"2"}},
	{5, "s-laojiekou", "老街口", []string{"2"}},
	{6, "s-liuli", "六里", []string{"2"}},
	{7, "s-qizhan", "七站", []string{"2"}},
}

func TestNormName(t *testing.T) {
	for in, want := range map[string]string{
		"西部大道（西太路口）":    "西部大道(西太路口)",
		"西安工大•武德路":      "西安工大·武德路",
		"西安工大・武德路":      "西安工大·武德路",
		" 机场西 (T1、T2) ": "机场西(T1、T2)",
		"井上村":           "井上村",
	} {
		if got := normName(in); got != want {
			t.Errorf("normName(%q) = %q, want %q", in, got, want)
		}
	}
}

func stopIDs(stops []Stop) []string {
	var out []string
	for _, s := range stops {
		id := s.Our.ID
		if s.Estimate != nil {
			id += "*"
		}
		out = append(out, id)
	}
	return out
}

func TestMatch(t *testing.T) {
	src, _ := fixtureSource(t)
	without := func(id string) []ourStation {
		var out []ourStation
		for _, o := range fixtureOurs {
			if o.ID != id {
				out = append(out, o)
			}
		}
		return out
	}
	extra := append(append([]ourStation(nil), fixtureOurs...), ourStation{8, "s-extra", "不存在", []string{"1"}})
	noAlias := fixtureSections[1]
	noAlias.Aliases = nil
	inSource := fixtureSections[1]
	inSource.Beyond = []Estimate{{Name: "老街口", MaxKM: 3}}
	cases := []struct {
		name string
		sec  Section
		ours []ourStation
		want []string
		err  string
	}{
		{"loop", fixtureSections[0], fixtureOurs, []string{"s-dongmen", "s-nanhu", "s-ximen", "s-beiqiao"}, ""},
		{"backwards, alias, estimate", fixtureSections[1], fixtureOurs, []string{"s-liuli", "s-nanhu", "s-laojiekou", "s-xinchengbei", "s-qizhan*"}, ""},
		{"our station not in the source", fixtureSections[0], extra, nil, `our station "不存在" (s-extra) matches no station`},
		{"source station not ours", fixtureSections[0], without("s-ximen"), nil, `source station "西门" (id 2) matches no station of ours`},
		{"name differs, no alias", noAlias, fixtureOurs, nil, `source station "老街" (id 5) matches no station`},
		{"estimate now in the source", inSource, fixtureOurs, nil, "is now in the source"},
		{"estimate missing", fixtureSections[1], without("s-qizhan"), nil, `estimated station "七站" is not a station of ours`},
		{"unknown end", Section{Line: "2", Source: "2号线", From: "六里", To: "九站"}, fixtureOurs, nil, `has no station "九站"`},
		{"unknown line", Section{Line: "3", Source: "3号线", Loop: true}, fixtureOurs, nil, `no line "3号线"`},
		{"not a loop", Section{Line: "2", Source: "2号线", Loop: true}, fixtureOurs, nil, "not a closed loop"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stops, err := Match(c.sec, src, c.ours)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := stopIDs(stops); !reflect.DeepEqual(got, c.want) {
				t.Errorf("stops %v, want %v", got, c.want)
			}
		})
	}
}

// TestSectionsTable checks the real table: each section names its line,
// and the one estimate sits past the end of its section.
func TestSectionsTable(t *testing.T) {
	ids := map[string]bool{}
	for _, s := range Sections {
		if s.Line == "" || s.LineID == "" || s.Source == "" || ids[s.LineID] {
			t.Errorf("section %+v", s)
		}
		ids[s.LineID] = true
		if s.Loop != (s.From == "" && s.To == "") {
			t.Errorf("%s: a loop has no ends, a stretch has both", s.LineID)
		}
		for _, e := range s.Beyond {
			if e.Source == "" || e.SourceEN == "" || e.MaxKM <= 0 {
				t.Errorf("%s: estimate %+v", s.LineID, e)
			}
		}
	}
}
