// Package registration holds the words every layer uses for a
// registration: its status and its booking of one slot, spelled as the
// HTTP API's contract spells them. It is pure (no database, no HTTP), so
// any package may import it. (Not "reg": that is the usual name of a
// registration variable.)
package registration

// Status is the state of a registration, or of one of its bookings.
type Status string

// The statuses. A booking is only ever Confirmed or Waitlisted.
const (
	Confirmed  Status = "confirmed"  // holds an event seat; a booking: holds a workshop seat
	Waitlisted Status = "waitlisted" // on the event's or the workshop's waiting list
	Received   Status = "received"   // wish phase: wishes received, nothing allocated yet
	Cancelled  Status = "cancelled"  // given up; holds nothing
)

// Statuses are all registration statuses, in the order lists show them.
var Statuses = []Status{Confirmed, Waitlisted, Received, Cancelled}

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool {
	switch s {
	case Confirmed, Waitlisted, Received, Cancelled:
		return true
	}
	return false
}

// Booking is a participant's place in one slot: a workshop seat or a place
// on its waiting list (WaitlistPosition counts from 1; 0 when confirmed).
type Booking struct {
	Slot             string `json:"slot"`
	Workshop         string `json:"workshop"`
	Status           Status `json:"status"`
	WaitlistPosition int    `json:"waitlist_position,omitempty"`
}

// Outcome is what a wish-phase participant got in one slot from the
// published allocation, and why it was not their first wish. It is
// decided once, from the published plan and the wishes, and stored, so
// that the mail and the personal page say the same.
type Outcome struct {
	Slot     string `json:"slot"`
	Workshop string `json:"workshop,omitempty"` // empty: no seat in this slot
	Rank     int    `json:"rank"`               // 1-based place in the wishes; 0 outside them or no seat
	// Reason says why the first wish was not given (one of the Reason
	// constants); empty when it was, or when no reason is certain.
	Reason string `json:"reason,omitempty"`
	First  string `json:"first,omitempty"` // the first wish the reason is about
	Other  string `json:"other,omitempty"` // ReasonTopic: the workshop of the same topic in another slot
	Worst  int    `json:"worst,omitempty"` // ReasonFullFair: nobody got a wish worse than this
}

// The reasons of an Outcome.
const (
	ReasonPinned    = "pinned"     // the organisers placed the person here
	ReasonClosed    = "closed"     // the first wish does not take place (below its minimum)
	ReasonTopic     = "topic"      // the first wish has the topic of a workshop got in another slot
	ReasonFullFirst = "full_first" // the first wish was full, every seat with people who wished it first
	ReasonFullFair  = "full_fair"  // full, partly with people who wished it later, in a fair run
	ReasonFull      = "full"       // the first wish was full
)

// Seated reports whether the outcome still describes booking b: the
// person may have swapped since the publication.
func (o Outcome) Seated(b Booking) bool {
	return o.Slot == b.Slot && o.Workshop == b.Workshop
}
