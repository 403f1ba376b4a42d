package salesforce

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Query is a parsed SOQL query of the subset the emulator serves.
type Query struct {
	Fields []string
	Object string
	// Where is empty when the query has no WHERE clause.
	Where struct {
		Field string
		Op    string
		Value time.Time
	}
	OrderBy []Order
	Limit   int // 0: none
}

// Order is one ORDER BY term.
type Order struct {
	Field string
	Desc  bool
}

var (
	soqlRE = regexp.MustCompile(`(?is)^\s*SELECT\s+(.+?)\s+FROM\s+([A-Za-z][A-Za-z0-9_]*)` +
		`(?:\s+WHERE\s+([A-Za-z][A-Za-z0-9_]*)\s*(>=|<=|>|<|=)\s*(\S+))?` +
		`(?:\s+ORDER\s+BY\s+(.+?))?(?:\s+LIMIT\s+(\d+))?\s*$`)
	fieldRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
)

// SyntaxError is a query the emulator cannot parse (MALFORMED_QUERY).
type SyntaxError struct{ Msg string }

func (e *SyntaxError) Error() string { return e.Msg }

// ParseSOQL parses q. Errors are *SyntaxError.
func ParseSOQL(q string) (Query, error) {
	var out Query
	m := soqlRE.FindStringSubmatch(q)
	if m == nil {
		return out, &SyntaxError{fmt.Sprintf("unexpected token: the emulator cannot parse %q", truncate(q, 80))}
	}
	for _, f := range strings.Split(m[1], ",") {
		f = strings.TrimSpace(f)
		if !fieldRE.MatchString(f) {
			return out, &SyntaxError{fmt.Sprintf("unexpected token: '%s'", truncate(f, 40))}
		}
		out.Fields = append(out.Fields, f)
	}
	out.Object = m[2]
	if m[3] != "" {
		t, err := parseLiteral(m[5])
		if err != nil {
			return out, &SyntaxError{fmt.Sprintf("line 1:%d no viable alternative at character '%s'", len(q)-len(m[5]), truncate(m[5], 40))}
		}
		out.Where.Field, out.Where.Op, out.Where.Value = m[3], m[4], t
	}
	if m[6] != "" {
		for _, term := range strings.Split(m[6], ",") {
			parts := strings.Fields(term)
			if len(parts) == 0 || len(parts) > 2 || !fieldRE.MatchString(parts[0]) {
				return out, &SyntaxError{fmt.Sprintf("unexpected token: '%s'", truncate(strings.TrimSpace(term), 40))}
			}
			o := Order{Field: parts[0]}
			if len(parts) == 2 {
				switch strings.ToUpper(parts[1]) {
				case "ASC":
				case "DESC":
					o.Desc = true
				default:
					return out, &SyntaxError{fmt.Sprintf("unexpected token: '%s'", truncate(parts[1], 40))}
				}
			}
			out.OrderBy = append(out.OrderBy, o)
		}
	}
	if m[7] != "" {
		n, err := strconv.Atoi(m[7])
		if err != nil || n < 1 {
			return out, &SyntaxError{"LIMIT must be a positive integer"}
		}
		out.Limit = n
	}
	return out, nil
}

// parseLiteral reads a SOQL datetime literal: 2026-11-16T00:00:00Z,
// 2026-11-16T00:00:00+01:00, with optional fractional seconds. Quoted
// values are strings in SOQL, not datetimes, and are refused.
func parseLiteral(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not a datetime literal")
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
