// Package excel writes the weekly workbook, out/socialroi_<week>.xlsx
// (DESIGN §6), with excelize.
//
// Sheets, in order: Summary (KPI tiles with week-over-week change, a weekly
// trend table and native charts of ROAS and spend), one sheet per
// Workbook.Sheets entry (any reports.Table: typed cells, number formats for
// money, percentages and ratios, a bold frozen header, an autofilter,
// conditional formatting against the targets), then Definitions and Run.
//
// Generic sheets are laid out from the table alone, so a new mart needs no
// code here: the column Kinds (reports.KindFor) decide the number formats,
// and column names decide the target highlighting (roas below target ROAS,
// cac above target CAC). Long tables are written with excelize's
// StreamWriter and capped (Workbook.RowCap), with a line saying where the
// full table is; streamed sheets get no conditional formats or charts
// because Excel does not reliably show them there.
//
// Write is atomic: the workbook is built in memory (and excelize's stream
// spill files), then written to a temporary file beside the target, synced
// and renamed over it. A failed or cancelled Write leaves an existing
// workbook at the path untouched.
package excel
