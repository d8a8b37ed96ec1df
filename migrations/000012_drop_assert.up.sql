-- The pipelined fast path of sign-ups is gone (internal/booking, package
-- doc), and with it the only user of fachtag_assert.
DROP FUNCTION fachtag_assert(boolean, text);
