-- fachtag_assert lets a pipelined batch of statements stop itself: when ok
-- is false it raises SQLSTATE FT001 with the reason, which aborts the
-- batch's implicit transaction as a whole.
CREATE FUNCTION fachtag_assert(ok boolean, reason text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT ok THEN
        RAISE EXCEPTION USING ERRCODE = 'FT001', MESSAGE = reason;
    END IF;
    RETURN true;
END
$$;
