package main

import (
	"io"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/socialroi/socialroi/pipeline"
)

// barProgress draws the run's progress bars on a terminal with mpb: a
// spinner with a row count per source, then a bar per stage. Log lines go
// through it (Writer) so they print above the bars instead of through them.
type barProgress struct {
	p *mpb.Progress
}

func newBarProgress(w io.Writer, opts ...mpb.ContainerOption) *barProgress {
	return &barProgress{p: mpb.New(append([]mpb.ContainerOption{mpb.WithOutput(w), mpb.WithWidth(40)}, opts...)...)}
}

// Writer is where log lines go while bars are drawn.
func (b *barProgress) Writer() io.Writer { return b.p }

// Wait lets the bars finish drawing.
func (b *barProgress) Wait() { b.p.Wait() }

func (b *barProgress) Source(name string) pipeline.SourceProgress {
	bar := b.p.New(0, mpb.SpinnerStyle(),
		mpb.PrependDecorators(decor.Name("extract "+name, decor.WCSyncSpaceR)),
		mpb.AppendDecorators(decor.CurrentNoUnit("%d rows"), decor.OnComplete(decor.Name(""), " done")))
	return &sourceBar{bar: bar}
}

func (b *barProgress) Stage(name string, total int) pipeline.StageProgress {
	bar := b.p.AddBar(int64(total),
		mpb.PrependDecorators(decor.Name(name, decor.WCSyncSpaceR)),
		mpb.AppendDecorators(decor.CountersNoUnit("%d / %d")))
	return &stageBar{bar: bar}
}

type sourceBar struct{ bar *mpb.Bar }

func (s *sourceBar) Rows(n int64) { s.bar.IncrInt64(n) }

func (s *sourceBar) Done(err error) {
	if err != nil {
		s.bar.Abort(false)
		return
	}
	s.bar.SetTotal(-1, true) // complete at the count reached
}

type stageBar struct{ bar *mpb.Bar }

func (s *stageBar) Step() { s.bar.Increment() }
func (s *stageBar) Done() { s.bar.SetTotal(-1, true) }
