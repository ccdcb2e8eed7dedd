package postgis

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"projectmap/internal/domain"
	"projectmap/internal/geomutil"
)

// fuzzKnown is what the fuzzed features may refer to.
var fuzzKnown = map[string]bool{"plan": true, "project/4": true, "project/15": true, "district/610113": true,
	"zone/gaoxin": true, "schedule/4/charging-piles": true}

// parseCollection is the import's parsing without the database: the
// collection read, then every feature checked against fuzzKnown.
func parseCollection(b []byte, meta CollectionMeta) ([]domain.Site, int, error) {
	features, err := readFeatures(strings.NewReader(string(b)))
	if err != nil {
		return nil, 0, err
	}
	sites, err := collectionSites("xian-2024", "fuzzed", features, meta, fuzzKnown)
	return sites, len(features), err
}

// FuzzCollection: a collection that parses gives one site a feature, each
// with a unique, linkable id, a name, a source, a valid precision and a
// valid geometry; one that does not is refused feature by feature, each
// refusal naming its feature (or the file, its type or its features).
func FuzzCollection(f *testing.F) {
	seeds := []string{
		`{"type":"FeatureCollection","features":[{"type":"Feature","id":"pile-1","geometry":{"type":"Point","coordinates":[108.9402,34.2610]},"properties":{"name":"钟楼充电站","piles":12}},` +
			`{"type":"Feature","id":7,"geometry":{"type":"LineString","coordinates":[[108.90,34.20],[108.95,34.25]]},"properties":{"name":"线路","precision":"street","district":"610113","source":"survey"}},` +
			`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[108.93,34.25],[108.95,34.25],[108.95,34.27],[108.93,34.25]]]},"properties":{"name":"片区","project":15,"attrs":{"households":300}}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","geometry":null,"properties":{"name":"x"}},{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[108.94,95]},"properties":{}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","id":"m","geometry":{"type":"Point","coordinates":[108.9,34.2]},"properties":{"name":"m","project":4,"schedule":"charging-piles","milestones":[{"date":"2024-06-30","text":"half"}]}}]}`,
		`{"type":"FeatureCollection","features":[]}`, `{"type":"Feature"}`, `[]`, `{`, ``,
		`{"type":"FeatureCollection","features":[{"type":"Feature","id":"a/b","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"name":"n"}}]}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	meta := CollectionMeta{Project: 4, Precision: domain.PrecisionExact, Source: "register"}
	f.Fuzz(func(t *testing.T, b []byte) {
		sites, n, err := parseCollection(b, meta)
		if err != nil {
			checkCollectionErr(t, err, n)
			return
		}
		if len(sites) != n || n == 0 {
			t.Fatalf("%d sites of %d features", len(sites), n)
		}
		seen := map[string]bool{}
		for i, s := range sites {
			switch {
			case s.ID == "" || len(s.ID) > 200 || strings.ContainsAny(s.ID, "/?#") || seen[s.ID]:
				t.Fatalf("site %d: id %q", i, s.ID)
			case s.Name == "" || s.Source == "" || !s.Precision.Valid():
				t.Fatalf("site %d: name %q, source %q, precision %q", i, s.Name, s.Source, s.Precision)
			case s.Geometry == nil || geomutil.Invalid(s.Geometry) != "":
				t.Fatalf("site %d: geometry %v", i, s.Geometry)
			case s.PlanID != "xian-2024" || s.Layer != "fuzzed" || !fuzzKnown[fmt.Sprintf("project/%d", s.Project)]:
				t.Fatalf("site %d: plan %q, layer %q, project %d", i, s.PlanID, s.Layer, s.Project)
			}
			seen[s.ID] = true
		}
	})
}

// checkCollectionErr fails t unless every error joined in err names the
// feature it is about, or the file, type or features of the collection.
func checkCollectionErr(t *testing.T, err error, features int) {
	t.Helper()
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for i, e := range errs {
		var de *domain.Error
		if !errors.As(e, &de) {
			if i == len(errs)-1 && strings.HasPrefix(e.Error(), "and more:") {
				continue
			}
			t.Fatalf("error %v (%T) names nothing", e, e)
		}
		var k int
		if de.Kind != domain.ErrInvalid || de.Message == "" {
			t.Fatalf("error %v of kind %v", e, de.Kind)
		}
		if _, scanErr := fmt.Sscanf(de.Param, "features[%d]", &k); scanErr == nil && k < features {
			continue
		}
		if features == 0 && (de.Param == "file" || de.Param == "type" || de.Param == "features") {
			continue
		}
		t.Fatalf("error %v names %q (of %d features)", e, de.Param, features)
	}
}
