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
