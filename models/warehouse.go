// Package models is the DuckDB runner. It opens the warehouse file, creates
// the canonical tables from their Arrow schemas, loads Arrow records into
// them (an upsert on each table's natural key), runs the embedded SQL models
// in dependency order with the run's parameters, runs the data tests, and
// reads marts back as Arrow.
//
// All writes of a run happen inside one transaction (Tx): a failed load,
// model or data test rolls back, leaving the warehouse as it was. A
// warehouse that does not exist yet is built aside and moved into place by
// the commit (Create), so a failed first run leaves none.
package models

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/socialroi/socialroi/transform"
)

// Options tune the DuckDB engine.
type Options struct {
	Threads     int    // 0 = DuckDB's default
	MemoryLimit string // e.g. "4GB"; empty = DuckDB's default
	ReadOnly    bool
}

// Warehouse is an open DuckDB warehouse. It pins one connection: temp
// objects, transactions and the Arrow interface all live on it. A Warehouse
// is not safe for concurrent use, except NewReader: Readers are connections
// of their own.
type Warehouse struct {
	path string
	opts Options
	// final is where a warehouse Create is building goes when its first
	// transaction commits (publish); "" once there, or for one Open opened.
	final string
	db    *sql.DB
	conn  *sql.Conn
	ar    *duckdb.Arrow
}

// Open opens (creating if needed) the warehouse file at path. An empty path
// or ":memory:" opens an in-memory database.
func Open(ctx context.Context, path string, opts Options) (*Warehouse, error) {
	dsn := path
	if path == ":memory:" {
		dsn = ""
	}
	q := url.Values{}
	if opts.Threads > 0 {
		q.Set("threads", fmt.Sprint(opts.Threads))
	}
	if opts.MemoryLimit != "" {
		q.Set("memory_limit", opts.MemoryLimit)
	}
	if opts.ReadOnly {
		q.Set("access_mode", "READ_ONLY")
	}
	if len(q) > 0 {
		dsn += "?" + q.Encode()
	}
	connector, err := duckdb.NewConnector(dsn, inUTC)
	if err != nil {
		return nil, fmt.Errorf("warehouse %s: open: %w", path, err)
	}
	w := &Warehouse{path: path, opts: opts, db: sql.OpenDB(connector)}
	if w.conn, w.ar, err = arrowConn(ctx, w.db); err != nil {
		w.Close()
		return nil, fmt.Errorf("warehouse %s: %w", path, err)
	}
	return w, nil
}

// partialSuffix names the file a new warehouse is built in (Create).
const partialSuffix = ".partial"

// Create builds a new warehouse for path, where no warehouse may exist
// yet. It is written to a file beside it (path + ".partial", replacing
// one a crashed run left) and moved to path when its first transaction
// commits; closed before that, the file is removed. A failed first run
// thus leaves no warehouse, and until the commit nothing in the file needs
// undoing, so the transaction commits as it goes (Tx.CommitSoFar).
//
// That is what makes a first run fast: DuckDB plans a scan of a table
// written in the open transaction on one thread (it sizes the scan from
// the committed rows), so in one transaction each model read the tables
// the loads and the models before it wrote on one core of two. At L the
// first run's models took 183–213 s in one transaction and 100–111 s
// committed one by one.
//
// The caller must hold the warehouse's lock (pipeline.AcquireLock).
func Create(ctx context.Context, path string, opts Options) (*Warehouse, error) {
	if path == "" || path == ":memory:" {
		return nil, errors.New("warehouse: create needs a file path")
	}
	switch found, err := existing(path); {
	case err != nil:
		return nil, fmt.Errorf("warehouse %s: create: %w", path, err)
	case found != "":
		return nil, fmt.Errorf("warehouse %s: create: %s exists (open it instead)", path, found)
	}
	partial := path + partialSuffix
	if err := removeDatabase(partial); err != nil {
		return nil, fmt.Errorf("warehouse %s: create: %w", path, err)
	}
	w, err := Open(ctx, partial, opts)
	if err != nil {
		return nil, err
	}
	w.final = path
	return w, nil
}

// OpenOrCreate opens the warehouse at path, or creates it (Create) when
// there is none: neither the file nor its write-ahead log.
func OpenOrCreate(ctx context.Context, path string, opts Options) (*Warehouse, error) {
	found, err := existing(path)
	if err != nil {
		return nil, fmt.Errorf("warehouse %s: %w", path, err)
	}
	if found != "" {
		return Open(ctx, path, opts)
	}
	return Create(ctx, path, opts)
}

// existing returns the first of a DuckDB file and its write-ahead log
// that exists, or "" when neither does.
func existing(path string) (string, error) {
	for _, p := range []string{path, path + ".wal"} {
		_, err := os.Lstat(p)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
	}
	return "", nil
}

// Creating says whether the warehouse is one Create is building, not yet
// moved into place by its first commit.
func (w *Warehouse) Creating() bool { return w.final != "" }

// publish moves a warehouse Create built to its path, once its
// transaction has committed, and reopens it there. Closing checkpoints
// it: its write-ahead log must be gone, or the log would be left behind
// under the partial file's name.
func (w *Warehouse) publish(ctx context.Context) error {
	if err := w.close(); err != nil {
		return fmt.Errorf("warehouse %s: close before moving into place: %w", w.final, err)
	}
	if _, err := os.Lstat(w.path + ".wal"); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("warehouse %s: %s.wal is left after closing; the new warehouse is not moved into place", w.final, w.path)
	}
	if err := os.Rename(w.path, w.final); err != nil {
		return fmt.Errorf("warehouse %s: move into place: %w", w.final, err)
	}
	// Persist the rename: a run that reported success must not find its
	// warehouse gone after a crash. Not every platform can fsync a
	// directory, so this is best effort.
	if d, err := os.Open(filepath.Dir(w.final)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	opened, err := Open(ctx, w.final, w.opts)
	if err != nil {
		return err
	}
	*w = *opened
	return nil
}

// removeDatabase removes a DuckDB file and its write-ahead log, if there.
func removeDatabase(path string) error {
	var errs []error
	for _, p := range []string{path, path + ".wal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// arrowConn pins a connection of db with DuckDB's Arrow interface on it.
func arrowConn(ctx context.Context, db *sql.DB) (*sql.Conn, *duckdb.Arrow, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("connect: %w", err)
	}
	var ar *duckdb.Arrow
	err = conn.Raw(func(dc any) error {
		ar, err = duckdb.NewArrowFromConn(dc.(driver.Conn))
		return err
	})
	if err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("arrow interface: %w", err)
	}
	return conn, ar, nil
}

// Reader is one more connection to the warehouse, for reading Arrow while
// other connections read too: the report writers each hold one and write
// their files in parallel. It sees committed tables only, not the temp
// objects of the warehouse's own connection.
type Reader struct {
	conn *sql.Conn
	ar   *duckdb.Arrow
}

// NewReader opens a Reader; close it before the warehouse. It may be called
// while the warehouse's own connection is in use.
func (w *Warehouse) NewReader(ctx context.Context) (*Reader, error) {
	conn, ar, err := arrowConn(ctx, w.db)
	if err != nil {
		return nil, fmt.Errorf("warehouse %s: reader: %w", w.path, err)
	}
	return &Reader{conn: conn, ar: ar}, nil
}

// QueryArrow runs a query and streams its result as Arrow records.
func (r *Reader) QueryArrow(ctx context.Context, query string, args ...any) (array.RecordReader, error) {
	return r.ar.QueryContext(ctx, query, args...)
}

// ExecContext runs a statement that returns no rows: a COPY … TO that
// writes a mart to a file (reports/files.CopyParquet).
//
// When ctx is cancelled, the statement has stopped by the time this
// returns. duckdb-go does not see to that: cancelled between preparing
// and executing, it returns ctx's error with the query still pending,
// and DuckDB's threads run what was scheduled, so a COPY went on to
// create its file after the caller had removed it. DuckDB cancels and
// waits for a connection's pending query when the next one starts.
func (r *Reader) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := r.conn.ExecContext(ctx, query, args...)
	if err != nil && ctx.Err() != nil {
		if _, cerr := r.conn.ExecContext(context.WithoutCancel(ctx), "SELECT 1"); cerr != nil {
			err = errors.Join(err, fmt.Errorf("stopping the cancelled statement: %w", cerr))
		}
	}
	return res, err
}

// Close returns the connection.
func (r *Reader) Close() error { return r.conn.Close() }

// Close closes the warehouse. A warehouse Create built that was never
// committed is removed.
func (w *Warehouse) Close() error {
	err := w.close()
	if w.final != "" {
		err = errors.Join(err, removeDatabase(w.path))
	}
	return err
}

func (w *Warehouse) close() error {
	var errs []error
	if w.conn != nil {
		errs = append(errs, w.conn.Close())
		w.conn = nil
	}
	if w.db != nil {
		errs = append(errs, w.db.Close())
		w.db = nil
	}
	return errors.Join(errs...)
}

// Path is the warehouse file.
func (w *Warehouse) Path() string { return w.path }

// DB exposes the pinned connection for read queries.
func (w *Warehouse) Conn() *sql.Conn { return w.conn }

// EnsureTables creates every canonical table that does not exist yet, with
// columns derived from its Arrow schema.
func (w *Warehouse) EnsureTables(ctx context.Context) error {
	for _, t := range transform.Tables() {
		ddl, err := CreateTableSQL(t.Name, t.Schema, true)
		if err != nil {
			return err
		}
		if _, err := w.conn.ExecContext(ctx, ddl); err != nil {
			return fmt.Errorf("warehouse: create %s: %w", t.Name, err)
		}
		// A warehouse made by an older version gains the columns added since
		// (new columns are nullable, so existing rows stay valid).
		for _, f := range t.Schema.Fields() {
			if !f.Nullable {
				continue
			}
			typ, err := DuckDBType(f.Type)
			if err != nil {
				return err
			}
			if _, err := w.conn.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s",
				Ident(t.Name), Ident(f.Name), typ)); err != nil {
				return fmt.Errorf("warehouse: add %s.%s: %w", t.Name, f.Name, err)
			}
		}
	}
	if _, err := w.conn.ExecContext(ctx, sourceStateDDL); err != nil {
		return fmt.Errorf("warehouse: create source_state: %w", err)
	}
	if _, err := w.conn.ExecContext(ctx, buildStateDDL); err != nil {
		return fmt.Errorf("warehouse: create model_build: %w", err)
	}
	if _, err := w.conn.ExecContext(ctx, incrementStateDDL); err != nil {
		return fmt.Errorf("warehouse: create model_increment: %w", err)
	}
	if _, err := w.conn.ExecContext(ctx, inputContentDDL); err != nil {
		return fmt.Errorf("warehouse: create model_input_content: %w", err)
	}
	return nil
}

// QueryArrow runs a query and returns its result as an Arrow stream. The
// caller must Release the reader.
func (w *Warehouse) QueryArrow(ctx context.Context, query string, args ...any) (array.RecordReader, error) {
	return w.ar.QueryContext(ctx, query, args...)
}

// TableExists reports whether a table or view of that name exists.
func (w *Warehouse) TableExists(ctx context.Context, name string) (bool, error) {
	var n int
	err := w.conn.QueryRowContext(ctx,
		`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ?`, name).Scan(&n)
	return n > 0, err
}

// CreateTableSQL renders a CREATE TABLE statement for an Arrow schema.
func CreateTableSQL(name string, schema *arrow.Schema, ifNotExists bool) (string, error) {
	var b strings.Builder
	b.WriteString("CREATE TABLE ")
	if ifNotExists {
		b.WriteString("IF NOT EXISTS ")
	}
	b.WriteString(Ident(name))
	b.WriteString(" (\n")
	for i, f := range schema.Fields() {
		t, err := DuckDBType(f.Type)
		if err != nil {
			return "", fmt.Errorf("table %s column %s: %w", name, f.Name, err)
		}
		fmt.Fprintf(&b, "  %s %s", Ident(f.Name), t)
		if !f.Nullable {
			b.WriteString(" NOT NULL")
		}
		if i < schema.NumFields()-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString(")")
	return b.String(), nil
}

// DuckDBType maps an Arrow type of the canonical schemas to DuckDB's.
func DuckDBType(t arrow.DataType) (string, error) {
	switch tt := t.(type) {
	case *arrow.StringType:
		return "VARCHAR", nil
	case *arrow.Int64Type:
		return "BIGINT", nil
	case *arrow.Int32Type:
		return "INTEGER", nil
	case *arrow.Float64Type:
		return "DOUBLE", nil
	case *arrow.BooleanType:
		return "BOOLEAN", nil
	case *arrow.Date32Type:
		return "DATE", nil
	case *arrow.TimestampType:
		if tt.TimeZone != "" {
			return "TIMESTAMPTZ", nil
		}
		return "TIMESTAMP", nil
	case *arrow.Decimal128Type:
		return fmt.Sprintf("DECIMAL(%d,%d)", tt.Precision, tt.Scale), nil
	case *arrow.ListType:
		inner, err := DuckDBType(tt.Elem())
		if err != nil {
			return "", err
		}
		return inner + "[]", nil
	}
	return "", fmt.Errorf("no DuckDB type for Arrow %s", t)
}

// inUTC sets a new connection's time zone to UTC. DuckDB's default is the
// machine's (TZ), and it decides what a TIMESTAMPTZ is as a DATE and a DATE
// as a TIMESTAMPTZ: on a machine in New York, the report week's start
// (Monday 00:00 UTC) cast to a DATE was the Sunday before, and the demo's
// figures shifted by a day until a data test failed. The models convert to
// the reporting time zone where they mean to (AT TIME ZONE), never through
// the session's.
func inUTC(execer driver.ExecerContext) error {
	_, err := execer.ExecContext(context.Background(), "SET TimeZone = 'UTC'", nil)
	return err
}

// Literal quotes a string as a DuckDB string literal, for the few statements
// that take no bound parameters (SET, COPY … TO, read_parquet's path).
func Literal(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// Ident quotes an identifier for DuckDB, so that no name from config or data
// is ever spliced into SQL unquoted.
func Ident(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
