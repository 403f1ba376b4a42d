package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socialroi/socialroi/config"
	extfiles "github.com/socialroi/socialroi/extract/files"
	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/transform"
)

// attributeRows are two touchpoints of person a and two purchases, as SQL
// rows: (touchpoint_id, person_id, ts, utm_source, utm_medium) and
// (conversion_id, person_id, ts, revenue).
const (
	attributeTouchpoints = `(VALUES
		('t1', 'a', '2026-11-10 09:00:00+00', 'newsletter', 'email'),
		('t2', 'a', '2026-11-11 09:00:00+00', 'facebook', 'paid_social'))`
	attributeConversions = `(VALUES
		('c1', 'a', '2026-11-12 09:00:00+00', '90.00'),
		('c2', 'b', '2026-11-12 10:00:00+00', '10.00'))`
)

// copyFiles runs COPY statements that write the attribute inputs.
func copyFiles(t *testing.T, copies ...string) {
	t.Helper()
	wh, err := models.Open(t.Context(), ":memory:", models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	for _, q := range copies {
		if _, err := wh.Conn().ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// `attribute` gives one ledger whichever way its files come in: CSV, and
// Parquet scanned in place by DuckDB or converted through Go. The in-place
// scan must take only files already in the canonical shape, so each case
// also says which way its Parquet files go.
func TestAttributeInputFormats(t *testing.T) {
	// Person a: an email, then a paid Facebook click, then c1 of 90.00;
	// b buys 10.00 with no touchpoint (direct). linear splits c1 90.00 / 2
	// = 45.00 each; last_touch gives it all to t2.
	const want = "conversion_id,touchpoint_id,model,channel,credit,revenue_credit\n" +
		"c1,t2,last_touch,paid_social,1,90.00\n" +
		"c1,t1,linear,email,0.5,45.00\n" +
		"c1,t2,linear,paid_social,0.5,45.00\n" +
		"c2,,last_touch,direct,1,10.00\n" +
		"c2,,linear,direct,1,10.00\n"
	canonicalTP := `SELECT c1 AS touchpoint_id, c2 AS person_id, c3::TIMESTAMPTZ AS ts, 'click' AS interaction,
		c4 AS utm_source, c5 AS utm_medium, 'file' AS source FROM ` + attributeTouchpoints + ` AS v(c1, c2, c3, c4, c5)`
	canonicalConv := `SELECT c1 AS conversion_id, c2 AS person_id, c3::TIMESTAMPTZ AS ts, 'purchase' AS type,
		c4::DECIMAL(18, 2) AS revenue, 'USD' AS currency, false AS is_new_customer, 'file' AS crm_source
		FROM ` + attributeConversions + ` AS v(c1, c2, c3, c4)`
	// text columns, and only the ones the command needs: what an export
	// from a spreadsheet or another tool looks like
	textTP := `SELECT c1 AS touchpoint_id, c2 AS person_id, strftime(c3::TIMESTAMPTZ, '%Y-%m-%dT%H:%M:%SZ') AS ts,
		c4 AS utm_source, c5 AS utm_medium FROM ` + attributeTouchpoints + ` AS v(c1, c2, c3, c4, c5)`
	textConv := `SELECT c1 AS conversion_id, c2 AS person_id, strftime(c3::TIMESTAMPTZ, '%Y-%m-%dT%H:%M:%SZ') AS ts,
		c4 AS revenue FROM ` + attributeConversions + ` AS v(c1, c2, c3, c4)`
	for _, tc := range []struct {
		name     string
		ext      string
		tp, conv string
		inPlace  bool
	}{
		{"csv", "csv", textTP, textConv, false},
		{"parquet in the canonical shape, scanned in place", "parquet", canonicalTP, canonicalConv, true},
		{"parquet of text columns, converted", "parquet", textTP, textConv, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tp, conv := filepath.Join(dir, "tp."+tc.ext), filepath.Join(dir, "conv."+tc.ext)
			format := "(FORMAT " + tc.ext + ")"
			copyFiles(t,
				fmt.Sprintf("COPY (%s) TO '%s' %s", tc.tp, tp, format),
				fmt.Sprintf("COPY (%s) TO '%s' %s", tc.conv, conv, format))
			// the options Attribute reads each file with
			_, tpInPlace := extfiles.DirectParquet(tp, transform.Touchpoints,
				extfiles.WithRowID("touchpoint_id", "tp"), extfiles.WithDefault("interaction", "click"), extfiles.WithDefault("source", "file"))
			_, convInPlace := extfiles.DirectParquet(conv, transform.Conversions,
				extfiles.WithDefault("type", "purchase"), extfiles.WithDefault("currency", "USD"),
				extfiles.WithDefault("is_new_customer", "false"), extfiles.WithDefault("crm_source", "file"))
			if tpInPlace != tc.inPlace || convInPlace != tc.inPlace {
				t.Fatalf("scanned in place: touchpoints %v, conversions %v; want %v", tpInPlace, convInPlace, tc.inPlace)
			}
			opts := AttributeOptions{Touchpoints: tp, Conversions: conv, OutDir: filepath.Join(dir, "out"),
				Attribution: config.Defaults().Attribution}
			opts.Attribution.Models = []string{"linear", "last_touch"}
			if _, err := Attribute(t.Context(), opts); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(dir, "out", "ledger.csv"))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != want {
				t.Errorf("ledger.csv:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// A Parquet file scanned in place is still checked for two different rows
// of one key, and the error names the file.
func TestAttributeInPlaceDuplicateKey(t *testing.T) {
	dir := t.TempDir()
	tp, conv := filepath.Join(dir, "tp.parquet"), filepath.Join(dir, "conv.parquet")
	copyFiles(t,
		fmt.Sprintf(`COPY (SELECT 't1' AS touchpoint_id, 'a' AS person_id, TIMESTAMPTZ '2026-11-10 09:00:00+00' + to_hours(i) AS ts,
			'click' AS interaction, 'file' AS source FROM range(2) AS r(i)) TO '%s' (FORMAT parquet)`, tp),
		fmt.Sprintf(`COPY (SELECT 'c1' AS conversion_id, 'a' AS person_id, TIMESTAMPTZ '2026-11-12 09:00:00+00' AS ts,
			'purchase' AS type, 90.00::DECIMAL(18, 2) AS revenue, 'USD' AS currency, false AS is_new_customer,
			'file' AS crm_source) TO '%s' (FORMAT parquet)`, conv))
	if _, ok := extfiles.DirectParquet(tp, transform.Touchpoints, extfiles.WithRowID("touchpoint_id", "tp")); !ok {
		t.Fatal("the touchpoints file is not scanned in place: the test would not test that path")
	}
	_, err := Attribute(t.Context(), AttributeOptions{Touchpoints: tp, Conversions: conv, OutDir: filepath.Join(dir, "out"),
		Attribution: config.Defaults().Attribution})
	var dup *models.DuplicateKeyError
	if !errors.As(err, &dup) || !strings.Contains(err.Error(), "tp.parquet") || !strings.Contains(err.Error(), "t1") {
		t.Errorf("err = %v; want a duplicate key error naming tp.parquet and t1", err)
	}
}
