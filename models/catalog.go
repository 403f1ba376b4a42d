package models

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Layers in the order they build. A model may depend on models of its own
// layer or an earlier one, never a later one.
var Layers = []string{"staging", "intermediate", "marts"}

// Model is one SQL file of the project: a SELECT whose result becomes a
// table named after the file; or a GoModel.
type Model struct {
	Name  string   // file name without .sql: the table it builds
	Path  string   // path inside the fs.FS (or go:<name>), for error messages
	Layer string   // staging, intermediate or marts
	SQL   string   // the SELECT; empty for a Go model
	Deps  []string // models it reads, found by name in its SQL
	// Reads are the models it reads directly or through the ephemeral
	// models it reads (which are inlined into it).
	Reads []string
	Go    *GoModel // set for models computed in Go
	// Ephemeral models (a `-- materialized: ephemeral` line) are built as a
	// temporary view for the run: the models that read them inline their
	// query, and nothing is written to the warehouse. For a pass-through
	// step over every touchpoint, writing the table costs more than all
	// the work it saves its readers.
	Ephemeral bool
	// View models (`-- materialized: view`) are kept in the warehouse as a
	// view, computed when read. For a roll-up that reports read one week
	// at a time, that is a week's work instead of all history's on every
	// run. A view is read outside the run too (reports' connections, an
	// analyst's session), so it may read neither parameters (getvariable)
	// nor ephemeral models, which exist only in the run's session.
	View bool
	// Internal marts (`-- output: none`) are building blocks of other marts:
	// reports write the marts layer as files and tables, except these.
	Internal bool
	// Incremental models (`-- materialized: incremental`) are tables that
	// a run updates rather than rebuilds: see Incremental.
	Incremental *Incremental
}

// Incremental says how an incremental model is kept up to date:
//
//	-- materialized: incremental
//	-- unique_key: touchpoint_id
//	-- incremental_input: stg_touchpoints
//
// The key is unique in the input (a natural key, as touchpoint_id), and
// the model's rows for one key are computed from the input's row of that
// key alone, and from what the model reads whole (every other table or
// model it names, and its parameters). A run recomputes only the keys
// whose input row changed since the last build (rows are compared by
// hash, kept in <model>__input_hashes), and rebuilds the whole table when
// anything read whole changed, when its SQL or DuckDB changed, or when
// most rows changed. For the largest per-row step (classifying every
// touchpoint) a weekly run then writes a week of rows, not all history.
//
// Three lines extend it, for models whose keys change with more than
// their input's row:
//
//	-- incremental_follows: int_touchpoints_classified
//
// names an incremental model the model reads, whose key is a column of the
// model's rows (a conversion's path lists its touchpoints). Each run, the
// keys recomputed also include those whose rows held one of its changed
// rows before (the model's table) or hold one now (the model's query over
// just those rows), so a touchpoint restated, gone or new changes the
// paths it was or is on. A model's rows for a key must then depend on the
// followed rows only through rows that name them.
//
// When the input is itself incremental on the same key (the ledger of a
// conversion, from its path), the keys recomputed are those its input
// recomputed in the same run: no hashes are kept.
//
//	-- incremental_refresh: model = 'markov'
//	-- incremental_refresh_reads: int_markov_removal_effects
//
// says the rows matching the condition are computed whole every run, and
// that only they read the relations listed: those change every week (the
// Markov removal effects) without forcing the other rows to be rebuilt.
type Incremental struct {
	Key   string // unique_key: a column of both the input and the model
	Input string // incremental_input: the model whose changed rows are recomputed
	// Follows (incremental_follows) is an incremental model whose changed
	// rows change the keys whose rows name them.
	Follows string
	// FromInput: the input is incremental on the same key, and its
	// recomputed keys are this model's.
	FromInput bool
	// Refresh (incremental_refresh) is a condition on the model's rows:
	// those rows are computed whole every run. RefreshReads are the
	// relations only they read.
	Refresh      string
	RefreshReads []string
	// Check (incremental_check) lists the input's columns its rows are
	// compared by, instead of all of them: see CheckHash.
	Check []string
	// Narrow (incremental_narrow) is a table the input, an ephemeral
	// model, stages one row per key from:
	//
	//	-- incremental_narrow: touchpoints
	//
	// says each of the input's rows comes from that table's row of the same
	// key (with lookups, but no other row of it), so the input's rows of
	// the changed keys are the input's SQL over just those rows of the
	// table. DuckDB applies a key filter on an ephemeral input after
	// computing all of it; on the table it is a scan of the key column.
	// When the run's loads account for every change to the tables the
	// input reads, their keys are the changed keys, and no input row is
	// compared (see loaded.go).
	Narrow string

	// Partition (incremental_partition) makes the model incremental by
	// partition instead of by key: see PartitionedIncrement.
	Partition []string
	// Parts (incremental_input, with a partition) are the relations
	// partitioned like the model; Lookups (incremental_lookup) the ones
	// it looks rows up in by a key.
	Parts   []PartInput
	Lookups []LookupInput
}

// PartInput is an input of a partitioned model: a relation whose rows each
// belong to one partition of the model, or to every partition of their
// values in the partition columns it has.
type PartInput struct {
	Relation string
	// Columns holds, per partition column, the input's column that holds
	// it, or "" when the input has none.
	Columns   []string
	partition []string // the model's partition columns
}

// String is the input's label, as written: relation(column AS partition, …).
func (p PartInput) String() string {
	var cols []string
	for i, c := range p.Columns {
		if c != "" {
			cols = append(cols, c+" AS "+p.partition[i])
		}
	}
	return p.Relation + "(" + strings.Join(cols, ", ") + ")"
}

// LookupInput is a relation a partitioned model looks rows up in by Key,
// a column of every partitioned input.
type LookupInput struct{ Relation, Key string }

func (l LookupInput) String() string { return l.Relation + "." + l.Key }

// PartitionedIncrement documents the second kind of incremental model, for
// weekly marts that aggregate all history:
//
//	-- materialized: incremental
//	-- incremental_partition: week_start, model
//	-- incremental_input: int_attribution_ledger, stg_ad_performance(week_start)
//	-- incremental_lookup: int_ads.ad_id
//
// says the model's rows of one partition (a week_start and model) are
// computed from each input's rows of that partition, from the rows of
// each lookup relation whose key (ad_id) matches one of those rows, and
// from what the model reads whole (every other relation it names, and its
// parameters). An input with all the partition columns is named alone; one
// with some lists them, and `conversion_week AS week_start` names an input
// column that holds a partition column. Its rows then belong to every
// partition with their values in those columns: a week's delivery to each
// model's rows of the week.
//
// A run digests each input per partition and each lookup per key (row
// count and the sum of a hash of every row; once per run for all the
// models that read it), compares the digests with those of the last build
// (kept in <model>__input_hashes), and recomputes the partitions whose
// digest changed, that hold a row whose lookup changed, or that hold a
// row of a partition gone from an input. The inputs are narrowed to the
// rows of those partitions and the model's rows kept to them. As for keyed
// models, the table is rebuilt whole when what it reads whole changed, or
// when the partitions to recompute hold most of its rows. The input's
// partition columns must have the model's column types.
//
// A weekly run then recomputes the new week, the weeks restated, and the
// Markov rows of every week (its removal effects change every week),
// instead of every week and model of history.
const PartitionedIncrement = "incremental_partition"

// partitionLabel names a partitioned model's partition columns, as the
// manifest and logs show them ("week_start, model").
func (inc *Incremental) partitionLabel() string { return strings.Join(inc.Partition, ", ") }

// byRow lists the relations an incremental model compares row by row (or
// partition by partition) rather than reading them whole.
func (inc *Incremental) byRow() []string {
	out := []string{inc.Input}
	for _, p := range inc.Parts {
		out = append(out, p.Relation)
	}
	for _, l := range inc.Lookups {
		out = append(out, l.Relation)
	}
	return out
}

// CheckHash renders the hash an input row of alias is compared by: of the
// whole row, or of the check columns only.
//
//	-- incremental_check: source_row_hash, person_id
//
// says that the input's other columns follow from these, from the input's
// SQL and from its parameters (which the fingerprint then covers). For a
// staging view that normalizes a canonical row (trims, cases, local
// dates), a hash of the canonical row and the resolved person costs a
// fraction of computing every normalized column of every row.
func (inc *Incremental) CheckHash(alias string) string {
	if len(inc.Check) == 0 {
		return "hash(" + alias + ")"
	}
	cols := make([]string, len(inc.Check))
	for i, c := range inc.Check {
		cols[i] = alias + "." + Ident(c)
	}
	return "hash(" + strings.Join(cols, ", ") + ")"
}

// InputHashes names the table that keeps, for every input row of an
// incremental model, the hash of its key and of the row as it was when the
// model's rows for that key were computed.
func (m Model) InputHashes() string { return m.Name + "__input_hashes" }

// GoModel is a model computed in Go, for the few steps where SQL is the
// wrong tool (solving a Markov chain). It reads aggregates the SQL models
// produced (Deps, declared) and writes the table Name through the
// transaction. SQL models that name it depend on it like on any model.
type GoModel struct {
	Name  string
	Layer string
	Deps  []string
	Build func(ctx context.Context, tx *Tx) error
}

// DataTest is one SQL file under tests/: a query returning offending rows.
// Zero rows passes. A `-- severity: warn` line makes failures warnings;
// the default is error. A `-- description: …` line says what it checks.
type DataTest struct {
	Name        string
	Path        string
	SQL         string
	Severity    string
	Description string
}

// Catalog is the parsed SQL project, models in build order.
type Catalog struct {
	Models []Model
	Tests  []DataTest
}

var (
	lineComment  = regexp.MustCompile(`--[^\n]*`)
	blockComment = regexp.MustCompile(`(?s)/\*.*?\*/`)
	annotation   = regexp.MustCompile(`(?m)^--\s*(severity|description):\s*(.+?)\s*$`)
	materialized = regexp.MustCompile(`(?m)^--\s*materialized:\s*(.+?)\s*$`)
	outputLine   = regexp.MustCompile(`(?m)^--\s*output:\s*(.+?)\s*$`)
	uniqueKey    = regexp.MustCompile(`(?m)^--\s*unique_key:\s*(.+?)\s*$`)
	incInput     = regexp.MustCompile(`(?m)^--\s*incremental_input:\s*(.+?)\s*$`)
	incFollows   = regexp.MustCompile(`(?m)^--\s*incremental_follows:\s*(.+?)\s*$`)
	incRefresh   = regexp.MustCompile(`(?m)^--\s*incremental_refresh:\s*(.+?)\s*$`)
	incRefReads  = regexp.MustCompile(`(?m)^--\s*incremental_refresh_reads:\s*(.+?)\s*$`)
	incCheck     = regexp.MustCompile(`(?m)^--\s*incremental_check:\s*(.+?)\s*$`)
	incNarrow    = regexp.MustCompile(`(?m)^--\s*incremental_narrow:\s*(.+?)\s*$`)
	incPartition = regexp.MustCompile(`(?m)^--\s*incremental_partition:\s*(.+?)\s*$`)
	incLookup    = regexp.MustCompile(`(?m)^--\s*incremental_lookup:\s*(.+?)\s*$`)
	identToken   = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)
)

// LoadCatalog reads the models under staging/, intermediate/ and marts/ and
// the data tests under tests/ of fsys, and orders the models so that every
// model builds after the models it reads. Two files with the same name, a
// model reading a later layer, and a dependency cycle are errors naming the
// files involved.
func LoadCatalog(fsys fs.FS, goModels ...GoModel) (*Catalog, error) {
	byName := map[string]*Model{}
	var names []string
	for i := range goModels {
		g := &goModels[i]
		if !slices.Contains(Layers, g.Layer) || g.Build == nil {
			return nil, fmt.Errorf("models: Go model %s needs a layer (%v) and a Build function", g.Name, Layers)
		}
		byName[g.Name] = &Model{Name: g.Name, Path: "go:" + g.Name, Layer: g.Layer, Go: g}
		names = append(names, g.Name)
	}
	for _, layer := range Layers {
		files, err := fs.Glob(fsys, layer+"/*.sql")
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			body, err := fs.ReadFile(fsys, f)
			if err != nil {
				return nil, fmt.Errorf("sql: %s: %w", f, err)
			}
			name := strings.TrimSuffix(path.Base(f), ".sql")
			if prev, dup := byName[name]; dup {
				return nil, fmt.Errorf("sql: model %s is defined twice: %s and %s", name, prev.Path, f)
			}
			if !paramName.MatchString(name) {
				return nil, fmt.Errorf("sql: %s: model names use lower-case letters, digits and _", f)
			}
			m := &Model{Name: name, Path: f, Layer: layer, SQL: strings.TrimSpace(string(body))}
			if mat := materialized.FindStringSubmatch(m.SQL); mat != nil {
				switch mat[1] {
				case "table":
				case "ephemeral":
					m.Ephemeral = true
				case "incremental":
					if part := incPartition.FindStringSubmatch(m.SQL); part != nil {
						inc, err := parsePartitioned(f, m.SQL, part[1])
						if err != nil {
							return nil, err
						}
						m.Incremental = inc
						break
					}
					key, input := uniqueKey.FindStringSubmatch(m.SQL), incInput.FindStringSubmatch(m.SQL)
					if key == nil || input == nil || !paramName.MatchString(key[1]) || !paramName.MatchString(input[1]) {
						return nil, fmt.Errorf("sql: %s: an incremental model needs a `-- unique_key: <column>` and an `-- incremental_input: <model>` line", f)
					}
					m.Incremental = &Incremental{Key: key[1], Input: input[1]}
					if f := incFollows.FindStringSubmatch(m.SQL); f != nil {
						m.Incremental.Follows = f[1]
					}
					if r := incRefresh.FindStringSubmatch(m.SQL); r != nil {
						m.Incremental.Refresh = r[1]
					}
					if c := incCheck.FindStringSubmatch(m.SQL); c != nil {
						for _, col := range strings.Split(c[1], ",") {
							if col = strings.TrimSpace(col); !paramName.MatchString(col) {
								return nil, fmt.Errorf("sql: %s: incremental_check: %q is not a column name", f, col)
							}
							m.Incremental.Check = append(m.Incremental.Check, col)
						}
					}
					if n := incNarrow.FindStringSubmatch(m.SQL); n != nil {
						m.Incremental.Narrow = n[1]
					}
					if r := incRefReads.FindStringSubmatch(m.SQL); r != nil {
						for _, name := range strings.Split(r[1], ",") {
							m.Incremental.RefreshReads = append(m.Incremental.RefreshReads, strings.TrimSpace(name))
						}
					}
				case "view":
					m.View = true
					if strings.Contains(strings.ToLower(stripComments(m.SQL)), "getvariable") {
						return nil, fmt.Errorf("sql: %s: a view cannot read parameters (getvariable): it is read outside the run, where they are not set", f)
					}
				default:
					return nil, fmt.Errorf("sql: %s: materialized: %q (want table, incremental, view or ephemeral)", f, mat[1])
				}
			}
			if out := outputLine.FindStringSubmatch(m.SQL); out != nil {
				if out[1] != "none" || layer != "marts" {
					return nil, fmt.Errorf("sql: %s: output: %q (only a mart can be \"output: none\")", f, out[1])
				}
				m.Internal = true
			}
			byName[name] = m
			names = append(names, name)
		}
	}
	layerRank := map[string]int{}
	for i, l := range Layers {
		layerRank[l] = i
	}
	for _, name := range names {
		m := byName[name]
		if m.Go != nil {
			for _, d := range m.Go.Deps {
				dep, ok := byName[d]
				if !ok {
					return nil, fmt.Errorf("models: Go model %s reads %s, which is not a model", m.Name, d)
				}
				if layerRank[dep.Layer] > layerRank[m.Layer] {
					return nil, fmt.Errorf("models: Go model %s reads %s, which is in a later layer (%s)", m.Name, dep.Path, dep.Layer)
				}
			}
			m.Deps = slices.Sorted(slices.Values(m.Go.Deps))
			continue
		}
		seen := map[string]bool{}
		for _, tok := range identToken.FindAllString(stripComments(m.SQL), -1) {
			tok = strings.ToLower(tok)
			dep, ok := byName[tok]
			if !ok || tok == name || seen[tok] {
				continue
			}
			seen[tok] = true
			if layerRank[dep.Layer] > layerRank[m.Layer] {
				return nil, fmt.Errorf("sql: %s reads %s, which is in a later layer (%s)", m.Path, dep.Path, dep.Layer)
			}
			if m.View && dep.Ephemeral {
				return nil, fmt.Errorf("sql: %s is a view and reads %s, which is ephemeral: it exists only during the run", m.Path, dep.Path)
			}
			m.Deps = append(m.Deps, tok)
		}
		sort.Strings(m.Deps)
	}
	// What a model reads through the ephemeral models it names, which are
	// inlined into it: an incremental model's fingerprint and narrowing
	// look through them.
	var reads func(name string, seen map[string]bool) []string
	reads = func(name string, seen map[string]bool) []string {
		var out []string
		for _, d := range byName[name].Deps {
			if seen[d] {
				continue
			}
			seen[d] = true
			out = append(out, d)
			if byName[d].Ephemeral {
				out = append(out, reads(d, seen)...)
			}
		}
		return out
	}
	for _, name := range names {
		m := byName[name]
		if m.Go != nil {
			continue
		}
		m.Reads = reads(name, map[string]bool{})
		sort.Strings(m.Reads)
		if inc := m.Incremental; inc != nil && inc.Partition != nil {
			for _, rel := range inc.byRow()[1:] {
				if !slices.Contains(m.Reads, rel) {
					return nil, fmt.Errorf("sql: %s: incremental input %s is not a model it reads", m.Path, rel)
				}
			}
			var parts []string
			for _, p := range inc.Parts {
				parts = append(parts, p.Relation)
			}
			for i, rel := range parts {
				if slices.Contains(parts[:i], rel) || slices.ContainsFunc(inc.Lookups, func(l LookupInput) bool { return l.Relation == rel }) {
					return nil, fmt.Errorf("sql: %s: incremental input %s: a model is an input once, and not also a lookup", m.Path, rel)
				}
			}
		} else if inc != nil {
			if !slices.Contains(m.Reads, inc.Input) {
				return nil, fmt.Errorf("sql: %s: incremental_input %s is not a model it reads", m.Path, inc.Input)
			}
			if in := byName[inc.Input]; in.Incremental != nil && in.Incremental.Key == inc.Key {
				inc.FromInput = true
			}
			if inc.Follows != "" {
				f, ok := byName[inc.Follows]
				if !ok || !slices.Contains(m.Reads, inc.Follows) || f.Incremental == nil || inc.FromInput {
					return nil, fmt.Errorf("sql: %s: incremental_follows %s must be an incremental model it reads, and its input must not be incremental on its key", m.Path, inc.Follows)
				}
			}
			if n := inc.Narrow; n != "" {
				in := byName[inc.Input]
				if !in.Ephemeral || !mentions(in.SQL, n) || len(inc.Check) == 0 || inc.Follows != "" || inc.FromInput {
					return nil, fmt.Errorf("sql: %s: incremental_narrow %s: the input must be an ephemeral model that reads it, compared by incremental_check columns, with no incremental_follows and not incremental itself", m.Path, n)
				}
			}
			for _, r := range inc.RefreshReads {
				if _, isModel := byName[r]; inc.Refresh == "" || (isModel && !slices.Contains(m.Reads, r)) {
					return nil, fmt.Errorf("sql: %s: incremental_refresh_reads %s: it needs an incremental_refresh condition, and a model listed must be one it reads", m.Path, r)
				}
			}
		}
	}
	order, err := topoSort(names, byName, layerRank)
	if err != nil {
		return nil, err
	}
	cat := &Catalog{}
	for _, n := range order {
		cat.Models = append(cat.Models, *byName[n])
	}

	tests, err := fs.Glob(fsys, "tests/*.sql")
	if err != nil {
		return nil, err
	}
	for _, f := range tests {
		body, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("sql: %s: %w", f, err)
		}
		t := DataTest{Name: strings.TrimSuffix(path.Base(f), ".sql"), Path: f, SQL: strings.TrimSpace(string(body)), Severity: "error"}
		for _, m := range annotation.FindAllStringSubmatch(t.SQL, -1) {
			switch m[1] {
			case "severity":
				t.Severity = strings.ToLower(m[2])
			case "description":
				t.Description = m[2]
			}
		}
		if t.Severity != "error" && t.Severity != "warn" {
			return nil, fmt.Errorf("sql: %s: severity must be error or warn, got %q", f, t.Severity)
		}
		cat.Tests = append(cat.Tests, t)
	}
	return cat, nil
}

// parsePartitioned reads the lines of a partitioned incremental model
// (PartitionedIncrement) of file f.
func parsePartitioned(f, sql, partition string) (*Incremental, error) {
	inc := &Incremental{}
	bad := uniqueKey.MatchString(sql) || incFollows.MatchString(sql) || incRefresh.MatchString(sql) ||
		incCheck.MatchString(sql) || incNarrow.MatchString(sql) || incRefReads.MatchString(sql)
	for _, c := range strings.Split(partition, ",") {
		c = strings.TrimSpace(c)
		bad = bad || !paramName.MatchString(c) || slices.Contains(inc.Partition, c)
		inc.Partition = append(inc.Partition, c)
	}
	if m := incInput.FindStringSubmatch(sql); m != nil {
		for _, item := range splitTopLevel(m[1]) {
			p, ok := parsePartInput(item, inc.Partition)
			bad = bad || !ok
			inc.Parts = append(inc.Parts, p)
		}
	}
	if m := incLookup.FindStringSubmatch(sql); m != nil {
		for _, item := range strings.Split(m[1], ",") {
			rel, key, _ := strings.Cut(strings.TrimSpace(item), ".")
			bad = bad || !paramName.MatchString(rel) || !paramName.MatchString(key)
			inc.Lookups = append(inc.Lookups, LookupInput{Relation: rel, Key: key})
		}
	}
	if bad || len(inc.Parts) == 0 {
		return nil, fmt.Errorf("sql: %s: a partitioned incremental model needs `-- incremental_partition: <column>, …`, "+
			"`-- incremental_input: <model>[(<column> [AS <partition column>], …)], …` and optionally `-- incremental_lookup: <model>.<key>, …`, "+
			"and none of unique_key, incremental_follows, incremental_refresh, incremental_check or incremental_narrow", f)
	}
	return inc, nil
}

// parsePartInput reads one input of incremental_input: a relation alone
// (it has every partition column), or with the partition columns it has.
func parsePartInput(item string, partition []string) (PartInput, bool) {
	p := PartInput{Columns: make([]string, len(partition)), partition: partition}
	rel, cols, listed := strings.Cut(strings.TrimSpace(item), "(")
	p.Relation = strings.TrimSpace(rel)
	if !listed {
		copy(p.Columns, partition)
		return p, paramName.MatchString(p.Relation)
	}
	cols, closed := strings.CutSuffix(strings.TrimSpace(cols), ")")
	ok := closed && paramName.MatchString(p.Relation)
	for _, c := range strings.Split(cols, ",") {
		f := strings.Fields(c)
		col, part := "", ""
		switch {
		case len(f) == 1:
			col, part = f[0], f[0]
		case len(f) == 3 && strings.EqualFold(f[1], "AS"):
			col, part = f[0], f[2]
		}
		i := slices.Index(partition, part)
		if i < 0 || !paramName.MatchString(col) || p.Columns[i] != "" {
			return p, false
		}
		p.Columns[i] = col
	}
	return p, ok
}

// splitTopLevel splits s at the commas outside parentheses.
func splitTopLevel(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// Upstream is the part of the catalog that builds the named models: them
// and every model they read, directly or through others, in build order,
// without the data tests. A name the catalog lacks is an error.
func (c *Catalog) Upstream(names ...string) (*Catalog, error) {
	byName := map[string]Model{}
	for _, m := range c.Models {
		byName[m.Name] = m
	}
	need := map[string]bool{}
	var visit func(name string) error
	visit = func(name string) error {
		m, ok := byName[name]
		if !ok {
			return fmt.Errorf("models: no model %s in the catalog", name)
		}
		if need[name] {
			return nil
		}
		need[name] = true
		for _, d := range m.Deps {
			if err := visit(d); err != nil {
				return err
			}
		}
		return nil
	}
	for _, name := range names {
		if err := visit(name); err != nil {
			return nil, err
		}
	}
	out := &Catalog{}
	for _, m := range c.Models {
		if need[m.Name] {
			out.Models = append(out.Models, m)
		}
	}
	return out, nil
}

// model is the catalog's model of that name; the zero Model if none.
func (c *Catalog) model(name string) Model {
	for _, m := range c.Models {
		if m.Name == name {
			return m
		}
	}
	return Model{}
}

func stripComments(s string) string {
	return lineComment.ReplaceAllString(blockComment.ReplaceAllString(s, " "), " ")
}

// topoSort orders models so that dependencies come first; among models that
// are ready at the same time, earlier layers and then names go first, so the
// order is stable.
func topoSort(names []string, byName map[string]*Model, layerRank map[string]int) ([]string, error) {
	indeg := map[string]int{}
	users := map[string][]string{}
	for _, n := range names {
		indeg[n] += 0
		for _, d := range byName[n].Deps {
			indeg[n]++
			users[d] = append(users[d], n)
		}
	}
	less := func(a, b string) bool {
		la, lb := layerRank[byName[a].Layer], layerRank[byName[b].Layer]
		if la != lb {
			return la < lb
		}
		return a < b
	}
	var ready, order []string
	for _, n := range names {
		if indeg[n] == 0 {
			ready = append(ready, n)
		}
	}
	for len(ready) > 0 {
		sort.Slice(ready, func(i, j int) bool { return less(ready[i], ready[j]) })
		n := ready[0]
		ready = ready[1:]
		order = append(order, n)
		for _, u := range users[n] {
			indeg[u]--
			if indeg[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	if len(order) < len(names) {
		var stuck []string
		for _, n := range names {
			if !slices.Contains(order, n) {
				stuck = append(stuck, byName[n].Path)
			}
		}
		sort.Strings(stuck)
		return nil, fmt.Errorf("sql: dependency cycle among %s", strings.Join(stuck, ", "))
	}
	return order, nil
}

// mentions reports whether SQL names a relation (as a whole identifier,
// outside comments; case-insensitive, as DuckDB resolves names).
func mentions(sql, name string) bool {
	for _, tok := range identToken.FindAllString(stripComments(sql), -1) {
		if strings.EqualFold(tok, name) {
			return true
		}
	}
	return false
}
