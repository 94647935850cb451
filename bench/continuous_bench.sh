#!/usr/bin/env bash
# Continuous-query benchmark: the background workers against the one-shot
# pipelined INSERT ... SELECT, on a throwaway cluster with mlpredict
# preloaded, the stand-in answering each chat request after
# BENCH_LATENCY_MS:
#
#   bash bench/continuous_bench.sh            # as root or as a user with sudo
#
#   (a) one-shot: INSERT INTO sink SELECT s.id, p.answer FROM src s,
#       LATERAL chat(s.body) p over BENCH_ROWS rows (the pipelined join);
#       wall clock of the statement (psql's \timing), median of
#       BENCH_REPEAT runs after a warm-up
#   (b) backlog drain: a continuous query with the same INSERT ... SELECT
#       over the same BENCH_ROWS rows (backfill): from just before the
#       CREATE to the commit of the last batch (commit timestamps,
#       track_commit_timestamp = on); the ratio (b) / (a) against the
#       issue's target of 0.8
#   (c) latency: a steady stream of BENCH_STREAM_RATE rows/s (BENCH_TICK_MS
#       ticks, each its own transaction) for BENCH_STREAM_S seconds; for
#       each source row, the commit time of its sink row minus the commit
#       time of the source row: p50, p99, max
#   (d) the workers' CPU when idle: the database worker and the launcher,
#       ticks of /proc/<pid>/stat over BENCH_IDLE_S seconds
#
# BENCH_KEEP=1 keeps the work directory (logs); BENCH_SKIP_BUILD=1 uses the
# installed extension as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

ROWS=${BENCH_ROWS:-20000}
LATENCY=${BENCH_LATENCY_MS:-20}
REPEAT=${BENCH_REPEAT:-3}
STREAM_RATE=${BENCH_STREAM_RATE:-200}
STREAM_S=${BENCH_STREAM_S:-20}
TICK_MS=${BENCH_TICK_MS:-20}
IDLE_S=${BENCH_IDLE_S:-10}
PGPORT=${BENCH_PGPORT:-55438}
STANDIN_PORT=${BENCH_STANDIN_PORT:-18797}
API_KEY=sk-test-openai-key

for v in "$ROWS" "$LATENCY" "$REPEAT" "$STREAM_RATE" "$STREAM_S" "$TICK_MS" "$IDLE_S" "$PGPORT" "$STANDIN_PORT"; do
	case $v in
		'' | *[!0-9]*) echo "continuous_bench: BENCH_* values are whole numbers (got '$v')" >&2; exit 2 ;;
	esac
done
if [ "$ROWS" -lt 100 ] || [ "$REPEAT" -lt 1 ] || [ "$TICK_MS" -lt 1 ] || [ "$STREAM_RATE" -lt 1 ]; then
	echo "continuous_bench: need BENCH_ROWS >= 100, BENCH_REPEAT, BENCH_TICK_MS and BENCH_STREAM_RATE >= 1" >&2
	exit 2
fi
if [ "$STANDIN_PORT" = 18787 ]; then
	echo "continuous_bench: the stand-in port 18787 belongs to the dev setup; choose another" >&2
	exit 2
fi

work=$(mktemp -d /tmp/mlpredict-cqbench.XXXXXX)
chmod 755 "$work"
chown postgres "$work" 2>/dev/null || true
cleanup() {
	local rc=$?
	if [ $rc -ne 0 ] && [ -f "$work/postgres.log" ]; then
		echo "--- continuous_bench failed; last lines of the server log:" >&2
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
track_commit_timestamp = on
CONF
STANDIN_ARGS="--latency-ms $LATENCY"
start_standin "$work"
as_pg "$PG_BINDIR/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w start >/dev/null

psql_() { as_pg "$PG_BINDIR/psql" -X -q -h "$work" -p "$PGPORT" -U postgres -d postgres "$@"; }
base="http://127.0.0.1:$STANDIN_PORT/v1"

psql_ -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE EXTENSION mlpredict;
SELECT mlpredict.create_connection('bench_chat', '{"type": "openai", "endpoint": "$base/chat/completions", "api-key": "$API_KEY"}');
SELECT mlpredict.create_model('chat', 'q STRING', 'answer STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "bench_chat"}');
CREATE TABLE src (id int PRIMARY KEY, body text);
INSERT INTO src SELECT i, 'question number ' || i FROM generate_series(1, $ROWS) i;
CREATE TABLE oneshot (id int PRIMARY KEY, answer text);
CREATE TABLE sink (id int PRIMARY KEY, answer text);
CREATE TABLE lsrc (id int PRIMARY KEY, body text);
CREATE TABLE lsink (id int PRIMARY KEY, answer text);
ANALYZE src;
SQL
parallelism=$(psql_ -At -c "SHOW mlpredict.max_parallelism")
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "stand-in latency ${LATENCY} ms, ${ROWS} rows, mlpredict.max_parallelism = $parallelism, $(nproc) CPUs"

# (a) the one-shot pipelined INSERT ... SELECT
oneshot_sql="INSERT INTO oneshot SELECT s.id, p.answer FROM src s, LATERAL chat(s.body) p"
times=$({
	printf '\\timing on\n'
	for ((i = 0; i <= REPEAT; i++)); do printf 'TRUNCATE oneshot;\n%s;\n' "$oneshot_sql"; done
} | psql_ -v ON_ERROR_STOP=1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | awk 'NR % 2 == 0' | tail -n "$REPEAT")
oneshot_ms=$(median <<<"$times")
oneshot_rate=$(awk -v r="$ROWS" -v ms="$oneshot_ms" 'BEGIN { printf "%.1f", r / (ms / 1000) }')
echo "(a) one-shot pipelined INSERT ... SELECT: $(tr '\n' ' ' <<<"$times")ms -> $oneshot_rate rows/s"

# (b) the backlog drain
psql_ -v ON_ERROR_STOP=1 -At >"$work/create.out" <<SQL
SELECT extract(epoch FROM clock_timestamp());
SELECT mlpredict.create_continuous_query('drain', 'INSERT INTO sink (id, answer) SELECT s.id, p.answer FROM src AS s, LATERAL chat(s.body) AS p', '{}');
SQL
t_start=$(head -1 "$work/create.out")
deadline=$((SECONDS + 600))
until [ "$(psql_ -At -c "SELECT count(*) FROM mlpredict.continuous_query_queue WHERE query = 'drain'")" = 0 ] &&
	[ "$(psql_ -At -c "SELECT count(*) FROM sink")" = "$ROWS" ]; do
	[ $SECONDS -lt $deadline ] || { echo "continuous_bench: the backlog did not drain in 600 s" >&2; exit 1; }
	sleep 0.2
done
t_end=$(psql_ -At -c "SELECT extract(epoch FROM max(pg_xact_commit_timestamp(xmin))) FROM sink")
batches=$(psql_ -At -c "SELECT batches || ' batches, ' || rows_done || ' rows done' FROM mlpredict.continuous_query_progress WHERE query = 'drain'")
drain_rate=$(awk -v r="$ROWS" -v a="$t_start" -v b="$t_end" 'BEGIN { printf "%.1f", r / (b - a) }')
drain_s=$(awk -v a="$t_start" -v b="$t_end" 'BEGIN { printf "%.2f", b - a }')
wrong=$(psql_ -At -c "SELECT count(*) FROM src FULL JOIN sink USING (id) WHERE sink.answer IS DISTINCT FROM 'echo: ' || src.body")
echo "(b) backlog drain by the worker: $drain_s s -> $drain_rate rows/s ($batches; $wrong rows missing or wrong)"

# (c) latency under a steady stream
per_tick=$(awk -v r="$STREAM_RATE" -v t="$TICK_MS" 'BEGIN { n = r * t / 1000; printf "%d", (n < 1) ? 1 : n }')
ticks=$((STREAM_S * 1000 / TICK_MS))
psql_ -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT mlpredict.create_continuous_query('stream', 'INSERT INTO lsink (id, answer) SELECT s.id, p.answer FROM lsrc AS s, LATERAL chat(s.body) AS p', '{}');
CREATE PROCEDURE stream(ticks int, per_tick int, tick_ms int) LANGUAGE plpgsql AS \$\$
DECLARE
	t0 timestamptz := clock_timestamp();
	next_id int := 1;
BEGIN
	FOR k IN 1 .. ticks LOOP
		INSERT INTO lsrc SELECT g, 'stream ' || g FROM generate_series(next_id, next_id + per_tick - 1) g;
		next_id := next_id + per_tick;
		COMMIT;
		PERFORM pg_sleep(greatest(0, extract(epoch FROM t0 + k * tick_ms * interval '1 ms' - clock_timestamp())));
	END LOOP;
END \$\$;
SQL
psql_ -v ON_ERROR_STOP=1 -c "CALL stream($ticks, $per_tick, $TICK_MS)" >/dev/null
total=$((ticks * per_tick))
deadline=$((SECONDS + 120))
until [ "$(psql_ -At -c "SELECT count(*) FROM lsink")" = "$total" ]; do
	[ $SECONDS -lt $deadline ] || { echo "continuous_bench: the stream's rows did not all arrive" >&2; exit 1; }
	sleep 0.2
done
lat=$(psql_ -At -F ' ' -c "
SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1),
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1),
       round(max(ms)::numeric, 1),
       round(($total / extract(epoch FROM max(sc) - min(sc)))::numeric, 1)
FROM (SELECT extract(epoch FROM pg_xact_commit_timestamp(k.xmin) - pg_xact_commit_timestamp(s.xmin)) * 1000 AS ms,
             pg_xact_commit_timestamp(s.xmin) AS sc
      FROM lsrc s JOIN lsink k USING (id)) x")
read -r p50 p99 pmax actual_rate <<<"$lat"
stream_batches=$(psql_ -At -c "SELECT batches FROM mlpredict.continuous_query_progress WHERE query = 'stream'")
echo "(c) stream of $total rows at $actual_rate rows/s ($per_tick every $TICK_MS ms, $stream_batches batches): source commit -> sink commit p50 $p50 ms, p99 $p99 ms, max $pmax ms"

# (d) CPU when idle
sleep 1
pids=$(psql_ -At -c "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity WHERE backend_type LIKE 'mlpredict continuous%'")
ticks_of() { local s=0 p f; for p in $pids; do f=$(sed 's/^.*) //' "/proc/$p/stat"); set -- $f; s=$((s + ${12} + ${13})); done; echo $s; }
c0=$(ticks_of)
sleep "$IDLE_S"
c1=$(ticks_of)
hz=$(getconf CLK_TCK)
idle_pct=$(awk -v d=$((c1 - c0)) -v hz="$hz" -v s="$IDLE_S" 'BEGIN { printf "%.3f", 100 * d / hz / s }')
echo "(d) idle: launcher and worker (pids $pids) used $((c1 - c0)) ticks in ${IDLE_S} s = ${idle_pct}% of a CPU"

ratio=$(awk -v a="$drain_rate" -v b="$oneshot_rate" 'BEGIN { printf "%.2f", a / b }')
echo
echo "== continuous_bench: stand-in ${LATENCY} ms, ${ROWS} rows, max_parallelism $parallelism, $(nproc) CPUs"
printf '%-52s %s\n' \
	"one-shot pipelined INSERT ... SELECT" "$oneshot_rate rows/s" \
	"backlog drain by the worker" "$drain_rate rows/s" \
	"drain / one-shot (target >= 0.8)" "$ratio $(awk -v v="$ratio" 'BEGIN { print (v >= 0.8) ? "met" : "MISSED" }')" \
	"latency at $actual_rate rows/s, p50 / p99 / max" "$p50 / $p99 / $pmax ms" \
	"workers' CPU when idle" "${idle_pct}% ($((c1 - c0)) ticks in ${IDLE_S} s)"
echo "(run took ${SECONDS} s)"
