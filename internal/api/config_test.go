package api_test

import (
	"testing"
	"time"

	"projectmap/internal/api"
)

type configResponse struct {
	Today       string  `json:"today"`
	DefaultDate string  `json:"default_date"`
	TimeZone    string  `json:"time_zone"`
	Tolerance   float64 `json:"tolerance"`
	Range       struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"range"`
}

// TestConfigDates: "today" is the city's; once the plan's year is over the
// map opens on its last day; the slider reaches the newest report.
func TestConfigDates(t *testing.T) {
	// 17:00 UTC on New Year's Eve is already 2025 in Xi'an.
	newYear := func(c *api.Config) {
		c.Now = func() time.Time { return time.Date(2024, 12, 31, 17, 0, 0, 0, time.UTC) }
	}
	forEachWritable(t, func(t *testing.T, ls *ledgerServer) {
		cfg := decode[configResponse](t, get(t, ls.Server, "/api/config"))
		if cfg.Today != "2025-01-01" || cfg.DefaultDate != "2024-12-31" || cfg.TimeZone != "Asia/Shanghai" || cfg.Tolerance != 0.1 ||
			cfg.Range.From != "2024-01-01" || cfg.Range.To != "2024-12-31" {
			t.Errorf("config %+v", cfg)
		}
		// Items and projects default to the plan's last day.
		if it := decode[struct {
			AsOf string `json:"asof"`
		}](t, get(t, ls.Server, "/ogc/collections/intersections/items")); it.AsOf != "2024-12-31" {
			t.Errorf("items default to %s", it.AsOf)
		}
		// A report dated on the city's today, in the next year, is allowed
		// and stretches the slider.
		ls.mustFile(t, "reporter3", map[string]any{"project": 23, "reported_on": "2025-01-01", "status": "completed", "source": "年报"})
		if r := ls.file(t, "reporter3", `{"project":23,"reported_on":"2025-01-02","status":"completed","source":"年报"}`); r.status != 422 {
			t.Errorf("a report dated after the city's today: %d", r.status)
		}
		cfg = decode[configResponse](t, get(t, ls.Server, "/api/config"))
		if cfg.Range.To != "2025-01-01" {
			t.Errorf("range %+v after a 2025 report", cfg.Range)
		}
	}, newYear)
}
