#!/usr/bin/env bash
# Select-list calls against the LATERAL join: rows/s of
#   SELECT t.id, mlpredict.ai_complete('chat', t.q) FROM t          (select list)
#   SELECT t.id, r.a FROM t, LATERAL mlpredict.ai_complete('chat', t.q) AS r(a)
# side by side in one run, against the local stand-in with a fixed latency
# per request, on a throwaway cluster with mlpredict preloaded:
#
#   bash bench/selectlist_bench.sh          # as root or as a user with sudo
#
#   (a) ai_complete (one row per request)
#   (b) a model's typed function: SELECT t.id, chat(t.q) FROM t against
#       FROM t, LATERAL chat(t.q)
#   (c) ai_embedding with batching (the model's default batch size; 256
#       dimensions), the vectors consumed in the backend (array_length)
#   (d) the select list one call per row (mlpredict.enable_pipeline = off),
#       over BENCH_SERIAL_ROWS rows, for scale
# Each pair runs alternately (LATERAL, select list, LATERAL, ...) after a
# warm-up of each, BENCH_REPEAT times; the median wall-clock time (psql's
# \timing) gives rows/s.  Then the ratio select list / LATERAL, which
# issue 18 wants within 10% (>= 0.90).  BENCH_KEEP=1 keeps the work
# directory; BENCH_SKIP_BUILD=1 uses the installed extension as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

ROWS=${BENCH_ROWS:-2000}
SERIAL_ROWS=${BENCH_SERIAL_ROWS:-100}
LATENCY=${BENCH_LATENCY_MS:-20}
REPEAT=${BENCH_REPEAT:-5}
PGPORT=${BENCH_PGPORT:-55447}
STANDIN_PORT=${BENCH_STANDIN_PORT:-18797}
API_KEY=sk-test-openai-key

for v in "$ROWS" "$SERIAL_ROWS" "$LATENCY" "$REPEAT" "$PGPORT" "$STANDIN_PORT"; do
	case $v in
		'' | *[!0-9]*) echo "selectlist_bench: BENCH_* sizes, latencies and ports are whole numbers (got '$v')" >&2; exit 2 ;;
	esac
done
if [ "$ROWS" -lt 20 ] || [ "$SERIAL_ROWS" -lt 1 ] || [ "$REPEAT" -lt 1 ]; then
	echo "selectlist_bench: need BENCH_ROWS >= 20, BENCH_SERIAL_ROWS >= 1, BENCH_REPEAT >= 1" >&2
	exit 2
fi
if [ "$STANDIN_PORT" = 18787 ]; then
	echo "selectlist_bench: the stand-in port 18787 belongs to the dev setup; choose another" >&2
	exit 2
fi

work=$(mktemp -d /tmp/mlpredict-selectlist.XXXXXX)
chmod 755 "$work"
chown postgres "$work" 2>/dev/null || true
cleanup() {
	local rc=$?
	if [ $rc -ne 0 ] && [ -f "$work/postgres.log" ]; then
		echo "--- selectlist_bench failed; last lines of the server log:" >&2
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
base="http://127.0.0.1:$STANDIN_PORT/v1"

psql_ -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE EXTENSION mlpredict;
SELECT mlpredict.create_connection('bench_chat', '{"type": "openai", "endpoint": "$base/chat/completions", "api-key": "$API_KEY"}');
SELECT mlpredict.create_connection('bench_embed', '{"type": "openai", "endpoint": "$base/embeddings", "api-key": "$API_KEY"}');
SELECT mlpredict.create_model('chat', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "bench_chat"}');
SELECT mlpredict.create_model('embed', 'q STRING', 'e ARRAY<FLOAT>', '{"provider": "openai", "task": "embedding", "openai.connection": "bench_embed", "openai.model_version": "text-embedding-3-small", "openai.params.dimensions": 256}');
CREATE TABLE t AS SELECT i AS id, 'question number ' || i AS q FROM generate_series(1, $ROWS) i;
ANALYZE t;
SQL
control POST config "{\"latency_ms\": $LATENCY}" >/dev/null
parallelism=$(psql_ -At -c "SHOW mlpredict.max_parallelism")
batch=$(psql_ -At -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT t.id, e FROM t, LATERAL mlpredict.ai_embedding('embed', t.q) AS e WHERE t.id <= 10" | sed -n 's/^ *Batch Size: //p')

# timed SETUP QUERY: the wall-clock time of one run in ms (rows to /dev/null)
timed() {
	printf '%s\n\\timing on\n\\o /dev/null\n%s;\n' "$1" "$2" |
		psql_ -v ON_ERROR_STOP=1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# plan_of QUERY: the MLPredict node's line, or that there is none
plan_of() {
	psql_ -At -c "EXPLAIN (COSTS OFF) $1" | grep -q 'Custom Scan (MLPredict)' &&
		echo "MLPredict" || echo "no MLPredict node"
}
rate() { awk -v r="$1" -v ms="$2" 'BEGIN { printf "%.1f", r / (ms / 1000) }'; }

declare -A ratio
# pair KEY LATERAL_QUERY SELECT_LIST_QUERY: alternate runs, medians, ratio
pair() {
	local key=$1 lat=$2 sel=$3 lt=() st=() lm sm lr sr
	timed "" "$lat" >/dev/null
	timed "" "$sel" >/dev/null
	control POST reset >/dev/null
	for ((i = 0; i < REPEAT; i++)); do
		lt+=("$(timed "" "$lat")")
		st+=("$(timed "" "$sel")")
	done
	requests=$(( $(control GET stats | stat_of requests) / (2 * REPEAT) ))
	lm=$(printf '%s\n' "${lt[@]}" | median)
	sm=$(printf '%s\n' "${st[@]}" | median)
	lr=$(rate "$ROWS" "$lm")
	sr=$(rate "$ROWS" "$sm")
	ratio[$key]=$(awk -v a="$sr" -v b="$lr" 'BEGIN { printf "%.3f", a / b }')
	printf '  %-10s LATERAL     %s ms -> %s rows/s (%s)\n' "$key" "${lt[*]}" "$lr" "$(plan_of "$lat")"
	printf '  %-10s select list %s ms -> %s rows/s (%s)\n' "" "${st[*]}" "$sr" "$(plan_of "$sel")"
	printf '  %-10s ratio select list / LATERAL = %s; stand-in: %s requests per run\n' "" "${ratio[$key]}" "$requests"
}

echo "stand-in latency ${LATENCY} ms, ${ROWS} rows, mlpredict.max_parallelism = $parallelism, embedding batch size $batch, $(nproc) CPUs"
echo "(times: wall clock of each measured run, LATERAL and select list alternating)"
echo "(a) ai_complete"
pair complete "SELECT t.id, r.a FROM t, LATERAL mlpredict.ai_complete('chat', t.q) AS r(a)" \
	"SELECT t.id, mlpredict.ai_complete('chat', t.q) FROM t"
echo "(b) the typed function chat(q)"
pair typed "SELECT t.id, c.a FROM t, LATERAL chat(t.q) c" \
	"SELECT t.id, chat(t.q) FROM t"
echo "(c) ai_embedding, batched"
pair embedding "SELECT t.id, array_length(e, 1) FROM t, LATERAL mlpredict.ai_embedding('embed', t.q) AS e" \
	"SELECT t.id, array_length(mlpredict.ai_embedding('embed', t.q), 1) FROM t"
echo "(d) the select list one call per row (mlpredict.enable_pipeline = off), $SERIAL_ROWS rows"
serial_ms=$(timed "SET mlpredict.enable_pipeline = off;" "SELECT t.id, mlpredict.ai_complete('chat', t.q) FROM t WHERE t.id <= $SERIAL_ROWS")
serial_rate=$(rate "$SERIAL_ROWS" "$serial_ms")
echo "  serial     $serial_ms ms -> $serial_rate rows/s"

echo
echo "select list / LATERAL rows/s (issue 18: within 10%, i.e. >= 0.90):"
for key in complete typed embedding; do
	verdict=$(awk -v r="${ratio[$key]}" 'BEGIN { print (r >= 0.90) ? "ok" : "BELOW TARGET" }')
	printf '  %-10s %s  %s\n' "$key" "${ratio[$key]}" "$verdict"
done
exit 0
