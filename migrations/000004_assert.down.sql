DROP FUNCTION IF EXISTS fachtag_assert(boolean, text);
