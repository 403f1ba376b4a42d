package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/socialroi/socialroi/config"
	"github.com/socialroi/socialroi/models"
	"github.com/socialroi/socialroi/transform"
)

// A full disk under the output folder: the outputs of a week fit once but
// not twice, so a re-run runs out of space while staging its files. It must
// fail (exit 1, the error says why), leave the week's published outputs
// byte for byte, and leave no staging files behind.
//
// The disk is a tmpfs of a measured size mounted for the test; that needs
// CAP_SYS_ADMIN, which the CI machine has (it runs as root).
func TestRunWithAFullOutputDisk(t *testing.T) {
	f := newFixture(t, []transform.AdPerformanceRow{adRow("2026-11-17", "a1", "10.00", "USD")},
		[]transform.ConversionRow{purchase("k1", "100.00")})
	t.Setenv("TEST_META_TOKEN", "tok-secret-42")
	cfg, err := config.Load(f.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	week := models.Week{Start: day("2026-11-16")}
	run := func(outDir string) *Result {
		c := *cfg
		c.OutDir = outDir
		return Run(t.Context(), Options{Config: &c, Week: week, AllowQAFailures: true})
	}

	// How much one week's outputs take.
	probe := filepath.Join(f.dir, "probe")
	if res := run(probe); res.ExitCode != ExitOK {
		t.Fatalf("probe run: exit %d: %v", res.ExitCode, res.Err)
	}
	size := dirSize(t, probe)

	disk := filepath.Join(f.dir, "disk")
	if err := os.MkdirAll(disk, 0o755); err != nil {
		t.Fatal(err)
	}
	limit := size * 3 / 2
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", limit), "tmpfs", disk).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small file system here (needs CAP_SYS_ADMIN): %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", disk).Run() })

	if res := run(disk); res.ExitCode != ExitOK {
		t.Fatalf("first run on a %d-byte disk for %d bytes of outputs: exit %d: %v", limit, size, res.ExitCode, res.Err)
	}
	before := checksums(t, filepath.Join(disk, "2026-W47"))
	workbook := filepath.Join(disk, "socialroi_2026-W47.xlsx")
	before[workbook] = checksum(t, workbook)

	res := run(disk)
	if res.ExitCode != ExitFailure || res.Err == nil || !errors.Is(res.Err, syscall.ENOSPC) && !strings.Contains(res.Err.Error(), "no space left") {
		t.Fatalf("second run on a full disk: exit %d, err %v; want exit %d saying the disk is full", res.ExitCode, res.Err, ExitFailure)
	}
	after := checksums(t, filepath.Join(disk, "2026-W47"))
	after[workbook] = checksum(t, workbook)
	if len(after) != len(before) {
		t.Errorf("%d files after the failed run, %d before", len(after), len(before))
	}
	for p, sum := range before {
		if after[p] != sum {
			t.Errorf("%s changed", p)
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(disk, ".*"))
	if len(leftovers) > 0 {
		t.Errorf("staging left behind: %v", leftovers)
	}
}

func dirSize(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		// tmpfs allocates whole pages
		n += (info.Size() + 4095) / 4096 * 4096
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func checksums(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		out[p] = checksum(t, p)
	}
	return out
}

func checksum(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
