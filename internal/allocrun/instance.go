package allocrun

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/allocation"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
)

// input is an event's solver instance as read from the database, with the
// fingerprint of everything a publication depends on.
type input struct {
	ev          *event.Event
	inst        *allocation.Instance
	fingerprint []byte
}

const selectWishes = `
SELECT id::text, preferences FROM registrations
WHERE event_id = $1 AND status = 'received' ORDER BY seq`

const selectPins = `
SELECT p.registration_id::text, s.key, w.key
FROM allocation_pins p
JOIN registrations r ON r.id = p.registration_id AND r.status = 'received'
JOIN slots s ON s.id = p.slot_id
JOIN workshops w ON w.id = p.workshop_id
WHERE p.event_id = $1
ORDER BY p.registration_id, s.key`

// loadInput builds the instance of ev. Wishes naming a workshop that no
// longer exists, or no longer runs in that slot, are skipped: the
// organiser may have changed the programme after people wished.
func loadInput(ctx context.Context, q db.Conn, ev *event.Event) (*input, error) {
	inst := &allocation.Instance{Slots: []string{}, Workshops: []allocation.Workshop{}, Participants: []allocation.Participant{}}
	for _, s := range ev.Slots {
		inst.Slots = append(inst.Slots, s.Key)
	}
	for _, w := range ev.Workshops {
		inst.Workshops = append(inst.Workshops, allocation.Workshop{Key: w.Key, Slot: w.SlotKey,
			Capacity: max(w.Capacity-w.Taken, 0), Topic: w.Topic, Min: max(w.MinParticipants-w.Taken, 0)})
	}
	rows, _ := q.Query(ctx, selectWishes, ev.ID)
	ps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (allocation.Participant, error) {
		var p allocation.Participant
		var raw map[string][]string
		err := r.Scan(&p.ID, &raw)
		p.Preferences = cleanWishes(ev, raw)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("load wishes: %w", err)
	}
	inst.Participants = ps
	if err := loadPins(ctx, q, ev, inst); err != nil {
		return nil, err
	}
	inst.Options = allocation.Options{AllowUnlisted: ev.Registration.AllowUnlisted, Seed: defaultSeed(ev.Slug)}
	return &input{ev: ev, inst: inst, fingerprint: fingerprint(ev, inst)}, nil
}

func cleanWishes(ev *event.Event, raw map[string][]string) map[string][]string {
	out := map[string][]string{}
	for slot, keys := range raw {
		seen := map[string]bool{}
		for _, k := range keys {
			if w, ok := ev.Workshop(k); ok && w.SlotKey == slot && !seen[k] {
				out[slot] = append(out[slot], k)
				seen[k] = true
			}
		}
	}
	return out
}

func loadPins(ctx context.Context, q db.Conn, ev *event.Event, inst *allocation.Instance) error {
	idx := make(map[string]int, len(inst.Participants))
	for i, p := range inst.Participants {
		idx[p.ID] = i
	}
	rows, _ := q.Query(ctx, selectPins, ev.ID)
	type pin struct{ reg, slot, ws string }
	pins, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pin, error) {
		var p pin
		return p, r.Scan(&p.reg, &p.slot, &p.ws)
	})
	if err != nil {
		return fmt.Errorf("load pins: %w", err)
	}
	for _, p := range pins {
		i, ok := idx[p.reg]
		if !ok {
			continue
		}
		if inst.Participants[i].Pinned == nil {
			inst.Participants[i].Pinned = map[string]string{}
		}
		inst.Participants[i].Pinned[p.slot] = p.ws
	}
	return nil
}

// defaultSeed makes re-runs of one event draw the same lottery, so that a
// pin moves the people it concerns and not everyone else as well.
func defaultSeed(slug string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(slug))
	return int64(h.Sum64() >> 1)
}

// unchangedInput reads the event's input again; it is ErrStaleRun unless
// it still has the fingerprint a run was computed from.
func unchangedInput(ctx context.Context, q db.Conn, ev *event.Event, want []byte) (*input, error) {
	in, err := loadInput(ctx, q, ev)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(in.fingerprint, want) {
		return nil, ErrStaleRun
	}
	return in, nil
}

// fingerprint hashes everything a publication of a run depends on: the
// wishes and pins (through the instance), every workshop's raw capacity
// and seats taken, and the event's seats. encoding/json writes map keys
// sorted, so equal inputs hash equal.
func fingerprint(ev *event.Event, inst *allocation.Instance) []byte {
	type ws struct {
		Key             string
		Capacity, Taken int
	}
	v := struct {
		Capacity, Confirmed int
		Mode                string
		Workshops           []ws
		Instance            *allocation.Instance
	}{Capacity: ev.Capacity, Confirmed: ev.Confirmed, Mode: ev.Registration.Mode, Instance: inst}
	for _, w := range ev.Workshops {
		v.Workshops = append(v.Workshops, ws{w.Key, w.Capacity, w.Taken})
	}
	data, _ := json.Marshal(v)
	sum := sha256.Sum256(data)
	return sum[:]
}
