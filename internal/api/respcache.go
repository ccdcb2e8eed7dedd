package api

import (
	"container/list"
	"net/http"
	"sync"
)

// DefaultCacheBytes is the response cache's default budget: every layer of
// a plan, in both encodings, several times over.
const DefaultCacheBytes = 64 << 20

// entryOverhead is what an entry costs beside its bodies and key: the
// list element, the map slot and the headers, roughly.
const entryOverhead = 512

// responseCache keeps whole encoded responses, identity and gzip, in
// memory within a byte budget, least recently used out first. Entries are
// keyed by the state version among the rest (see cacheKeyOf), so a
// version that moves makes every older entry unreachable; the cache then
// drops them all at once rather than wait for them to age out.
type responseCache struct {
	budget int64

	mu      sync.Mutex
	version string // the state version the entries belong to
	used    int64
	lru     list.List                // of *cachedResponse, most recent first
	byKey   map[string]*list.Element // key → element of lru
	filling map[string]chan struct{} // keys being computed, closed when done
}

// cachedResponse is one response as it is sent: its headers, its ETag
// (the identity one; the gzip one adds "-gz"), and its bodies.
type cachedResponse struct {
	key      string
	etag     string
	header   http.Header
	identity []byte
	gzip     []byte // nil until a client that takes gzip asks
	// compressible is whether gzip pays: a body long enough, not
	// compressed already.
	compressible bool
}

func (r *cachedResponse) size() int64 {
	return int64(len(r.key)+len(r.identity)+len(r.gzip)) + entryOverhead
}

func newResponseCache(budget int64) *responseCache {
	return &responseCache{budget: budget, byKey: map[string]*list.Element{}, filling: map[string]chan struct{}{}}
}

// observe moves the cache to version v: entries of any other version are
// dropped. Requests see the version move in the order the store reports
// it, so this happens about once per change.
func (rc *responseCache) observe(v string) {
	if rc.version == v {
		return
	}
	rc.version, rc.used = v, 0
	rc.lru.Init()
	clear(rc.byKey)
	// Those filling for the old version finish, but their entries are
	// refused (put checks the version); waiters then compute for
	// themselves.
}

// lookup returns the entry for key at version v, or, if there is none,
// either a channel that closes when another request has computed it
// (wait on it, then look again), or nil: the caller computes it and must
// call done(key) afterwards.
func (rc *responseCache) lookup(v, key string) (hit *cachedResponse, wait <-chan struct{}) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.observe(v)
	if el, ok := rc.byKey[key]; ok {
		rc.lru.MoveToFront(el)
		return el.Value.(*cachedResponse), nil
	}
	if ch, ok := rc.filling[key]; ok {
		return nil, ch
	}
	rc.filling[key] = make(chan struct{})
	return nil, nil
}

// done releases the requests waiting for key.
func (rc *responseCache) done(key string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if ch, ok := rc.filling[key]; ok {
		close(ch)
		delete(rc.filling, key)
	}
}

// put keeps r, computed at version v, unless the version has moved on
// since or r alone would take more than a quarter of the budget. The
// least recently used entries make room.
func (rc *responseCache) put(v string, r *cachedResponse) bool {
	size := r.size()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if v != rc.version || size > rc.budget/4 {
		return false
	}
	if el, ok := rc.byKey[r.key]; ok {
		rc.remove(el)
	}
	for rc.used+size > rc.budget {
		rc.remove(rc.lru.Back())
	}
	rc.byKey[r.key] = rc.lru.PushFront(r)
	rc.used += size
	return true
}

func (rc *responseCache) remove(el *list.Element) {
	r := rc.lru.Remove(el).(*cachedResponse)
	delete(rc.byKey, r.key)
	rc.used -= r.size()
}

// stats reports the bytes used and the entries held.
func (rc *responseCache) stats() (used int64, entries int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.used, rc.lru.Len()
}
