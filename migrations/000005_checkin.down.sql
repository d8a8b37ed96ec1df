DROP INDEX IF EXISTS audit_log_registration_idx;
DROP INDEX IF EXISTS registrations_search_trgm_idx;
DROP INDEX IF EXISTS registrations_event_checkin_idx;
DROP INDEX IF EXISTS registrations_event_seq_idx;
DROP INDEX IF EXISTS registrations_event_org_idx;
DROP INDEX IF EXISTS registrations_event_name_idx;
DROP INDEX IF EXISTS registrations_checkin_code_key;
ALTER TABLE registrations
    DROP COLUMN IF EXISTS checked_in_by,
    DROP COLUMN IF EXISTS checked_in_at,
    DROP COLUMN IF EXISTS checkin_code;
-- pg_trgm stays: other objects may use it by now.
