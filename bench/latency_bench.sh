#!/usr/bin/env bash
# Heavy-tailed latency benchmark (issue 16): the pipelined join against a
# plain curl-multi client meeting the same latencies, on a throwaway
# cluster with mlpredict preloaded (the pool carries the requests):
#
#   bash bench/latency_bench.sh            # as root or as a user with sudo
#
#   (a) the stand-in delays each request by a draw from a lognormal
#       distribution (BENCH_LATENCY_DIST, default median 200 ms, p99 4 s)
#       that is a function of the request body, so the same rows meet the
#       same delays whoever sends them (test/standin/latency.py);
#       BENCH_ROWS rows of SELECT ... FROM t, LATERAL chat(t.q), in order
#       and with ordered => false, mlpredict.max_parallelism in flight;
#       each timed once, as EXPLAIN ANALYZE (TIMING OFF) for the window's
#       counters
#   (b) the ceiling: bench/http_ceiling.c sends the same requests (the
#       model's own body for each row, from mlpredict.debug_request) with
#       as many in flight, in the same order
#   (c) the figures of issue 16 without the distribution: ten rows that
#       take 4 s, 500 rows apart, and 10% of the rows answering 500 twice,
#       over 5,000 rows at 0 ms (the window of old, 33 rows, took 42.8 s
#       and 75 s); BENCH_SKIP_FAULTS=1 skips them
#
# Prints rows/s and the ratio pipelined / ceiling (target >= 0.8).
# BENCH_KEEP=1 keeps the work directory (logs); BENCH_SKIP_BUILD=1 uses
# the installed extension as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

ROWS=${BENCH_ROWS:-5000}
DIST=${BENCH_LATENCY_DIST:-lognormal:median=200,p99=4000,seed=1}
PGPORT=${BENCH_PGPORT:-55438}
STANDIN_PORT=${BENCH_STANDIN_PORT:-18797}
API_KEY=sk-test-openai-key

for v in "$ROWS" "$PGPORT" "$STANDIN_PORT"; do
	case $v in
		'' | *[!0-9]*) echo "latency_bench: BENCH_ROWS and the ports are whole numbers (got '$v')" >&2; exit 2 ;;
	esac
done
if [ "$ROWS" -lt 100 ]; then
	echo "latency_bench: need BENCH_ROWS >= 100" >&2
	exit 2
fi
if [ "$STANDIN_PORT" = 18787 ]; then
	echo "latency_bench: the stand-in port 18787 belongs to the dev setup; choose another" >&2
	exit 2
fi

work=$(mktemp -d /tmp/mlpredict-latbench.XXXXXX)
chmod 755 "$work"
chown postgres "$work" 2>/dev/null || true
cleanup() {
	local rc=$?
	if [ $rc -ne 0 ] && [ -f "$work/postgres.log" ]; then
		echo "--- latency_bench failed; last lines of the server log:" >&2
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
cc -O2 -Wall -o "$work/http_ceiling" bench/http_ceiling.c $(curl-config --cflags) $(curl-config --libs)

init_scratch_cluster "$work" "$PGPORT" <<CONF
shared_preload_libraries = 'mlpredict'
CONF
start_standin "$work"
as_pg "$PG_BINDIR/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w start >/dev/null

psql_() { as_pg "$PG_BINDIR/psql" -X -q -h "$work" -p "$PGPORT" -U postgres -d postgres "$@"; }
control() { curl -sf -X "$1" "http://127.0.0.1:$STANDIN_PORT/_control/$2" ${3:+-d "$3"}; }
stat_of() { sed -n "s/.*\"$1\": *\([0-9]*\).*/\1/p"; }
dist() { control POST config "{\"latency_dist\": $1}" >/dev/null; }
base="http://127.0.0.1:$STANDIN_PORT/v1"

psql_ -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE EXTENSION mlpredict;
SELECT mlpredict.create_connection('bench_chat', '{"type": "openai", "endpoint": "$base/chat/completions", "api-key": "$API_KEY"}');
SELECT mlpredict.create_model('chat', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "bench_chat"}');
CREATE TABLE t AS SELECT i AS id, 'question number ' || i AS q FROM generate_series(1, $ROWS) i;
CREATE TABLE slow AS SELECT i AS id, 'question number ' || i ||
	CASE WHEN i % 500 = 250 THEN ' [[sleep:4000]]' ELSE '' END AS q FROM generate_series(1, 5000) i;
CREATE TABLE flaky AS SELECT i AS id, 'question number ' || i ||
	CASE WHEN i % 10 = 5 THEN ' [[fail-times:2:500]]' ELSE '' END AS q FROM generate_series(1, 5000) i;
ANALYZE t, slow, flaky;
SQL
parallelism=$(psql_ -At -c "SHOW mlpredict.max_parallelism")

declare -A rate info
# pipelined KEY TABLE OPTIONS: one EXPLAIN ANALYZE run of the join over
# TABLE, timed; rows/s and the node's window counters.
pipelined() {
	local key=$1 table=$2 options=$3 out ms rows
	control POST reset >/dev/null
	out=$(printf '\\timing on\nEXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT s.id, c.a FROM %s s, LATERAL chat(s.q%s) c;\n' \
		"$table" "$options" | psql_ -v ON_ERROR_STOP=1 -At)
	ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$out")
	rows=$(sed -n 's/.*MLPredict) (actual rows=\([0-9]*\).*/\1/p' <<<"$out")
	rate[$key]=$(awk -v r="$rows" -v ms="$ms" 'BEGIN { printf "%.1f", r / (ms / 1000) }')
	info[$key]=$(awk -F': ' '/^ *(Peak In Flight|Retries|Window Full|Peak Rows Buffered|Peak Memory Buffered):/ { sub(/^ */, "", $1); out = out sep $1 " " $2; sep = ", " } END { print out }' <<<"$out")
	printf '  %-16s %s rows in %.1f s -> %s rows/s; %s\n' "$key" "$rows" "$(awk -v ms="$ms" 'BEGIN { print ms / 1000 }')" \
		"${rate[$key]}" "${info[$key]}"
}

# ceiling KEY: http_ceiling sends the model's own request for each row of
# t ("question number N", N = 1..ROWS, in order), as many in flight.
ceiling() {
	local key=$1 out url hdrs
	url=$(psql_ -At -c "SELECT url FROM mlpredict.debug_request('chat', 'x')")
	psql_ -At -c "SELECT body FROM mlpredict.debug_request('chat', 'question number {{i}}')" > "$work/chat.body"
	mapfile -t hdrs < <(psql_ -At -c "SELECT '-H' || E'\n' || key || ': ' || value FROM mlpredict.debug_request('chat', 'x'), jsonb_each_text(headers) WHERE key <> 'Authorization'")
	control POST reset >/dev/null
	out=$("$work/http_ceiling" -u "$url" -b "$work/chat.body" -n "$ROWS" -c "$parallelism" -r 1 \
		"${hdrs[@]}" -H "Authorization: Bearer $API_KEY")
	rate[$key]=$(sed -n 's/.* rows_per_s=\([0-9.]*\).*/\1/p' <<<"$out")
	printf '  %-16s %s\n' "$key" "$out"
}

# The ceiling's bodies must be the pipeline's, byte for byte, or the two
# would not meet the same latencies: compare one recorded request of each.
same_bodies() {
	local a b
	control POST reset >/dev/null
	psql_ -At -c "SELECT c.a FROM t, LATERAL chat(t.q) c WHERE t.id = 7" >/dev/null
	a=$(control GET 'requests?n=1' | sed 's/"\(id\|connection\|t_start\|t_end\)": *[0-9.]*//g; s/"headers": *{[^}]*}//')
	control POST reset >/dev/null
	"$work/http_ceiling" -u "$(psql_ -At -c "SELECT url FROM mlpredict.debug_request('chat', 'x')")" \
		-b <(sed 's/{{i}}/7/' "$work/chat.body") -n 1 -c 1 -H "Authorization: Bearer $API_KEY" \
		-H 'Content-Type: application/json' >/dev/null
	b=$(control GET 'requests?n=1' | sed 's/"\(id\|connection\|t_start\|t_end\)": *[0-9.]*//g; s/"headers": *{[^}]*}//')
	[ "$a" = "$b" ] || { echo "latency_bench: the ceiling's request differs from the pipeline's:" >&2; echo "$a" >&2; echo "$b" >&2; exit 1; }
}

echo "stand-in latency $DIST (a function of each request's body), $ROWS rows, mlpredict.max_parallelism = $parallelism, $(nproc) CPUs"
dist "\"$DIST\""
psql_ -At -c "SELECT body FROM mlpredict.debug_request('chat', 'question number {{i}}')" > "$work/chat.body"
same_bodies
ceiling ceiling
pipelined ordered t ''
pipelined unordered t ', mlpredict.options(ordered => false)'
if [ "${BENCH_SKIP_FAULTS:-0}" != 1 ]; then
	dist null
	pipelined stragglers slow ''
	pipelined stragglers_u slow ', mlpredict.options(ordered => false)'
	pipelined retried flaky ''
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v >= t) ? "met" : "MISSED" }'; }
secs() { awk -v r="$1" 'BEGIN { printf "%.1f s", 5000 / r }'; }
r_ord=$(ratio "${rate[ordered]}" "${rate[ceiling]}")
r_unord=$(ratio "${rate[unordered]}" "${rate[ceiling]}")
echo
echo "== latency_bench: $DIST, $ROWS rows, $parallelism in flight, $(nproc) CPUs"
printf '%-52s %10s %8s\n' measurement rows/s ratio
printf '%-52s %10s %8s\n' "curl multi (bench/http_ceiling.c), same requests" "${rate[ceiling]}" 1.00
printf '%-52s %10s %8s   target >= 0.8: %s\n' "pipelined, ordered" "${rate[ordered]}" "$r_ord" "$(verdict "$r_ord" 0.8)"
printf '%-52s %10s %8s   target >= 0.8: %s\n' "pipelined, ordered => false" "${rate[unordered]}" "$r_unord" "$(verdict "$r_unord" 0.8)"
echo "    ordered:   ${info[ordered]}"
echo "    unordered: ${info[unordered]}"
if [ "${BENCH_SKIP_FAULTS:-0}" != 1 ]; then
	echo "5,000 rows at 0 ms (the window of old: 42.8 s and 75 s):"
	printf '  %-50s %s\n' "ten 4 s rows, 500 apart, ordered" "$(secs "${rate[stragglers]}")" \
		"ten 4 s rows, 500 apart, ordered => false" "$(secs "${rate[stragglers_u]}")" \
		"10% of the rows answering 500 twice" "$(secs "${rate[retried]}")"
	echo "    retried: ${info[retried]}"
fi
echo "(run took ${SECONDS} s)"
