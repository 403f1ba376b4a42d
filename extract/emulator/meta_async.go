package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// metaRun is one async insights report run.
type metaRun struct {
	acct  string
	ir    insightsRequest
	polls int // status polls served so far
}

// Async report statuses, as Meta spells them.
const (
	MetaJobNotStarted = "Job Not Started"
	MetaJobStarted    = "Job Started"
	MetaJobRunning    = "Job Running"
	MetaJobCompleted  = "Job Completed"
	MetaJobFailed     = "Job Failed"
	MetaJobSkipped    = "Job Skipped"
)

// startRun answers POST /act_{id}/insights: a report run over the same
// parameters, {"report_run_id":"…"}.
func (m *Meta) startRun(w http.ResponseWriter, acct string, ir insightsRequest) {
	m.mu.Lock()
	if m.runs == nil {
		m.runs = map[string]*metaRun{}
	}
	id := strconv.Itoa(6120000000000001 + len(m.runs))
	m.runs[id] = &metaRun{acct: acct, ir: ir}
	m.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"report_run_id": id})
}

// runStatus is the status the n-th poll (1-based) of a run reports: Job Not
// Started, then Job Started and Job Running with a rising percentage, and at
// poll MetaConfig.AsyncPolls Job Completed (or AsyncFail). With AsyncPolls
// 0 or 1 the first poll finds the job done, as for a small report.
func (m *Meta) runStatus(n int) (string, int) {
	total := max(m.cfg.AsyncPolls, 1)
	switch {
	case n >= total:
		if m.cfg.AsyncFail != "" {
			return m.cfg.AsyncFail, 100 * (total - 1) / total
		}
		return MetaJobCompleted, 100
	case n == 1:
		return MetaJobNotStarted, 0
	case n == 2:
		return MetaJobStarted, 100 * (n - 1) / total
	}
	return MetaJobRunning, 100 * (n - 1) / total
}

// serveRun answers GET /{report_run_id} (the status) and, once completed,
// GET /{report_run_id}/insights (the rows, paged like insights).
func (m *Meta) serveRun(w http.ResponseWriter, r *http.Request, q url.Values, id string, results bool) {
	m.mu.Lock()
	run, ok := m.runs[id]
	var status string
	var pct int
	if ok {
		if !results {
			run.polls++
		}
		status, pct = m.runStatus(run.polls)
	}
	m.mu.Unlock()
	if !ok {
		metaError(w, http.StatusBadRequest, 100, 33, fmt.Sprintf("Unsupported get request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", id))
		return
	}
	m.writeUsage(w)
	if !results {
		writeJSON(w, http.StatusOK, map[string]any{
			"id": id, "account_id": run.acct, "async_status": status, "async_percent_completion": pct,
			"date_start": run.ir.since.Format(time.DateOnly), "date_stop": run.ir.until.Format(time.DateOnly),
		})
		return
	}
	if status != MetaJobCompleted {
		metaError(w, http.StatusBadRequest, 100, 0, fmt.Sprintf("(#100) Report run %s is not completed (%s)", id, status))
		return
	}
	m.serveInsights(w, r, q, run.acct, m.accounts[run.acct], run.ir)
}
