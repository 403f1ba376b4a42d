// Package emulator holds in-process HTTP servers that speak the platforms'
// APIs, for connector tests and for `socialroi demo`.
//
// The core (Start, Server) listens on 127.0.0.1 on a random port, records
// every request it receives, and serves a fault script before normal
// handling: an ordered queue of injected responses (status, headers, body, or
// a dropped connection) matched by path prefix, so a test can say "first a
// 429 with Retry-After: 1, then a 400 with Meta code 17, then three 500s".
//
// Each platform server (NewMeta, …) serves a ground truth given as canonical
// rows (package transform) in the platform's own envelope — numbers as
// strings where the platform sends strings, absent keys for missing metrics,
// its paging and its error bodies — as described in the API notes, so that a
// connector that passes against the emulator works against the real API.
// Servers are deterministic: the same config and the same requests give the
// same bytes.
//
// extract/emulator/gen (the generated demo brand) lives in its own package.
package emulator
