// Package bqfake is an in-process fake of the BigQuery REST API, for tests
// of the bigquery output: the package's own and the pipeline's.
package bqfake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	bq "google.golang.org/api/bigquery/v2"
)

// Server is an in-test BigQuery REST server implementing the calls the Go
// client makes for Publish: datasets.get/insert, tables.get/insert,
// jobs.insert (multipart and resumable uploads), jobs.get, and an OAuth
// token endpoint for service-account credentials. A load job reads the
// Parquet bytes it receives and keeps a row count per partition; loading
// into table$YYYYMMDD checks, as BigQuery does, that every row's partition
// column falls in that partition, and fails the job otherwise.
type Server struct {
	t   *testing.T
	Srv *httptest.Server

	mu       sync.Mutex
	clock    int64 // logical milliseconds: table modification and job end times
	Datasets map[string]*bq.Dataset
	Tables   map[string]*Table // "dataset.table"
	Jobs     map[string]*bq.Job
	Uploads  map[string]*pendingUpload
	Calls    []string // "METHOD op", in order
	Auth     []string // Authorization headers seen on API calls

	FailInserts int  // answer this many jobs.insert uploads with 503
	NeverFinish bool // jobs stay RUNNING
	// FailLoads, when set, fails every load job with this message, as
	// BigQuery reports a job error (state DONE, errorResult).
	FailLoads string
	// lose this many jobs.insert answers: the job is created and run, then
	// the client gets a 503 (a response lost on the way back)
	LoseInsertAnswers int
	UploadTypes       []string
}

type Table struct {
	Meta          *bq.Table
	PartitionRows map[string]int64 // "YYYYMMDD" (or "" unpartitioned) → rows
}

type pendingUpload struct {
	job  *bq.Job
	data bytes.Buffer
}

func New(t *testing.T) *Server {
	f := &Server{t: t, Datasets: map[string]*bq.Dataset{}, Tables: map[string]*Table{},
		Jobs: map[string]*bq.Job{}, Uploads: map[string]*pendingUpload{}, clock: 1_700_000_000_000}
	f.Srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Srv.Close)
	return f
}

// TouchTables marks every table modified now, as another writer would: an
// earlier load job no longer stands for the data in place, so a publisher
// must load again.
func (f *Server) TouchTables() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clock++
	for _, tb := range f.Tables {
		tb.Meta.LastModifiedTime = uint64(f.clock)
	}
}

// endpoint is what config.BigQuery.BaseURL gets: the API root as Google
// serves it.
func (f *Server) Endpoint() string { return f.Srv.URL + "/bigquery/v2/" }

func (f *Server) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clock++
	path := r.URL.Path
	upload := strings.HasPrefix(path, "/upload/")
	path = strings.TrimPrefix(path, "/upload")
	path = strings.TrimPrefix(path, "/bigquery/v2")
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if path == "/token" {
		f.Calls = append(f.Calls, "POST token")
		writeJSON(w, 200, map[string]any{"access_token": "fake-access-token", "token_type": "Bearer", "expires_in": 3600})
		return
	}
	f.Auth = append(f.Auth, r.Header.Get("Authorization"))
	if len(parts) < 3 || parts[0] != "projects" {
		f.fail(w, 404, "notFound", "no such path "+r.URL.Path)
		return
	}
	project := parts[1]
	switch {
	case r.Method == "GET" && len(parts) == 4 && parts[2] == "datasets":
		f.Calls = append(f.Calls, "GET dataset")
		ds := f.Datasets[parts[3]]
		if ds == nil {
			f.fail(w, 404, "notFound", "Not found: Dataset "+project+":"+parts[3])
			return
		}
		writeJSON(w, 200, ds)
	case r.Method == "POST" && len(parts) == 3 && parts[2] == "datasets":
		f.Calls = append(f.Calls, "POST dataset")
		var ds bq.Dataset
		if !f.decode(w, r.Body, &ds) {
			return
		}
		id := ds.DatasetReference.DatasetId
		if f.Datasets[id] != nil {
			f.fail(w, 409, "duplicate", "Already Exists: Dataset "+id)
			return
		}
		ds.DatasetReference.ProjectId = project
		f.Datasets[id] = &ds
		writeJSON(w, 200, &ds)
	case r.Method == "GET" && len(parts) == 6 && parts[4] == "tables":
		f.Calls = append(f.Calls, "GET table")
		tb := f.Tables[parts[3]+"."+parts[5]]
		if tb == nil {
			f.fail(w, 404, "notFound", "Not found: Table "+parts[3]+"."+parts[5])
			return
		}
		writeJSON(w, 200, tb.Meta)
	case r.Method == "POST" && len(parts) == 5 && parts[4] == "tables":
		f.Calls = append(f.Calls, "POST table")
		if f.Datasets[parts[3]] == nil {
			f.fail(w, 404, "notFound", "Not found: Dataset "+parts[3])
			return
		}
		var tb bq.Table
		if !f.decode(w, r.Body, &tb) {
			return
		}
		key := parts[3] + "." + tb.TableReference.TableId
		if f.Tables[key] != nil {
			f.fail(w, 409, "duplicate", "Already Exists: Table "+key)
			return
		}
		tb.LastModifiedTime = uint64(f.clock)
		f.Tables[key] = &Table{Meta: &tb, PartitionRows: map[string]int64{}}
		writeJSON(w, 200, &tb)
	case r.Method == "GET" && len(parts) == 4 && parts[2] == "jobs":
		f.Calls = append(f.Calls, "GET job")
		job := f.Jobs[parts[3]]
		if job == nil {
			f.fail(w, 404, "notFound", "Not found: Job "+project+":"+parts[3])
			return
		}
		writeJSON(w, 200, job)
	case r.Method == "POST" && len(parts) == 3 && parts[2] == "jobs" && upload:
		f.insertJob(w, r)
	default:
		f.fail(w, 404, "notFound", "unexpected call "+r.Method+" "+r.URL.Path)
	}
}

// insertJob serves jobs.insert with media: uploadType=multipart (metadata
// and file in one multipart/related body) or resumable (a session opened
// with the metadata, then the file in chunks with Content-Range).
func (f *Server) insertJob(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if id := q.Get("upload_id"); id != "" {
		f.Calls = append(f.Calls, "POST upload chunk")
		up := f.Uploads[id]
		if up == nil {
			f.fail(w, 404, "notFound", "no upload session")
			return
		}
		io.Copy(&up.data, r.Body)
		// "bytes a-b/total", "bytes a-b/*" or "bytes */total"
		cr := r.Header.Get("Content-Range")
		if strings.HasSuffix(cr, "/*") {
			w.Header().Set("X-Http-Status-Code-Override", "308")
			w.Header().Set("Range", fmt.Sprintf("bytes=0-%d", up.data.Len()-1))
			w.WriteHeader(200)
			return
		}
		delete(f.Uploads, id)
		f.startJob(w, up.job, up.data.Bytes())
		return
	}
	f.Calls = append(f.Calls, "POST job")
	f.UploadTypes = append(f.UploadTypes, q.Get("uploadType"))
	if f.FailInserts > 0 {
		f.FailInserts--
		io.Copy(io.Discard, r.Body)
		f.fail(w, 503, "backendError", "service unavailable (fake)")
		return
	}
	switch q.Get("uploadType") {
	case "multipart":
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/related" {
			f.fail(w, 400, "invalid", "want multipart/related")
			return
		}
		mr := multipart.NewReader(r.Body, params["boundary"])
		var job bq.Job
		p, err := mr.NextPart()
		if err != nil || !f.decode(w, p, &job) {
			return
		}
		p, err = mr.NextPart()
		if err != nil {
			f.fail(w, 400, "invalid", "no media part")
			return
		}
		data, _ := io.ReadAll(p)
		f.startJob(w, &job, data)
	case "resumable":
		var job bq.Job
		if !f.decode(w, r.Body, &job) {
			return
		}
		id := strconv.Itoa(len(f.Uploads) + 1 + int(f.clock))
		f.Uploads[id] = &pendingUpload{job: &job}
		w.Header().Set("Location", f.Srv.URL+"/upload/bigquery/v2/projects/"+job.JobReference.ProjectId+"/jobs?uploadType=resumable&upload_id="+id)
		w.WriteHeader(200)
	default:
		f.fail(w, 400, "invalid", "unexpected uploadType "+q.Get("uploadType"))
	}
}

// startJob registers the job and runs it at once (or never, neverFinish).
func (f *Server) startJob(w http.ResponseWriter, job *bq.Job, data []byte) {
	id := job.JobReference.JobId
	if f.Jobs[id] != nil {
		f.fail(w, 409, "duplicate", "Already Exists: Job "+id)
		return
	}
	f.Jobs[id] = job
	job.Status = &bq.JobStatus{State: "RUNNING"}
	job.Statistics = &bq.JobStatistics{CreationTime: f.clock}
	if !f.NeverFinish {
		f.runLoad(job, data)
	}
	if f.LoseInsertAnswers > 0 {
		f.LoseInsertAnswers--
		f.fail(w, 503, "backendError", "answer lost (fake)")
		return
	}
	writeJSON(w, 200, job)
}

func (f *Server) runLoad(job *bq.Job, data []byte) {
	ld := job.Configuration.Load
	name, partition, _ := strings.Cut(ld.DestinationTable.TableId, "$")
	tb := f.Tables[ld.DestinationTable.DatasetId+"."+name]
	fail := func(reason, msg string) {
		e := &bq.ErrorProto{Reason: reason, Message: msg}
		job.Status = &bq.JobStatus{State: "DONE", ErrorResult: e, Errors: []*bq.ErrorProto{e}}
		job.Statistics.EndTime = f.clock
	}
	if tb == nil {
		fail("notFound", "Not found: Table "+name)
		return
	}
	if f.FailLoads != "" {
		fail("invalid", f.FailLoads)
		return
	}
	if ld.SourceFormat != "PARQUET" {
		fail("invalid", "want PARQUET, got "+ld.SourceFormat)
		return
	}
	field := ""
	if tb.Meta.TimePartitioning != nil {
		field = tb.Meta.TimePartitioning.Field
	}
	rows, days, err := readParquet(data, field)
	if err != nil {
		fail("invalid", "Error while reading data: "+err.Error())
		return
	}
	if partition != "" {
		for d := range days {
			if d != partition {
				fail("invalid", fmt.Sprintf("Some rows belong to partition %s instead of %s", d, partition))
				return
			}
		}
	}
	switch {
	case ld.WriteDisposition == "WRITE_TRUNCATE" && partition != "":
		tb.PartitionRows[partition] = rows
	case ld.WriteDisposition == "WRITE_TRUNCATE":
		tb.PartitionRows = map[string]int64{}
		if field == "" {
			tb.PartitionRows[""] = rows
		} else {
			for d, n := range days {
				tb.PartitionRows[d] = n
			}
		}
	default:
		fail("invalid", "fake supports WRITE_TRUNCATE only, got "+ld.WriteDisposition)
		return
	}
	tb.Meta.LastModifiedTime = uint64(f.clock)
	job.Status = &bq.JobStatus{State: "DONE"}
	job.Statistics.EndTime = f.clock
	job.Statistics.Load = &bq.JobStatistics3{OutputRows: rows, InputFileBytes: int64(len(data)), OutputBytes: rows * 100, InputFiles: 1}
}

// readParquet counts the rows of a Parquet file and, when field is set,
// the rows per day of that DATE column ("YYYYMMDD").
func readParquet(data []byte, field string) (int64, map[string]int64, error) {
	pf, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		return 0, nil, err
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 1024}, memory.DefaultAllocator)
	if err != nil {
		return 0, nil, err
	}
	days := map[string]int64{}
	if field == "" {
		return pf.NumRows(), days, nil
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		return 0, nil, err
	}
	defer tbl.Release()
	idx := tbl.Schema().FieldIndices(field)
	if len(idx) == 0 {
		return 0, nil, fmt.Errorf("no column %s", field)
	}
	for _, chunk := range tbl.Column(idx[0]).Data().Chunks() {
		dates, ok := chunk.(*array.Date32)
		if !ok {
			return 0, nil, fmt.Errorf("column %s is %s, not DATE", field, chunk.DataType())
		}
		for i := 0; i < dates.Len(); i++ {
			d := "NULL"
			if dates.IsValid(i) {
				d = dates.Value(i).ToTime().Format("20060102")
			}
			days[d]++
		}
	}
	return tbl.NumRows(), days, nil
}

func (f *Server) decode(w http.ResponseWriter, r io.Reader, v any) bool {
	if err := json.NewDecoder(r).Decode(v); err != nil {
		f.fail(w, 400, "invalid", "bad JSON: "+err.Error())
		return false
	}
	return true
}

func (f *Server) fail(w http.ResponseWriter, code int, reason, msg string) {
	writeJSON(w, code, map[string]any{"error": map[string]any{
		"code": code, "message": msg, "errors": []map[string]any{{"reason": reason, "message": msg}}}})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// partitions returns a copy of a table's partitions, nil if it does not exist.
func (f *Server) Partitions(dataset, table string) map[string]int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	tb := f.Tables[dataset+"."+table]
	if tb == nil {
		return nil
	}
	out := map[string]int64{}
	for k, v := range tb.PartitionRows {
		out[k] = v
	}
	return out
}

func (f *Server) Count(call string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.Calls {
		if c == call {
			n++
		}
	}
	return n
}
