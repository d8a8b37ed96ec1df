#!/usr/bin/env bash
# `make run`: a throwaway PostgreSQL (unless DATABASE_URL is set), the schema,
# the demo events, a mail viewer (unless SMTP_HOST is set) and the server.
# Ctrl-C stops everything and removes the throwaway database.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${FACHTAG_BIN:-bin/fachtag}

if [ -z "${DATABASE_URL:-}" ]; then
  exec deploy/with-postgres.sh "$0" "$@"
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

export HTTP_ADDR=${HTTP_ADDR:-127.0.0.1:8080}
export BASE_URL=${BASE_URL:-http://$HTTP_ADDR}
export METRICS_ADDR=${METRICS_ADDR:-127.0.0.1:9090}
# Example legal texts, plainly marked as such, unless real ones are set.
if [ -z "${PRIVACY_URL:-}" ]; then export PRIVACY_FILE=${PRIVACY_FILE:-deploy/demo/privacy.txt}; fi
if [ -z "${IMPRINT_URL:-}" ]; then export IMPRINT_FILE=${IMPRINT_FILE:-deploy/demo/imprint.txt}; fi
mailview=""
if [ -z "${SMTP_HOST:-}" ]; then
  deploy/maildev.sh install
  smtp_port=${MAILDEV_SMTP_PORT:-1025}
  web_port=${MAILDEV_WEB_PORT:-1080}
  deploy/maildev.sh run "$smtp_port" "$web_port" &
  pids+=($!)
  export SMTP_HOST=127.0.0.1 SMTP_PORT=$smtp_port SMTP_TLS=none
  mailview="http://127.0.0.1:$web_port"
fi

"$bin" migrate
demo_out=$("$bin" demo)
echo "$demo_out"
# The mail viewer starts while the database is migrated and the demo is
# loaded; the server starts when it answers, so that the demo's first mails
# are not deferred.
if [ -n "$mailview" ]; then
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null && break
    sleep 0.2
  done
fi
"$bin" serve &
pids+=($!)

for _ in $(seq 1 50); do
  curl -fsS "$BASE_URL/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
cat <<MSG

  fachtag is running.
    Event pages:   $BASE_URL/
    Demo event:    $BASE_URL/events/stadt-land-flucht-2024
    No workshops:  $BASE_URL/events/mentoring-abend-2025
    Wish phase:    $BASE_URL/org/events/berufliche-teilhabe-2025/allocations
    Calendar feed: $BASE_URL/events.ics
    API:           $BASE_URL/api/v1/openapi.json
    Metrics:       http://$METRICS_ADDR/metrics
    Mail viewer:   ${mailview:-(real SMTP at $SMTP_HOST)}
    Organisers:    $BASE_URL/org/login
                   $(echo "$demo_out" | grep '^demo organiser' || true)
    Database:      $DATABASE_URL
  Press Ctrl-C to stop.

MSG
wait "${pids[-1]}"
