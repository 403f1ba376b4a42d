package pipeline

import (
	"bufio"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// stageClock times a run's stages, with the rows each handled and the
// process's peak resident memory during it: the figures `make bench`
// reports and the manifest keeps.
type stageClock struct {
	res   *Result
	log   *slog.Logger
	start time.Time
}

// begin starts a stage, resetting the peak-memory mark where the kernel
// allows it, so each stage reports its own peak.
func (c *stageClock) begin() {
	resetPeakRSS()
	c.start = time.Now()
}

// end records the stage started by begin.
func (c *stageClock) end(name string, rows int64) {
	t := Timing{Stage: name, Seconds: time.Since(c.start).Seconds(), Rows: rows, PeakRSSBytes: peakRSS()}
	c.res.Timings = append(c.res.Timings, t)
	if c.log != nil {
		c.log.Info("stage done", "stage", name, "seconds", t.Seconds, "rows", rows, "peak_rss_mib", t.PeakRSSBytes>>20)
	}
}

// peakRSS is the process's peak resident set size in bytes (VmHWM), or 0
// where /proc is not available.
func peakRSS() int64 {
	if runtime.GOOS != "linux" {
		return 0
	}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}

// resetPeakRSS sets VmHWM back to the current RSS (Linux ≥ 4.0, writing 5
// to clear_refs); elsewhere peaks accumulate over the run.
func resetPeakRSS() {
	if runtime.GOOS == "linux" {
		_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	}
}
