package transform

import "testing"

func TestEmailKey(t *testing.T) {
	// Expected values from `printf '%s' alice@example.com | sha256sum`.
	const (
		alice = "email:ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976"
		bob   = "email:5ff860bf1190596c7188ab851db691f0f3169c453936e9e1eba2f9a47f7a0018"
	)
	for _, tt := range []struct{ in, want string }{
		{"alice@example.com", alice},
		{"  ALICE@Example.com\t", alice},
		{"bob@example.com", bob},
		{"", ""},
		{"   ", ""},
	} {
		if got := EmailKey(tt.in); got != tt.want {
			t.Errorf("EmailKey(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
