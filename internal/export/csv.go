package export

import (
	"encoding/csv"
	"io"
	"strings"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/roster"
)

// CSV files are written for German Excel: UTF-8 with a byte-order mark (or
// Excel reads the umlauts as Latin-1) and semicolons, the list separator
// of the German locale, so a double click opens them in columns.
const (
	bom       = "\ufeff"
	separator = ';'
)

// WriteCSV writes the registrations as CSV, the name and then cols (nil:
// every column but the waiting-list place); headers and texts are in lang.
func WriteCSV(w io.Writer, ev *event.Event, regs []roster.Row, cols []Column, lang string) error {
	return writeCSV(w, registrationsTable(ev, regs, cols, lang))
}

func writeCSV(w io.Writer, t table) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = separator
	cw.UseCRLF = true
	if err := cw.Write(neutralise(t.header)); err != nil {
		return err
	}
	for _, row := range t.rows {
		if err := cw.Write(neutralise(row)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// neutralise defuses CSV injection: a cell that starts with = + - @ or a
// tab or carriage return would be read as a formula by spreadsheet
// programs, so it gets a leading apostrophe and is read as text (OWASP).
func neutralise(row []string) []string {
	out := make([]string, len(row))
	for i, cell := range row {
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
			cell = "'" + cell
		}
		out[i] = cell
	}
	return out
}
