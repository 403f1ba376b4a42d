package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/socialroi/socialroi/models"
)

func TestZZDiag(t *testing.T) {
	ctx := t.Context()
	wh, err := models.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"), models.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	week := models.Week{Start: day("2026-11-16")}
	var marts []string
	columns := map[string][]string{}
	for i := range 5 {
		name := fmt.Sprintf("mart_%d", i)
		q := fmt.Sprintf(`CREATE TABLE %s AS SELECT DATE '2026-11-16' AS week_start, r AS n FROM range(%d) AS t(r)`, name, i+1)
		if _, err := wh.Conn().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
		marts = append(marts, name)
		columns[name] = []string{"week_start", "n"}
	}
	for k := 0; k < 600; k++ {
		dir := filepath.Join(t.TempDir(), "x")
		os.Mkdir(dir, 0o755)
		_, err = writeFiles(ctx, wh, 2, []string{"parquet"}, slices.Concat(marts, []string{"mart_missing"}), columns, week, dir, func() {})
		if err := os.RemoveAll(dir); err != nil {
			es, _ := os.ReadDir(dir)
			for _, e := range es {
				t.Logf("%d %v: %s", k, err, e.Name())
			}
		}
	}
}
