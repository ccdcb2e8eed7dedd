package gcj02

import (
	"math"
	"math/rand"
	"testing"
)

// Reference values computed with the npm package gcoord@1.0.7
// (gcoord.transform(p, gcoord.WGS84, gcoord.GCJ02) and the reverse).
var forwardRefs = []struct {
	name                   string
	wLon, wLat, gLon, gLat float64
}{
	{"xian-brief", 108.9425, 34.2611, 108.9471564346, 34.2595134337},
	{"xian-bell-tower", 108.9402, 34.261, 108.9448501579, 34.2594093947},
	{"beijing", 116.397, 39.908, 116.4032433785, 39.9094033539},
	{"shanghai", 121.4737, 31.2304, 121.4782230593, 31.2284577376},
	{"guangzhou", 113.2644, 23.1291, 113.2697295921, 23.1264233399},
	{"chengdu", 104.0665, 30.5723, 104.0690049057, 30.5698455407},
	{"urumqi", 87.6168, 43.8256, 87.6196499495, 43.8268053931},
	{"harbin", 126.535, 45.8038, 126.5410403502, 45.8057815251},
	{"sanya", 109.512, 18.2528, 109.5160840103, 18.2510944953},
	{"zhouzhi", 108.2, 34.1, 108.2047017183, 34.0985405070},
	{"yanliang", 109.3, 34.7, 109.3051568464, 34.6989070382},
}

// gcoord stops its inverse iteration at a 1e-6° residual, so its inverse
// values carry up to ~1e-6° of error; ours iterate further.
var inverseRefs = []struct {
	name                   string
	gLon, gLat, wLon, wLat float64
}{
	{"xian-brief", 108.94715643, 34.25951343, 108.9425000331, 34.2611000233},
	{"xian-bell-tower", 108.9449, 34.2595, 108.9402497369, 34.2610905099},
	{"beijing", 116.4039, 39.9093, 116.3976562120, 39.9078959564},
	{"shanghai", 121.4692, 31.2288, 121.4646486085, 31.2307184396},
	{"xincheng-cp", 108.960716, 34.266447, 108.9560173114, 34.2680032929},
	{"yanliang-cp", 109.226124, 34.662232, 109.2210509133, 34.6633884055},
	{"zhouzhi-cp", 108.222162, 34.163669, 108.2174883693, 34.1651340498},
	{"shenzhen", 114.0579, 22.5431, 114.0527923436, 22.5458265101},
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestFromWGS84(t *testing.T) {
	for _, c := range forwardRefs {
		t.Run(c.name, func(t *testing.T) {
			lon, lat := FromWGS84(c.wLon, c.wLat)
			if !near(lon, c.gLon, 1e-9) || !near(lat, c.gLat, 1e-9) {
				t.Errorf("FromWGS84(%v, %v) = (%.10f, %.10f), want (%.10f, %.10f)", c.wLon, c.wLat, lon, lat, c.gLon, c.gLat)
			}
		})
	}
}

func TestToWGS84(t *testing.T) {
	for _, c := range forwardRefs {
		t.Run("inverse-of-"+c.name, func(t *testing.T) {
			lon, lat := ToWGS84(c.gLon, c.gLat)
			if !near(lon, c.wLon, 1e-8) || !near(lat, c.wLat, 1e-8) {
				t.Errorf("ToWGS84(%v, %v) = (%.10f, %.10f), want (%v, %v)", c.gLon, c.gLat, lon, lat, c.wLon, c.wLat)
			}
		})
	}
	for _, c := range inverseRefs {
		t.Run("gcoord-"+c.name, func(t *testing.T) {
			lon, lat := ToWGS84(c.gLon, c.gLat)
			if !near(lon, c.wLon, 2e-6) || !near(lat, c.wLat, 2e-6) {
				t.Errorf("ToWGS84(%v, %v) = (%.10f, %.10f), want (%.10f, %.10f) ±2e-6", c.gLon, c.gLat, lon, lat, c.wLon, c.wLat)
			}
		})
	}
}

func TestBriefRoundTrip(t *testing.T) {
	// WGS84 (108.9425, 34.2611) ⇄ GCJ-02 (108.94715643, 34.25951343)
	gLon, gLat := FromWGS84(108.9425, 34.2611)
	if math.Round(gLon*1e8)/1e8 != 108.94715643 || math.Round(gLat*1e8)/1e8 != 34.25951343 {
		t.Errorf("FromWGS84 = (%.8f, %.8f)", gLon, gLat)
	}
	wLon, wLat := ToWGS84(108.94715643, 34.25951343)
	if !near(wLon, 108.9425, 1e-7) || !near(wLat, 34.2611, 1e-7) {
		t.Errorf("ToWGS84 = (%.10f, %.10f)", wLon, wLat)
	}
}

func TestOutOfChina(t *testing.T) {
	cases := []struct {
		name     string
		lon, lat float64
		out      bool
	}{
		{"xian", 108.94, 34.26, false},
		{"beijing", 116.4, 39.9, false},
		{"paris", 2.3522, 48.8566, true},
		{"tokyo", 139.6917, 35.6895, true},
		{"south", 110, 0.5, true},
		{"north", 120, 56, true},
	}
	for _, c := range cases {
		if got := OutOfChina(c.lon, c.lat); got != c.out {
			t.Errorf("%s: OutOfChina(%v, %v) = %v, want %v", c.name, c.lon, c.lat, got, c.out)
		}
		if c.out {
			if lon, lat := FromWGS84(c.lon, c.lat); lon != c.lon || lat != c.lat {
				t.Errorf("%s: FromWGS84 changed a point outside China", c.name)
			}
			if lon, lat := ToWGS84(c.lon, c.lat); lon != c.lon || lat != c.lat {
				t.Errorf("%s: ToWGS84 changed a point outside China", c.name)
			}
		}
	}
}

// TestRoundTrip checks ToWGS84(FromWGS84(p)) == p and
// FromWGS84(ToWGS84(q)) == q to 1e-8° over random points in China.
func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 20000; i++ {
		lon := 73 + r.Float64()*62
		lat := 1 + r.Float64()*54
		gLon, gLat := FromWGS84(lon, lat)
		bLon, bLat := ToWGS84(gLon, gLat)
		if !near(bLon, lon, 1e-8) || !near(bLat, lat, 1e-8) {
			t.Fatalf("round trip WGS→GCJ→WGS of (%v, %v) gave (%v, %v)", lon, lat, bLon, bLat)
		}
		wLon, wLat := ToWGS84(lon, lat)
		fLon, fLat := FromWGS84(wLon, wLat)
		if !near(fLon, lon, 1e-8) || !near(fLat, lat, 1e-8) {
			t.Fatalf("round trip GCJ→WGS→GCJ of (%v, %v) gave (%v, %v)", lon, lat, fLon, fLat)
		}
	}
}

// TestOffsetMagnitude guards against sign or axis mix-ups: the GCJ-02 shift
// in Xi'an is roughly +0.0046° lon and -0.0016° lat.
func TestOffsetMagnitude(t *testing.T) {
	gLon, gLat := FromWGS84(108.9402, 34.2610)
	if d := gLon - 108.9402; d < 0.004 || d > 0.0052 {
		t.Errorf("lon offset %v", d)
	}
	if d := gLat - 34.2610; d > -0.001 || d < -0.0022 {
		t.Errorf("lat offset %v", d)
	}
}
