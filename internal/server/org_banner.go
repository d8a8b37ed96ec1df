package server

import (
	"context"
	"time"

	"github.com/fachtag/fachtag/internal/auth"
)

// mailStall is the warning organisers see while mails stall (an SMTP
// outage): since when, how many mails wait, in which zone to show the time.
type mailStall struct {
	Since   time.Time
	Waiting int
	Loc     *time.Location
}

// mailStall reads the outbox's state — the one the metrics report — and
// returns the warning, or nil while mails flow. A page never fails for its
// warning: an unreadable state is logged and left out.
func (s *Server) mailStall(ctx context.Context, loc *time.Location) *mailStall {
	st, err := s.outbox(ctx)
	if err != nil {
		s.log.Warn("read the outbox state for the mail warning", "err", err)
		return nil
	}
	if st.StalledSince.IsZero() {
		return nil
	}
	return &mailStall{Since: st.StalledSince, Waiting: st.Pending, Loc: loc}
}

// homeZone is the zone the start page shows times in: that of the
// organiser's first event, else Germany's.
func homeZone(events []auth.EventSummary) *time.Location {
	if len(events) > 0 {
		return events[0].Location()
	}
	return germany
}

var germany = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Berlin"); err == nil {
		return loc
	}
	return time.UTC
}()
