package api

import (
	"bytes"
	"encoding/csv"
	"strconv"

	"projectmap/internal/domain"
)

// downloadEncoder writes a download in pieces: its beginning, each page
// and its end, each appended to a buffer that is sent and reused.
type downloadEncoder interface {
	mediaType() string
	ext() string
	begin(b []byte, matched int) ([]byte, error)
	page(b []byte, page domain.SitePage) ([]byte, error)
	end(b []byte, written int) []byte
}

// geojsonDownload writes one FeatureCollection, its count first.
type geojsonDownload struct {
	look    *lookup
	asof    domain.Date
	started bool
	props   []prop
	anys    []any
}

func (g *geojsonDownload) mediaType() string { return mediaGeoJSON }
func (g *geojsonDownload) ext() string       { return "geojson" }

func (g *geojsonDownload) begin(b []byte, matched int) ([]byte, error) {
	b = append(b, `{"type":"FeatureCollection","numberMatched":`...)
	b = strconv.AppendInt(b, int64(matched), 10)
	b = append(b, `,"asof":`...)
	b = appendString(b, g.asof.String())
	return append(b, `,"features":[`...), nil
}

func (g *geojsonDownload) page(b []byte, page domain.SitePage) ([]byte, error) {
	var err error
	for i, site := range page.Sites {
		if g.started {
			b = append(b, ',')
		}
		g.started = true
		f := g.look.featureInto(g.props[:0], g.anys[:0], site, reportAt(page, i), g.asof)
		if b, err = appendFeature(b, f); err != nil {
			return nil, err
		}
		g.props, g.anys = f.props, f.anys
	}
	return b, nil
}

func (g *geojsonDownload) end(b []byte, written int) []byte {
	b = append(b, `],"numberReturned":`...)
	b = strconv.AppendInt(b, int64(written), 10)
	return append(b, "}\n"...)
}

// csvDownload writes a CSV with the columns of the whole selection.
type csvDownload struct {
	look  *lookup
	asof  domain.Date
	attrs []string
	buf   bytes.Buffer
	w     *csv.Writer
}

func newCSVDownload(look *lookup, asof domain.Date, attrs []string) *csvDownload {
	d := &csvDownload{look: look, asof: asof, attrs: attrs}
	d.w = csv.NewWriter(&d.buf)
	return d
}

func (d *csvDownload) mediaType() string { return csvType }
func (d *csvDownload) ext() string       { return "csv" }

func (d *csvDownload) begin(b []byte, matched int) ([]byte, error) {
	if err := writeCSVHeader(d.w, d.attrs); err != nil {
		return nil, err
	}
	return d.flush(append(b, bom...))
}

// flush appends what the CSV writer holds to b.
func (d *csvDownload) flush(b []byte) ([]byte, error) {
	d.w.Flush()
	if err := d.w.Error(); err != nil {
		return nil, err
	}
	b = append(b, d.buf.Bytes()...)
	d.buf.Reset()
	return b, nil
}

func (d *csvDownload) page(b []byte, page domain.SitePage) ([]byte, error) {
	for i, s := range page.Sites {
		if err := d.w.Write(csvRow(d.look, s, reportAt(page, i), d.asof, d.attrs)); err != nil {
			return nil, err
		}
	}
	return d.flush(b)
}

func (d *csvDownload) end(b []byte, written int) []byte { return b }
