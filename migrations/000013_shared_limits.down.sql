UPDATE users SET failed_logins = 0, slow_until = NULL;
ALTER TABLE users DROP COLUMN failures_since;
ALTER TABLE users RENAME COLUMN slow_until TO locked_until;
DROP TABLE login_pairs;
DROP TABLE rate_limits;
