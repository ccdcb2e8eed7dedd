package api

import (
	"context"
	"errors"
)

// DefaultMaxRenders is how many images (static maps, raster tiles) are
// drawn at once when Config.MaxRenders is zero: a 4000×4000 static map
// holds 64 MB of pixels, and drawing one keeps a core busy.
const DefaultMaxRenders = 2

// errRendersBusy is a render that found no free slot before its
// request's deadline: 503 with Retry-After, like a shed request.
var errRendersBusy = errors.New("every render slot stayed busy until the request's deadline")

// renderSlots bounds the images drawn at once.
type renderSlots chan struct{}

func newRenderSlots(n int) renderSlots { return make(renderSlots, n) }

// acquire waits for a slot until ctx ends; release gives it back.
func (r renderSlots) acquire(ctx context.Context) (release func(), err error) {
	select {
	case r <- struct{}{}:
		return func() { <-r }, nil
	default:
	}
	select {
	case r <- struct{}{}:
		return func() { <-r }, nil
	case <-ctx.Done():
		return nil, errRendersBusy
	}
}
