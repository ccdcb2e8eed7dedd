package api_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"projectmap/internal/api"
)

// syncBuffer is a log sink the server's goroutines may write at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestLogHasNoSecret: the request log of writes, good and bad, never
// holds a token's secret, not even one pasted into the URL by mistake.
func TestLogHasNoSecret(t *testing.T) {
	var logs syncBuffer
	withLog := func(c *api.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	forEachWritable(t, func(t *testing.T, ls *ledgerServer) {
		body := `{"project":4,"schedule":"charging-piles","reported_on":"2024-09-30","quantity":3200,"source":"台账"}`
		ok := ls.file(t, "reporter4", body, "X-Request-ID", "req-log-test")
		if ok.status != 201 || ok.header.Get("X-Request-ID") != "req-log-test" {
			t.Fatalf("write: %d, X-Request-ID %q", ok.status, ok.header.Get("X-Request-ID"))
		}
		id := decode[filed](t, ok).Reports[0].ID
		ls.file(t, "reporter15", body)                                                   // out of scope
		ls.file(t, "revoked", body)                                                      // revoked
		ls.retract(t, "reporter4", id, `{"reason":"wrong"}`)                             // a retraction
		do(t, ls.Server, http.MethodPost, "/api/tokens", `{"name":"新","role":"editor"}`, // a secret in a response
			"Content-Type", "application/json", "Authorization", "Bearer "+ls.secrets["admin"])
		get(t, ls.Server, "/api/reports?access_token="+ls.secrets["editor"]) // pasted into the URL
		get(t, ls.Server, "/api/audit", "Authorization", "Bearer "+ls.secrets["admin"])
		out := logs.String()
		if !strings.Contains(out, `"request_id":"req-log-test"`) || !strings.Contains(out, `"path":"/api/reports"`) {
			t.Fatalf("the log lacks the requests:\n%s", out)
		}
		for name, secret := range ls.secrets {
			if strings.Contains(out, secret) || strings.Contains(out, secret[3:20]) {
				t.Errorf("the log holds the %s token's secret", name)
			}
		}
		if strings.Contains(out, "pm_") && !strings.Contains(out, "pm_[redacted]") {
			t.Errorf("something like a secret is in the log:\n%s", out)
		}
		// The audit records the write with the request id and address.
		audit := decode[struct {
			Audit []struct {
				Action    string `json:"action"`
				Actor     string `json:"actor"`
				Remote    string `json:"remote"`
				RequestID string `json:"request_id"`
			} `json:"audit"`
		}](t, get(t, ls.Server, "/api/audit", "Authorization", "Bearer "+ls.secrets["admin"]))
		found := false
		for _, e := range audit.Audit {
			if e.RequestID == "req-log-test" {
				found = true
				if e.Action != "report.file" || e.Actor != "reporter4" || e.Remote != "127.0.0.1" {
					t.Errorf("audit entry %+v", e)
				}
			}
		}
		if !found {
			t.Errorf("no audit entry with the request id: %+v", audit)
		}
	}, withLog)
}
