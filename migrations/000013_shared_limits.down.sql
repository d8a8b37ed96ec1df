ALTER TABLE users DROP COLUMN slow_until, DROP COLUMN failures_since, DROP COLUMN recent_failures;
DROP TABLE login_pairs;
DROP TABLE rate_limits;
