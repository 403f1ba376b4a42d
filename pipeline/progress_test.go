package pipeline

import (
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/models/attribution"
	sqlfiles "github.com/socialroi/socialroi/sql"
	"github.com/socialroi/socialroi/transform"
)

func modelCount(t *testing.T) int {
	t.Helper()
	cat, err := models.LoadCatalog(sqlfiles.FS, attribution.GoModels()...)
	if err != nil {
		t.Fatal(err)
	}
	return len(cat.Models)
}

// recordingProgress notes what a run reports: each stage's total and the
// steps it took, each source's end.
type recordingProgress struct {
	mu     sync.Mutex
	events []string
}

func (p *recordingProgress) add(e string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events = append(p.events, e)
}

func (p *recordingProgress) Source(name string) SourceProgress { return &recSource{p, name} }
func (p *recordingProgress) Stage(name string, total int) StageProgress {
	return &recStage{p: p, name: name, total: total}
}

type recSource struct {
	p    *recordingProgress
	name string
}

func (s *recSource) Rows(int64) {}
func (s *recSource) Done(err error) {
	s.p.add(fmt.Sprintf("source %s done (err %v)", s.name, err))
}

type recStage struct {
	p           *recordingProgress
	name        string
	total, done int
}

func (s *recStage) Step() { s.done++ }
func (s *recStage) Done() { s.p.add(fmt.Sprintf("stage %s %d/%d", s.name, s.done, s.total)) }

// A run at a terminal shows the extraction, then the models, then the
// reports — each stage's steps reaching its total.
func TestRunReportsProgress(t *testing.T) {
	f := newFixture(t, []transform.AdPerformanceRow{adRow("2026-11-17", "a1", "10.00", "USD")}, nil)
	t.Setenv("TEST_META_TOKEN", "tok-secret-42")
	cfg, err := config.Load(f.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	p := &recordingProgress{}
	res := Run(t.Context(), Options{Config: cfg, Week: models.Week{Start: day("2026-11-16")}, AllowQAFailures: true, Progress: p})
	if res.ExitCode != ExitOK {
		t.Fatalf("exit %d: %v", res.ExitCode, res.Err)
	}
	marts, err := martNames()
	if err != nil {
		t.Fatal(err)
	}
	cat := len(p.events)
	if cat < 4 {
		t.Fatalf("events %v", p.events)
	}
	// Sources finish in any order; the stages follow them in order.
	stages := p.events[cat-2:]
	want := []string{
		fmt.Sprintf("stage models %d/%d", modelCount(t), modelCount(t)),
		fmt.Sprintf("stage reports %d/%d", len(marts)+2, len(marts)+2), // parquet per mart + workbook
	}
	if d := cmp.Diff(want, stages); d != "" {
		t.Errorf("stages (-want +got):\n%s\nall events: %v", d, p.events)
	}
}
