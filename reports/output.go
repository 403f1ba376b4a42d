package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Output describes one file a run wrote. The writers in reports/files return
// it and the run manifest lists it (manifest.json "outputs"), so Airflow and
// finance can check what they read is what the run produced.
type Output struct {
	Kind   string `json:"kind"`   // "parquet", "csv", "excel", "manifest", …
	Path   string `json:"path"`   // as given to the writer
	Rows   int64  `json:"rows"`   // data rows (header excluded)
	Bytes  int64  `json:"bytes"`  // file size
	SHA256 string `json:"sha256"` // hex digest of the file's bytes
}

// Describe returns the Output of a file already on disk: its size and
// checksum. For writers that do not hash as they write (the workbook).
func Describe(kind, path string, rows int64) (Output, error) {
	f, err := os.Open(path)
	if err != nil {
		return Output{}, fmt.Errorf("reports: describe %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return Output{}, fmt.Errorf("reports: describe %s: %w", path, err)
	}
	return Output{Kind: kind, Path: path, Rows: rows, Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// WriteAtomic creates path with the bytes write produces, all or nothing.
//
// It writes to a temporary file in path's directory (so the final rename
// stays on one file system and is atomic), fsyncs it, makes it readable
// (0644: outputs are read by schedulers and other users) and renames it
// over path. If write or any step fails, the temporary file is removed and
// an existing file at path is left exactly as it was: a failed run never
// leaves a half-written output behind. It returns the size and hex SHA-256
// of what was written, hashed on the way through.
func WriteAtomic(path string, write func(w io.Writer) error) (size int64, sum string, err error) {
	tmp, err := createTemp(path)
	if err != nil {
		return 0, "", err
	}
	defer func() {
		if err != nil {
			tmp.Close() // may already be closed; the error is not interesting then
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	cw := &countingWriter{w: io.MultiWriter(tmp, h)}
	if err = write(cw); err != nil {
		return 0, "", err
	}
	if err = publish(tmp, path); err != nil {
		return 0, "", err
	}
	return cw.n, hex.EncodeToString(h.Sum(nil)), nil
}

// WriteAtomicFile is WriteAtomic for a writer that takes a file name rather
// than an io.Writer (DuckDB's COPY … TO): write creates the file at the
// temporary path it is given. The file is hashed after it is written.
func WriteAtomicFile(path string, write func(tmpPath string) error) (size int64, sum string, err error) {
	tmp, err := createTemp(path)
	if err != nil {
		return 0, "", err
	}
	name := tmp.Name()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if err = tmp.Close(); err != nil {
		return 0, "", err
	}
	if err = write(name); err != nil {
		return 0, "", err
	}
	// The writer may have replaced the file: open what is at the name now.
	if tmp, err = os.OpenFile(name, os.O_RDWR, 0); err != nil {
		return 0, "", err
	}
	h := sha256.New()
	if size, err = io.Copy(h, tmp); err != nil {
		return 0, "", fmt.Errorf("hash %s: %w", name, err)
	}
	if err = publish(tmp, path); err != nil {
		return 0, "", err
	}
	return size, hex.EncodeToString(h.Sum(nil)), nil
}

// createTemp creates the temporary file that becomes path, in path's
// directory.
func createTemp(path string) (*os.File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	return os.CreateTemp(dir, "."+base+".*.tmp")
}

// publish makes the written temporary file durable and readable, closes it
// and renames it over path.
func publish(tmp *os.File, path string) error {
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("chmod %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Persist the rename itself; a crash now must not resurrect the old
	// file. Not every platform can fsync a directory, so this is best effort.
	if d, derr := os.Open(filepath.Dir(path)); derr == nil {
		_ = d.Sync() // the file's data is already durable; only the entry may lag
		d.Close()
	}
	return nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
