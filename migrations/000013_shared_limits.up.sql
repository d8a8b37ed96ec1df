-- Limits that hold across replicas live in PostgreSQL, the one store every
-- installation runs: a token bucket per (scope, key) for request limits,
-- and login failures per (account, client address) plus an account-wide
-- slowdown instead of a lock of the whole account.

-- tokens is what the bucket held at updated_at; it refills at the limit's
-- rate up to its burst. allowed is the verdict of the last request, so the
-- one upsert that counts a request can also report it.
CREATE TABLE rate_limits (
    scope       text NOT NULL,
    key         text NOT NULL,
    tokens      double precision NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    allowed     boolean NOT NULL DEFAULT true,
    PRIMARY KEY (scope, key)
);
-- No index on updated_at: it changes with every request, and without an
-- index the upsert stays a HOT update; the hourly sweep scans the table.

-- Failed logins of one account from one client address, in a window;
-- succeeded_at marks an address the account has logged in from, which the
-- account-wide slowdown lets through.
CREATE TABLE login_pairs (
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client        text NOT NULL,
    failures      integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
    window_start  timestamptz NOT NULL DEFAULT now(),
    locked_until  timestamptz,
    succeeded_at  timestamptz,
    PRIMARY KEY (user_id, client)
);

-- The account-wide count: failures from every address since
-- failures_since; slow_until is the earliest time the next password check
-- from an unfamiliar address may run. No account lock is left: an attacker
-- could use it to lock the organiser out. New columns rather than new
-- meanings for failed_logins and locked_until, so that the binary before
-- this one keeps working during a rolling deploy (expand); a later
-- migration drops those two (contract).
ALTER TABLE users ADD COLUMN recent_failures integer NOT NULL DEFAULT 0 CHECK (recent_failures >= 0),
                  ADD COLUMN failures_since timestamptz,
                  ADD COLUMN slow_until timestamptz;
