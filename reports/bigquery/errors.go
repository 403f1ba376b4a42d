package bigquery

import "errors"

var (
	// ErrNotMonday is returned when the week passed to Publish is not a
	// Monday: partitions are named after the week's Monday, and any other
	// day would load the marts into a partition their rows do not fall in.
	ErrNotMonday = errors.New("week is not a Monday")

	// ErrUnsupportedType is returned by Schema for an Arrow type BigQuery
	// cannot hold (a list of lists, a map, a union, …). The mart's SQL must
	// cast the column.
	ErrUnsupportedType = errors.New("arrow type has no BigQuery equivalent")

	// ErrPartitioning is returned when the table exists with a partitioning
	// other than the one the mart needs. Publish will not change it (that
	// means recreating the table); drop the table and re-run, or fix the
	// configuration.
	ErrPartitioning = errors.New("table exists with another partitioning")

	// ErrLoadFailed is returned when BigQuery ran the load job and it failed;
	// the wrapped message carries BigQuery's reason.
	ErrLoadFailed = errors.New("load job failed")
)
