package files

import (
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/socialroi/socialroi/extract"
	"github.com/socialroi/socialroi/transform"
)

// directParquet reports whether a Parquet file can be handed to the warehouse
// to scan in place (extract.ParquetEmitter): every canonical column is in the
// file with exactly the canonical type (or is optional, not in the file, and
// not given a default), and the file's metadata proves that no required
// column holds a null. It reads only the footer. A file that
// does not qualify is not an error here: it goes through the converting
// reader, which accepts other types and names the row of any bad value.
func directParquet(path, table string, o options) (extract.ParquetFile, bool) {
	if strings.ContainsAny(path, "*?[{") {
		// DuckDB would read the name as a glob
		return extract.ParquetFile{}, false
	}
	tbl, err := transform.Lookup(table)
	if err != nil {
		return extract.ParquetFile{}, false // the reader names the table
	}
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		// the converting reader reports it, with the file's name
		return extract.ParquetFile{}, false
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		return extract.ParquetFile{}, false
	}
	schema, err := fr.Schema()
	if err != nil {
		return extract.ParquetFile{}, false
	}
	header := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		header[i] = f.Name
	}
	plan, err := planColumns(path, tbl, header, o)
	if err != nil {
		return extract.ParquetFile{}, false
	}
	out := extract.ParquetFile{Path: path, Columns: map[string]string{}, Rows: pf.NumRows()}
	md := pf.MetaData()
	for i, f := range tbl.Schema.Fields() {
		j := plan.src[i]
		if j < 0 && f.Nullable && !plan.hasID[i] && plan.fill[i] == "" {
			continue // an optional column the file does not have: NULL
		}
		if j < 0 || !arrow.TypeEqual(schema.Field(j).Type, f.Type) {
			return extract.ParquetFile{}, false
		}
		if !f.Nullable {
			leaf := fr.Manifest.Fields[j]
			if !leaf.IsLeaf() || !noNulls(md, leaf.ColIndex) {
				return extract.ParquetFile{}, false
			}
		}
		out.Columns[f.Name] = header[j]
	}
	plan.logExtra(o, filepath.Base(path), table)
	return out, true
}

// noNulls reports whether the metadata proves column col holds no null: the
// column is required, or every row group's statistics count zero nulls.
func noNulls(md *metadata.FileMetaData, col int) bool {
	if md.Schema.Column(col).MaxDefinitionLevel() == 0 {
		return true
	}
	for rg := range md.NumRowGroups() {
		cc, err := md.RowGroup(rg).ColumnChunk(col)
		if err != nil {
			return false
		}
		if set, err := cc.StatsSet(); err != nil || !set {
			return false
		}
		stats, err := cc.Statistics()
		if err != nil || stats == nil || !stats.HasNullCount() || stats.NullCount() != 0 {
			return false
		}
	}
	return true
}

// DirectParquet reports whether the warehouse can scan a Parquet file in
// place as the named canonical table, and how its columns map, reading only
// the footer (see directParquet). Options are those the file would be read
// with: a default or row id for a column the file lacks rules it out.
func DirectParquet(path, table string, opts ...Option) (extract.ParquetFile, bool) {
	if !isParquet(path) {
		return extract.ParquetFile{}, false
	}
	return directParquet(path, table, newOptions(opts))
}
