// Package files writes marts to plain files: Parquet (the archive, and what
// BigQuery loads) and CSV (for people and tools that want text).
//
// Both writers take an Arrow record reader as the warehouse returns it and
// stream it to disk record by record, so a large ledger never has to fit in
// memory. Both write atomically (reports.WriteAtomic): a failed or cancelled
// write leaves any earlier file at the path untouched. Both return a
// reports.Output with the row count, size and SHA-256 for the run manifest.
//
// Types are kept: Parquet stores the Arrow schema alongside the file, so
// DECIMAL(18,2) money stays a decimal, DATE a date and TIMESTAMPTZ a UTC
// instant when read back (by pqarrow, DuckDB or BigQuery). CSV prints
// decimals exactly at their scale, dates as YYYY-MM-DD, timestamps as
// RFC 3339 and NULL as an empty field.
package files
