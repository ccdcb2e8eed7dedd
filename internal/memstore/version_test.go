package memstore_test

import (
	"context"
	"testing"

	"projectmap/internal/domain"
)

// A filing moves the version a download checks between its pages.
func TestSitesVersionMovesWithTheLedger(t *testing.T) {
	s := open(t, t.TempDir(), quietly())
	ctx := context.Background()
	before, err := s.SitesVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := s.SitesVersion(ctx); again != before {
		t.Fatalf("version %q, then %q with no write", before, again)
	}
	r := draft(t, domain.ReportDraft{Project: 16, ReportedOn: "2024-06-30", Fraction: f64(0.5)})
	file(t, s, domain.Filing{Reports: []domain.Report{r}, Audit: audit("tok_test")})
	after, err := s.SitesVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after == before {
		t.Errorf("version %q before and after a filing", before)
	}
}
