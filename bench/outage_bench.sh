#!/usr/bin/env bash
# Outage benchmark: time to commit a pipelined
#   INSERT INTO answers SELECT g, c.a FROM generate_series(1, ROWS) g, LATERAL chat('row ' || g) c
# against the local stand-in, on a throwaway cluster (the pool carries the
# requests; BENCH_PRELOAD=0 for the in-backend dispatcher):
#
#   bash bench/outage_bench.sh            # as root or as a user with sudo
#
#   (a) no outage: the baseline
#   (b) a 1 s and (c) a 5 s outage a quarter of the way in: the stand-in
#       stops listening and resets every open connection, then listens
#       again on the same port (POST /_control/outage), as a restart does;
#       every row must still commit (checked)
#   (d) an endpoint that never answers (nothing listens on port 1): the
#       first statement fails after mlpredict.retry_outage_window, then
#       BENCH_FAILS more statements of 200 rows each fail at once
#
# Prints each time and the outage's cost: (b) or (c) minus (a) minus the
# outage itself (how long after the endpoint came back the rows went on).
# Timing is psql's \timing (wall clock).  BENCH_KEEP=1 keeps the work
# directory (logs); BENCH_SKIP_BUILD=1 uses the installed extension.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

ROWS=${BENCH_ROWS:-5000}
LATENCY=${BENCH_LATENCY_MS:-10}
FAILS=${BENCH_FAILS:-3}
PRELOAD=${BENCH_PRELOAD:-1}
PGPORT=${BENCH_PGPORT:-55438}
STANDIN_PORT=${BENCH_STANDIN_PORT:-18797}
API_KEY=sk-test-openai-key

for v in "$ROWS" "$LATENCY" "$FAILS" "$PRELOAD" "$PGPORT" "$STANDIN_PORT"; do
	case $v in
		'' | *[!0-9]*) echo "outage_bench: BENCH_* values are whole numbers (got '$v')" >&2; exit 2 ;;
	esac
done
if [ "$ROWS" -lt 100 ]; then
	echo "outage_bench: need BENCH_ROWS >= 100" >&2
	exit 2
fi
if [ "$STANDIN_PORT" = 18787 ]; then
	echo "outage_bench: the stand-in port 18787 belongs to the dev setup; choose another" >&2
	exit 2
fi

work=$(mktemp -d /tmp/mlpredict-outagebench.XXXXXX)
chmod 755 "$work"
chown postgres "$work" 2>/dev/null || true
cleanup() {
	local rc=$?
	if [ $rc -ne 0 ] && [ -f "$work/postgres.log" ]; then
		echo "--- outage_bench failed; last lines of the server log:" >&2
		tail -n 15 "$work/postgres.log" >&2
	fi
	stop_standin
	as_pg "$PG_BINDIR/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "work directory kept: $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
	make -s -B -j"$(nproc)" PG_CONFIG="$PG_CONFIG" >/dev/null
	if [ "$(id -u)" -eq 0 ]; then
		make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
	else
		sudo make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
	fi
fi

if [ "$PRELOAD" = 1 ]; then
	echo "shared_preload_libraries = 'mlpredict'" | init_scratch_cluster "$work" "$PGPORT"
	mode="through the pool"
else
	init_scratch_cluster "$work" "$PGPORT" </dev/null
	mode="in the backend (no pool)"
fi
STANDIN_ARGS="--latency-ms $LATENCY" start_standin "$work"
as_pg "$PG_BINDIR/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w start >/dev/null

psql_() { as_pg "$PG_BINDIR/psql" -X -q -h "$work" -p "$PGPORT" -U postgres -d postgres "$@"; }
control() { curl -sf -X "$1" "http://127.0.0.1:$STANDIN_PORT/_control/$2" ${3:+-d "$3"}; }
stat_of() { sed -n "s/.*\"$1\": *\([0-9]*\).*/\1/p"; }
base="http://127.0.0.1:$STANDIN_PORT/v1"

psql_ -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE EXTENSION mlpredict;
SELECT mlpredict.create_connection('bench_chat', '{"type": "openai", "endpoint": "$base/chat/completions", "api-key": "$API_KEY"}');
SELECT mlpredict.create_model('chat', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "bench_chat"}');
SELECT mlpredict.create_connection('bench_down', '{"type": "openai", "endpoint": "http://127.0.0.1:1/v1/chat/completions", "api-key": "$API_KEY"}');
SELECT mlpredict.create_model('downchat', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "bench_down"}');
CREATE TABLE answers (id int, a text);
SQL
window=$(psql_ -At -c "LOAD 'mlpredict'" -c "SHOW mlpredict.retry_outage_window")
insert="INSERT INTO answers SELECT g, c.a FROM generate_series(1, $ROWS) g, LATERAL chat('row ' || g) c"

# run_insert OUTAGE_S: the INSERT's time in s (an outage of OUTAGE_S a
# quarter of the way in, none for 0); checks that every row committed.
run_insert() {
	local outage=$1 pid deadline ms ok
	psql_ -c 'TRUNCATE answers' >/dev/null
	control POST reset >/dev/null
	printf '\\timing on\n%s;\n' "$insert" | psql_ -v ON_ERROR_STOP=1 >"$work/insert.out" 2>&1 &
	pid=$!
	if [ "$outage" != 0 ]; then
		deadline=$((SECONDS + 120))
		until [ "$(control GET stats | stat_of requests)" -ge $((ROWS / 4)) ]; do
			[ $SECONDS -lt $deadline ] || { echo "outage_bench: the INSERT did not get going" >&2; exit 1; }
			sleep 0.005
		done
		control POST outage "{\"seconds\": $outage}" >/dev/null
	fi
	if ! wait "$pid"; then
		echo "outage_bench: the INSERT failed with a ${outage} s outage:" >&2
		cat "$work/insert.out" >&2
		exit 1
	fi
	ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$work/insert.out")
	ok=$(psql_ -At -c "SELECT count(*) FILTER (WHERE a = 'echo: row ' || id) = $ROWS AND count(DISTINCT id) = $ROWS FROM answers")
	[ "$ok" = t ] || { echo "outage_bench: rows missing or wrong after a ${outage} s outage" >&2; exit 1; }
	awk -v ms="$ms" 'BEGIN { printf "%.2f", ms / 1000 }'
}

echo "mlpredict outage benchmark, $mode: $ROWS rows, stand-in latency ${LATENCY} ms, mlpredict.retry_outage_window = $window, $(nproc) CPUs"
t0=$(run_insert 0)
printf '  (a) no outage:   %6s s to commit\n' "$t0"
t1=$(run_insert 1)
printf '  (b) 1 s outage:  %6s s to commit, every row (cost beyond the outage: %s s)\n' "$t1" \
	"$(awk -v t="$t1" -v b="$t0" 'BEGIN { printf "%.2f", t - b - 1 }')"
t5=$(run_insert 5)
printf '  (c) 5 s outage:  %6s s to commit, every row (cost beyond the outage: %s s)\n' "$t5" \
	"$(awk -v t="$t5" -v b="$t0" 'BEGIN { printf "%.2f", t - b - 5 }')"

# (d) one session: the first statement waits out the window, the next fail at once.
fail_out=$({
	echo '\timing on'
	for ((i = 0; i <= FAILS; i++)); do
		echo "SELECT count(*) FROM generate_series(1, 200) g, LATERAL downchat('row ' || g);"
	done
} | psql_ 2>&1)
errors=$(grep -c 'ERROR:  connection "bench_down" is unavailable' <<<"$fail_out" || true)
[ "$errors" -eq $((FAILS + 1)) ] || { echo "outage_bench: expected $((FAILS + 1)) unavailable errors:" >&2; echo "$fail_out" >&2; exit 1; }
mapfile -t fails < <(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$fail_out")
printf '  (d) down endpoint: first statement failed after %.2f s; the next %d (200 rows each) after %s ms\n' \
	"$(awk -v ms="${fails[0]}" 'BEGIN { print ms / 1000 }')" "$FAILS" "$(printf '%s ' "${fails[@]:1}" | sed 's/ $//')"
echo "  error: $(grep -m1 'ERROR:' <<<"$fail_out" | sed 's/^ERROR: *//')"
echo "  detail: $(grep -m1 'DETAIL:' <<<"$fail_out" | sed 's/^DETAIL: *//')"
