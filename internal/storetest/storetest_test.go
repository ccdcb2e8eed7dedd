package storetest_test

import (
	"testing"

	"projectmap/internal/domain"
	"projectmap/internal/storetest"
)

// TestStores runs the suite on every store there is.
func TestStores(t *testing.T) {
	for _, s := range storetest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			storetest.Run(t, func(*testing.T) domain.Store { return s.Store })
		})
	}
}

// TestLedger runs the ledger suite on every store, each subtest on a
// fresh one: the embedded store on a data directory of its own, PostGIS
// on a scratch database of its own.
func TestLedger(t *testing.T) {
	for _, s := range storetest.Writable(t) {
		t.Run(s.Name, func(t *testing.T) { storetest.RunLedger(t, s.New) })
	}
}

// TestStoresTwoCities runs the suite on every store over geodata/ with a
// second, made-up city beside Xi'an, whose data fills every text that
// has an English twin (TestTwoCitiesTexts): a store that loses a city or
// an English text fails.
func TestStoresTwoCities(t *testing.T) {
	ds := storetest.TwoCities(t)
	for _, s := range storetest.StoresOf(t, ds) {
		t.Run(s.Name, func(t *testing.T) {
			storetest.RunData(t, ds, func(*testing.T) domain.Store { return s.Store })
		})
	}
}

// TestTwoCitiesTexts: the made-up city's data has every field the suite
// must see round-trip, so that TestStoresTwoCities compares each of them.
func TestTwoCitiesTexts(t *testing.T) {
	ds := storetest.TwoCities(t)
	p := ds.Plan(storetest.OtherPlan)
	if p == nil || p.CityID != storetest.OtherCity {
		t.Fatalf("no plan %s of city %s", storetest.OtherPlan, storetest.OtherCity)
	}
	districts, zones := ds.CityDistricts(storetest.OtherCity)
	has := map[string]bool{
		"city":              ds.City(storetest.OtherCity) != nil,
		"District.SourceEN": len(districts) == 2 && districts[0].SourceEN != "",
		"Zone.SourceEN":     len(zones) == 1 && zones[0].SourceEN != "",
	}
	for _, l := range p.Layers {
		has["Layer.DescriptionEN"] = has["Layer.DescriptionEN"] || l.DescriptionEN != ""
		has["Layer.Group"] = has["Layer.Group"] || l.Group != ""
	}
	for _, pr := range p.Projects {
		has["Project.NotesEN"] = has["Project.NotesEN"] || len(pr.NotesEN) > 0
		for _, m := range pr.Metrics {
			has["Metric.NoteEN"] = has["Metric.NoteEN"] || m.NoteEN != ""
		}
		for _, a := range pr.Allocations {
			has["Allocation.NoteEN"] = has["Allocation.NoteEN"] || a.NoteEN != ""
		}
	}
	for _, s := range p.Sites {
		has["Site.SourceEN"] = has["Site.SourceEN"] || s.SourceEN != ""
	}
	for field, ok := range has {
		if !ok {
			t.Errorf("the made-up city's data has no %s", field)
		}
	}
}
