package pipeline

// Progress shows a run's advance to a person at a terminal: rows per source
// while extracting, then the model and report stages. The pipeline calls it
// when Options.Progress is set; unattended runs leave it nil and get none.
type Progress interface {
	// Source starts the counter of one source's extraction.
	Source(name string) SourceProgress
	// Stage starts a stage of total steps.
	Stage(name string, total int) StageProgress
}

// SourceProgress counts one source's extracted rows.
type SourceProgress interface {
	Rows(n int64)
	Done(err error)
}

// StageProgress counts a stage's steps.
type StageProgress interface {
	Step()
	Done()
}

// noProgress is what runs without a terminal get.
type (
	noProgress       struct{}
	noSourceProgress struct{}
	noStageProgress  struct{}
)

func (noProgress) Source(string) SourceProgress    { return noSourceProgress{} }
func (noProgress) Stage(string, int) StageProgress { return noStageProgress{} }
func (noSourceProgress) Rows(int64)                {}
func (noSourceProgress) Done(error)                {}
func (noStageProgress) Step()                      {}
func (noStageProgress) Done()                      {}
