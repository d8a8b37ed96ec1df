package event

import "time"

// MoveTo shifts every time of the file by the same amount so the event
// starts on the day of start (keeping its time of day), opens registration
// at now and closes it the day before the event. The demo uses it to bring
// past scenarios into the future.
func (f *File) MoveTo(start, now time.Time) {
	loc, err := time.LoadLocation(f.Timezone)
	if err != nil {
		loc = time.UTC
	}
	old := f.StartsAt.In(loc)
	day := start.In(loc)
	target := time.Date(day.Year(), day.Month(), day.Day(), old.Hour(), old.Minute(), old.Second(), 0, loc)
	d := target.Sub(f.StartsAt)
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
	opens := now.Add(-time.Hour).Truncate(time.Minute)
	closes := f.StartsAt.Add(-24 * time.Hour)
	f.Registration.OpensAt = &opens
	f.Registration.ClosesAt = &closes
}
