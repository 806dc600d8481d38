#!/usr/bin/env bash
# Load benchmark (issue 8); figures, not a test. Results are recorded in docs/benchmarks.md.
#
#   scripts/load.sh sqlite N          # fresh SQLite database under /tmp
#   scripts/load.sh postgres N        # fresh PostgreSQL database thituyen_load_<N>_<pid>
#   scripts/load.sh sqlite N spike    # COUNT (default 2000) logins in the same second
#
# Environment: W (login window, s, default 60), S (save interval, s, default 5), STORM (submit
# window before the deadline, s, default 10), DURATION (exam minutes, default 3), START_IN
# (seconds between seeding and the start; default 30 + N/100), COUNT (spike logins),
# PG_ADMIN (default postgres://postgres@127.0.0.1:5432/test), PROFILE (release, or dev for the
# debug binaries), SKIP_BUILD=1 (use the binaries already built).
#
# One release server and the generator run on the same machine; the server is started on a
# fresh database with the demo round (`server demo --no-serve`), N candidates are seeded through
# the staff API (`loadgen seed`), then `loadgen run` plays the scenario and checks the database.
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:?sqlite or postgres}
n=${2:?number of candidates}
mode=${3:-run}
W=${W:-60}; S=${S:-5}; STORM=${STORM:-10}; DURATION=${DURATION:-3}
START_IN=${START_IN:-$((30 + n / 100))}
COUNT=${COUNT:-2000}
PG_ADMIN=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/test}
PROFILE=${PROFILE:-release}

[ -n "${SKIP_BUILD:-}" ] || cargo build --profile "$PROFILE" -p server -p loadgen
bin=target/$PROFILE
[ "$PROFILE" = dev ] && bin=target/debug

dir=$(mktemp -d /tmp/thituyen-load.XXXXXX)
case "$backend" in
  sqlite) export DATABASE_URL="sqlite://$dir/thituyen.db?mode=rwc" ;;
  postgres)
    db="thituyen_load_${n}_$$"
    psql "$PG_ADMIN" -qc "CREATE DATABASE $db"
    export DATABASE_URL="${PG_ADMIN%/*}/$db" ;;
  *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac
port=$((20000 + RANDOM % 20000))
base="http://127.0.0.1:$port"
"$bin/server" --data-dir "$dir" demo --no-serve >"$dir/demo.log"
RUST_LOG=${RUST_LOG:-warn} "$bin/server" --data-dir "$dir" serve --addr "127.0.0.1:$port" >"$dir/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -sf "$base/api/health" >/dev/null; do sleep 0.2; done

echo "backend=$backend n=$n mode=$mode W=$W S=$S storm=$STORM duration=${DURATION}min commit=$(git rev-parse --short HEAD)"
echo "machine: nproc=$(nproc) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) mem=$(free -m | awk '/Mem/{print $2}')MiB"
"$bin/loadgen" seed --base "$base" -n "$n" --plan "$dir/plan.json" \
  --start-in "$START_IN" --duration-minutes "$DURATION"
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$mode" = spike ]; then
  "$bin/loadgen" spike --plan "$dir/plan.json" --count "$COUNT"
else
  "$bin/loadgen" run --plan "$dir/plan.json" --window "$W" --save-every "$S" --storm "$STORM" \
    --database-url "$DATABASE_URL" --server-pid "$pid" --json "$dir/report.json"
fi
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
kill $pid; wait $pid 2>/dev/null || true
{ grep -ci error "$dir/server.log" || true; } | xargs echo "server log lines mentioning error:"
if [ "$backend" = postgres ]; then psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"; fi
echo "files: $dir"
