package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	size, sum, err := WriteAtomic(path, func(w io.Writer) error {
		_, err := io.WriteString(w, "a,b\n1,2\n")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	h := sha256.Sum256(b)
	if string(b) != "a,b\n1,2\n" || size != 8 || sum != hex.EncodeToString(h[:]) {
		t.Errorf("got %q size %d sum %s", b, size, sum)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	out, err := Describe("csv", path, 1)
	if err != nil || out.Bytes != 8 || out.SHA256 != sum || out.Rows != 1 {
		t.Errorf("Describe = %+v, %v", out, err)
	}

	// A failing write halfway leaves the old file and no temporary file.
	boom := errors.New("boom")
	_, _, err = WriteAtomic(path, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if b2, _ := os.ReadFile(path); string(b2) != string(b) {
		t.Error("failed write changed the file")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries left in the directory", len(entries))
	}
}
