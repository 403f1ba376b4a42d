package manifest

import "errors"

// ErrInvalid is wrapped by Validate (and so by Write and Read) when a
// manifest breaks its own contract: an unknown status, a missing run id.
var ErrInvalid = errors.New("invalid manifest")
