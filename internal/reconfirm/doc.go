// Package reconfirm owns the reconfirmation of an event ("Kommen Sie?"):
// the organiser's settings, the scheduler that asks, reminds and releases,
// the participants' answers and the figures the dashboard shows.
//
// An event that uses it asks every confirmed participant SendDays before
// the start whether they still come, with two one-click links (each opens
// a page that asks for one button press, since mail scanners follow
// links). "No" cancels the registration through booking.CancelLocked, so
// the seats go to the waiting lists at once, and the person gets the
// usual cancellation mail. Unanswered questions get one reminder before
// the deadline; with Release the seats of people who still have not
// answered go to the waiting lists at the deadline, with a mail that says
// why, and an audit entry.
//
// Who is asked: everyone who registered before the send time and holds
// an event seat — at the send time, or as soon as they get one (promoted
// from the event's waiting list) while the deadline has not passed.
// People who register after the send time are not asked: their sign-up is
// fresh news that they come, and they count as confirmed. Someone asked
// less than NoticeBeforeRelease before the deadline (promoted late) keeps
// the seat at the deadline even with Release.
//
// Exactly once, with any number of schedulers: every step writes its rows
// under the event's row lock (booking's lock order, step 1) and is
// guarded by the state it changes — a question row exists once per
// registration (primary key), a reminder sets reminded_at where it is
// NULL, a release sets the answer where it is NULL — and each mail is
// queued in the same transaction as that row.
package reconfirm
