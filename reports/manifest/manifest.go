package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/socialroi/socialroi/reports"
)

// SchemaVersion is the version of the manifest's JSON layout. It changes
// only when a field is renamed or removed, so readers can tell.
const SchemaVersion = 1

// Status is the outcome of a run.
type Status string

const (
	StatusSuccess  Status = "success"   // everything ran; exit code 0
	StatusFailed   Status = "failed"    // the run stopped on an error; exit code 1 or 2
	StatusQAFailed Status = "qa_failed" // a QA check of severity error failed; exit code 3
	StatusPartial  Status = "partial"   // some sources failed, the rest completed; exit code 4
)

// Valid reports whether s is one of the four statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusSuccess, StatusFailed, StatusQAFailed, StatusPartial:
		return true
	}
	return false
}

// Manifest is one run's record. Field order is the JSON order.
type Manifest struct {
	SchemaVersion int       `json:"schema_version"`
	RunID         string    `json:"run_id"`
	Version       string    `json:"version"`     // socialroi build version
	ConfigHash    string    `json:"config_hash"` // sha256 of the resolved config, secrets excluded
	Week          string    `json:"week"`        // ISO week, "2026-W47"
	StartedAt     time.Time `json:"started_at"`
	FinishedAt    time.Time `json:"finished_at"`
	Status        Status    `json:"status"`
	ExitCode      int       `json:"exit_code"`
	// Error is the run's error message when Status is failed (redacted by
	// whoever produced it, like every other string here).
	Error   string           `json:"error,omitempty"`
	Timings []Timing         `json:"timings"`
	Sources []Source         `json:"sources"`
	Models  []Model          `json:"models"`
	QA      []QAResult       `json:"qa"`
	Outputs []reports.Output `json:"outputs"`
}

// Timing is how long one stage took.
type Timing struct {
	Name    string  `json:"name"` // the stage: "extract", "load", "models", "tests", "commit", "reports"
	Seconds float64 `json:"seconds"`
	Rows    int64   `json:"rows,omitempty"`
	// PeakRSSBytes is the process's peak resident memory during the stage.
	PeakRSSBytes int64 `json:"peak_rss_bytes,omitempty"`
}

// Source is what one source extraction did.
type Source struct {
	Name   string `json:"name"`   // the source's name in config, e.g. "meta_ads"
	Kind   string `json:"kind"`   // its connector, e.g. "meta"
	Status string `json:"status"` // "success", "failed", "skipped"
	Error  string `json:"error,omitempty"`
	// Rows per canonical table this source wrote (JSON keys sorted).
	Rows     map[string]int64 `json:"rows"`
	Since    *Date            `json:"since,omitempty"` // first date extracted
	Until    *Date            `json:"until,omitempty"` // last date extracted
	RawFiles []RawFile        `json:"raw_files"`
}

// RawFile is one landed raw response (DESIGN §2) with its checksum.
type RawFile struct {
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Model is one SQL model the run built and how many rows it holds.
type Model struct {
	Name string `json:"name"`
	Rows int64  `json:"rows"`
	// Ephemeral models are temporary views for the run (not kept in the
	// warehouse, rows not counted); their time is spent by their readers.
	Ephemeral bool `json:"ephemeral,omitempty"`
	// View models are kept in the warehouse as views, computed when read
	// (rows not counted); the run's time for them is only their creation.
	View bool `json:"view,omitempty"`
	// Reused models were not built by this run: their inputs had not
	// changed since the run that built them, BuiltBy (a retry of the same
	// week), so that build's tables stand; rows are that build's.
	Reused  bool   `json:"reused,omitempty"`
	BuiltBy string `json:"built_by,omitempty"`
	// Incremental models say how this run brought them up to date.
	Incremental *Incremental `json:"incremental,omitempty"`
	Seconds     float64      `json:"seconds"`
}

// Incremental is how an incremental model was built: in place, the keys
// whose input changed (KeysRecomputed), or whole (FullBuild, and why). For
// a model incremental by partition, the keys are the values of its
// Partition column (the weeks recomputed).
type Incremental struct {
	KeysRecomputed int64  `json:"keys_recomputed"`
	Partition      string `json:"partition,omitempty"`
	FullBuild      bool   `json:"full_build"`
	Reason         string `json:"reason,omitempty"`
}

// QAResult is one tracking-QA or data-test result.
type QAResult struct {
	Check    string   `json:"check"`
	Severity string   `json:"severity"` // "error", "warn", "info"
	Status   string   `json:"status"`   // "pass", "fail"
	Value    *float64 `json:"value"`    // the measured value, null when the check has none
	Detail   string   `json:"detail,omitempty"`
}

// Date is a calendar day, written as "2006-01-02".
type Date struct{ time.Time }

// NewDate returns the calendar day of t in t's location.
func NewDate(t time.Time) *Date {
	y, m, d := t.Date()
	return &Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// MarshalJSON writes the day as "2006-01-02".
func (d Date) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.Format(time.DateOnly))
}

// UnmarshalJSON reads "2006-01-02".
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return err
	}
	d.Time = t
	return nil
}

// Validate checks what a reader relies on: a run id and a known status.
func (m *Manifest) Validate() error {
	if m.RunID == "" {
		return fmt.Errorf("%w: run_id is empty", ErrInvalid)
	}
	if !m.Status.Valid() {
		return fmt.Errorf("%w: status %q is not one of success, failed, qa_failed, partial", ErrInvalid, m.Status)
	}
	return nil
}

// Write writes m as indented JSON to path, atomically. SchemaVersion is set
// if zero; nil lists are written as [] so readers need not test for null.
func Write(path string, m *Manifest) error {
	if m == nil {
		return fmt.Errorf("manifest: write %s: %w: nil manifest", path, ErrInvalid)
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("manifest: write %s: %w", path, err)
	}
	out := *m
	if out.SchemaVersion == 0 {
		out.SchemaVersion = SchemaVersion
	}
	out.Timings = nonNil(out.Timings)
	out.Models = nonNil(out.Models)
	out.QA = nonNil(out.QA)
	out.Outputs = nonNil(out.Outputs)
	out.Sources = nonNil(out.Sources)
	for i := range out.Sources {
		s := &out.Sources[i]
		if s.Rows == nil {
			s.Rows = map[string]int64{}
		}
		s.RawFiles = nonNil(s.RawFiles)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // paths and errors stay readable: no \u003c
	if err := enc.Encode(&out); err != nil {
		return fmt.Errorf("manifest: write %s: %w", path, err)
	}
	if _, _, err := reports.WriteAtomic(path, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	}); err != nil {
		return fmt.Errorf("manifest: write %s: %w", path, err)
	}
	return nil
}

// Read reads and validates the manifest at path. Unknown fields are
// accepted, so an older reader can read a newer manifest.
func Read(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("manifest: read %s: %w", path, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("manifest: read %s: %w", path, err)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("manifest: read %s: %w", path, err)
	}
	return &m, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
