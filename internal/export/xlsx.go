package export

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/roster"
)

// WriteXLSX writes a workbook with one sheet of the registrations (the
// name and cols, as WriteCSV) and one sheet per workshop. Cells are written as text, never as formulas, so the
// CSV neutralisation is not needed (and would change the data).
func WriteXLSX(w io.Writer, ev *event.Event, regs []roster.Row, cols []Column, lang string) error {
	f := excelize.NewFile()
	defer f.Close()
	tables := append([]table{registrationsTable(ev, regs, cols, lang)}, workshopTables(ev, regs, lang)...)
	used := map[string]bool{}
	for i, t := range tables {
		name := sheetName(t.name, used)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return fmt.Errorf("name sheet: %w", err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("add sheet %q: %w", name, err)
		}
		if err := writeSheet(f, name, t); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

// writeSheet streams the rows (fast and lean for thousands of them),
// header bold and frozen, every column as wide as its content.
func writeSheet(f *excelize.File, name string, t table) error {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("sheet %q: %w", name, err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, w := range columnWidths(t) {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return fmt.Errorf("sheet %q column %d: %w", name, i+1, err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := sw.SetRow("A1", cells(t.header, bold)); err != nil {
		return err
	}
	for i, row := range t.rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, cells(row, 0)); err != nil {
			return fmt.Errorf("sheet %q row %d: %w", name, i+2, err)
		}
	}
	return sw.Flush()
}

// Column widths in characters: the longest cell plus a margin, at least
// minColWidth, at most maxColWidth (longer text wraps in the cell).
const (
	minColWidth = 8
	maxColWidth = 60
)

// columnWidths fits each column to its longest cell, header included.
func columnWidths(t table) []float64 {
	widths := make([]float64, len(t.header))
	for _, row := range append([][]string{t.header}, t.rows...) {
		for i, v := range row {
			if i < len(widths) {
				widths[i] = max(widths[i], float64(utf8.RuneCountInString(v))+2)
			}
		}
	}
	for i := range widths {
		widths[i] = min(max(widths[i], minColWidth), maxColWidth)
	}
	return widths
}

func cells(row []string, style int) []any {
	out := make([]any, len(row))
	for i, v := range row {
		out[i] = excelize.Cell{StyleID: style, Value: v}
	}
	return out
}

// sheetName makes a valid, unique sheet name: at most 31 characters and
// none of : \ / ? * [ ].
func sheetName(s string, used map[string]bool) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, s)
	if s == "" {
		s = "Sheet"
	}
	base := truncate(s, 31)
	name := base
	for n := 2; used[strings.ToLower(name)]; n++ {
		suffix := fmt.Sprintf(" (%d)", n)
		name = truncate(base, 31-len(suffix)) + suffix
	}
	used[strings.ToLower(name)] = true
	return name
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
