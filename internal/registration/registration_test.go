package registration

import (
	"encoding/json"
	"testing"
)

// The JSON of a booking is part of the HTTP API's contract.
func TestBookingJSON(t *testing.T) {
	for _, tt := range []struct {
		b    Booking
		want string
	}{
		{Booking{Slot: "r1", Workshop: "A1", Status: Confirmed}, `{"slot":"r1","workshop":"A1","status":"confirmed"}`},
		{Booking{Slot: "r1", Workshop: "B1", Status: Waitlisted, WaitlistPosition: 3},
			`{"slot":"r1","workshop":"B1","status":"waitlisted","waitlist_position":3}`},
	} {
		got, err := json.Marshal(tt.b)
		if err != nil || string(got) != tt.want {
			t.Errorf("Marshal(%+v) = %s, %v; want %s", tt.b, got, err, tt.want)
		}
	}
}

func TestValid(t *testing.T) {
	for _, s := range Statuses {
		if !s.Valid() {
			t.Errorf("%q.Valid() = false", s)
		}
	}
	for _, s := range []Status{"", "Confirmed", "pending"} {
		if s.Valid() {
			t.Errorf("%q.Valid() = true", s)
		}
	}
}
