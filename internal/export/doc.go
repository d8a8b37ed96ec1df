// Package export writes the registrations of an event as files for
// organisers: CSV for German Excel and an XLSX workbook with one sheet per
// workshop. It reads nothing itself; the rows come from package roster.
package export
