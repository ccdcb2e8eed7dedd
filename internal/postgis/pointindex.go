package postgis

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"

	"projectmap/internal/domain"
)

// A layer of points (every site a single, non-empty Point) is kept in
// memory as a small index while the store listens: each site's ord,
// coordinates and project, sorted by x. A page of a bbox query (with a
// project or not; no district or status) then finds its matches, their
// exact count and its page's ords in Go, and the database only reads the
// page's rows by ord: no GiST scan of every match and no sort of them,
// which is what a miss costs in PostgreSQL (measured: 2.3 ms of 3 at
// 100,000 sites). A point intersects a box (ST_Intersects, the boundary
// included) exactly when it lies within its closed bounds, so the answer
// is the database's. The index is built in the background on the first
// query of a layer, for the data version, and dropped with it.
const (
	maxIndexedSites = 2_000_000 // 24 bytes each
	indexTimeout    = time.Minute
)

// pointIndex is one layer's points, sorted by x. A layer small enough
// for the entity cache (maxWarmSites) also keeps each site's id by ord,
// so that a page can be read from that cache (memorypage.go).
type pointIndex struct {
	xs, ys   []float64
	ords     []int32
	projects []int32
	ids      map[int32]string
}

// layerIndexes keeps the point indexes of one data version; nil for a
// layer that is not all points (or too big).
type layerIndexes struct {
	mu       sync.Mutex
	data     int64
	indexes  map[layerRef]*pointIndex
	building map[layerRef]bool
	off      bool // never use the indexes (tests compare with the database's answers)
}

type layerRef struct{ plan, layer string }

// index returns the layer's index at data version v, or nil (not built,
// not all points); the first ask starts building it.
func (s *Store) index(plan, layer string, v int64) *pointIndex {
	c := &s.points
	ref := layerRef{plan, layer}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.indexes == nil || c.data != v {
		if v < c.data {
			return nil // an older version than one already kept
		}
		c.data, c.indexes, c.building = v, map[layerRef]*pointIndex{}, map[layerRef]bool{}
	}
	if ix, ok := c.indexes[ref]; ok {
		return ix
	}
	if !c.building[ref] {
		c.building[ref] = true
		go s.buildIndex(ref, v)
	}
	return nil
}

// buildIndex reads a layer's points and keeps them for data version v,
// unless the version moved meanwhile (the read may be of a later one).
func (s *Store) buildIndex(ref layerRef, v int64) {
	ctx, cancel := context.WithTimeout(context.Background(), indexTimeout)
	defer cancel()
	ix, err := s.readIndex(ctx, ref)
	c := &s.points
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.data != v {
		return
	}
	if err != nil {
		delete(c.building, ref) // try again on a later query
		return
	}
	c.indexes[ref] = ix // nil: not a layer of points
}

func (s *Store) readIndex(ctx context.Context, ref layerRef) (*pointIndex, error) {
	var n int
	var points bool
	if err := s.pool.QueryRow(ctx, layerPointsSQL, ref.plan, ref.layer).Scan(&n, &points); err != nil {
		return nil, err
	}
	if !points || n == 0 || n > maxIndexedSites {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, layerPointIndexSQL, ref.plan, ref.layer)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ix := &pointIndex{xs: make([]float64, 0, n), ys: make([]float64, 0, n), ords: make([]int32, 0, n), projects: make([]int32, 0, n)}
	if n <= maxWarmSites {
		ix.ids = make(map[int32]string, n)
	}
	var ord, project int32
	var x, y float64
	var id string
	for rows.Next() {
		if err := rows.Scan(&ord, &x, &y, &project, &id); err != nil {
			return nil, err
		}
		ix.ords, ix.xs, ix.ys, ix.projects = append(ix.ords, ord), append(ix.xs, x), append(ix.ys, y), append(ix.projects, project)
		if ix.ids != nil {
			ix.ids[ord] = id
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return ix, nil
}

// matches returns the ords of the sites in b (closed) of project (0: any),
// in order.
func (ix *pointIndex) matches(minX, minY, maxX, maxY float64, project int) []int32 {
	lo := sort.SearchFloat64s(ix.xs, minX)
	var out []int32
	for i := lo; i < len(ix.xs) && ix.xs[i] <= maxX; i++ {
		if y := ix.ys[i]; y >= minY && y <= maxY && (project == 0 || int(ix.projects[i]) == project) {
			out = append(out, ix.ords[i])
		}
	}
	slices.Sort(out)
	return out
}

// indexable reports whether a point index can answer q's matches.
func indexable(q domain.SiteQuery) bool {
	return q.BBox != nil && q.District == "" && q.Status == ""
}

// indexedPage is what a point index found for a page: the number
// matched and the ords of the page, in order, in the index of the data
// version named.
type indexedPage struct {
	matched int
	ords    []int32
	ix      *pointIndex
	version int64
}

// indexedPage finds q's matches with the layer's point index, if it has
// one.
func (s *Store) indexedPage(q domain.SiteQuery) (indexedPage, bool) {
	if !indexable(q) || s.points.off {
		return indexedPage{}, false
	}
	v, up := s.ledger.dataVersion()
	if !up {
		return indexedPage{}, false
	}
	ix := s.index(q.Plan, q.Layer, v)
	if ix == nil {
		return indexedPage{}, false
	}
	b := q.BBox
	found := indexedPage{ix: ix, version: v}
	if q.Limit <= 0 {
		all := ix.matches(b.Min[0], b.Min[1], b.Max[0], b.Max[1], q.Project)
		found.matched, found.ords = len(all), all[min(q.Offset, len(all)):]
		return found, true
	}
	matched, first := ix.firstMatches(b.Min[0], b.Min[1], b.Max[0], b.Max[1], q.Project, q.Offset+q.Limit)
	found.matched, found.ords = matched, first[min(q.Offset, len(first)):]
	return found, true
}

// firstMatches counts the sites in b (closed) of project (0: any) and
// returns the k first of them in order: a page needs its own ords only,
// so the rest are counted, not sorted (a bounded max-heap keeps the k
// smallest).
func (ix *pointIndex) firstMatches(minX, minY, maxX, maxY float64, project, k int) (matched int, first []int32) {
	heap := make([]int32, 0, min(k, 1024))
	for i := sort.SearchFloat64s(ix.xs, minX); i < len(ix.xs) && ix.xs[i] <= maxX; i++ {
		if y := ix.ys[i]; y < minY || y > maxY || project != 0 && int(ix.projects[i]) != project {
			continue
		}
		matched++
		switch ord := ix.ords[i]; {
		case len(heap) < k:
			heap = append(heap, ord)
			siftUp(heap, len(heap)-1)
		case ord < heap[0]:
			heap[0] = ord
			siftDown(heap, 0)
		}
	}
	slices.Sort(heap)
	return matched, heap
}

// siftUp and siftDown keep h a max-heap.
func siftUp(h []int32, i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if h[parent] >= h[i] {
			return
		}
		h[parent], h[i] = h[i], h[parent]
		i = parent
	}
}

func siftDown(h []int32, i int) {
	for {
		largest, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && h[l] > h[largest] {
			largest = l
		}
		if r < len(h) && h[r] > h[largest] {
			largest = r
		}
		if largest == i {
			return
		}
		h[i], h[largest] = h[largest], h[i]
		i = largest
	}
}

// AwaitPointIndex waits until the layer's point index is built for the
// current data version and, for a layer small enough, its sites are read
// into memory (memorypage.go), so that a measurement sees the served
// path; it reports false if the layer is not one of points, or ctx ends
// first.
func (s *Store) AwaitPointIndex(ctx context.Context, plan, layer string) bool {
	s.startListening()
	for {
		if v, up := s.ledger.dataVersion(); up {
			if ix := s.index(plan, layer, v); ix != nil {
				if ix.ids != nil {
					s.warm(plan, layer, domain.Date{})
				}
				return s.awaitWarm(ctx)
			}
			c := &s.points
			c.mu.Lock()
			ix, built := c.indexes[layerRef{plan, layer}]
			c.mu.Unlock()
			if built && ix == nil {
				return false
			}
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// awaitWarm waits until no layer is being read into memory; false if ctx
// ends first.
func (s *Store) awaitWarm(ctx context.Context) bool {
	for s.entities.warming.Load() > 0 {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
	return true
}
