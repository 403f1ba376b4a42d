// Package bigquery publishes the week's marts to BigQuery (DESIGN §6,
// Outputs): one table per mart in the configured dataset, loaded from the
// Parquet files the run already wrote, so the warehouse, the archive and
// BigQuery hold the same bytes.
//
// It is responsible for:
//   - creating the dataset (in the configured location) and each table when
//     missing, with a BigQuery schema derived from the mart's Arrow schema
//     (Schema) and DAY time partitioning on the mart's partition column;
//   - loading each table with one load job per run: a partitioned table is
//     loaded into the decorator `table$YYYYMMDD` of the report week's Monday
//     with WRITE_TRUNCATE, which replaces exactly that partition, so
//     re-running a week replaces it and never duplicates it, and other weeks
//     are untouched; an unpartitioned mart (no week_start column) is
//     replaced whole;
//   - recognising a re-run of the same data: job ids are derived from the
//     dataset, table, week and the file's SHA-256, and a job that already
//     ran with that id and succeeded — and whose table has not been changed
//     since — is taken as done instead of loading again;
//   - returning one reports.Output per table for the run manifest.
//
// # Why ledgers are partitioned by week_start
//
// DESIGN §6 says ledgers are partitioned "by conversion date". A ledger row's
// week_start is the Monday of its conversion's week, so partitioning by
// week_start is partitioning by conversion date at weekly grain. A day
// partition on conversion_ts would spread one run's rows over seven
// partitions; replacing them would take seven loads (one per decorator) or a
// DML statement, and a week whose conversions skip a day would leave that
// day's old rows behind. With week_start, the run's rows are exactly one
// partition, replaced by one load job, like every other mart. Queries by
// conversion date still prune: filter on week_start (or cluster on
// conversion_ts later if the ledgers grow).
//
// # Credentials
//
// config.BigQuery.CredentialsJSON is a service-account key; empty means
// Application Default Credentials. BaseURL points the client elsewhere
// (tests, proxies); without a key it also turns authentication off, which is
// what a local fake server needs. The key is never logged nor put in an
// error.
package bigquery
