package config

import _ "embed"

// Starter is the commented starter config `socialroi init` writes.
//
//go:embed starter.yaml
var Starter string
