// Package manifest defines the run manifest, out/<week>/manifest.json
// (DESIGN §5): what a run did, how long each stage took, what each source
// and model produced, the QA results and every output file with its
// checksum. Schedulers (Airflow) read it to decide what to do next, finance
// to trace a number back to the files and the run that produced it.
//
// The manifest never holds secrets. It has no field for credentials and
// callers must not put secret values in any field: source errors are
// recorded after redaction by the extractor that produced them, and config
// is recorded only as a hash. That is why there is no redaction hook here.
//
// The JSON is indented with a stable field order (the struct order below,
// map keys sorted), so two manifests of the same run diff cleanly. Write is
// atomic: a reader never sees a half-written manifest.
package manifest
