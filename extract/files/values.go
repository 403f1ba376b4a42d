package files

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/transform"
)

var errRequired = errors.New("value is required")

// cellFunc appends one text cell to a column builder. An empty cell is NULL.
type cellFunc func(s string) error

// cellAppender returns the function that parses text cells of a canonical
// column into its builder. The formats are the ones WriteCSV writes, plus the
// usual spreadsheet and database export variants.
func cellAppender(f arrow.Field, b array.Builder, loc *time.Location) (cellFunc, error) {
	null := func() error {
		if !f.Nullable {
			return errRequired
		}
		b.AppendNull()
		return nil
	}
	switch bt := b.(type) {
	case *array.StringBuilder:
		return func(s string) error {
			if s == "" {
				return null()
			}
			bt.Append(s)
			return nil
		}, nil
	case *array.Int64Builder:
		return func(s string) error {
			s = strings.TrimSpace(s)
			if s == "" {
				return null()
			}
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return fmt.Errorf("%q is not an integer", s)
			}
			bt.Append(n)
			return nil
		}, nil
	case *array.Float64Builder:
		return func(s string) error {
			s = strings.TrimSpace(s)
			if s == "" {
				return null()
			}
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return fmt.Errorf("%q is not a number", s)
			}
			bt.Append(x)
			return nil
		}, nil
	case *array.BooleanBuilder:
		return func(s string) error {
			s = strings.TrimSpace(s)
			if s == "" {
				return null()
			}
			v, ok := parseBool(s)
			if !ok {
				return fmt.Errorf("%q is not a boolean (true/false, 1/0, yes/no)", s)
			}
			bt.Append(v)
			return nil
		}, nil
	case *array.Date32Builder:
		return func(s string) error {
			s = strings.TrimSpace(s)
			if s == "" {
				return null()
			}
			t, err := time.Parse(time.DateOnly, s)
			if err != nil {
				return fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
			}
			bt.Append(arrow.Date32FromTime(t))
			return nil
		}, nil
	case *array.TimestampBuilder:
		unit := f.Type.(*arrow.TimestampType).Unit
		if unit != arrow.Microsecond {
			return nil, fmt.Errorf("timestamp unit %s not supported", unit)
		}
		return func(s string) error {
			s = strings.TrimSpace(s)
			if s == "" {
				return null()
			}
			t, ok := parseTimestamp(s, loc)
			if !ok {
				return fmt.Errorf("%q is not a timestamp (RFC 3339, or YYYY-MM-DD HH:MM:SS in %s)", s, loc)
			}
			bt.Append(arrow.Timestamp(t.UnixMicro()))
			return nil
		}, nil
	case *array.Decimal128Builder:
		dt := f.Type.(*arrow.Decimal128Type)
		return func(s string) error {
			s = strings.TrimSpace(s)
			if s == "" {
				return null()
			}
			d, err := decimal.NewFromString(s)
			if err != nil {
				return fmt.Errorf("%q is not a decimal", s)
			}
			n, err := transform.DecimalToArrow(d, dt)
			if err != nil {
				return fmt.Errorf("%q: %w", s, err)
			}
			bt.Append(n)
			return nil
		}, nil
	case *array.ListBuilder:
		vb, ok := bt.ValueBuilder().(*array.StringBuilder)
		if !ok {
			return nil, fmt.Errorf("list type %s not supported", f.Type)
		}
		return func(s string) error {
			if strings.TrimSpace(s) == "" {
				return null()
			}
			items, err := parseList(s)
			if err != nil {
				return err
			}
			bt.Append(true)
			for _, it := range items {
				vb.Append(it)
			}
			return nil
		}, nil
	}
	return nil, fmt.Errorf("column type %s not supported", f.Type)
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "t", "1", "yes", "y":
		return true, true
	case "false", "f", "0", "no", "n":
		return false, true
	}
	return false, false
}

// Timestamp layouts. An offset in the value wins; the rest are wall times in
// the configured zone. Fractional seconds are accepted after the seconds by
// every layout.
var (
	offsetLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05Z0700", "2006-01-02 15:04:05-07"}
	localLayouts  = []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", time.DateOnly}
)

func parseTimestamp(s string, loc *time.Location) (time.Time, bool) {
	for _, l := range offsetLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	for _, l := range localLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseList reads `a|b|c` or a JSON array of strings. Empty items of the pipe
// form are dropped (a trailing `|` is a common export artefact).
func parseList(s string) ([]string, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "[") {
		var items []string
		if err := json.Unmarshal([]byte(t), &items); err != nil {
			return nil, fmt.Errorf("%q is not a JSON array of strings", s)
		}
		return items, nil
	}
	var items []string
	for it := range strings.SplitSeq(t, "|") {
		if it = strings.TrimSpace(it); it != "" {
			items = append(items, it)
		}
	}
	return items, nil
}
