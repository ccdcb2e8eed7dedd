package main

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

func fixtureSource(t *testing.T) (*Source, []byte) {
	t.Helper()
	b, err := os.ReadFile("testdata/xa-fixture.js")
	if err != nil {
		t.Fatal(err)
	}
	src, err := ParseSource(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return src, b
}

func TestParseSource(t *testing.T) {
	src, _ := fixtureSource(t)
	if len(src.Lines) != 2 || len(src.Stations) != 7 {
		t.Fatalf("%d lines, %d stations", len(src.Lines), len(src.Stations))
	}
	l, err := src.Line("2号线")
	if err != nil || !reflect.DeepEqual(l.Stations, []int{4, 5, 1, 6}) {
		t.Errorf("2号线 = %v, %v", l, err)
	}
	// numbers and numeric strings both read as coordinates
	if got := src.Stations[3]; got != (SourceStation{3, "北桥", 34.3, 108.94}) {
		t.Errorf("station 3 = %+v", got)
	}
	if got := src.Stations[1]; got != (SourceStation{1, "南湖（公园）", 34.29, 108.95}) {
		t.Errorf("station 1 = %+v", got)
	}
	if _, err := src.Line("9号线"); err == nil {
		t.Error("unknown line found")
	}
}

func TestParseSourceErrors(t *testing.T) {
	const station = "{ id: 0, name: 'A', lat: '34.3', lng: '108.9' }"
	cases := []struct{ name, in, err string }{
		{"no stationList", "{ lineList: [] }", "no stationList"},
		{"no lineList", "{ stationList: [] }", "no lineList"},
		{"swapped lat and lng", "{ lineList: [], stationList: [ { id: 0, name: 'A', lat: '108.9', lng: '34.3' } ] }", "outside China"},
		{"repeated id", "{ lineList: [], stationList: [ " + station + ", " + station + " ] }", "appears twice"},
		{"unknown station", "{ lineList: [ { name: 'L', stations: [0, 7] } ], stationList: [ " + station + " ] }", "id 7 is not in stationList"},
		{"no name", "{ lineList: [], stationList: [ { id: 0, lat: '34.3', lng: '108.9' } ] }", "no name"},
		{"bad coordinate", "{ lineList: [], stationList: [ { id: 0, name: 'A', lat: 'north', lng: '108.9' } ] }", "lat"},
		{"fractional id", "{ lineList: [], stationList: [ { id: 0.5, name: 'A', lat: '34.3', lng: '108.9' } ] }", "whole number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := ParseSource(c.in); err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("error %v, want one containing %q", err, c.err)
			}
		})
	}
}

func TestDigest(t *testing.T) {
	if Digest([]byte("a\r\nb")) != Digest([]byte("a\nb")) {
		t.Error("CRLF changes the digest")
	}
	_, b := fixtureSource(t)
	if _, ok := KnownVersions[Digest(b)]; ok {
		t.Error("the fixture passes for a MetroMan commit")
	}
}
