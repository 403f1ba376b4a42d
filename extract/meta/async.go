package meta

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/socialroi/socialroi/extract/httpx"
)

// Async report statuses (async_status of a report run).
const (
	jobCompleted = "Job Completed"
	jobFailed    = "Job Failed"
	jobSkipped   = "Job Skipped"
)

// runReport starts an async insights report run over params (POST path)
// and polls it until it completes: at once, then after AsyncPollInterval,
// doubling up to AsyncPollMax, for at most AsyncTimeout of waiting. It returns the report
// run id, whose /insights edge holds the rows.
func (a *account) runReport(ctx context.Context, path string, params url.Values) (string, error) {
	s := a.s
	query := url.Values{}
	for k, v := range params {
		query[k] = v
	}
	query.Set("limit", fmt.Sprint(s.settings.PageLimit))
	query.Set("access_token", s.settings.AccessToken.Reveal())
	resp, err := a.client.Do(ctx, httpx.Request{Method: http.MethodPost, Path: path, Query: query})
	if err != nil {
		return "", a.fail("async report start", 0, err)
	}
	var started struct {
		ReportRunID string `json:"report_run_id"`
	}
	if err := a.client.DecodeJSON(http.MethodPost, path, resp, &started); err != nil {
		return "", a.fail("async report start", 0, err)
	}
	id := started.ReportRunID
	if id == "" || !digitsRE.MatchString(id) {
		return "", a.fail("async report start", 0, fmt.Errorf("report_run_id %q is not a report run id", id))
	}
	what := "report run " + id
	a.log.Info("meta async report started", "source", s.name, "account", "act_"+a.id, "report_run_id", id)
	statusPath := fmt.Sprintf("/%s/%s", s.settings.APIVersion, id)
	statusQuery := url.Values{
		"fields":       {"id,async_status,async_percent_completion"},
		"access_token": {s.settings.AccessToken.Reveal()},
	}
	sleep := s.sleep
	if sleep == nil {
		sleep = httpx.SleepContext
	}
	if httpx.ReplayFrom(ctx) != nil {
		// A replayed run answers from its raw landing: the job is done
		// whenever the recording says so, and waiting would only be slow.
		sleep = func(context.Context, time.Duration) error { return nil }
	}
	wait, waited := s.settings.AsyncPollInterval, time.Duration(0)
	for poll := 1; ; poll++ {
		var st struct {
			Status  string `json:"async_status"`
			Percent num    `json:"async_percent_completion"`
		}
		if err := a.client.GetJSON(ctx, statusPath, statusQuery, &st); err != nil {
			return "", a.fail(what+" status", poll, err)
		}
		a.log.Debug("meta async report status", "source", s.name, "report_run_id", id,
			"async_status", st.Status, "async_percent_completion", string(st.Percent))
		switch st.Status {
		case jobCompleted:
			return id, nil
		case jobFailed, jobSkipped:
			return "", a.fail(what, 0, fmt.Errorf("%w: async_status %q at %s%% (start a new run; a shorter range may help)",
				ErrReportFailed, st.Status, st.Percent))
		case "":
			return "", a.fail(what+" status", poll, fmt.Errorf("async_status missing"))
		}
		if waited >= s.settings.AsyncTimeout {
			return "", a.fail(what, 0, fmt.Errorf("%w: %q at %s%% after %s of polling (%d polls; async_timeout)",
				ErrReportTimeout, st.Status, st.Percent, waited, poll))
		}
		d := min(wait, s.settings.AsyncTimeout-waited)
		if err := sleep(ctx, d); err != nil {
			return "", a.fail(what, 0, err)
		}
		waited += d
		wait = min(2*wait, s.settings.AsyncPollMax)
	}
}
