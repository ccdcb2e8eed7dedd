package api_test

import (
	"fmt"
	"strings"
	"testing"

	"projectmap/internal/memstore"
	"projectmap/internal/storetest"
)

// benchRaster times a raster URL on the embedded store, uncached: each
// request carries its own v=, so the response cache never answers.
func benchRaster(b *testing.B, path func(i int) string) {
	store := memstore.New(storetest.Dataset(b))
	srv := newServer(b, store)
	layers, err := store.Layers(b.Context(), "xian-2024")
	if err != nil {
		b.Fatal(err)
	}
	var ids []string
	for _, l := range layers {
		ids = append(ids, l.ID)
	}
	all := strings.Join(ids, ",")
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if r := get(b, srv, fmt.Sprintf(path(i), all)); r.status != 200 {
			b.Fatalf("%d %s", r.status, r.body)
		}
	}
}

func BenchmarkStaticMap(b *testing.B) {
	benchRaster(b, func(i int) string {
		return "/static/%s.png?bbox=108.75,34.15,109.15,34.45&size=1200x675&v=" + fmt.Sprint(i)
	})
}

func BenchmarkRasterTile(b *testing.B) {
	benchRaster(b, func(i int) string { return "/tiles/%s/11/1643/816.png?v=" + fmt.Sprint(i) })
}
