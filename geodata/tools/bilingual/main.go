// Command bilingual writes the Chinese and English of the feature sources
// and notes of a geodata directory from a translation table: every
// feature of cities/*/*.geojson and plans/*/layers/*.geojson whose source
// has no source_en gets source = the table's Chinese and source_en = its
// English, and the same for attrs.note and attrs.note_en. Texts that have
// their English already are left alone, so the command can be rerun.
//
//	go run ./geodata/tools/bilingual -table tr-layers.json geodata
//
// The table is a JSON array of {"text": as the data has it now, "zh": …,
// "en": …}. When a text has no entry the command names every such text,
// writes nothing and exits 1.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"projectmap/internal/dataset"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bilingual:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bilingual", flag.ContinueOnError)
	tablePath := fs.String("table", "", "the translation table (JSON array of {text, zh, en})")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *tablePath == "" || fs.NArg() != 1 {
		return fmt.Errorf("usage: bilingual -table TABLE.json GEODATA_DIR")
	}
	table, err := readTable(*tablePath)
	if err != nil {
		return err
	}
	files, err := dataFiles(fs.Arg(0))
	if err != nil {
		return err
	}
	type result struct {
		file    string
		out     []byte
		changed int
	}
	var results []result
	missing := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		out, changed, miss, err := Rewrite(raw, table)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		for _, m := range miss {
			fmt.Fprintf(stdout, "%s: %s: %s has no table entry: %q\n", f, m.Feature, m.Field, m.Text)
		}
		missing += len(miss)
		if changed > 0 {
			results = append(results, result{f, out, changed})
		}
	}
	if missing > 0 {
		return fmt.Errorf("%d texts have no entry in %s; nothing written", missing, *tablePath)
	}
	total := 0
	for _, r := range results {
		info, err := os.Stat(r.file)
		if err != nil {
			return err
		}
		if err := os.WriteFile(r.file, r.out, info.Mode().Perm()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d texts made bilingual\n", r.file, r.changed)
		total += r.changed
	}
	fmt.Fprintf(stdout, "%d texts in %d files made bilingual\n", total, len(results))
	return nil
}

// dataFiles lists the collections whose features carry sources and notes.
func dataFiles(dir string) ([]string, error) {
	var files []string
	for _, pattern := range []string{"cities/*/*.geojson", "plans/*/layers/*.geojson"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s holds no cities/*/*.geojson or plans/*/layers/*.geojson", dir)
	}
	return files, nil
}

// readTable reads the table and refuses one that could write a wrong
// text: an entry without Chinese or English, or one text given twice with
// different translations.
func readTable(name string) (map[string]Entry, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var entries []Entry
	if err := json.Unmarshal(b, &entries); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	table := make(map[string]Entry, len(entries))
	for i, e := range entries {
		switch {
		case e.Text == "" || e.EN == "":
			return nil, fmt.Errorf("%s: entry %d needs text and en", name, i)
		case !dataset.ReadsAsChinese(e.ZH):
			return nil, fmt.Errorf("%s: entry %d: zh %q is not written in Chinese", name, i, e.ZH)
		}
		if prev, dup := table[e.Text]; dup && prev != e {
			return nil, fmt.Errorf("%s: entry %d: text %q given twice with different translations", name, i, e.Text)
		}
		table[e.Text] = e
	}
	return table, nil
}
