// Package e2e holds fachtag's end-to-end tests: a real server, a real
// outbox worker mailing an in-process SMTP sink, a fresh PostgreSQL
// database and headless Chromium driven over the DevTools protocol, walking
// the participant's path from the event page to cancellation. The package
// has no non-test code; the tests skip without a browser or a database
// (and fail under CI=true).
package e2e
