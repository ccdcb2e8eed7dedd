package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
)

// Version is the envelope version this package writes and reads. A line
// of another version is refused, never dropped: a newer binary wrote it.
const Version = 1

// Record is one entry of the journal: what happened (Type) and its data.
type Record struct {
	Type    string
	Payload json.RawMessage
}

// envelope is a line as written:
//
//	{"v":1,"type":"report.file","crc32c":"1a2b3c4d","payload":{…}}
//
// crc32c is the CRC-32C (Castagnoli) of the type, a NUL byte and the
// payload's bytes exactly as they stand in the line, so that damage to
// either is detected.
type envelope struct {
	V       *int            `json:"v"`
	Type    string          `json:"type"`
	CRC     string          `json:"crc32c"`
	Payload json.RawMessage `json:"payload"`
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func checksum(typ string, payload []byte) string {
	h := crc32.New(castagnoli)
	h.Write([]byte(typ))
	h.Write([]byte{0})
	h.Write(payload)
	return fmt.Sprintf("%08x", h.Sum32())
}

// encodeLine writes r as one line, newline included. The payload is
// compacted first: compact JSON holds no raw newline, so a record is
// always exactly one line.
func encodeLine(r Record) ([]byte, error) {
	if !validType(r.Type) {
		return nil, fmt.Errorf("journal: record type %q: want 1 to 64 of a-z 0-9 . _ -", r.Type)
	}
	var payload bytes.Buffer
	if err := json.Compact(&payload, r.Payload); err != nil {
		return nil, fmt.Errorf("journal: %s payload is not JSON: %w", r.Type, err)
	}
	p := payload.Bytes()
	line := make([]byte, 0, len(p)+len(r.Type)+64)
	line = append(line, `{"v":`...)
	line = strconv.AppendInt(line, Version, 10)
	line = append(line, `,"type":`...)
	line = strconv.AppendQuote(line, r.Type)
	line = append(line, `,"crc32c":"`...)
	line = append(line, checksum(r.Type, p)...)
	line = append(line, `","payload":`...)
	line = append(line, p...)
	line = append(line, "}\n"...)
	return line, nil
}

func validType(t string) bool {
	if t == "" || len(t) > 64 {
		return false
	}
	for _, c := range t {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// errDamaged marks a line that is not what was written: cut short, or
// changed since. Only such a line may be cut off, and only at the tail.
var errDamaged = errors.New("damaged")

// decodeLine reads one line (its newline included). A damaged line gives
// an error wrapping errDamaged; a sound line of another version gives one
// that does not.
func decodeLine(line []byte) (Record, error) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	var e envelope
	if err := json.Unmarshal(line, &e); err != nil {
		return Record{}, fmt.Errorf("%w: not a JSON record: %v", errDamaged, err)
	}
	if e.V == nil || e.Type == "" || e.CRC == "" || len(e.Payload) == 0 {
		return Record{}, fmt.Errorf("%w: not a journal record (v, type, crc32c or payload missing)", errDamaged)
	}
	if *e.V != Version {
		return Record{}, fmt.Errorf("record version %d: this build reads version %d (was the journal written by a newer projectmap?)", *e.V, Version)
	}
	if sum := checksum(e.Type, e.Payload); sum != e.CRC {
		return Record{}, fmt.Errorf("%w: checksum %s, the line says %s", errDamaged, sum, e.CRC)
	}
	return Record{Type: e.Type, Payload: e.Payload}, nil
}
