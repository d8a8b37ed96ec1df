DROP TRIGGER IF EXISTS registrations_wish_phase_open ON registrations;
DROP FUNCTION IF EXISTS registrations_wish_phase_open();
DROP TABLE IF EXISTS allocation_runs, allocation_pins;
