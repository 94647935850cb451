#!/usr/bin/env bash
# Decoding benchmark: what it costs to turn embedding answers into real[]
# and float8[], per number and per megabyte, on a throwaway cluster:
#
#   bash bench/decode_bench.sh          # as root (or with sudo)
#   unshare --net bash -c 'ip link set lo up; bash bench/decode_bench.sh'
#
#   (a) the number reader alone (bench/decode_bench.c): float_parse.c
#       against strtod/strtof in the same loop, ns per number
#   (b) the whole decode in the server, per number: BENCH_BODIES answers of
#       1536 numbers through mlpredict.decode_response (scan of the body,
#       numbers, the array), minus the same calls on a 3-number answer
#       (resolving the model, the call), divided by the numbers; for
#       6-decimal numbers (as bench/decode_vectors.sql makes them) and
#       full-precision ones (as OpenAI sends them), into real[] and
#       float8[]; the best of BENCH_REPEAT runs; a checksum of every value
#   (c) big answers (needs nginx): batched answers of BENCH_BIG_ROWS rows
#       of 1536 full-precision numbers (2048 rows: about 64 MB, the most
#       mlpredict.max_response_size takes by default), served by nginx as a
#       static file on 127.0.0.1:BENCH_NGINX_PORT and decoded by the
#       pipelined query (one request per answer): time per MB should not
#       grow with the size of the answer (decoding is linear)
#
# BENCH_SKIP_BUILD=1 uses the installed extension as it is (to measure an
# older build the same way); BENCH_KEEP=1 keeps the work directory.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

BODIES=${BENCH_BODIES:-500}
REPEAT=${BENCH_REPEAT:-7}
BIG_ROWS=${BENCH_BIG_ROWS:-"256 1024 2048"}
PGPORT=${BENCH_PGPORT:-55438}
NGINX_PORT=${BENCH_NGINX_PORT:-18798}

for v in "$BODIES" "$REPEAT" "$PGPORT" "$NGINX_PORT" $BIG_ROWS; do
	case $v in
		'' | *[!0-9]*) echo "decode_bench: BENCH_* sizes and ports are whole numbers (got '$v')" >&2; exit 2 ;;
	esac
done

work=$(mktemp -d /tmp/mlpredict-decbench.XXXXXX)
chmod 755 "$work"
chown postgres "$work" 2>/dev/null || true
nginx_pid=
cleanup() {
	[ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
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

echo "== (a) the number reader alone: ns per number, best of 5 runs ($(nproc) CPUs)"
cc -O2 -Isrc -o "$work/decode_bench" bench/decode_bench.c src/types/float_parse.c -lm
"$work/decode_bench"

init_scratch_cluster "$work" "$PGPORT" <<CONF
shared_preload_libraries = 'mlpredict'
CONF
as_pg "$PG_BINDIR/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w start >/dev/null
psql_() { as_pg "$PG_BINDIR/psql" -X -q -h "$work" -p "$PGPORT" -U postgres -d postgres "$@"; }

psql_ -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE EXTENSION mlpredict;
SELECT mlpredict.create_connection('bench_dec', '{"type": "openai", "endpoint": "http://127.0.0.1:9/v1/embeddings", "api-key": "sk-bench"}');
SELECT mlpredict.create_model('dec_f4', 'text STRING', 'e ARRAY<FLOAT>', '{"provider": "openai", "task": "embedding", "openai.connection": "bench_dec"}');
SELECT mlpredict.create_model('dec_f8', 'text STRING', 'e ARRAY<DOUBLE>', '{"provider": "openai", "task": "embedding", "openai.connection": "bench_dec"}');
SELECT setseed(0.42);
-- kind 6: 6 decimals; kind 17: the shortest text of a random double
CREATE TABLE bodies AS
SELECT k, i, convert_to('{"object":"list","data":[{"object":"embedding","index":0,"embedding":['
       || (SELECT string_agg(CASE WHEN k = 6 AND g > 0 THEN round((random() * 0.2 - 0.1)::numeric, 6)::text
                                  ELSE (random() * 0.2 - 0.1)::float8::text END, ',')
           FROM generate_series(1, 1536) g WHERE i > 0)
       || ']}],"model":"text-embedding-3-small","usage":{"prompt_tokens":2,"total_tokens":2}}', 'UTF8') AS body
FROM (VALUES (6), (17)) kinds(k), generate_series(1, $BODIES) i;
CREATE TABLE small AS
SELECT i, convert_to('{"data":[{"embedding":[0.1,0.2,' || i || ']}]}', 'UTF8') AS body
FROM generate_series(1, $BODIES) i;
SQL

# best_ms QUERY: the best wall-clock time of REPEAT runs (after a warm-up)
best_ms() {
	{
		printf '\\o /dev/null\n%s;\n\\timing on\n' "$1"
		for ((r = 0; r < REPEAT; r++)); do printf '%s;\n' "$1"; done
	} | psql_ -v ON_ERROR_STOP=1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sort -g | head -1
}
numbers=$((BODIES * 1536))
floor=$(best_ms "SELECT count(*) FROM small, LATERAL mlpredict.decode_response('dec_f4', body) AS d(e real[])")
echo
echo "== (b) the whole decode in the server: $BODIES answers of 1536 numbers, best of $REPEAT runs"
printf '%-44s %10s %14s\n' "answers" "ms" "ns per number"
printf '%-44s %10s %14s\n' "3-number answers (the per-call floor)" "$floor" "-"
declare -A nsper
for k in 6 17; do
	for t in f4 f8; do
		type=$([ $t = f4 ] && echo 'real[]' || echo 'float8[]')
		ms=$(best_ms "SELECT count(*) FROM bodies, LATERAL mlpredict.decode_response('dec_$t', body) AS d(e $type) WHERE k = $k")
		nsper[$k$t]=$(awk -v a="$ms" -v b="$floor" -v n="$numbers" 'BEGIN { printf "%.1f", (a - b) * 1e6 / n }')
		printf '%-44s %10s %14s\n' "$([ $k = 6 ] && echo '6 decimals' || echo 'full precision') into $type" "$ms" "${nsper[$k$t]}"
	done
done
psql_ -At <<SQL
SELECT 'checksum real[]:   ' || md5(string_agg(float4send(x)::text, '' ORDER BY k, i, n))
FROM bodies, LATERAL mlpredict.decode_response('dec_f4', body) AS d(e real[]), unnest(e) WITH ORDINALITY AS u(x, n);
SELECT 'checksum float8[]: ' || md5(string_agg(float8send(x)::text, '' ORDER BY k, i, n))
FROM bodies, LATERAL mlpredict.decode_response('dec_f8', body) AS d(e float8[]), unnest(e) WITH ORDINALITY AS u(x, n);
-- the same values as PostgreSQL's own float4in/float8in give for the text
SELECT 'same as float4in/float8in: ' || bool_and(e4 = t4 AND e8 = t8)
FROM (SELECT i, k, body FROM bodies WHERE i <= 50) b,
     LATERAL mlpredict.decode_response('dec_f4', body) AS d4(e4 real[]),
     LATERAL mlpredict.decode_response('dec_f8', body) AS d8(e8 float8[]),
     LATERAL (SELECT ('{' || substring(convert_from(body, 'UTF8') FROM '"embedding":\[([^]]*)\]') || '}') AS txt) s,
     LATERAL (SELECT txt::real[] AS t4, txt::float8[] AS t8) c;
SQL

echo
if ! command -v nginx >/dev/null 2>&1; then
	echo "== (c) big answers: skipped (no nginx)"
	exit 0
fi
echo "== (c) big answers through the pipelined query (nginx, one request per answer)"
mkdir -p "$work/www"
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx.err;
daemon off;
events { worker_connections 64; }
http {
	access_log off;
	server {
		listen 127.0.0.1:$NGINX_PORT;
		location ~ ^/(\w+)/v1/embeddings\$ {
			default_type application/json;
			error_page 405 =200 \$uri;
			alias $work/www/\$1.json;
		}
	}
}
CONF
for n in $BIG_ROWS; do
	/usr/bin/python3 - "$n" "$work/www/b$n.json" <<'PY'
import random, sys
n, path = int(sys.argv[1]), sys.argv[2]
random.seed(n)
with open(path, "w") as f:
    f.write('{"object":"list","data":[')
    for k in range(n):
        if k:
            f.write(",")
        f.write('{"object":"embedding","index":%d,"embedding":[' % k)
        f.write(",".join(repr(random.uniform(-0.1, 0.1)) for _ in range(1536)))
        f.write("]}")
    f.write('],"model":"text-embedding-3-small","usage":{"prompt_tokens":%d,"total_tokens":%d}}' % (n, n))
PY
done
chmod -R a+rX "$work/www"
nginx -c "$work/nginx.conf" &
nginx_pid=$!
for _ in $(seq 50); do
	curl -sf -o /dev/null -X POST "http://127.0.0.1:$NGINX_PORT/b$(awk '{ print $1 }' <<<"$BIG_ROWS")/v1/embeddings" && break
	sleep 0.1
done
printf '%-30s %10s %10s %10s %12s\n' "answer" "MB" "ms" "ms per MB" "us per row"
for n in $BIG_ROWS; do
	psql_ -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT mlpredict.create_connection('big$n', '{"type": "openai", "endpoint": "http://127.0.0.1:$NGINX_PORT/b$n/v1/embeddings", "api-key": "sk-bench"}');
SELECT mlpredict.create_model('big$n', 'q STRING', 'e ARRAY<FLOAT>', '{"provider": "openai", "task": "embedding", "openai.connection": "big$n", "openai.batch_size": "$n"}');
CREATE TABLE t$n AS SELECT i AS id, 'q ' || i AS q FROM generate_series(1, $n) i;
SQL
	bytes=$(stat -c %s "$work/www/b$n.json")
	ms=$(best_ms "SELECT count(*), sum(array_length(e.e, 1)) FROM t$n t, LATERAL big$n(t.q) e")
	awk -v n="$n" -v b="$bytes" -v ms="$ms" 'BEGIN { printf "%-30s %10.1f %10s %10.1f %12.1f\n", n " rows x 1536 numbers", b / 1048576, ms, ms / (b / 1048576), ms * 1000 / n }'
done
