package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/reports"
	"github.com/socialroi/socialroi/reports/manifest"
)

// buildManifest renders the run's record (DESIGN §5). Every string that
// could carry a credential (error messages) goes through the redactor.
func buildManifest(cfg *config.Config, opts Options, res *Result, finished time.Time) *manifest.Manifest {
	redact := cfg.Redactor()
	m := &manifest.Manifest{
		RunID:      res.RunID,
		Version:    opts.Version,
		ConfigHash: cfg.Hash(),
		Week:       res.Week.Label(),
		StartedAt:  res.started,
		FinishedAt: finished.UTC(),
		ExitCode:   res.ExitCode,
	}
	switch {
	case res.ExitCode == ExitQA:
		m.Status = manifest.StatusQAFailed
	case res.ExitCode == ExitSourcesFailed:
		m.Status = manifest.StatusPartial
	case res.ExitCode != 0:
		m.Status = manifest.StatusFailed
	case failedSources(res) > 0:
		// Reports are written before the exit code is settled.
		m.Status = manifest.StatusPartial
		m.ExitCode = ExitSourcesFailed
	default:
		m.Status = manifest.StatusSuccess
	}
	if res.Err != nil {
		m.Error = redact(res.Err.Error())
	}
	for _, t := range res.Timings {
		m.Timings = append(m.Timings, manifest.Timing{Name: t.Stage, Seconds: t.Seconds, Rows: t.Rows, PeakRSSBytes: t.PeakRSSBytes})
	}
	for _, s := range res.Sources {
		src := manifest.Source{
			Name: s.Name, Kind: s.Type, Status: "success", Rows: s.Rows,
			Since: manifest.NewDate(s.Since), Until: manifest.NewDate(s.Until),
			RawFiles: rawFiles(s.RawDir),
		}
		if s.Err != nil {
			src.Status = "failed"
			src.Error = redact(s.Err.Error())
		}
		m.Sources = append(m.Sources, src)
	}
	for _, r := range res.Models {
		mm := manifest.Model{Name: r.Name, Rows: r.Rows, Ephemeral: r.Ephemeral, View: r.View, Reused: r.Reused, BuiltBy: r.BuiltBy, Seconds: r.Duration.Seconds()}
		if inc := r.Increment; inc != nil && !r.Reused {
			mm.Incremental = &manifest.Incremental{KeysRecomputed: inc.Changed, Partition: inc.Partition, FullBuild: inc.Full, Reason: inc.Reason}
		}
		m.Models = append(m.Models, mm)
	}
	for _, t := range res.Tests {
		status := "pass"
		if !t.Passed() {
			status = "fail"
		}
		v := float64(t.Failures)
		detail := t.Description
		if len(t.Sample) > 0 {
			detail += "; e.g. " + redact(t.Sample[0])
		}
		m.QA = append(m.QA, manifest.QAResult{Check: t.Name, Severity: t.Severity, Status: status, Value: &v, Detail: detail})
	}
	for _, q := range res.QA {
		check := q.Check
		if q.Subject != "" {
			check += ":" + q.Subject
		}
		m.QA = append(m.QA, manifest.QAResult{Check: check, Severity: q.Severity, Status: q.Status, Value: q.Value, Detail: redact(q.Detail)})
	}
	for _, o := range res.Outputs {
		m.Outputs = append(m.Outputs, reports.Output(o))
	}
	return m
}

func failedSources(res *Result) int {
	n := 0
	for _, s := range res.Sources {
		if s.Err != nil {
			n++
		}
	}
	return n
}

// rawFiles lists the landed response bodies of a source with checksums.
func rawFiles(dir string) []manifest.RawFile {
	var out []manifest.RawFile
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return nil
		}
		defer f.Close()
		h := sha256.New()
		n, err := io.Copy(h, f)
		if err != nil {
			return nil
		}
		out = append(out, manifest.RawFile{Path: path, Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))})
		return nil
	})
	return out
}

// writeRunRecord keeps every run's manifest, failed ones included, under
// out/runs/<run_id>.json: a failed run must not overwrite the week's last
// good manifest, yet Airflow still needs to read what went wrong.
func writeRunRecord(cfg *config.Config, opts Options, res *Result) {
	path := filepath.Join(cfg.OutDir, "runs", res.RunID+".json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return
	}
	_ = manifest.Write(path, buildManifest(cfg, opts, res, time.Now()))
}
