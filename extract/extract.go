// Package extract defines what a source is and keeps the registry of source
// kinds. Each external system lives in its own subpackage (extract/meta,
// extract/files, …) and registers a factory under its kind; extract/all
// imports them all. The shared retrying HTTP client is extract/httpx, and
// extract/emulator holds in-process servers that speak each platform's API.
package extract

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Source extracts one system's data for a date range and emits it as Arrow
// records in canonical schemas (package transform).
//
// Extract must honour ctx, emit records through emit (which takes its own
// reference; the source releases its records after Emit returns), and return
// an error wrapped with the source's name and what it was doing. An error
// means the source's data for this run is incomplete and must not be loaded.
type Source interface {
	Extract(ctx context.Context, req Request, emit Emitter) error
}

// Snapshotter is implemented by sources whose every extract is the whole
// of the tables they emit, such as a registry file: the load replaces those
// tables' rows instead of upserting them, so a row deleted at the source is
// deleted in the warehouse too.
type Snapshotter interface {
	Snapshot() bool
}

// Emitter receives the records a source extracts, by canonical table name.
type Emitter interface {
	Emit(table string, rec arrow.RecordBatch) error
}

// ParquetEmitter is implemented by emitters that can read a canonical
// table's Parquet file themselves: the warehouse scans it in place instead of
// receiving a copy of every value through Go. A source offers a file this way
// only after checking, from the file's metadata, that every canonical column
// is there with its canonical type and that no required column holds a null;
// any other file goes through Emit, whose conversions name the offending
// row and column.
type ParquetEmitter interface {
	EmitParquet(table string, file ParquetFile) error
}

// ParquetFile is a Parquet file whose columns are already the canonical ones.
type ParquetFile struct {
	Path string
	// Columns maps each canonical column to its name in the file (the file
	// may spell it in another case, and may hold other columns too). An
	// optional canonical column missing from the map is NULL.
	Columns map[string]string
	Rows    int64
}

// Request is what a source is asked to extract, and the run's services.
type Request struct {
	// Since and Until bound the dates to extract, both inclusive, as calendar
	// days (midnight UTC).
	Since, Until time.Time
	RunID        string
	// RawDir is raw_dir/<source>/<run_id>: every response body the source
	// receives is kept there, gzip-compressed.
	RawDir string
	Logger *slog.Logger
	Mem    memory.Allocator
}

// Settings decodes a source's own settings block from the config file into
// the factory's options struct.
type Settings interface {
	Decode(v any) error
	// Dir is the config file's folder: relative paths in settings resolve
	// against it (empty: the working directory).
	Dir() string
}

// Factory builds a source named name (the config key) from its settings.
// It validates the settings without touching the network.
type Factory func(name string, settings Settings) (Source, error)

// Kind documents a registered source kind for `socialroi sources`.
type Kind struct {
	Name    string
	Summary string
	// Tables lists the canonical tables the source fills.
	Tables []string
	// Settings is a commented YAML example of the source's settings.
	Settings string
	New      Factory
}

var (
	mu    sync.RWMutex
	kinds = map[string]Kind{}
)

// Register makes a source kind available by name. It panics on a duplicate,
// which is a programming error found at start-up.
func Register(k Kind) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := kinds[k.Name]; dup {
		panic("extract: source kind registered twice: " + k.Name)
	}
	kinds[k.Name] = k
}

// Lookup returns the registered kind.
func Lookup(kind string) (Kind, error) {
	mu.RLock()
	defer mu.RUnlock()
	k, ok := kinds[kind]
	if !ok {
		return Kind{}, fmt.Errorf("unknown source type %q (known: %v)", kind, kindNamesLocked())
	}
	return k, nil
}

// Kinds lists the registered kinds by name.
func Kinds() []Kind {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Kind, 0, len(kinds))
	for _, n := range kindNamesLocked() {
		out = append(out, kinds[n])
	}
	return out
}

func kindNamesLocked() []string {
	names := make([]string, 0, len(kinds))
	for n := range kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Log returns the request's logger, or one that discards.
func (r Request) Log() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}

// Allocator returns the request's Arrow allocator, or the default one.
func (r Request) Allocator() memory.Allocator {
	if r.Mem == nil {
		return memory.DefaultAllocator
	}
	return r.Mem
}
