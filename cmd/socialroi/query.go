package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/socialroi/socialroi/models"
)

func newQueryCmd(g *globals) *cobra.Command {
	var configPath, warehouse, format string
	cmd := &cobra.Command{
		Use:   `query --config FILE "SQL"`,
		Short: "Run read-only SQL on the warehouse and print the result",
		Long: `Runs one SQL statement on the warehouse, opened read-only, so a number in the
workbook can be checked by hand. Every mart and canonical table is there:
mart_kpi_summary, mart_channel_weekly, attribution_ledger, ad_performance, …`,
		Example: `  socialroi query --config socialroi.yaml "SELECT * FROM mart_kpi_summary WHERE model = 'linear'"
  socialroi query --warehouse out/demo/socialroi.duckdb --format csv "SELECT * FROM attribution_channels"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if warehouse == "" {
				cfg, err := loadConfig(configPath)
				if err != nil {
					return err
				}
				warehouse = cfg.Warehouse
			}
			if _, err := os.Stat(warehouse); err != nil {
				return fmt.Errorf("warehouse %s: %w (run the pipeline first)", warehouse, err)
			}
			switch format {
			case "table", "csv", "json":
			default:
				return usageErr("--format %q: use table, csv or json", format)
			}
			wh, err := models.Open(cmd.Context(), warehouse, models.Options{ReadOnly: true})
			if err != nil {
				return err
			}
			defer wh.Close()
			rows, err := wh.Conn().QueryContext(cmd.Context(), args[0])
			if err != nil {
				return fmt.Errorf("query: %w", err)
			}
			defer rows.Close()
			cols, err := rows.Columns()
			if err != nil {
				return err
			}
			var out [][]any
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					return err
				}
				out = append(out, vals)
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("query: %w", err)
			}
			return printRows(g.stdout, format, cols, out)
		},
	}
	cmd.Flags().StringVarP(&configPath, "config", "c", "socialroi.yaml", "config file (names the warehouse)")
	cmd.Flags().StringVar(&warehouse, "warehouse", "", "warehouse file, instead of taking it from the config")
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	return cmd
}

func cellString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format(time.RFC3339)
	case []byte:
		return string(x)
	case float64:
		return fmt.Sprintf("%.6g", x)
	}
	return fmt.Sprint(v)
}

func printRows(w io.Writer, format string, cols []string, rows [][]any) error {
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(cols)
		for _, r := range rows {
			rec := make([]string, len(r))
			for i, v := range r {
				rec[i] = cellString(v)
			}
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	case "json":
		objs := make([]map[string]any, len(rows))
		for i, r := range rows {
			m := map[string]any{}
			for j, c := range cols {
				switch v := r[j].(type) {
				case nil, bool, int64, int32, float64, string:
					m[c] = v
				default:
					m[c] = cellString(v)
				}
			}
			objs[i] = m
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(objs)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(cols, "\t"))
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = cellString(v)
			if v == nil {
				cells[i] = "NULL"
			}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	fmt.Fprintf(tw, "(%d rows)\n", len(rows))
	return tw.Flush()
}
