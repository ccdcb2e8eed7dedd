package tiles

import (
	"math"
	"strconv"
)

// TileMatrixSetURI names WebMercatorQuad in the OGC definitions register.
const TileMatrixSetURI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"

// TileMatrix is one zoom of a tile matrix set (OGC TMS 2.0 JSON).
type TileMatrix struct {
	ID               string     `json:"id"`
	ScaleDenominator float64    `json:"scaleDenominator"`
	CellSize         float64    `json:"cellSize"`
	CornerOfOrigin   string     `json:"cornerOfOrigin"`
	PointOfOrigin    [2]float64 `json:"pointOfOrigin"`
	TileWidth        int        `json:"tileWidth"`
	TileHeight       int        `json:"tileHeight"`
	MatrixWidth      int        `json:"matrixWidth"`
	MatrixHeight     int        `json:"matrixHeight"`
}

// TileMatrixSet is the OGC TMS 2.0 JSON encoding of a tile matrix set.
type TileMatrixSet struct {
	ID           string       `json:"id"`
	Title        string       `json:"title"`
	URI          string       `json:"uri"`
	CRS          string       `json:"crs"`
	OrderedAxes  []string     `json:"orderedAxes"`
	WellKnown    string       `json:"wellKnownScaleSet"`
	TileMatrices []TileMatrix `json:"tileMatrices"`
}

// WebMercatorQuad is the tile matrix set's document, zooms 0..MaxZoom
// with 256-pixel tiles (0.28 mm pixels, as the standard defines).
func WebMercatorQuad() TileMatrixSet {
	set := TileMatrixSet{
		ID: "WebMercatorQuad", Title: "Google Maps Compatible for the World", URI: TileMatrixSetURI,
		CRS: "http://www.opengis.net/def/crs/EPSG/0/3857", OrderedAxes: []string{"X", "Y"},
		WellKnown: "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
	}
	for z := 0; z <= MaxZoom; z++ {
		cell := 2 * earth / 256 / math.Pow(2, float64(z))
		n := 1 << z
		set.TileMatrices = append(set.TileMatrices, TileMatrix{
			ID: strconv.Itoa(z), CellSize: cell, ScaleDenominator: cell / 0.00028,
			CornerOfOrigin: "topLeft", PointOfOrigin: [2]float64{-earth, earth},
			TileWidth: 256, TileHeight: 256, MatrixWidth: n, MatrixHeight: n,
		})
	}
	return set
}
