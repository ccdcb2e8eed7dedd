package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// siteItem is the OGC item of an old community, a site of project 15.
func siteItem(site string) string {
	return "/ogc/collections/old-communities/items/" + site
}

// itemProps fetches an item's properties, revalidating with etag if given.
func itemProps(t *testing.T, base, path, etag string) (map[string]any, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotModified {
		return nil, etag
	}
	var f struct{ Properties map[string]any }
	if res.StatusCode != 200 || json.NewDecoder(res.Body).Decode(&f) != nil {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	return f.Properties, res.Header.Get("ETag")
}

func siteReportJSON(site, note string, fraction float64) []byte {
	b, _ := json.Marshal(map[string]any{
		"site": site, "reported_on": "2024-09-30", "fraction": fraction,
		"source": "市住建局 2024年9月老旧小区改造台账", "note": note,
	})
	return b
}

// waitVisible polls base until report id and the item's reported fields
// show it, and returns how long that took; it gives up after limit.
func waitVisible(t *testing.T, base, site string, id int64, fraction float64, etag string, limit time.Duration) (time.Duration, bool) {
	t.Helper()
	began := time.Now()
	for time.Since(began) < limit {
		r := get(t, fmt.Sprintf("%s/api/reports/%d", base, id))
		if r.status == 200 {
			props, _ := itemProps(t, base, siteItem(site), etag)
			if props != nil && props["report_id"] == float64(id) && props["reported"] == fraction {
				return time.Since(began), true
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(began), false
}

// TestReplicasSeeEachOthersWrites runs two server processes on one
// PostGIS database, as two replicas behind a load balancer: a report
// filed through either is visible through the other within a second,
// both as itself and in the site's item, whose ETag changes.
func TestReplicasSeeEachOthersWrites(t *testing.T) {
	t.Parallel()
	b := postgisBackend(t)
	_, secret := createToken(t, b, "--name", "市住建局", "--role", "reporter", "--projects", "15")
	// Behind one load balancer: one public URL, so that both build the
	// same links.
	replica := append([]string{"--public-url", "https://map.example.org"}, noLimit...)
	one := startProc(t, b, replica...)
	two := startProc(t, b, replica...)
	for i, c := range []struct {
		from, to *proc
		site     string
	}{{one, two, "old-community-baqiao-dianchangyiqu"}, {two, one, "old-community-baqiao-liulinfang"}} {
		// The reader has the item cached, unreported.
		props, etag := itemProps(t, c.to.base, siteItem(c.site), "")
		if props["status"] != "unreported" || props["report_id"] != nil {
			t.Fatalf("%s before any report: status %v, report_id %v", c.site, props["status"], props["report_id"])
		}
		fraction := 0.25 + 0.5*float64(i)
		r, err := post(c.from.base, "/api/reports", secret, fmt.Sprintf("replica-%d", i), "application/json", siteReportJSON(c.site, "replica test", fraction))
		if err != nil || r.status != 201 {
			t.Fatalf("filing through one replica: %v %s", err, r)
		}
		id := filed(t, r)[0].ID
		took, ok := waitVisible(t, c.to.base, c.site, id, fraction, etag, 1*time.Second)
		if !ok {
			took, ok = waitVisible(t, c.to.base, c.site, id, fraction, etag, 10*time.Second)
			t.Errorf("report %d filed through one replica was not visible through the other within 1 s (seen: %v, after %s)", id, ok, took)
			continue
		}
		t.Logf("report %d visible through the other replica after %s", id, took.Round(time.Millisecond))
		if _, etag2 := itemProps(t, c.to.base, siteItem(c.site), ""); etag2 == etag {
			t.Errorf("the item's ETag did not change with the report: %s", etag)
		}
		// Once seen, never unseen: no stale cached answer comes back.
		for n := range 50 {
			if props, _ := itemProps(t, c.to.base, siteItem(c.site), ""); props["report_id"] != float64(id) {
				t.Fatalf("request %d after the report was seen: report_id %v (a stale cached answer)", n, props["report_id"])
			}
		}
	}
	// Replicas of one build over one database name a response alike, so
	// that a client's ETag holds behind a load balancer.
	for _, path := range []string{siteItem("old-community-baqiao-liulinfang"), "/api/projects/15", "/ogc/collections"} {
		etag1 := get(t, one.base+path).header.Get("ETag")
		etag2 := get(t, two.base+path).header.Get("ETag")
		if etag1 != etag2 || etag1 == "" {
			t.Errorf("%s: ETag %s on one replica, %s on the other", path, etag1, etag2)
		}
	}
	one.stop(t)
	two.stop(t)
}
