package files

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/socialroi/socialroi/transform"
)

// columnPlan says where each canonical column comes from in one file.
type columnPlan struct {
	// src[i] is the file column of canonical column i, or -1 when missing.
	src []int
	// fill[i] is the default text for a missing column, or "".
	fill []string
	// rowID[i] is the id prefix for a missing column filled with row ids.
	rowID []string
	hasID []bool
	extra []string
}

// planColumns matches the file's column names to the table's schema.
func planColumns(name string, tbl *transform.Table, header []string, o options) (*columnPlan, error) {
	pos := map[string]int{}
	for i, h := range header {
		k := strings.ToLower(strings.TrimSpace(h))
		if k == "" {
			continue
		}
		if j, dup := pos[k]; dup {
			return nil, fmt.Errorf("%s: %w: column %q appears twice (columns %d and %d)", name, ErrFormat, k, j+1, i+1)
		}
		pos[k] = i
	}
	fields := tbl.Schema.Fields()
	p := &columnPlan{
		src:   make([]int, len(fields)),
		fill:  make([]string, len(fields)),
		rowID: make([]string, len(fields)),
		hasID: make([]bool, len(fields)),
	}
	known := map[string]bool{}
	for i, f := range fields {
		known[f.Name] = true
		j, ok := pos[f.Name]
		if ok {
			p.src[i] = j
			continue
		}
		p.src[i] = -1
		if prefix, ok := o.rowIDs[f.Name]; ok {
			if f.Type.ID() != arrow.STRING {
				return nil, fmt.Errorf("%s: row ids for column %s: it is not a string column", name, f.Name)
			}
			p.rowID[i], p.hasID[i] = prefix, true
			continue
		}
		if v, ok := o.defaults[f.Name]; ok {
			p.fill[i] = v
			continue
		}
		if !f.Nullable {
			return nil, fmt.Errorf("%s: %w: %s (table %s needs it)", name, ErrMissingColumn, f.Name, tbl.Name)
		}
	}
	for _, h := range header {
		k := strings.ToLower(strings.TrimSpace(h))
		if !known[k] {
			p.extra = append(p.extra, h)
		}
	}
	return p, nil
}

func (p *columnPlan) logExtra(o options, name, table string) {
	if len(p.extra) > 0 {
		o.logger.Debug("files: ignoring columns that are not in the canonical table",
			"file", name, "table", table, "columns", p.extra)
	}
}
