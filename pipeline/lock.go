package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// ErrLocked is returned when another run holds the warehouse.
var ErrLocked = errors.New("warehouse is in use by another run")

// Lock is an exclusive, advisory lock on a warehouse, held by one run.
//
// It is an flock(2) on <warehouse>.lock: the kernel releases it when the
// holder exits, however it exits, so a lock left by a killed run is never
// stale — the next run simply takes it. The file's content (pid, start
// time, run id) only serves the message a second run prints.
type Lock struct {
	f *os.File
}

type lockHolder struct {
	PID       int       `json:"pid"`
	RunID     string    `json:"run_id"`
	StartedAt time.Time `json:"started_at"`
	Host      string    `json:"host"`
}

// AcquireLock takes the warehouse's lock without waiting. When another run
// holds it, the error wraps ErrLocked and names the holder.
func AcquireLock(warehouse, runID string) (*Lock, error) {
	path := warehouse + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		var h lockHolder
		if b, rerr := os.ReadFile(path); rerr == nil && json.Unmarshal(b, &h) == nil && h.PID > 0 {
			return nil, fmt.Errorf("%w: pid %d on %s, run %s, started %s (%s ago); lock file %s",
				ErrLocked, h.PID, h.Host, h.RunID, h.StartedAt.Format(time.RFC3339),
				time.Since(h.StartedAt).Round(time.Second), path)
		}
		return nil, fmt.Errorf("%w (lock file %s)", ErrLocked, path)
	}
	host, _ := os.Hostname()
	b, _ := json.Marshal(lockHolder{PID: os.Getpid(), RunID: runID, StartedAt: time.Now().UTC(), Host: host})
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt(append(b, '\n'), 0)
	}
	return &Lock{f: f}, nil
}

// Release gives the lock up. The file stays; its lock is what matters.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	return errors.Join(err, l.f.Close())
}
