package bigquery

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/bigquery"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/reports"
)

// Table is one mart to publish.
type Table struct {
	// Name is the mart's name, used as the BigQuery table id.
	Name string
	// Parquet is the local path of the mart's Parquet file for the week
	// (files.CopyParquet's output): the rows of the report week for a
	// partitioned mart, the whole mart otherwise.
	Parquet string
	// Schema is the mart's Arrow schema; nil reads it from the Parquet
	// file (as arrow-go reads its types).
	Schema *arrow.Schema
	// PartitionColumn is the DATE column the table is DAY-partitioned on
	// ("week_start"), or "" for a mart replaced whole on every run.
	PartitionColumn string
	// Clustering lists up to four columns BigQuery clusters the table by
	// (model, platform or channel), so BI queries that filter on them read
	// less. Set when the table is created.
	Clustering []string
	// Description is the table's description (the mart's header comment).
	Description string
}

// Publisher loads marts into BigQuery. The zero value is ready to use;
// the fields exist so tests can make retries instant.
type Publisher struct {
	// Log gets one line per table loaded; nil discards.
	Log *slog.Logger
	// MaxAttempts bounds the tries of a load job's upload (default 4). The
	// client retries metadata calls itself but not an insert that carries
	// media, and the deterministic job id makes retrying it safe: if the
	// failed attempt did create the job, the retry finds it.
	MaxAttempts int
	// Sleep waits between attempts; nil sleeps on a timer, honouring ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// Step, when set, is called after each table is loaded (progress bars).
	Step func()
	// Labels are added to the tables created and to every load job (the
	// config's bigquery.labels), next to app=socialroi.
	Labels map[string]string
	// ChunkSize is the upload chunk size in bytes: files smaller than it go
	// in one multipart request, larger ones by resumable upload in chunks
	// of this size. 0 keeps the client's default (16 MiB).
	ChunkSize int
}

// Publish loads tables into cfg.Dataset for the report week (its Monday)
// with a default Publisher. See Publisher.Publish.
func Publish(ctx context.Context, cfg config.BigQuery, week time.Time, tables []Table, log *slog.Logger) ([]reports.Output, error) {
	return Publisher{Log: log, Labels: cfg.Labels}.Publish(ctx, cfg, week, tables)
}

// jobLabels is app=socialroi plus the configured labels.
func jobLabels(extra map[string]string) map[string]string {
	out := map[string]string{"app": "socialroi"}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// Publish creates cfg.Dataset and the tables when missing, then loads each
// table from its Parquet file: a partitioned table's partition for week
// (its Monday, in any time zone: only the date is used) is replaced, an
// unpartitioned table is replaced whole. Tables are loaded one after
// another and Publish stops at the first failure: tables loaded before it
// stay loaded (each load is atomic and re-running the week redoes them
// harmlessly). It returns one Output per table loaded, Kind "bigquery" and
// Path "bigquery://project.dataset.table$YYYYMMDD", with the rows the job
// wrote, and the size and SHA-256 of the loaded file.
//
// ctx is checked before each table and ends any wait on a job. A load
// job already started keeps running in BigQuery after a cancellation (it
// cannot be half applied); the next run of the week finds it by its id and
// waits for it instead of loading again.
//
// Errors name the table ("bigquery: load mart_x: …") and wrap ErrNotMonday,
// ErrUnsupportedType, ErrPartitioning, ErrLoadFailed, the client's
// *googleapi.Error, or ctx's error.
func (p Publisher) Publish(ctx context.Context, cfg config.BigQuery, week time.Time, tables []Table) ([]reports.Output, error) {
	if week.Weekday() != time.Monday {
		return nil, fmt.Errorf("bigquery: %s: %w", week.Format(time.DateOnly), ErrNotMonday)
	}
	week = time.Date(week.Year(), week.Month(), week.Day(), 0, 0, 0, 0, time.UTC)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bigquery: %w", err)
	}
	client, err := newClient(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer client.Close()

	ds := client.Dataset(cfg.Dataset)
	if err := ensureDataset(ctx, ds, cfg.Location); err != nil {
		return nil, fmt.Errorf("bigquery: dataset %s: %w", cfg.Dataset, err)
	}
	var outs []reports.Output
	for _, t := range tables {
		out, err := p.load(ctx, client, cfg, ds, week, t)
		if err != nil {
			return outs, fmt.Errorf("bigquery: load %s: %w", t.Name, err)
		}
		outs = append(outs, out)
		if p.Step != nil {
			p.Step()
		}
	}
	return outs, nil
}

// newClient builds the client from the config. The credentials go to the
// client only: they are never formatted into an error or a log line.
func newClient(ctx context.Context, cfg config.BigQuery) (*bigquery.Client, error) {
	var opts []option.ClientOption
	if cfg.CredentialsJSON != "" {
		// The key comes from our own config file, not from a third party,
		// and is pinned to the service-account type.
		opts = append(opts, option.WithAuthCredentialsJSON(option.ServiceAccount, []byte(cfg.CredentialsJSON)))
	}
	if cfg.BaseURL != "" {
		opts = append(opts, option.WithEndpoint(cfg.BaseURL))
		if cfg.CredentialsJSON == "" {
			opts = append(opts, option.WithoutAuthentication())
		}
	}
	c, err := bigquery.NewClient(ctx, cfg.Project, opts...)
	if err != nil {
		// The client's own message can quote a JSON parse error of the
		// key; say which setting is wrong instead.
		if cfg.CredentialsJSON != "" {
			return nil, errors.New("bigquery: client: bigquery.credentials_json is not a usable service-account key")
		}
		return nil, fmt.Errorf("bigquery: client: %w", err)
	}
	c.Location = cfg.Location
	return c, nil
}

func ensureDataset(ctx context.Context, ds *bigquery.Dataset, location string) error {
	_, err := ds.Metadata(ctx)
	if err == nil {
		return nil
	}
	if !isStatus(err, http.StatusNotFound) {
		return err
	}
	err = ds.Create(ctx, &bigquery.DatasetMetadata{Location: location})
	if isStatus(err, http.StatusConflict) { // created meanwhile by another run
		return nil
	}
	return err
}

// ensureTable creates the table when missing, and checks that an existing
// one is partitioned as the mart needs: loading a decorator into a table
// partitioned otherwise would fail, and failed loads count against the
// table's daily quota.
func ensureTable(ctx context.Context, t *bigquery.Table, schema bigquery.Schema, mart Table, labels map[string]string) (*bigquery.TableMetadata, error) {
	partition := mart.PartitionColumn
	md, err := t.Metadata(ctx)
	if err == nil {
		got := ""
		if md.TimePartitioning != nil {
			got = md.TimePartitioning.Field
			if got == "" {
				got = "_PARTITIONTIME"
			}
		}
		if got != partition {
			return nil, fmt.Errorf("partitioned on %q, mart needs %q: %w", got, partition, ErrPartitioning)
		}
		return md, nil
	}
	if !isStatus(err, http.StatusNotFound) {
		return nil, err
	}
	tm := &bigquery.TableMetadata{Schema: schema, Description: mart.Description, Labels: jobLabels(labels)}
	if partition != "" {
		tm.TimePartitioning = &bigquery.TimePartitioning{Type: bigquery.DayPartitioningType, Field: partition}
	}
	if len(mart.Clustering) > 0 {
		tm.Clustering = &bigquery.Clustering{Fields: mart.Clustering}
	}
	if err := t.Create(ctx, tm); err != nil && !isStatus(err, http.StatusConflict) {
		return nil, err
	}
	return t.Metadata(ctx)
}

func (p Publisher) load(ctx context.Context, client *bigquery.Client, cfg config.BigQuery, ds *bigquery.Dataset, week time.Time, t Table) (reports.Output, error) {
	if err := ctx.Err(); err != nil {
		return reports.Output{}, err
	}
	desc, err := reports.Describe("bigquery", t.Parquet, 0)
	if err != nil {
		return reports.Output{}, err
	}
	as := t.Schema
	if as == nil {
		if as, err = parquetSchema(t.Parquet); err != nil {
			return reports.Output{}, err
		}
	}
	schema, err := Schema(as)
	if err != nil {
		return reports.Output{}, err
	}
	if t.PartitionColumn != "" {
		if _, ok := as.FieldsByName(t.PartitionColumn); !ok {
			return reports.Output{}, fmt.Errorf("no partition column %q in the schema", t.PartitionColumn)
		}
	}
	table := ds.Table(t.Name)
	if _, err := ensureTable(ctx, table, schema, t, p.Labels); err != nil {
		return reports.Output{}, err
	}

	dest, partition := table, ""
	if t.PartitionColumn != "" {
		partition = week.Format("20060102")
		dest = ds.Table(t.Name + "$" + partition)
	}
	base := jobID(cfg.Dataset, t.Name, partition, desc.SHA256)
	job, reused, err := p.runJob(ctx, client, table, base, func(id string) (*bigquery.Job, error) {
		return p.insert(ctx, dest, t, schema, id)
	})
	if err != nil {
		return reports.Output{}, err
	}
	var rows, bytes int64
	if st := job.LastStatus(); st != nil && st.Statistics != nil {
		if ls, ok := st.Statistics.Details.(*bigquery.LoadStatistics); ok {
			rows, bytes = ls.OutputRows, ls.OutputBytes
		}
	}
	path := "bigquery://" + cfg.Project + "." + cfg.Dataset + "." + t.Name
	if partition != "" {
		path += "$" + partition
	}
	p.logger().Info("bigquery: loaded", "table", t.Name, "partition", partition, "rows", rows,
		"bytes", bytes, "file_bytes", desc.Bytes, "job", job.ID(), "reused", reused)
	return reports.Output{Kind: "bigquery", Path: path, Rows: rows, Bytes: desc.Bytes, SHA256: desc.SHA256}, nil
}

// maxGenerations bounds the deterministic ids tried for one (table, week,
// file): each re-run after the table changed, or after a failed job, takes
// the next one. Past it a time-based id is used.
const maxGenerations = 100

// runJob finds or runs the load job for one table. Ids are base, base_2,
// base_3, …: an id whose job succeeded and whose table has not been
// modified since that job ended is the same data already in place, and is
// reused; an id whose job failed, or whose table changed after it (another
// load of the same week with other data, say), is passed over, since a job
// id can never be run twice. The first unused id is inserted. Probing with
// jobs.get first avoids uploading a file only to be told 409.
func (p Publisher) runJob(ctx context.Context, client *bigquery.Client, table *bigquery.Table, base string,
	insert func(id string) (*bigquery.Job, error)) (*bigquery.Job, bool, error) {
	for gen := 1; ; gen++ {
		id := base
		if gen > 1 {
			id = base + "_" + strconv.Itoa(gen)
		}
		if gen > maxGenerations {
			id = base + "_t" + strconv.FormatInt(time.Now().UnixNano(), 36)
		}
		job, err := client.JobFromID(ctx, id)
		switch {
		case err == nil:
		case isStatus(err, http.StatusNotFound):
			job, err = insert(id)
			if isStatus(err, http.StatusConflict) {
				// Another run (or an attempt whose answer we lost) created
				// it meanwhile: look at that job.
				job, err = client.JobFromID(ctx, id)
			}
			if err != nil {
				return nil, false, err
			}
			st, err := job.Wait(ctx)
			if err != nil {
				return nil, false, fmt.Errorf("job %s: %w", id, err)
			}
			if st.Err() != nil {
				return nil, false, fmt.Errorf("job %s: %w: %s", id, ErrLoadFailed, jobErrors(st))
			}
			return job, false, nil
		default:
			return nil, false, err
		}
		st, err := job.Wait(ctx)
		if err != nil {
			return nil, false, fmt.Errorf("job %s: %w", id, err)
		}
		if st.Err() != nil {
			continue // a failed id cannot be rerun; take the next
		}
		md, err := table.Metadata(ctx)
		if err != nil {
			return nil, false, err
		}
		if st.Statistics != nil && !md.LastModifiedTime.After(st.Statistics.EndTime) {
			return job, true, nil
		}
	}
}

// insert starts the load job with id, retrying the upload on transient
// errors (5xx, 429, broken connections): the client does not retry an
// insert that carries media. A 409 is returned to the caller, which
// inspects the existing job.
func (p Publisher) insert(ctx context.Context, dest *bigquery.Table, t Table, schema bigquery.Schema, id string) (*bigquery.Job, error) {
	attempts := p.MaxAttempts
	if attempts <= 0 {
		attempts = 4
	}
	wait := time.Second
	for attempt := 1; ; attempt++ {
		job, err := p.insertOnce(ctx, dest, t, schema, id)
		if err == nil || attempt >= attempts || !transient(err) || ctx.Err() != nil {
			if err != nil && attempt > 1 {
				err = fmt.Errorf("after %d attempts: %w", attempt, err)
			}
			return job, err
		}
		// Full jitter, capped: loads of several tables retrying in step
		// would otherwise hit the service together.
		d := time.Duration(rand.Int64N(int64(wait))) + wait/2
		if err := p.sleep(ctx, d); err != nil {
			return nil, err
		}
		wait = min(wait*2, 30*time.Second)
	}
}

func (p Publisher) insertOnce(ctx context.Context, dest *bigquery.Table, t Table, schema bigquery.Schema, id string) (*bigquery.Job, error) {
	f, err := os.Open(t.Parquet)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src := bigquery.NewReaderSource(f)
	src.SourceFormat = bigquery.Parquet
	// Without list inference a Parquet LIST loads as a RECORD of
	// list.element instead of a REPEATED column.
	src.ParquetOptions = &bigquery.ParquetOptions{EnableListInference: true}
	// An explicit schema: BigQuery then reads the file into the types the
	// table was created with (NUMERIC, not an inferred BIGNUMERIC).
	src.Schema = schema
	l := dest.LoaderFrom(src)
	l.JobID = id
	l.CreateDisposition = bigquery.CreateNever // ensureTable created it with its partitioning
	l.WriteDisposition = bigquery.WriteTruncate
	if t.PartitionColumn != "" {
		l.TimePartitioning = &bigquery.TimePartitioning{Type: bigquery.DayPartitioningType, Field: t.PartitionColumn}
		// A new mart column must not fail the week's load: truncating one
		// partition may add columns and relax REQUIRED ones, the rest of
		// the table keeps NULLs there.
		l.SchemaUpdateOptions = []string{"ALLOW_FIELD_ADDITION", "ALLOW_FIELD_RELAXATION"}
	}
	if len(t.Clustering) > 0 {
		// A load into a clustered table must name the same clustering.
		l.Clustering = &bigquery.Clustering{Fields: t.Clustering}
	}
	l.Labels = jobLabels(p.Labels)
	if p.ChunkSize > 0 {
		l.MediaOptions = []googleapi.MediaOption{googleapi.ChunkSize(p.ChunkSize)}
	}
	return l.Run(ctx)
}

func (p Publisher) sleep(ctx context.Context, d time.Duration) error {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

func (p Publisher) logger() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.New(slog.DiscardHandler)
}

var unsafeID = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// jobID is the deterministic id of loading file (by its SHA-256) into the
// dataset's table partition: the dataset is part of it because job ids are
// unique per project, and two datasets (staging, production) in one
// project must not mistake each other's loads for their own.
func jobID(dataset, table, partition, sha string) string {
	h := sha256.Sum256([]byte(dataset + "\x00" + table + "\x00" + partition + "\x00" + sha))
	part := partition
	if part == "" {
		part = "all"
	}
	name := unsafeID.ReplaceAllString(table, "_")
	if len(name) > 200 {
		name = name[:200]
	}
	return "socialroi_load_" + name + "_" + part + "_" + hex.EncodeToString(h[:])[:20]
}

// parquetSchema reads the Arrow schema stored in a Parquet file's metadata.
func parquetSchema(path string) (*arrow.Schema, error) {
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, fmt.Errorf("read schema of %s: %w", path, err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		return nil, fmt.Errorf("read schema of %s: %w", path, err)
	}
	s, err := fr.Schema()
	if err != nil {
		return nil, fmt.Errorf("read schema of %s: %w", path, err)
	}
	return s, nil
}

func isStatus(err error, code int) bool {
	var ge *googleapi.Error
	return errors.As(err, &ge) && ge.Code == code
}

// transient reports whether a failed insert may succeed if tried again.
func transient(err error) bool {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return ge.Code == http.StatusTooManyRequests || (ge.Code >= 500 && ge.Code != http.StatusNotImplemented)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "connection reset") || strings.Contains(s, "connection refused")
}

// jobErrors formats a failed job's errors as "reason: message", the
// result first, without repeats.
func jobErrors(st *bigquery.JobStatus) string {
	var msgs []string
	add := func(err error) {
		var e *bigquery.Error
		if !errors.As(err, &e) {
			if err != nil {
				msgs = append(msgs, err.Error())
			}
			return
		}
		m := e.Reason + ": " + e.Message
		if e.Location != "" {
			m += " (at " + e.Location + ")"
		}
		if !slices.Contains(msgs, m) {
			msgs = append(msgs, m)
		}
	}
	add(st.Err())
	for _, e := range st.Errors {
		if e != nil {
			add(e)
		}
	}
	return strings.Join(msgs, "; ")
}
