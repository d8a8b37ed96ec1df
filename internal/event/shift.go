package event

import "time"

// MoveTo shifts every time of the file by the same amount so the event
// starts on the day of start (keeping its time of day), opens registration
// at now and closes it the day before the event. The demo uses it to bring
// past scenarios into the future.
func (f *File) MoveTo(start, now time.Time) {
	f.shift(f.offsetTo(start))
	opens := now.Add(-time.Hour).Truncate(time.Minute)
	closes := f.StartsAt.Add(-24 * time.Hour)
	f.Registration.OpensAt = &opens
	f.Registration.ClosesAt = &closes
}

// offsetTo is how far the event moves when it starts on the day of day,
// at its own time of day in its own time zone.
func (f *File) offsetTo(day time.Time) time.Duration {
	loc, err := time.LoadLocation(f.Timezone)
	if err != nil {
		loc = time.UTC
	}
	old := f.StartsAt.In(loc)
	d := day.In(loc)
	target := time.Date(d.Year(), d.Month(), d.Day(), old.Hour(), old.Minute(), old.Second(), 0, loc)
	return target.Sub(f.StartsAt)
}

// shift moves every time of the file, the registration window included,
// by d.
func (f *File) shift(d time.Duration) {
	f.StartsAt = f.StartsAt.Add(d)
	f.EndsAt = f.EndsAt.Add(d)
	for i := range f.Programme {
		f.Programme[i].StartsAt = f.Programme[i].StartsAt.Add(d)
		f.Programme[i].EndsAt = f.Programme[i].EndsAt.Add(d)
	}
	for i := range f.Slots {
		f.Slots[i].StartsAt = f.Slots[i].StartsAt.Add(d)
		f.Slots[i].EndsAt = f.Slots[i].EndsAt.Add(d)
	}
	if t := f.Registration.OpensAt; t != nil {
		opens := t.Add(d)
		f.Registration.OpensAt = &opens
	}
	if t := f.Registration.ClosesAt; t != nil {
		closes := t.Add(d)
		f.Registration.ClosesAt = &closes
	}
}

// Reschedule gives the event the time zone, start and end and moves the
// programme and the slots with it: each keeps its time of day, now read in
// the new zone, and its day counted from the event's first day. The
// registration window stays where it is.
func (f *File) Reschedule(timezone string, start, end time.Time) {
	oldLoc, err := time.LoadLocation(f.Timezone)
	if err != nil {
		oldLoc = time.UTC
	}
	newLoc, err := time.LoadLocation(timezone)
	if err != nil {
		newLoc = time.UTC
	}
	from, to := f.StartsAt.In(oldLoc), start.In(newLoc)
	move := func(t time.Time) time.Time {
		c := t.In(oldLoc)
		days := int(civil(c).Sub(civil(from)).Hours() / 24)
		return time.Date(to.Year(), to.Month(), to.Day()+days, c.Hour(), c.Minute(), c.Second(), c.Nanosecond(), newLoc)
	}
	for i := range f.Programme {
		f.Programme[i].StartsAt, f.Programme[i].EndsAt = move(f.Programme[i].StartsAt), move(f.Programme[i].EndsAt)
	}
	for i := range f.Slots {
		f.Slots[i].StartsAt, f.Slots[i].EndsAt = move(f.Slots[i].StartsAt), move(f.Slots[i].EndsAt)
	}
	f.Timezone, f.StartsAt, f.EndsAt = timezone, start, end
}

// civil is the calendar day of t, as midnight UTC.
func civil(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
