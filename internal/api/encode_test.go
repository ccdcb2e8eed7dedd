package api

import (
	"testing"

	"projectmap/geodata"
	"projectmap/internal/dataset"
)

// appendMilestones must write what encoding/json writes, for every site.
func TestAppendMilestonesMatchesEncodingJSON(t *testing.T) {
	ds, err := dataset.Load(geodata.Files)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range ds.Plans {
		for _, s := range p.Sites {
			if len(s.Milestones) == 0 {
				continue
			}
			n++
			got, err := appendMilestones(nil, s.Milestones)
			if err != nil {
				t.Fatal(err)
			}
			want, err := appendJSON(nil, s.Milestones)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Fatalf("%s:\n got %s\nwant %s", s.ID, got, want)
			}
		}
	}
	if n < 80 {
		t.Errorf("only %d sites with milestones compared", n)
	}
}
