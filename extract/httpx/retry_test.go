package httpx

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestBackoffWait(t *testing.T) {
	const s = time.Second
	tests := []struct {
		name     string
		min, max time.Duration
		attempt  int
		r        float64
		want     time.Duration
	}{
		{"first attempt, low draw is the floor", s, 60 * s, 0, 0, s},
		{"first attempt, any draw is the floor", s, 60 * s, 0, 0.9, s},
		{"second attempt, top of range", s, 60 * s, 1, 0.5, 1500 * time.Millisecond},
		{"fourth attempt, mid range", s, 60 * s, 3, 0.5, 4500 * time.Millisecond},
		{"ceiling capped by max", s, 60 * s, 10, 0.5, 30500 * time.Millisecond},
		{"huge attempt does not overflow", s, 60 * s, 5000, 0.5, 30500 * time.Millisecond},
		{"bad random is treated as 0", s, 60 * s, 3, 7, s},
		{"max below min is raised to min", 2 * s, s, 3, 0.5, 2 * s},
		{"zero min gets a floor", 0, s, 0, 0, time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := backoffWait(tt.min, tt.max, tt.attempt, tt.r)
			if got != tt.want {
				t.Errorf("backoffWait(%s, %s, %d, %v) = %s, want %s", tt.min, tt.max, tt.attempt, tt.r, got, tt.want)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"seconds", "1", time.Second, true},
		{"seconds with spaces", "  120 ", 120 * time.Second, true},
		{"zero", "0", 0, true},
		{"http date ahead", now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second, true},
		{"rfc850 date ahead", now.Add(time.Minute).Format(time.RFC850), time.Minute, true},
		{"http date in the past", now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"huge seconds", "99999999999999999999999", maxRetryAfter, true},
		{"negative", "-5", 0, false},
		{"fraction", "1.5", 0, false},
		{"garbage", "soon", 0, false},
		{"empty", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseRetryAfter(tt.in, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// FuzzParseRetryAfter: go test -fuzz=FuzzParseRetryAfter ./extract/httpx
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"1", "120", "0", "Fri, 20 Nov 2026 12:00:30 GMT", "Friday, 20-Nov-26 12:01:00 GMT",
		"Fri Nov 20 12:00:30 2026", "99999999999999999999", "-1", "", " 3 "} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseRetryAfter(s, now)
		if d < 0 || d > maxRetryAfter {
			t.Fatalf("parseRetryAfter(%q) = %s out of range", s, d)
		}
		if !ok && d != 0 {
			t.Fatalf("parseRetryAfter(%q) = %s with ok=false", s, d)
		}
		if n, err := strconv.ParseInt(s, 10, 32); err == nil && n >= 0 && isDigits(s) {
			if !ok || d != time.Duration(n)*time.Second {
				t.Fatalf("parseRetryAfter(%q) = %s, %v; want %ds", s, d, ok, n)
			}
		}
	})
}
