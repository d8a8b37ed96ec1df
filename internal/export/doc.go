// Package export writes the registrations of an event as files for
// organisers: CSV for German Excel and an XLSX workbook with one sheet per
// workshop. It owns the columns of the registration list (Columns), which
// the list page shows as the organiser chose them and the files write
// alike. It reads nothing itself; the rows come from package roster.
package export
