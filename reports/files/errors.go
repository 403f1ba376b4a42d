package files

import "errors"

// ErrNilReader is returned when a writer is given no record reader.
var ErrNilReader = errors.New("nil record reader")
