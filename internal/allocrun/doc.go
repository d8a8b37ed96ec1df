// Package allocrun owns allocation runs in the product: it builds the
// solver instance of an event's wish phase from the database (wishes of
// the registrations with status received, the organiser's pins, seats
// left, topics), runs package allocation under a per-event advisory lock
// so that only one run per event is computed at a time across all app
// instances, stores every run as a draft with its result, and publishes a
// run: in one transaction the run becomes bookings (package booking), every
// participant gets one published mail, and the event switches to the
// first_come booking phase for the remaining seats.
package allocrun
