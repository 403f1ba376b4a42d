package httpx

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// leveled adapts *slog.Logger to retryablehttp.LeveledLogger, redacting
// every value: retryablehttp logs the request URL, whose query carries
// tokens, and errors that embed it.
//
// retryablehttp logs each failed attempt at Error level; those are not the
// run's errors (the final error is returned to the caller, who decides), so
// they go out as Warn.
type leveled struct {
	log    *slog.Logger
	redact *Redactor
}

func (l leveled) Error(msg string, kv ...any) { l.emit(slog.LevelWarn, msg, kv) }
func (l leveled) Warn(msg string, kv ...any)  { l.emit(slog.LevelWarn, msg, kv) }
func (l leveled) Info(msg string, kv ...any)  { l.emit(slog.LevelInfo, msg, kv) }
func (l leveled) Debug(msg string, kv ...any) { l.emit(slog.LevelDebug, msg, kv) }

func (l leveled) emit(level slog.Level, msg string, kv []any) {
	ctx := context.Background()
	if !l.log.Enabled(ctx, level) {
		return
	}
	args := make([]any, len(kv))
	for i, v := range kv {
		args[i] = l.clean(v)
	}
	l.log.Log(ctx, level, l.redact.String(msg), args...)
}

// clean keeps numbers and durations typed and turns everything else into
// redacted text.
func (l leveled) clean(v any) any {
	switch x := v.(type) {
	case nil, bool, int, int64, float64, time.Duration:
		return x
	case string:
		return l.redact.String(x)
	case error:
		return l.redact.String(x.Error())
	case fmt.Stringer:
		return l.redact.String(x.String())
	default:
		return l.redact.String(fmt.Sprint(x))
	}
}
