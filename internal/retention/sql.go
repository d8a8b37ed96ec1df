package retention

// The statements anonymise runs, in this order, each with $1 = event id
// and $2 = one registration of it, or NULL for all of them: a whole event
// after its retention period, or one person deleted on request at once.
// One definition of "anonymised" serves both.

// scrubAudit keeps who did what (user, actor, action, registration id)
// and removes from the detail every value that names one of the
// registrations or gives their address. The organiser's free-text
// "reason" of an entry about them goes always: it may name a person in a
// way no match finds ("Frau M."); for a whole event that is every reason.
const scrubAudit = `
WITH scrubbed AS (
    SELECT a.id, coalesce((
        SELECT jsonb_object_agg(d.key, d.value) FROM jsonb_each(a.detail) d
        WHERE NOT (d.key = 'reason' AND ($2::uuid IS NULL OR a.detail ->> 'registration_id' = $2::text))
          AND NOT EXISTS (
            SELECT 1 FROM registrations r
            WHERE r.event_id = $1 AND ($2::uuid IS NULL OR r.id = $2) AND (
                strpos(lower(CASE jsonb_typeof(d.value) WHEN 'string' THEN d.value #>> '{}' ELSE d.value::text END),
                       lower(r.email)) > 0
                OR (r.name <> '' AND strpos(lower(CASE jsonb_typeof(d.value) WHEN 'string' THEN d.value #>> '{}' ELSE d.value::text END),
                       lower(r.name)) > 0)))
    ), '{}'::jsonb) AS detail
    FROM audit_log a
    WHERE a.event_id = $1 AND jsonb_typeof(a.detail) = 'object'
)
UPDATE audit_log a SET detail = s.detail
FROM scrubbed s
WHERE a.id = s.id AND a.detail <> s.detail`

// blankOutbox keeps a mail's kind, status, attempts and times for the
// statistics and drops its address, content and error text (SMTP errors
// quote the address). A mail still waiting is given up: it has no
// address left to go to. An organiser's message to the whole event goes
// with the event, not with one person.
const blankOutbox = `
UPDATE outbox SET recipient = '', payload = '{}',
    last_error = CASE WHEN last_error = '' THEN '' ELSE 'removed by retention' END,
    status = CASE WHEN status IN ('pending', 'sending') THEN 'failed' ELSE status END
WHERE registration_id IN (SELECT id FROM registrations WHERE event_id = $1 AND ($2::uuid IS NULL OR id = $2))
   OR ($2::uuid IS NULL AND org_message_id IN (SELECT id FROM org_messages WHERE event_id = $1))`

// The personal links go, and the reconfirmation's answer links with them
// (the figure counts the personal links only).
const deleteTokens = `
WITH answer_links AS (
    DELETE FROM reconfirm_tokens WHERE registration_id IN (SELECT id FROM registrations WHERE event_id = $1 AND ($2::uuid IS NULL OR id = $2)))
DELETE FROM tokens WHERE registration_id IN (SELECT id FROM registrations WHERE event_id = $1 AND ($2::uuid IS NULL OR id = $2))`

// A stored sign-up reply holds the person's link and data; each record
// names the event whose sign-up it answers, and its reply the
// registration's id.
const deleteIdempotencyKeys = `
DELETE FROM idempotency_keys WHERE event_id = $1
  AND ($2::uuid IS NULL OR position(convert_to($2::text, 'UTF8') IN coalesce(response, '')) > 0)`

// An attendance certificate names the person, and its code would still
// show that name on the verification page: it goes, code and all.
const deleteCertificates = `
DELETE FROM certificates WHERE event_id = $1 AND ($2::uuid IS NULL OR registration_id = $2)`

// The placeholder address is unique per registration, so the unique
// index on (event, address) stays satisfied, and under the reserved
// .invalid domain, so it can never reach anybody. Status, consent times,
// language, check-in time and the bookings stay: they carry the figures,
// not the person.
const anonymiseRegistrations = `
UPDATE registrations SET
    name = '` + DeletedName + `',
    email = 'deleted-' || id || '@invalid',
    organisation = '', role = '', answers = '{}', choices = '{}',
    checkin_code = 'deleted-' || id,
    updated_at = now()
WHERE event_id = $1 AND ($2::uuid IS NULL OR id = $2)`

// The trigger registrations_wish_phase_open refuses any change of
// preferences on a wish (status received) once the event has left the
// wish phase; such leftovers keep their workshop keys, which name no one
// once the registration is anonymous.
const clearPreferences = `
UPDATE registrations r SET preferences = '{}'
WHERE r.event_id = $1 AND ($2::uuid IS NULL OR r.id = $2) AND r.preferences <> '{}'
  AND NOT (r.status = 'received' AND (SELECT reg_mode FROM events WHERE id = $1) <> 'preferences')`
