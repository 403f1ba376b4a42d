// Package files is the source that reads canonical tables from plain CSV or
// Parquet files: CRM or web-analytics exports, hand-made datasets, and the
// files `socialroi demo` writes.
//
// Responsibilities:
//   - the "files" source kind: settings name a path or glob per canonical
//     table; every matching file is read and emitted in the table's canonical
//     Arrow schema, in batches of up to 64k rows;
//   - ReadTable, ReadCSV and ReadParquet for code that reads plain files
//     outside a pipeline run (the `socialroi attribute` command);
//   - WriteCSV and WriteParquet, the inverse, so generated data and tests
//     produce files this package reads back unchanged.
//
// Columns are matched to the canonical schema by name (case-insensitive, in
// any order). Extra columns are ignored, a missing nullable column is NULL,
// a missing required column is an error. Every value that does not fit its
// column is an error naming the file, the line (CSV) or row (Parquet) and the
// column: one bad value fails the file, because a silently skipped order
// would misstate revenue.
//
// The source reads whole files and does not filter by the run's date range:
// canonical tables are upserted on their natural keys, so reading a file
// again is harmless.
package files
