package httpx

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxSlug keeps landed file names short; the sequence number already makes
// them unique.
const maxSlug = 48

// land writes one response body to RawDir, gzip-compressed, with declared
// secrets redacted (Meta echoes the access token in paging URLs), and returns
// the file's name and sequence number ("" without RawDir). It is called for
// every response, error bodies included.
func (c *Client) land(path string, body []byte) (string, int64, error) {
	if c.opts.RawDir == "" {
		return "", 0, nil
	}
	if err := os.MkdirAll(c.opts.RawDir, 0o755); err != nil {
		return "", 0, fmt.Errorf("raw landing: %w", err)
	}
	slug := pathSlug(path)
	// O_EXCL, and a later number on a clash, so that a second Client
	// pointed at the same directory by mistake never overwrites a file.
	for range 1000 {
		seq := c.seq.Add(1)
		base := fmt.Sprintf("%06d-%s.json.gz", seq, slug)
		name := filepath.Join(c.opts.RawDir, base)
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", 0, fmt.Errorf("raw landing: %w", err)
		}
		zw := gzip.NewWriter(f)
		_, werr := zw.Write(c.redact.Bytes(body))
		cerr := zw.Close()
		ferr := f.Close()
		if err := errors.Join(werr, cerr, ferr); err != nil {
			return "", 0, fmt.Errorf("raw landing %s: %w", base, err)
		}
		return base, seq, nil
	}
	return "", 0, fmt.Errorf("raw landing: no free file name in %s", c.opts.RawDir)
}

// pathSlug turns "/v21.0/act_123/insights" into "v21.0-act_123-insights":
// lower-case letters, digits, '.', '_' and single dashes.
func pathSlug(p string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(p) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= maxSlug {
			break
		}
	}
	s := strings.Trim(b.String(), "-.")
	if s == "" {
		return "root"
	}
	return s
}
