package tiles

import (
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
)

// Layer is one layer of a vector tile: its name and its features, whose
// geometry is in tile coordinates already (Cut).
type Layer struct {
	Name     string
	Features []*geojson.Feature
}

// Encode writes layers as a Mapbox Vector Tile (version 2, Extent units).
// Layers without features are left out; no layer at all is an empty
// (zero-byte) tile.
func Encode(layers []Layer) ([]byte, error) {
	var ls mvt.Layers
	for _, l := range layers {
		if len(l.Features) == 0 {
			continue
		}
		ls = append(ls, &mvt.Layer{Name: l.Name, Version: 2, Extent: Extent, Features: l.Features})
	}
	if len(ls) == 0 {
		return []byte{}, nil
	}
	return mvt.Marshal(ls)
}
