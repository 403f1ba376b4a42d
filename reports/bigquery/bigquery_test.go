package bigquery

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/reports/bigquery/bqfake"
	"github.com/socialroi/socialroi/reports/files"
)

var (
	week1 = time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC) // Mondays
	week2 = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
)

// martSchema has one column of each type the marts use.
var martSchema = arrow.NewSchema([]arrow.Field{
	{Name: "week_start", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "model", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "spend", Type: &arrow.Decimal128Type{Precision: 18, Scale: 2}, Nullable: true},
	{Name: "revenue_total", Type: &arrow.Decimal128Type{Precision: 38, Scale: 2}, Nullable: true},
	{Name: "roas", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "conversions", Type: arrow.PrimitiveTypes.Int64, Nullable: false},
	{Name: "conversion_ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "fatigued", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "platforms", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
}, nil)

// writeMart writes a Parquet file of n rows whose week_start is week, with
// pad extra characters of incompressible text per row (to make big files).
func writeMart(t *testing.T, name string, week time.Time, n, pad int) string {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	b := array.NewRecordBuilder(mem, martSchema)
	defer b.Release()
	for i := 0; i < n; i++ {
		b.Field(0).(*array.Date32Builder).Append(arrow.Date32FromTime(week))
		model := fmt.Sprintf("model-%d", i%3)
		if pad > 0 {
			buf := make([]byte, pad/2)
			rand.Read(buf)
			model += fmt.Sprintf("%x", buf)
		}
		b.Field(1).(*array.StringBuilder).Append(model)
		b.Field(2).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(1234 + i)))
		b.Field(3).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(99999 + i)))
		b.Field(4).(*array.Float64Builder).Append(1.5)
		b.Field(5).(*array.Int64Builder).Append(int64(i))
		b.Field(6).(*array.TimestampBuilder).Append(arrow.Timestamp(week.Add(time.Hour).UnixMicro()))
		b.Field(7).(*array.BooleanBuilder).Append(i%2 == 0)
		lb := b.Field(8).(*array.ListBuilder)
		lb.Append(true)
		lb.ValueBuilder().(*array.StringBuilder).AppendValues([]string{"meta", "tiktok"}, nil)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	rdr, err := array.NewRecordReader(martSchema, []arrow.RecordBatch{rec})
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Release()
	path := filepath.Join(t.TempDir(), name+".parquet")
	if _, err := files.WriteParquet(t.Context(), path, rdr); err != nil {
		t.Fatal(err)
	}
	return path
}

func testConfig(f *bqfake.Server) config.BigQuery {
	return config.BigQuery{Project: "proj", Dataset: "marts", Location: "EU", BaseURL: f.Endpoint()}
}

// instant is a Publisher whose retries do not wait; it records the waits.
func instant(log *slog.Logger, waits *[]time.Duration) Publisher {
	return Publisher{Log: log, Sleep: func(ctx context.Context, d time.Duration) error {
		if waits != nil {
			*waits = append(*waits, d)
		}
		return ctx.Err()
	}}
}

func TestSchema(t *testing.T) {
	tests := []struct {
		name  string
		field arrow.Field
		want  *bigquery.FieldSchema
	}{
		{"money", arrow.Field{Name: "c", Type: &arrow.Decimal128Type{Precision: 18, Scale: 2}, Nullable: true}, &bigquery.FieldSchema{Name: "c", Type: bigquery.NumericFieldType}},
		{"rate", arrow.Field{Name: "c", Type: &arrow.Decimal128Type{Precision: 18, Scale: 4}, Nullable: true}, &bigquery.FieldSchema{Name: "c", Type: bigquery.NumericFieldType}},
		{"big sum", arrow.Field{Name: "c", Type: &arrow.Decimal128Type{Precision: 38, Scale: 2}, Nullable: true}, &bigquery.FieldSchema{Name: "c", Type: bigquery.BigNumericFieldType}},
		{"double", arrow.Field{Name: "c", Type: arrow.PrimitiveTypes.Float64, Nullable: true}, &bigquery.FieldSchema{Name: "c", Type: bigquery.FloatFieldType}},
		{"bigint not null", arrow.Field{Name: "c", Type: arrow.PrimitiveTypes.Int64}, &bigquery.FieldSchema{Name: "c", Type: bigquery.IntegerFieldType, Required: true}},
		{"integer", arrow.Field{Name: "c", Type: arrow.PrimitiveTypes.Int32, Nullable: true}, &bigquery.FieldSchema{Name: "c", Type: bigquery.IntegerFieldType}},
		{"date", arrow.Field{Name: "c", Type: arrow.FixedWidthTypes.Date32, Nullable: true}, &bigquery.FieldSchema{Name: "c", Type: bigquery.DateFieldType}},
		{"timestamptz", arrow.Field{Name: "c", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true}, &bigquery.FieldSchema{Name: "c", Type: bigquery.TimestampFieldType}},
		{"timestamp", arrow.Field{Name: "c", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true}, &bigquery.FieldSchema{Name: "c", Type: bigquery.DateTimeFieldType}},
		{"varchar", arrow.Field{Name: "c", Type: arrow.BinaryTypes.String, Nullable: true}, &bigquery.FieldSchema{Name: "c", Type: bigquery.StringFieldType}},
		{"string view", arrow.Field{Name: "c", Type: arrow.BinaryTypes.StringView, Nullable: true}, &bigquery.FieldSchema{Name: "c", Type: bigquery.StringFieldType}},
		{"enum", arrow.Field{Name: "c", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Uint8, ValueType: arrow.BinaryTypes.String}, Nullable: true}, &bigquery.FieldSchema{Name: "c", Type: bigquery.StringFieldType}},
		{"bool", arrow.Field{Name: "c", Type: arrow.FixedWidthTypes.Boolean, Nullable: true}, &bigquery.FieldSchema{Name: "c", Type: bigquery.BooleanFieldType}},
		{"list", arrow.Field{Name: "c", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true}, &bigquery.FieldSchema{Name: "c", Type: bigquery.StringFieldType, Repeated: true}},
		{"struct", arrow.Field{Name: "c", Type: arrow.StructOf(arrow.Field{Name: "k", Type: arrow.BinaryTypes.String, Nullable: true}), Nullable: true},
			&bigquery.FieldSchema{Name: "c", Type: bigquery.RecordFieldType, Schema: bigquery.Schema{{Name: "k", Type: bigquery.StringFieldType}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Schema(arrow.NewSchema([]arrow.Field{tt.field}, nil))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(bigquery.Schema{tt.want}, got); diff != "" {
				t.Errorf("schema (-want +got):\n%s", diff)
			}
		})
	}
	_, err := Schema(arrow.NewSchema([]arrow.Field{{Name: "c", Type: arrow.ListOf(arrow.ListOf(arrow.PrimitiveTypes.Int64))}}, nil))
	if !errors.Is(err, ErrUnsupportedType) {
		t.Errorf("list of lists: err = %v, want ErrUnsupportedType", err)
	}
}

func TestPublishCreatesDatasetAndTables(t *testing.T) {
	f := bqfake.New(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	tables := []Table{
		{Name: "mart_campaign_weekly", Parquet: writeMart(t, "mart_campaign_weekly", week1, 7, 0), Schema: martSchema, PartitionColumn: "week_start",
			Clustering: []string{"model"}, Description: "Per week, model, platform and campaign."},
		// Schema nil: read from the Parquet file.
		{Name: "mart_tracking_qa", Parquet: writeMart(t, "mart_tracking_qa", week1, 3, 0)},
	}
	p := instant(log, nil)
	p.Labels = map[string]string{"team": "growth"}
	outs, err := p.Publish(t.Context(), testConfig(f), week1, tables)
	if err != nil {
		t.Fatal(err)
	}
	ds := f.Datasets["marts"]
	if ds == nil || ds.Location != "EU" {
		t.Fatalf("dataset = %+v, want created in EU", ds)
	}
	tb := f.Tables["marts.mart_campaign_weekly"].Meta
	if tp := tb.TimePartitioning; tp == nil || tp.Type != "DAY" || tp.Field != "week_start" {
		t.Errorf("time partitioning = %+v, want DAY on week_start", tp)
	}
	if tb.Clustering == nil || !slices.Equal(tb.Clustering.Fields, []string{"model"}) {
		t.Errorf("clustering = %+v, want model", tb.Clustering)
	}
	if tb.Description != "Per week, model, platform and campaign." || tb.Labels["app"] != "socialroi" || tb.Labels["team"] != "growth" {
		t.Errorf("description %q, labels %v", tb.Description, tb.Labels)
	}
	var got []string
	for _, fs := range tb.Schema.Fields {
		mode := fs.Mode
		if mode == "" {
			mode = "NULLABLE" // BigQuery's default; the client omits it
		}
		got = append(got, fs.Name+" "+fs.Type+" "+mode)
	}
	want := []string{"week_start DATE NULLABLE", "model STRING NULLABLE", "spend NUMERIC NULLABLE",
		"revenue_total BIGNUMERIC NULLABLE", "roas FLOAT NULLABLE", "conversions INTEGER REQUIRED",
		"conversion_ts TIMESTAMP NULLABLE", "fatigued BOOLEAN NULLABLE", "platforms STRING REPEATED"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("table schema (-want +got):\n%s", diff)
	}
	if qa := f.Tables["marts.mart_tracking_qa"].Meta; qa.TimePartitioning != nil {
		t.Errorf("unpartitioned mart got partitioning %+v", qa.TimePartitioning)
	}
	if diff := cmp.Diff(map[string]int64{"20261116": 7}, f.Partitions("marts", "mart_campaign_weekly")); diff != "" {
		t.Errorf("partitions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int64{"": 3}, f.Partitions("marts", "mart_tracking_qa")); diff != "" {
		t.Errorf("unpartitioned rows (-want +got):\n%s", diff)
	}
	wantOut := []struct {
		Path string
		Rows int64
	}{{"bigquery://proj.marts.mart_campaign_weekly$20261116", 7}, {"bigquery://proj.marts.mart_tracking_qa", 3}}
	if len(outs) != 2 {
		t.Fatalf("outputs = %+v", outs)
	}
	for i, o := range outs {
		if o.Kind != "bigquery" || o.Path != wantOut[i].Path || o.Rows != wantOut[i].Rows || o.SHA256 == "" || o.Bytes == 0 {
			t.Errorf("output %d = %+v, want %+v", i, o, wantOut[i])
		}
	}
	for _, job := range f.Jobs {
		ld := job.Configuration.Load
		if ld.WriteDisposition != "WRITE_TRUNCATE" || ld.CreateDisposition != "CREATE_NEVER" || ld.SourceFormat != "PARQUET" {
			t.Errorf("job %s: load config %+v", job.JobReference.JobId, ld)
		}
		if ld.ParquetOptions == nil || !ld.ParquetOptions.EnableListInference {
			t.Errorf("job %s: list inference off", job.JobReference.JobId)
		}
		if job.Configuration.Labels["team"] != "growth" {
			t.Errorf("job %s: labels %v", job.JobReference.JobId, job.Configuration.Labels)
		}
		switch ld.DestinationTable.TableId {
		case "mart_campaign_weekly$20261116":
			if ld.Clustering == nil || !slices.Equal(ld.Clustering.Fields, []string{"model"}) || ld.TimePartitioning == nil {
				t.Errorf("job %s: clustering %+v, partitioning %+v", job.JobReference.JobId, ld.Clustering, ld.TimePartitioning)
			}
		case "mart_tracking_qa":
		default:
			t.Errorf("job %s: destination %s, want a partition decorator or the whole unpartitioned table", job.JobReference.JobId, ld.DestinationTable.TableId)
		}
	}
	if n := strings.Count(logs.String(), "bigquery: loaded"); n != 2 {
		t.Errorf("%d load log lines, want one per table:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "table=mart_campaign_weekly partition=20261116 rows=7") {
		t.Errorf("log lacks rows of the table:\n%s", logs.String())
	}
}

// TestPublishReplacesWeek loads weeks in sequence and checks the table's
// partitions after each step: a week is replaced, never duplicated.
func TestPublishReplacesWeek(t *testing.T) {
	f := bqfake.New(t)
	cfg := testConfig(f)
	w1a := writeMart(t, "a", week1, 5, 0)
	w1b := writeMart(t, "b", week1, 8, 0)
	w2 := writeMart(t, "c", week2, 4, 0)
	steps := []struct {
		name      string
		week      time.Time
		file      string
		want      map[string]int64
		newUpload bool // a load job was uploaded (not a recognised re-run)
	}{
		{"first load", week1, w1a, map[string]int64{"20261116": 5}, true},
		{"same data again is recognised", week1, w1a, map[string]int64{"20261116": 5}, false},
		{"other data for the week replaces it", week1, w1b, map[string]int64{"20261116": 8}, true},
		{"another week adds a partition", week2, w2, map[string]int64{"20261116": 8, "20261123": 4}, true},
		// The table changed since w1a's job: reloading it must not be
		// mistaken for done.
		{"earlier data again is loaded again", week1, w1a, map[string]int64{"20261116": 5, "20261123": 4}, true},
		{"and then recognised", week1, w1a, map[string]int64{"20261116": 5, "20261123": 4}, false},
	}
	for _, st := range steps {
		before := f.Count("POST job")
		outs, err := instant(nil, nil).Publish(t.Context(), cfg, st.week, []Table{{Name: "mart_x", Parquet: st.file, PartitionColumn: "week_start"}})
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if diff := cmp.Diff(st.want, f.Partitions("marts", "mart_x")); diff != "" {
			t.Errorf("%s: partitions (-want +got):\n%s", st.name, diff)
		}
		if uploaded := f.Count("POST job") > before; uploaded != st.newUpload {
			t.Errorf("%s: uploaded = %v, want %v", st.name, uploaded, st.newUpload)
		}
		if outs[0].Rows != st.want[st.week.Format("20060102")] {
			t.Errorf("%s: output rows %d", st.name, outs[0].Rows)
		}
	}
	if n := f.Count("POST table"); n != 1 {
		t.Errorf("table created %d times", n)
	}
}

func TestPublishRowsOutsidePartitionFailJob(t *testing.T) {
	f := bqfake.New(t)
	// Rows of week2 published as week1: BigQuery fails the job.
	_, err := instant(nil, nil).Publish(t.Context(), testConfig(f), week1,
		[]Table{{Name: "mart_campaign_weekly", Parquet: writeMart(t, "m", week2, 2, 0), PartitionColumn: "week_start"}})
	if !errors.Is(err, ErrLoadFailed) || !strings.HasPrefix(err.Error(), "bigquery: load mart_campaign_weekly: ") {
		t.Fatalf("err = %v, want ErrLoadFailed naming the table", err)
	}
	t.Log(err)
	if !strings.Contains(err.Error(), "partition 20261123 instead of 20261116") {
		t.Errorf("err = %v, want BigQuery's reason", err)
	}
}

func TestPublishRetriesUpload(t *testing.T) {
	tests := []struct {
		name      string
		failures  int
		wantErr   bool
		wantWaits int
	}{
		{"one 503 then success", 1, false, 1},
		{"three 503 then success", 3, false, 3},
		{"503 every time", 10, true, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := bqfake.New(t)
			f.FailInserts = tt.failures
			var waits []time.Duration
			p := instant(nil, &waits)
			_, err := p.Publish(t.Context(), testConfig(f), week1,
				[]Table{{Name: "mart_campaign_weekly", Parquet: writeMart(t, "m", week1, 2, 0), PartitionColumn: "week_start"}})
			if tt.wantErr {
				t.Log(err)
				if err == nil || !strings.HasPrefix(err.Error(), "bigquery: load mart_campaign_weekly: ") || !strings.Contains(err.Error(), "503") {
					t.Fatalf("err = %v, want a 503 naming the table", err)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if diff := cmp.Diff(map[string]int64{"20261116": 2}, f.Partitions("marts", "mart_campaign_weekly")); diff != "" {
				t.Errorf("partitions (-want +got):\n%s", diff)
			}
			if len(waits) != tt.wantWaits {
				t.Errorf("waited %d times (%v), want %d", len(waits), waits, tt.wantWaits)
			}
		})
	}
}

// TestPublishLostAnswer: the first insert creates and runs the job but its
// answer is lost; the retry gets 409 for the same id and takes the
// finished job instead of loading twice.
func TestPublishLostAnswer(t *testing.T) {
	f := bqfake.New(t)
	f.LoseInsertAnswers = 1
	outs, err := instant(nil, nil).Publish(t.Context(), testConfig(f), week1,
		[]Table{{Name: "mart_x", Parquet: writeMart(t, "m", week1, 6, 0), PartitionColumn: "week_start"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Jobs) != 1 || outs[0].Rows != 6 {
		t.Errorf("%d jobs, %d rows; want 1 job of 6 rows", len(f.Jobs), outs[0].Rows)
	}
	if n := f.Count("POST job"); n != 2 {
		t.Errorf("%d inserts, want 2 (the lost one and the 409)", n)
	}
}

func TestPublishRefusesOtherPartitioning(t *testing.T) {
	f := bqfake.New(t)
	cfg := testConfig(f)
	// Created unpartitioned by an earlier version, now meant partitioned.
	if _, err := instant(nil, nil).Publish(t.Context(), cfg, week1, []Table{{Name: "mart_x", Parquet: writeMart(t, "m", week1, 1, 0)}}); err != nil {
		t.Fatal(err)
	}
	before := f.Count("POST job")
	_, err := instant(nil, nil).Publish(t.Context(), cfg, week1, []Table{{Name: "mart_x", Parquet: writeMart(t, "m", week1, 1, 0), PartitionColumn: "week_start"}})
	if !errors.Is(err, ErrPartitioning) || !strings.Contains(err.Error(), "load mart_x") {
		t.Errorf("err = %v, want ErrPartitioning naming the table", err)
	}
	if f.Count("POST job") != before {
		t.Error("a load job was started against the wrong partitioning")
	}
}

func TestPublishResumableUpload(t *testing.T) {
	f := bqfake.New(t)
	path := writeMart(t, "big", week1, 3000, 200) // ~600 KB of random text
	p := instant(nil, nil)
	p.ChunkSize = 256 * 1024
	if _, err := p.Publish(t.Context(), testConfig(f), week1, []Table{{Name: "ledger", Parquet: path, PartitionColumn: "week_start"}}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"resumable"}, f.UploadTypes); diff != "" {
		t.Errorf("upload types (-want +got):\n%s", diff)
	}
	if f.Count("POST upload chunk") < 2 {
		t.Errorf("file sent in %d chunks, want several", f.Count("POST upload chunk"))
	}
	if diff := cmp.Diff(map[string]int64{"20261116": 3000}, f.Partitions("marts", "ledger")); diff != "" {
		t.Errorf("partitions (-want +got):\n%s", diff)
	}
}

func TestPublishHonoursContext(t *testing.T) {
	t.Run("cancelled before", func(t *testing.T) {
		f := bqfake.New(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := instant(nil, nil).Publish(ctx, testConfig(f), week1, []Table{{Name: "m", Parquet: writeMart(t, "m", week1, 1, 0), PartitionColumn: "week_start"}})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if len(f.Calls) != 0 {
			t.Errorf("calls made: %v", f.Calls)
		}
	})
	t.Run("while a job runs", func(t *testing.T) {
		f := bqfake.New(t)
		f.NeverFinish = true
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := instant(nil, nil).Publish(ctx, testConfig(f), week1, []Table{{Name: "mart_x", Parquet: writeMart(t, "m", week1, 1, 0), PartitionColumn: "week_start"}})
		t.Log(err)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "load mart_x") {
			t.Errorf("err = %v, want the deadline, naming the table", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("returned after %v", d)
		}
	})
}

func TestPublishRejectsNonMonday(t *testing.T) {
	_, err := Publish(t.Context(), config.BigQuery{Project: "p", Dataset: "d"}, week1.AddDate(0, 0, 2), nil, nil)
	if !errors.Is(err, ErrNotMonday) {
		t.Errorf("err = %v, want ErrNotMonday", err)
	}
}

// TestCredentialsNeverLeak runs with a service-account key whose token
// endpoint is the fake: the client signs in with it, and neither the key
// nor its id shows in logs (at debug) or errors, on success or failure.
func TestCredentialsNeverLeak(t *testing.T) {
	f := bqfake.New(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	const keyID = "secret-key-id-8f3a"
	creds, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "proj", "private_key_id": keyID, "private_key": pemKey,
		"client_email": "loader@proj.iam.gserviceaccount.com", "client_id": "123", "token_uri": f.Srv.URL + "/token",
	})
	secrets := []string{keyID, strings.Split(pemKey, "\n")[1]}

	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := testConfig(f)
	cfg.CredentialsJSON = string(creds)
	var errs []string
	// A success, a failed job and a bad key.
	if _, err := instant(log, nil).Publish(t.Context(), cfg, week1, []Table{{Name: "ok", Parquet: writeMart(t, "ok", week1, 2, 0), PartitionColumn: "week_start"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := instant(log, nil).Publish(t.Context(), cfg, week1, []Table{{Name: "bad", Parquet: writeMart(t, "bad", week2, 2, 0), PartitionColumn: "week_start"}}); err == nil {
		t.Fatal("load of rows outside the partition succeeded")
	} else {
		errs = append(errs, err.Error())
	}
	broken := cfg
	broken.CredentialsJSON = strings.Replace(string(creds), `"type":"service_account"`, `"type":"service_account",`+keyID, 1)
	if _, err := instant(log, nil).Publish(t.Context(), broken, week1, nil); err == nil {
		t.Fatal("broken key accepted")
	} else {
		errs = append(errs, err.Error())
	}
	t.Log(errs)
	for _, s := range secrets {
		if strings.Contains(logs.String(), s) {
			t.Errorf("logs contain the secret %q:\n%s", s, logs.String())
		}
		for _, e := range errs {
			if strings.Contains(e, s) {
				t.Errorf("error contains the secret %q: %s", s, e)
			}
		}
	}
	if f.Count("POST token") == 0 {
		t.Error("the client never asked the token endpoint: the key was not used")
	}
	for _, a := range f.Auth {
		if a != "Bearer fake-access-token" {
			t.Errorf("API call with Authorization %q", a)
			break
		}
	}
}

// TestBaseURLWithoutKeySendsNoAuth checks test mode: no key, BaseURL set,
// no Authorization header and no attempt at Application Default Credentials.
func TestBaseURLWithoutKeySendsNoAuth(t *testing.T) {
	f := bqfake.New(t)
	if _, err := instant(nil, nil).Publish(t.Context(), testConfig(f), week1, []Table{{Name: "m", Parquet: writeMart(t, "m", week1, 1, 0), PartitionColumn: "week_start"}}); err != nil {
		t.Fatal(err)
	}
	for _, a := range f.Auth {
		if a != "" {
			t.Fatalf("Authorization %q sent", a)
		}
	}
}

func TestJobIDIsDeterministic(t *testing.T) {
	a := jobID("marts", "mart_x", "20261116", "abc")
	if a != jobID("marts", "mart_x", "20261116", "abc") {
		t.Error("same inputs, different ids")
	}
	for _, other := range []string{jobID("staging", "mart_x", "20261116", "abc"), jobID("marts", "mart_y", "20261116", "abc"),
		jobID("marts", "mart_x", "20261123", "abc"), jobID("marts", "mart_x", "20261116", "abd")} {
		if other == a {
			t.Errorf("ids collide: %s", a)
		}
	}
}
