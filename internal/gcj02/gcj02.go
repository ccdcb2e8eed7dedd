// Package gcj02 converts coordinates between WGS84 and GCJ-02, the
// obfuscated datum required for maps published in mainland China (used by
// AMap, Tencent maps and the ECharts China maps).
//
// The forward transform (WGS84 → GCJ-02) is the well-known published
// reimplementation of the GB/T "Mars coordinates" offset on the Krasovsky
// 1940 ellipsoid (a = 6378245.0, e² = 0.00669342162296594323), as found in
// e.g. googollee/eviltransform, wandergis/coordtransform and the gcoord npm
// package. There is no closed-form inverse; ToWGS84 inverts the forward
// transform by fixed-point iteration (the same scheme gcoord uses, run to a
// tighter tolerance), which converges to better than 1e-9° in a few steps.
//
// Points outside the China bounding box used by those implementations are
// returned unchanged, as GCJ-02 applies no offset there.
package gcj02

import "math"

// Krasovsky 1940 ellipsoid, as used by GCJ-02.
const (
	a  = 6378245.0              // semi-major axis, metres
	ee = 0.00669342162296594323 // first eccentricity squared
)

// Bounding box outside which GCJ-02 is the identity (same box as gcoord).
const (
	minLon = 72.004
	maxLon = 137.8347
	minLat = 0.8293
	maxLat = 55.8271
)

// inverse iteration parameters
const (
	tolerance = 1e-10 // degrees; residual of the forward transform
	maxIter   = 30
)

// OutOfChina reports whether (lon, lat) lies outside the rough China
// bounding box, where no GCJ-02 offset is applied.
func OutOfChina(lon, lat float64) bool {
	return lon < minLon || lon > maxLon || lat < minLat || lat > maxLat
}

func transformLat(x, y float64) float64 {
	ret := -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	ret += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	ret += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	ret += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	return ret
}

func transformLon(x, y float64) float64 {
	ret := 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	ret += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	ret += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	ret += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	return ret
}

// delta returns the GCJ-02 offset (degrees) to add to a WGS84 point.
func delta(lon, lat float64) (dLon, dLat float64) {
	dLon = transformLon(lon-105.0, lat-35.0)
	dLat = transformLat(lon-105.0, lat-35.0)
	radLat := lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - ee*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLon = (dLon * 180.0) / (a / sqrtMagic * math.Cos(radLat) * math.Pi)
	dLat = (dLat * 180.0) / ((a * (1 - ee)) / (magic * sqrtMagic) * math.Pi)
	return dLon, dLat
}

// FromWGS84 converts a WGS84 (lon, lat) to GCJ-02.
func FromWGS84(lon, lat float64) (float64, float64) {
	if OutOfChina(lon, lat) {
		return lon, lat
	}
	dLon, dLat := delta(lon, lat)
	return lon + dLon, lat + dLat
}

// ToWGS84 converts a GCJ-02 (lon, lat) to WGS84 by iteratively inverting
// FromWGS84: start from the GCJ-02 point and subtract the residual until
// FromWGS84 of the estimate reproduces the input to within 1e-10°. The
// offset varies slowly (its derivative is ~1e-3), so each step gains about
// three orders of magnitude; the result is accurate to well under 1e-7°.
func ToWGS84(lon, lat float64) (float64, float64) {
	if OutOfChina(lon, lat) {
		return lon, lat
	}
	wLon, wLat := lon, lat
	for i := 0; i < maxIter; i++ {
		gLon, gLat := FromWGS84(wLon, wLat)
		dx, dy := gLon-lon, gLat-lat
		if math.Abs(dx) < tolerance && math.Abs(dy) < tolerance {
			break
		}
		wLon -= dx
		wLat -= dy
	}
	return wLon, wLat
}
