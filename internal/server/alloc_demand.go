package server

import (
	"fmt"

	"github.com/fachtag/fachtag/internal/allocrun"
)

// slotDemandView is one slot's demand chart: every workshop with its
// counts by wish and a stacked bar (SVG, drawn to a common scale per
// slot, so bars compare across the slot; the numbers are text beside it).
type slotDemandView struct {
	allocrun.SlotDemand
	Ranks []int // 1, 2, … up to the longest list
	Rows  []demandRow
}

type demandRow struct {
	allocrun.WorkshopDemand
	Bars      []demandBar
	SeatsX    string // where the seats line is drawn, in percent of the width
	Crowded   bool   // more first wishes than seats
	FirstOver int    // how many first wishes more than seats
}

type demandBar struct {
	Rank int
	X, W string // percent of the width
}

func demandViews(ds []allocrun.SlotDemand) []slotDemandView {
	out := make([]slotDemandView, 0, len(ds))
	for _, d := range ds {
		v := slotDemandView{SlotDemand: d}
		scale := 1
		for _, w := range d.Workshops {
			scale = max(scale, w.Seats, w.Wishes)
			for len(v.Ranks) < len(w.ByRank) {
				v.Ranks = append(v.Ranks, len(v.Ranks)+1)
			}
		}
		for _, w := range d.Workshops {
			v.Rows = append(v.Rows, demandRowOf(w, scale))
		}
		out = append(out, v)
	}
	return out
}

func demandRowOf(w allocrun.WorkshopDemand, scale int) demandRow {
	pct := func(n int) string { return fmt.Sprintf("%.2f", 100*float64(n)/float64(scale)) }
	row := demandRow{WorkshopDemand: w, SeatsX: pct(w.Seats)}
	at := 0
	for i, n := range w.ByRank {
		if n > 0 {
			row.Bars = append(row.Bars, demandBar{Rank: i + 1, X: pct(at), W: pct(n)})
		}
		at += n
	}
	if len(w.ByRank) > 0 && w.ByRank[0] > w.Seats {
		row.Crowded, row.FirstOver = true, w.ByRank[0]-w.Seats
	}
	return row
}
