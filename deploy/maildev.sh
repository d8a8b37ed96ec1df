#!/usr/bin/env bash
# The mail viewer of `make run`: maildev, a real SMTP sink with a web UI,
# installed from npm into .cache/ on first use.
#   deploy/maildev.sh install
#   deploy/maildev.sh run SMTP_PORT WEB_PORT
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.cache/maildev
bin=$dir/node_modules/maildev/bin/maildev

case "${1:-}" in
install)
  if [ ! -x "$bin" ]; then
    command -v npm >/dev/null || { echo "maildev needs Node.js and npm" >&2; exit 1; }
    echo "installing the mail viewer (maildev 2.2.1) into $dir …" >&2
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --silent maildev@2.2.1 >&2
  fi
  ;;
run)
  exec node "$bin" --smtp "$2" --web "$3" --ip 127.0.0.1 --silent
  ;;
*)
  echo "usage: $0 install | run SMTP_PORT WEB_PORT" >&2
  exit 2
  ;;
esac
