// Package files writes marts to plain files: Parquet (the archive, and what
// BigQuery loads) and CSV (for people and tools that want text).
//
// CopyParquet has DuckDB write a query's rows (COPY … TO): that is how the
// pipeline writes the week's marts, since DuckDB encodes in parallel and
// nothing crosses into Go. WriteParquet and WriteCSV take an Arrow record
// reader and stream it to disk record by record, so a large table never
// has to fit in memory; `socialroi generate` writes its canonical files
// that way. Every writer writes atomically (reports.WriteAtomic,
// reports.WriteAtomicFile): a failed or cancelled write leaves any earlier
// file at the path untouched. Each returns a reports.Output with the row
// count, size and SHA-256 for the run manifest.
//
// Types are kept: Parquet's logical types keep DECIMAL(18,2) money a
// decimal, DATE a date and TIMESTAMPTZ a UTC instant when read back (by
// pqarrow, DuckDB or BigQuery); WriteParquet also stores the Arrow schema
// alongside, for the exact Arrow types. CSV prints decimals exactly at
// their scale, dates as YYYY-MM-DD, timestamps as RFC 3339 and NULL as an
// empty field.
package files
