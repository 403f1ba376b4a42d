// Command socialroi is the paid-social and attribution analytics pipeline:
// it extracts ad, CRM and web data, models it in DuckDB and writes the
// weekly workbook, Parquet files and a run manifest. Run `socialroi --help`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopProfile := cpuProfile(os.Getenv("SOCIALROI_CPU_PROFILE"))
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stopProfile()
	stop()
	os.Exit(code)
}

// cpuProfile writes Go's CPU profile of the whole command to path, when
// set (see README, Performance): DuckDB's own threads show as cgo calls,
// so it tells the Go side's share (the workbook, CSV files) from the
// warehouse's. The returned function ends the profile.
func cpuProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		if err = pprof.StartCPUProfile(f); err != nil {
			f.Close()
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "socialroi: SOCIALROI_CPU_PROFILE: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
