package postgis

import (
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// TestFirstMatchesIsAPageOfMatches: the bounded selection gives the same
// count and the same first ords as sorting every match.
func TestFirstMatchesIsAPageOfMatches(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	ix := &pointIndex{}
	for i := range 5000 {
		ix.xs = append(ix.xs, rng.Float64())
		ix.ys = append(ix.ys, rng.Float64())
		ix.ords = append(ix.ords, int32(rng.IntN(1_000_000)*5000+i)) // unique, unordered
		ix.projects = append(ix.projects, int32(rng.IntN(3)))
	}
	sort.Sort(byX{ix})
	for _, k := range []int{1, 7, 100, 4999, 10000} {
		for _, project := range []int{0, 2} {
			box := [4]float64{0.2, 0.1, 0.7, 0.9}
			all := ix.matches(box[0], box[1], box[2], box[3], project)
			matched, first := ix.firstMatches(box[0], box[1], box[2], box[3], project, k)
			if matched != len(all) || !slices.Equal(first, all[:min(k, len(all))]) {
				t.Errorf("k %d, project %d: %d matched, %d first; want %d and the first %d of every match", k, project, matched, len(first), len(all), min(k, len(all)))
			}
		}
	}
}

// byX sorts an index by x, as readIndex receives it.
type byX struct{ ix *pointIndex }

func (b byX) Len() int           { return len(b.ix.xs) }
func (b byX) Less(i, j int) bool { return b.ix.xs[i] < b.ix.xs[j] }
func (b byX) Swap(i, j int) {
	ix := b.ix
	ix.xs[i], ix.xs[j] = ix.xs[j], ix.xs[i]
	ix.ys[i], ix.ys[j] = ix.ys[j], ix.ys[i]
	ix.ords[i], ix.ords[j] = ix.ords[j], ix.ords[i]
	ix.projects[i], ix.projects[j] = ix.projects[j], ix.projects[i]
}
