// Package reports is the shared ground of the output writers.
//
// It is responsible for:
//   - Table, a mart (or a slice of one) read back from the warehouse as Go
//     values, and FromArrow, which builds one from an Arrow record reader;
//   - Kind and KindFor: how each column is shown (money, percentage, ratio,
//     date …), decided once from its name and Arrow type so the workbook
//     and any other writer agree;
//   - WriteAtomic (and WriteAtomicFile, for writers that need a file name),
//     the temp-file-and-rename every writer uses so that a failed run never
//     leaves a half-written output, and Output, the description of a
//     written file that the run manifest lists.
//
// The writers themselves live in subpackages: reports/excel (the weekly
// workbook), reports/files (Parquet and CSV) and reports/manifest
// (manifest.json).
package reports
