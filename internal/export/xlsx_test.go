package export

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/registration"
	"github.com/fachtag/fachtag/internal/roster"
)

// TestXLSXColumnsAndCheckin writes a workbook and reads it back: each
// column is as wide as its longest cell (within bounds), and both sheets
// carry the time of check-in.
func TestXLSXColumnsAndCheckin(t *testing.T) {
	at := time.Date(2026, 6, 18, 8, 47, 0, 0, time.UTC)
	ev := &event.Event{Title: "Fachtag", Timezone: "UTC",
		Slots:     []event.Slot{{Key: "ws", Title: "Workshops"}},
		Workshops: []event.Workshop{{Key: "A", SlotKey: "ws", Title: "Beratung"}}}
	long := "Dr. Maximiliane Musterfrau-Beispielhaft"
	regs := []roster.Row{
		{ID: "1", Name: long, Email: "m@example.org", Status: registration.Confirmed, RegisteredAt: at, CheckedInAt: &at,
			Bookings: []roster.Booking{{Slot: "ws", Workshop: "A", Status: registration.Confirmed}}},
		{ID: "2", Name: "Bo", Email: "bo@example.org", Organisation: strings.Repeat("Verein ", 20), Status: registration.Confirmed, RegisteredAt: at},
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, ev, regs, nil, "de"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	for col, want := range map[string]float64{"A": float64(len([]rune(long)) + 2), "C": maxColWidth, "D": float64(len("Funktion") + 2)} {
		if got, err := f.GetColWidth(sheets[0], col); err != nil || got != want {
			t.Errorf("column %s width = %v (%v), want %v", col, got, err, want)
		}
	}
	for _, sheet := range sheets {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		header, first := rows[0], rows[1]
		if header[len(header)-1] != "Eingecheckt am" || first[len(header)-1] != "2026-06-18 08:47" {
			t.Errorf("sheet %s: last column %q = %q, want the check-in time", sheet, header[len(header)-1], first[len(header)-1])
		}
	}
}
