#!/usr/bin/env bash
# ML_EVALUATE benchmark: does scoring a table cost what predicting it costs?
# On a throwaway cluster with mlpredict preloaded and the stand-in answering
# each chat request after BENCH_LATENCY_MS, over BENCH_ROWS labelled rows
# of a sentiment classifier (Confluent's example model):
#
#   bash bench/evaluate_bench.sh            # as root or as a user with sudo
#
#   (a) predicting: SELECT count(p.sentiment) FROM eval_table t,
#       LATERAL sentimentmodel(t.text) p (the pipelined join)
#   (b) evaluating: SELECT metrics FROM mlpredict.ml_evaluate(
#       'sentimentmodel', 'SELECT label, text FROM eval_table')
#   each the median wall clock (psql's \timing) of BENCH_REPEAT runs after a
#   warm-up; prints the ratio (b) / (a) (the aim: about 1).
#
# BENCH_KEEP=1 keeps the work directory; BENCH_SKIP_BUILD=1 uses the
# installed extension as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

ROWS=${BENCH_ROWS:-10000}
LATENCY=${BENCH_LATENCY_MS:-20}
REPEAT=${BENCH_REPEAT:-3}
PGPORT=${BENCH_PGPORT:-55441}
STANDIN_PORT=${BENCH_STANDIN_PORT:-18799}

for v in "$ROWS" "$LATENCY" "$REPEAT" "$PGPORT" "$STANDIN_PORT"; do
	case $v in
		'' | *[!0-9]*) echo "evaluate_bench: BENCH_* values are whole numbers (got '$v')" >&2; exit 2 ;;
	esac
done
if [ "$ROWS" -lt 1 ] || [ "$REPEAT" -lt 1 ]; then
	echo "evaluate_bench: need BENCH_ROWS and BENCH_REPEAT >= 1" >&2
	exit 2
fi
if [ "$STANDIN_PORT" = 18787 ]; then
	echo "evaluate_bench: the stand-in port 18787 belongs to the test suites; choose another" >&2
	exit 2
fi

work=$(mktemp -d /tmp/mlpredict-evalbench.XXXXXX)
chmod 755 "$work"
chown postgres "$work" 2>/dev/null || true
cleanup() {
	local rc=$?
	if [ $rc -ne 0 ] && [ -f "$work/postgres.log" ]; then
		echo "--- evaluate_bench failed; last lines of the server log:" >&2
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
STANDIN_ARGS="--latency-ms $LATENCY"
start_standin "$work"
as_pg "$PG_BINDIR/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w start >/dev/null

psql_() { as_pg "$PG_BINDIR/psql" -X -q -h "$work" -p "$PGPORT" -U postgres -d postgres "$@"; }

psql_ -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE EXTENSION mlpredict;
SELECT * FROM mlpredict.execute(\$\$CREATE CONNECTION openai-connection WITH ('type' = 'openai', 'endpoint' = 'http://127.0.0.1:$STANDIN_PORT/v1/chat/completions', 'api-key' = 'sk-test-openai-key')\$\$);
SELECT * FROM mlpredict.execute(\$\$CREATE MODEL sentimentmodel INPUT(text STRING) OUTPUT(sentiment STRING) COMMENT 'sentiment analysis model' WITH ( 'provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.model_version' = 'gpt-3.5-turbo', 'openai.system_prompt' = 'Analyze the sentiment of the text and return only POSITIVE, NEGATIVE, or NEUTRAL.' );\$\$);
CREATE TABLE eval_table (id int PRIMARY KEY, label text, text text);
INSERT INTO eval_table
SELECT i, (ARRAY['POSITIVE', 'NEGATIVE', 'NEUTRAL'])[1 + i % 3],
       (ARRAY['a happy day', 'a terrible crash', 'the train at noon'])[1 + (i * 2) % 3] || ' ' || i
FROM generate_series(1, $ROWS) i;
ANALYZE eval_table;
SQL
parallelism=$(psql_ -At -c "SHOW mlpredict.max_parallelism")
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# the median time of REPEAT runs of $1 after one warm-up
timed() {
	{
		printf '\\timing on\n'
		for ((i = 0; i <= REPEAT; i++)); do printf '%s;\n' "$1"; done
	} | psql_ -v ON_ERROR_STOP=1 -o /dev/null | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n "$REPEAT" | median
}

echo "stand-in latency ${LATENCY} ms, ${ROWS} rows, mlpredict.max_parallelism = $parallelism, $(nproc) CPUs"
predict_ms=$(timed "SELECT count(p.sentiment) FROM eval_table t, LATERAL sentimentmodel(t.text) p")
echo "(a) predicting (pipelined LATERAL join): $predict_ms ms"
eval_ms=$(timed "SELECT metrics FROM mlpredict.ml_evaluate('sentimentmodel', 'SELECT label, text FROM eval_table')")
echo "(b) ml_evaluate over the same rows:      $eval_ms ms"
psql_ -At -c "SELECT 'metrics: ' || metrics::text FROM mlpredict.ml_evaluate('sentimentmodel', 'SELECT label, text FROM eval_table')"
awk -v a="$predict_ms" -v b="$eval_ms" 'BEGIN { printf "ratio (b) / (a): %.2f\n", b / a }'
