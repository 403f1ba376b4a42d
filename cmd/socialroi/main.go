// Command socialroi is the paid-social and attribution analytics pipeline:
// it extracts ad, CRM and web data, models it in DuckDB and writes the
// weekly workbook, Parquet files and a run manifest. Run `socialroi --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
