package files

import (
	"log/slog"
	"time"
)

// DefaultBatchSize is the most rows one emitted record holds.
const DefaultBatchSize = 64 * 1024

// Option adjusts how files are read.
type Option func(*options)

type options struct {
	loc       *time.Location
	logger    *slog.Logger
	batchSize int
	defaults  map[string]string
	rowIDs    map[string]string
}

func newOptions(opts []Option) options {
	o := options{loc: time.UTC, logger: slog.New(slog.DiscardHandler), batchSize: DefaultBatchSize}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithLocation sets the time zone of timestamps written without an offset
// (default UTC).
func WithLocation(loc *time.Location) Option {
	return func(o *options) {
		if loc != nil {
			o.loc = loc
		}
	}
}

// WithLogger sets the logger for debug messages (ignored columns).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithBatchSize caps the rows per record (default DefaultBatchSize).
func WithBatchSize(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.batchSize = n
		}
	}
}

// WithDefault fills column with value (parsed like a CSV cell) when the file
// lacks the column, so that minimal files work where a caller knows what the
// missing column means, e.g. conversions without a type are purchases.
func WithDefault(column, value string) Option {
	return func(o *options) {
		if o.defaults == nil {
			o.defaults = map[string]string{}
		}
		o.defaults[column] = value
	}
}

// WithRowID fills a missing string column with prefix followed by the row's
// line (CSV) or row number (Parquet), which is unique within the file, e.g.
// touchpoint ids for a file that has none.
func WithRowID(column, prefix string) Option {
	return func(o *options) {
		if o.rowIDs == nil {
			o.rowIDs = map[string]string{}
		}
		o.rowIDs[column] = prefix
	}
}
