package api

import (
	"context"
	"errors"
	"sync"

	"projectmap/internal/domain"
)

// maxCached bounds the answers kept per data version. Keys are built from
// validated parameters (a plan, a format, two collections), so a version
// holds few; the bound only keeps a bug from growing it without end.
const maxCached = 512

// versionCache keeps answers computed from the plan data alone (the data
// quality report, coverage, nearest) for as long as the store's data
// version stays the same: a version that moves (an import) drops them
// all. Concurrent requests for one missing answer compute it once.
type versionCache struct {
	mu      sync.Mutex
	version int64
	entries map[string]*cacheEntry
}

type cacheEntry struct {
	done chan struct{}
	val  any
	err  error
}

// cachedByVersion returns what compute gives for key at the store's
// current data version, computing it at most once per version. A store
// that keeps no version has every answer computed afresh.
func cachedByVersion[T any](ctx context.Context, s *server, key string, compute func() (T, error)) (T, error) {
	vs, ok := s.cfg.Store.(domain.Versioned)
	if !ok {
		return compute()
	}
	v, err := vs.DataVersion(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	e, leader := s.cache.claim(v, key)
	if e == nil {
		return compute()
	}
	if leader {
		return computeEntry(&s.cache, key, e, compute)
	}
	select {
	case <-e.done:
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
	if e.err != nil {
		// The one computing it failed, perhaps only because its own
		// client left: this request tries for itself.
		return compute()
	}
	return e.val.(T), nil
}

// claim finds the entry for key at version v, or makes one that the
// caller then computes (lead). nil means the cache is full: compute
// without keeping.
func (vc *versionCache) claim(v int64, key string) (e *cacheEntry, lead bool) {
	vc.mu.Lock()
	defer vc.mu.Unlock()
	if vc.entries == nil || vc.version != v {
		vc.version, vc.entries = v, map[string]*cacheEntry{}
	}
	if e := vc.entries[key]; e != nil {
		return e, false
	}
	if len(vc.entries) >= maxCached {
		return nil, false
	}
	e = &cacheEntry{done: make(chan struct{})}
	vc.entries[key] = e
	return e, true
}

// computeEntry computes the entry's value; waiters are released even if compute
// panics.
func computeEntry[T any](vc *versionCache, key string, e *cacheEntry, compute func() (T, error)) (val T, err error) {
	err = errNotComputed
	defer func() { vc.settle(key, e, val, err) }()
	return compute()
}

// errNotComputed is what waiters see when the computation panicked.
var errNotComputed = errors.New("not computed")

// settle records what the lead computed; a failure is not kept.
func (vc *versionCache) settle(key string, e *cacheEntry, val any, err error) {
	e.val, e.err = val, err
	if err != nil {
		vc.mu.Lock()
		if vc.entries[key] == e {
			delete(vc.entries, key)
		}
		vc.mu.Unlock()
	}
	close(e.done)
}

// cacheKey joins the parts of a key unambiguously.
func cacheKey(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p) + 1
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		b = append(b, p...)
		b = append(b, 0)
	}
	return string(b)
}
