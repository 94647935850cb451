#!/usr/bin/env bash
# mlpredict against its PostgreSQL peers, side by side in one run: the same
# chat request per row, to the local stand-in at BENCH_LATENCY_MS, from one
# throwaway cluster that preloads mlpredict and pg_net:
#
#   PG_CONFIG=/path/to/pg_config bash bench/peers_bench.sh
#
#   mlpredict     SELECT ... FROM t, LATERAL chat(t.q): the pipelined join
#                 (mlpredict.max_parallelism in flight through the pool)
#   mlpredict-1   the same with max_parallelism => 1 (one call at a time)
#   pgsql-http    SELECT ... FROM t, LATERAL http(('POST', ...)::http_request):
#                 one blocking call per row, the answer parsed with json
#   pg_net        SELECT net.http_post(...) FROM t, committed, then the
#                 time until net._http_response holds every answer (its
#                 worker sends pg_net.batch_size requests at a time)
#
# The peers are not Debian packages and this script does not fetch them:
# build pgsql-http (https://github.com/pramsey/pgsql-http) and pg_net
# (https://github.com/supabase/pg_net) from their public sources and install
# them for the same PostgreSQL (make PG_CONFIG=... install).  A peer that is
# not installed is left out of the table with a note.
#
# Rows: BENCH_ROWS (default 2000) for mlpredict and pg_net, BENCH_SEQ_ROWS
# (default 300) for the one-call-at-a-time cases; each case runs once as a
# warm-up over BENCH_SEQ_ROWS rows, then once measured.  Ratios are rows/s
# against rows/s.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

ROWS=${BENCH_ROWS:-2000}
SEQ_ROWS=${BENCH_SEQ_ROWS:-300}
LATENCY=${BENCH_LATENCY_MS:-20}
PGPORT=${BENCH_PGPORT:-55441}
STANDIN_PORT=${BENCH_STANDIN_PORT:-18797}
API_KEY=sk-test-openai-key
for v in "$ROWS" "$SEQ_ROWS" "$LATENCY" "$PGPORT" "$STANDIN_PORT"; do
	case $v in
		'' | *[!0-9]*) echo "peers_bench: BENCH_* values are whole numbers (got '$v')" >&2; exit 2 ;;
	esac
done

pkglib=$("$PG_CONFIG" --pkglibdir)
have_http=0; [ -f "$pkglib/http.so" ] && have_http=1
have_net=0; [ -f "$pkglib/pg_net.so" ] && have_net=1

work=$(mktemp -d /tmp/mlpredict-peers.XXXXXX)
chmod 755 "$work"
chown postgres "$work" 2>/dev/null || true
cleanup() {
	stop_standin
	as_pg "$PG_BINDIR/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true
	[ "${BENCH_KEEP:-0}" = 1 ] && echo "work directory kept: $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
	make -s -B -j"$(nproc)" PG_CONFIG="$PG_CONFIG" >/dev/null
	make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
fi
preload=mlpredict
[ $have_net = 1 ] && preload=mlpredict,pg_net
init_scratch_cluster "$work" "$PGPORT" <<CONF
shared_preload_libraries = '$preload'
pg_net.database_name = 'postgres'
CONF
STANDIN_ARGS="--latency-ms $LATENCY" start_standin "$work"
as_pg "$PG_BINDIR/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w start >/dev/null
psql_() { as_pg "$PG_BINDIR/psql" -X -q -h "$work" -p "$PGPORT" -U postgres -d postgres "$@"; }
url="http://127.0.0.1:$STANDIN_PORT/v1/chat/completions"

psql_ -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE EXTENSION mlpredict;
SELECT mlpredict.create_connection('peer_chat', '{"type": "openai", "endpoint": "$url", "api-key": "$API_KEY"}');
SELECT mlpredict.create_model('chat', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "peer_chat"}');
CREATE TABLE t AS SELECT i AS id, 'question number ' || i AS q FROM generate_series(1, $ROWS) i;
ANALYZE t;
SQL
[ $have_http = 1 ] && psql_ -v ON_ERROR_STOP=1 -c "CREATE EXTENSION http" >/dev/null
[ $have_net = 1 ] && psql_ -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_net" >/dev/null
# the peers send the body mlpredict sends for the row (same size, same answer)
body_sql="replace((SELECT body FROM mlpredict.debug_request('chat', 'QQQ')), 'QQQ', t.q)"

# wall-clock ms of one SQL text run in one session (setup not timed)
timed_ms() {
	printf '\\timing on\n\\o /dev/null\n%s;\n' "$1" | psql_ -v ON_ERROR_STOP=1 |
		sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1
}
declare -A rate
report() { rate[$1]=$(awk -v r="$2" -v ms="$3" 'BEGIN { printf "%.1f", r / (ms / 1000) }'); printf '  %-12s %6d rows in %9.1f ms -> %8s rows/s\n' "$1" "$2" "$3" "${rate[$1]}"; }

ml_query="SELECT count(c.a) FROM t, LATERAL chat(t.q) c"
ml1_query="SELECT count(c.a) FROM t, LATERAL chat(t.q, mlpredict.options(max_parallelism => 1)) c WHERE t.id <= $SEQ_ROWS"
http_query="SELECT count(r.content::json -> 'choices' -> 0 -> 'message' ->> 'content') FROM t, LATERAL http(('POST', '$url', ARRAY[http_header('Authorization', 'Bearer $API_KEY')], 'application/json', $body_sql)::http_request) r WHERE t.id <= $SEQ_ROWS AND r.status = 200"

echo "stand-in latency ${LATENCY} ms; $ROWS rows (one call at a time: $SEQ_ROWS rows); $(nproc) CPUs"
timed_ms "$ml1_query" >/dev/null
report mlpredict "$ROWS" "$(timed_ms "$ml_query")"
report mlpredict-1 "$SEQ_ROWS" "$(timed_ms "$ml1_query")"
if [ $have_http = 1 ]; then
	timed_ms "$http_query" >/dev/null
	report pgsql-http "$SEQ_ROWS" "$(timed_ms "$http_query")"
else
	echo "  pgsql-http   not installed for this PostgreSQL (see the header of this script)"
fi
if [ $have_net = 1 ]; then
	# submit in one transaction, then wait until every answer is stored
	net_run() {
		local n=$1 start end
		psql_ -c "DELETE FROM net._http_response" >/dev/null
		start=$(date +%s%N)
		psql_ -v ON_ERROR_STOP=1 -c "SELECT count(net.http_post('$url', ($body_sql)::jsonb, headers => jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer $API_KEY'), timeout_milliseconds => 30000)) FROM t WHERE t.id <= $n" >/dev/null
		while [ "$(psql_ -At -c "SELECT count(*) FROM net._http_response")" -lt "$n" ]; do
			sleep 0.01
		done
		end=$(date +%s%N)
		failed=$(psql_ -At -c "SELECT count(*) FROM net._http_response WHERE status_code IS DISTINCT FROM 200")
		[ "$failed" = 0 ] || echo "  pg_net: $failed of $n answers were not 200" >&2
		awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'
	}
	net_run "$SEQ_ROWS" >/dev/null
	report pg_net "$ROWS" "$(net_run "$ROWS")"
else
	echo "  pg_net       not installed for this PostgreSQL (see the header of this script)"
fi
echo
for peer in mlpredict-1 pgsql-http pg_net; do
	[ -n "${rate[$peer]:-}" ] &&
		awk -v a="${rate[mlpredict]}" -v b="${rate[$peer]}" -v p="$peer" 'BEGIN { printf "mlpredict / %-12s %6.1fx\n", p, a / b }'
done
