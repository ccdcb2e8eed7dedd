package api

import "sync"

// maxPooledBuffer is the largest buffer kept for reuse: a whole layer of
// big polygons is better given back to the collector.
const maxPooledBuffer = 4 << 20

// bufferPool reuses the buffers responses are built and held in. A page
// of 100 features is about 60 KB, encoded once and copied once into the
// buffer its ETag is computed over; allocating both per request made
// the garbage collector the largest cost of a miss, since each cycle
// marks everything a store keeps in memory.
type bufferPool struct{ p sync.Pool }

// get returns an empty buffer of at least n bytes' capacity.
func (bp *bufferPool) get(n int) []byte {
	if b, ok := bp.p.Get().(*[]byte); ok && cap(*b) >= n {
		return (*b)[:0]
	}
	return make([]byte, 0, n)
}

// put gives b back; the caller must not use it (or anything sliced from
// it) afterwards.
func (bp *bufferPool) put(b []byte) {
	if cap(b) == 0 || cap(b) > maxPooledBuffer {
		return
	}
	b = b[:0]
	bp.p.Put(&b)
}
