package emulator

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Fault is one injected response. It is consumed by the first request whose
// path starts with PathPrefix ("" matches every path).
type Fault struct {
	PathPrefix string
	Status     int // default 500
	Header     http.Header
	Body       string
	// Skip lets this many matching requests through to normal handling
	// before the fault fires ("the third page fails"). Faults behind it in
	// the queue still match first if they have no Skip left.
	Skip int
	// CloseConnection drops the connection without any response, which the
	// client sees as a transport error.
	CloseConnection bool
}

// Repeat returns n copies of f, for "then three 500s".
func Repeat(n int, f Fault) []Fault {
	out := make([]Fault, n)
	for i := range out {
		out[i] = f
	}
	return out
}

// Request is a request the server received.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	// Fault is true when an injected fault answered it.
	Fault bool
}

// Server is a running emulator. Close it when done.
type Server struct {
	// URL is the base URL, e.g. "http://127.0.0.1:41234".
	URL string

	srv     *http.Server
	handler http.Handler

	mu     sync.Mutex
	faults []Fault
	reqs   []Request
}

// Start serves h on 127.0.0.1 on a random port, behind the fault script and
// the request record.
func Start(h http.Handler) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("emulator: listen: %w", err)
	}
	s := &Server{URL: "http://" + ln.Addr().String(), handler: h}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		// ErrServerClosed is how Close ends it; nothing else is expected on
		// a loopback listener, and there is no caller left to tell.
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Close stops the server and closes open connections.
func (s *Server) Close() error {
	if err := s.srv.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("emulator: close: %w", err)
	}
	return nil
}

// Inject appends faults to the script.
func (s *Server) Inject(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// PendingFaults is the number of injected faults not yet served; a test
// whose script was not used up expected calls that never happened.
func (s *Server) PendingFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.faults)
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.reqs))
	copy(out, s.reqs)
	return out
}

// ServeHTTP records the request, then serves the first matching fault or
// hands over to the platform handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := s.takeFault(r)
	if !ok {
		s.handler.ServeHTTP(w, r)
		return
	}
	if f.CloseConnection {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		// Not hijackable (HTTP/2): abort the handler, which resets the stream.
		panic(http.ErrAbortHandler)
	}
	for k, vs := range f.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	}
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(f.Body)) // a client that hung up is the test's business
}

func (s *Server) takeFault(r *http.Request) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone()}
	for i, f := range s.faults {
		if !strings.HasPrefix(r.URL.Path, f.PathPrefix) {
			continue
		}
		if f.Skip > 0 {
			s.faults[i].Skip--
			continue
		}
		{
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			rec.Fault = true
			s.reqs = append(s.reqs, rec)
			return f, true
		}
	}
	s.reqs = append(s.reqs, rec)
	return Fault{}, false
}
