#!/usr/bin/env bash
# Duplicate-input benchmark (issue 18): requests sent and rows/s of the
# pipelined join
#   SELECT t.id, c.a FROM t, LATERAL chat(t.q) c
# over BENCH_ROWS rows (default 10,000) against the local stand-in (plain
# HTTP on loopback, BENCH_LATENCY_MS per request), on a throwaway cluster
# with mlpredict preloaded:
#
#   bash bench/dedup_bench.sh            # as root or as a user with sudo
#
#   (a) all inputs distinct
#   (b) 50% duplicate inputs (every input twice, the copies BENCH_ROWS/2
#       rows apart), deduplicated (the default)
#   (c) the same rows with mlpredict.dedup_memory = 0 (no deduplication:
#       what 0.3.0 sends)
#   (d) the response cache: a model with 'mlpredict.cache_ttl' = '1 hour'
#       (temperature 0), the rows of (b) in a first statement (misses,
#       stored) and again in a second statement (served from the cache)
#
# Requests are the stand-in's count (/_control/stats); rows/s is wall
# clock (psql's \timing), the median of BENCH_REPEAT runs after a warm-up
# (none for (d), whose runs are not alike).  Prints the requests of (b)
# against (a): the issue asks for half.  BENCH_KEEP=1 keeps the work
# directory; BENCH_SKIP_BUILD=1 uses the installed extension.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

ROWS=${BENCH_ROWS:-10000}
LATENCY=${BENCH_LATENCY_MS:-20}
REPEAT=${BENCH_REPEAT:-3}
PGPORT=${BENCH_PGPORT:-55447}
STANDIN_PORT=${BENCH_STANDIN_PORT:-18797}
API_KEY=sk-test-openai-key

for v in "$ROWS" "$LATENCY" "$REPEAT" "$PGPORT" "$STANDIN_PORT"; do
	case $v in
		'' | *[!0-9]*) echo "dedup_bench: BENCH_* sizes, latencies and ports are whole numbers (got '$v')" >&2; exit 2 ;;
	esac
done
if [ "$ROWS" -lt 20 ] || [ $((ROWS % 2)) -ne 0 ] || [ "$REPEAT" -lt 1 ]; then
	echo "dedup_bench: need an even BENCH_ROWS >= 20 and BENCH_REPEAT >= 1" >&2
	exit 2
fi
if [ "$STANDIN_PORT" = 18787 ]; then
	echo "dedup_bench: the stand-in port 18787 belongs to the dev setup; choose another" >&2
	exit 2
fi

work=$(mktemp -d /tmp/mlpredict-dedupbench.XXXXXX)
chmod 755 "$work"
chown postgres "$work" 2>/dev/null || true
cleanup() {
	local rc=$?
	if [ $rc -ne 0 ] && [ -f "$work/postgres.log" ]; then
		echo "--- dedup_bench failed; last lines of the server log:" >&2
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

init_scratch_cluster "$work" "$PGPORT" <<CONF
shared_preload_libraries = 'mlpredict'
CONF
start_standin "$work"
as_pg "$PG_BINDIR/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w start >/dev/null

psql_() { as_pg "$PG_BINDIR/psql" -X -q -h "$work" -p "$PGPORT" -U postgres -d postgres "$@"; }
control() { curl -sf -X "$1" "http://127.0.0.1:$STANDIN_PORT/_control/$2" ${3:+-d "$3"}; }
stat_of() { sed -n "s/.*\"$1\": *\([0-9]*\).*/\1/p"; }
control POST config "{\"latency_ms\": $LATENCY}" >/dev/null
base="http://127.0.0.1:$STANDIN_PORT/v1"
half=$((ROWS / 2))

psql_ -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE EXTENSION mlpredict;
SELECT mlpredict.create_connection('bench_chat', '{"type": "openai", "endpoint": "$base/chat/completions", "api-key": "$API_KEY"}');
SELECT mlpredict.create_model('chat', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "bench_chat"}');
SELECT mlpredict.create_model('chat_cached', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "bench_chat", "openai.params.temperature": "0", "mlpredict.cache_ttl": "1 hour"}');
CREATE TABLE t_distinct AS SELECT i AS id, 'question number ' || i AS q FROM generate_series(1, $ROWS) i;
CREATE TABLE t_dup AS SELECT i AS id, 'question number ' || (i % $half) AS q FROM generate_series(1, $ROWS) i;
ANALYZE t_distinct, t_dup;
SQL
parallelism=$(psql_ -At -c "SHOW mlpredict.max_parallelism")

# timed SETUP QUERY RUNS: the wall-clock time of each run in ms, one a line
timed() {
	{
		printf '%s\n\\timing on\n\\o /dev/null\n' "$1"
		for ((i = 0; i < $3; i++)); do printf '%s;\n' "$2"; done
	} | psql_ -v ON_ERROR_STOP=1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
duplicates() {
	printf '%s\nEXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) %s;\n' "$1" "$2" | psql_ -v ON_ERROR_STOP=1 -At |
		sed -n 's/^ *Duplicate Rows: *\([0-9]*\).*/\1/p'
}

declare -A rate requests
# measure KEY SETUP QUERY RUNS WARMUP: rows/s of the median run, requests per run
measure() {
	local key=$1 setup=$2 query=$3 runs=$4 warmup=$5 times ms stats dups
	[ "$warmup" = 1 ] && timed "$setup" "$query" 1 >/dev/null
	control POST reset >/dev/null
	times=$(timed "$setup" "$query" "$runs")
	stats=$(control GET stats)
	ms=$(median <<<"$times")
	rate[$key]=$(awk -v r="$ROWS" -v ms="$ms" 'BEGIN { printf "%.1f", r / (ms / 1000) }')
	requests[$key]=$(( $(stat_of requests <<<"$stats") / runs ))
	printf '  %-16s %s ms -> %s rows/s; stand-in: %s requests/run\n' \
		"$key" "$(tr '\n' ' ' <<<"$times" | sed 's/ $//')" "${rate[$key]}" "${requests[$key]}"
}

echo "stand-in latency ${LATENCY} ms, ${ROWS} rows, mlpredict.max_parallelism = $parallelism, $(nproc) CPUs"
q_distinct='SELECT t.id, c.a FROM t_distinct t, LATERAL chat(t.q) c'
q_dup='SELECT t.id, c.a FROM t_dup t, LATERAL chat(t.q) c'
q_cached='SELECT t.id, c.a FROM t_dup t, LATERAL chat_cached(t.q) c'
measure distinct '' "$q_distinct" "$REPEAT" 1
measure dup50 '' "$q_dup" "$REPEAT" 1
measure dup50_nodedup 'SET mlpredict.dedup_memory = 0;' "$q_dup" "$REPEAT" 1
dups=$(duplicates '' "$q_dup")
psql_ -At -c "SELECT mlpredict.cache_clear('chat_cached')" >/dev/null
measure cache_first '' "$q_cached" 1 0
measure cache_second '' "$q_cached" 1 0
hits=$(psql_ -At -c "SELECT cache_hits || ' hits, ' || cache_misses || ' misses' FROM mlpredict.stat_models WHERE model = 'public.chat_cached'")

echo
echo "results (${ROWS} rows, ${LATENCY} ms per request):"
printf '  requests, 50%% duplicates vs all distinct:   %s / %s = %s (issue 18 asks for 0.5)\n' \
	"${requests[dup50]}" "${requests[distinct]}" \
	"$(awk -v a="${requests[dup50]}" -v b="${requests[distinct]}" 'BEGIN { printf "%.3f", a / b }')"
printf '  requests, 50%% duplicates without dedup:      %s\n' "${requests[dup50_nodedup]}"
printf '  EXPLAIN ANALYZE Duplicate Rows (50%% dup):    %s\n' "$dups"
printf '  rows/s, 50%% duplicates vs all distinct:      %s / %s = %s\n' \
	"${rate[dup50]}" "${rate[distinct]}" \
	"$(awk -v a="${rate[dup50]}" -v b="${rate[distinct]}" 'BEGIN { printf "%.2fx", a / b }')"
printf '  rows/s, 50%% duplicates with vs without dedup: %s / %s = %s\n' \
	"${rate[dup50]}" "${rate[dup50_nodedup]}" \
	"$(awk -v a="${rate[dup50]}" -v b="${rate[dup50_nodedup]}" 'BEGIN { printf "%.2fx", a / b }')"
printf '  response cache, first statement:  %s requests, %s rows/s\n' "${requests[cache_first]}" "${rate[cache_first]}"
printf '  response cache, second statement: %s requests, %s rows/s (stat_models: %s)\n' \
	"${requests[cache_second]}" "${rate[cache_second]}" "$hits"
