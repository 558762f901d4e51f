#!/usr/bin/env bash
# Run ADL's LRS conformance test suite (xAPI 1.0.3) against a throw-away instance of this LMS, section by
# section with a watchdog, and print the pass/fail counts per section and in total.
#
#   bench/lrs_conformance.sh SUITE_DIR [SECTION_PATTERN...]
#
# SUITE_DIR is a clone of adlnet/lrs-conformance-test-suite with its node modules installed (never inside
# this repository). The instance is a fresh SQLite database served by gunicorn (2 workers) on
# 127.0.0.1:$LRS_CONF_PORT (default 5077); set LRS_CONF_ENDPOINT to test an instance you started yourself
# (then also LRS_CONF_KEY and LRS_CONF_SECRET), or LRS_CONF_DATABASE_URL to serve an empty database of
# your choice (PostgreSQL) instead of a fresh SQLite file. Failures are listed in $LRS_CONF_OUT (default
# /tmp/lrs-conformance).
set -u
SUITE=$(cd "${1:?usage: $0 SUITE_DIR [SECTION_PATTERN...]}" && pwd); shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || { echo "no Python at $PY: run 'make install' first (or set PYTHON)" >&2; exit 1; }
PORT=${LRS_CONF_PORT:-5077}
OUT=${LRS_CONF_OUT:-/tmp/lrs-conformance}
WATCHDOG=${LRS_CONF_TIMEOUT:-420}
mkdir -p "$OUT"

SECTIONS=(
  "Formatting Requirements (Data 2.2)"
  "Statement Lifecycle Requirements (Data 2.3)"
  "Id Property Requirements (Data 2.4.1)"
  "Actor Property Requirements (Data 2.4.2)"
  "Verb Property Requirements (Data 2.4.3)"
  "Object Property Requirements (Data 2.4.4)"
  "Result Property Requirements (Data 2.4.5)"
  "Context Property Requirements (Data 2.4.6)"
  "Timestamp Property Requirements (Data 2.4.7)"
  "Stored Property Requirements (Data 2.4.8)"
  "Authority Property Requirements (Data 2.4.9)"
  "Version Property Requirements (Data 2.4.10)"
  "Attachments Property Requirements (Data 2.4.11)"
  "Retrieval of Statements (Data 2.5)"
  "Signed Statements (Data 2.6)"
  "Special Data Types and Rules (Data 4.0)"
  "HEAD Request Implementation Requirements (Communication 1.1)"
  "Headers Requirements (Communication 1.2)"
  "Alternate Request Syntax Requirements (Communication 1.3)"
  "Encoding Requirements (Communication 1.4)"
  "Content Type Requirements (Communication 1.5)"
  "Statement Resource Requirements (Communication 2.1)"
  "Document Resource Requirements (Communication 2.2)"
  "State Resource Requirements (Communication 2.3)"
  "Agents Resource Requirements (Communication 2.4)"
  "Activities Resource Requirements (Communication 2.5)"
  "Agent Profile Resource Requirements (Communication 2.6)"
  "Activity Profile Resource Requirements (Communication 2.7)"
  "About Resource Requirements (Communication 2.8)"
  "Concurrency Requirements (Communication 3.1)"
  "Error Codes Requirements (Communication 3.2)"
  "Versioning Requirements (Communication 3.3)"
  "Authentication Requirements (Communication 4.0)"
)
[ $# -gt 0 ] && SECTIONS=("$@")

SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; }
trap cleanup EXIT

if [ -z "${LRS_CONF_ENDPOINT:-}" ]; then
  if [ -n "${LRS_CONF_DATABASE_URL:-}" ]; then
    export LMS_DATABASE_URL="$LRS_CONF_DATABASE_URL"   # an empty database (e.g. PostgreSQL)
  else
    DB=$(mktemp /tmp/lrs-conf-XXXXXX.db)
    rm -f "$DB"
    export LMS_DATABASE_URL="sqlite:///$DB"
  fi
  export LMS_SITE_URL="http://127.0.0.1:$PORT"
  export LMS_SECRET_KEY=${LMS_SECRET_KEY:-conformance-run-secret}
  cd "$ROOT"
  "$PY" -c "from lms.cli import main; main()" lrs init-db >/dev/null || exit 1
  CREDS=$("$PY" -c "from lms.cli import main; main()" lrs create-credential conformance --scope all) || exit 1
  LRS_CONF_KEY=$(echo "$CREDS" | sed -n 1p); LRS_CONF_SECRET=$(echo "$CREDS" | sed -n 2p)
  "$PY" -m gunicorn -w 2 -b "127.0.0.1:$PORT" --chdir "$ROOT" --log-level warning --timeout 120 \
      'lms:create_app()' >"$OUT/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 50); do
    curl -sf "http://127.0.0.1:$PORT/xapi/about" >/dev/null && break
    sleep 0.2
  done
  LRS_CONF_ENDPOINT="http://127.0.0.1:$PORT/xapi"
fi

TOTAL=0; PASSED=0; FAILED=0
printf '%-96s %6s %6s %6s\n' "section" "total" "passed" "failed"
for section in "${SECTIONS[@]}"; do
  pattern=$(printf '%s' "$section" | sed 's/[][().*+?^$|\\{}]/\\&/g')
  log="$OUT/$(echo "$section" | tr -c 'A-Za-z0-9.\n' '_' | cut -c1-80).txt"
  (cd "$SUITE" && timeout "$WATCHDOG" node bin/console_runner.js -e "$LRS_CONF_ENDPOINT" -a \
      -u "$LRS_CONF_KEY" -p "$LRS_CONF_SECRET" -x 1.0.3 -z -g "$pattern" >"$log" 2>&1)
  summary=$(grep -E '^\{"total"' "$log" | tail -1)
  if [ -z "$summary" ]; then
    printf '%-96s %6s %6s %6s\n' "${section:0:96}" "?" "?" "timeout/crash"
    continue
  fi
  t=$(echo "$summary" | sed -E 's/.*"total":([0-9]+).*/\1/')
  p=$(echo "$summary" | sed -E 's/.*"passed":([0-9]+).*/\1/')
  f=$(echo "$summary" | sed -E 's/.*"failed":([0-9]+).*/\1/')
  TOTAL=$((TOTAL + t)); PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
  printf '%-96s %6s %6s %6s\n' "${section:0:96}" "$t" "$p" "$f"
done
printf '%-96s %6s %6s %6s\n' "TOTAL" "$TOTAL" "$PASSED" "$FAILED"
echo "{\"total\":$TOTAL,\"passed\":$PASSED,\"failed\":$FAILED}"
