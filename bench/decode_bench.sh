#!/usr/bin/env bash
# Decoding benchmark: what it costs to turn embedding answers into real[]
# and float8[], per number and per megabyte, on a throwaway cluster with
# nginx serving fixed answers (a static file on 127.0.0.1:BENCH_NGINX_PORT):
#
#   unshare --net bash -c 'ip link set lo up; bash bench/decode_bench.sh'
#
#   (a) the number reader alone (bench/decode_bench.c): float_parse.c
#       against strtod/strtof in the same loop, ns per number
#   (b) the backend's CPU per number in the batched pipelined query:
#       BENCH_ROWS rows, 64 a request (the default batch size), each answer
#       64 vectors of 1536 full-precision numbers (about 2 MB); the
#       backend's CPU time (utime + stime of /proc/<pid>/stat) over
#       BENCH_REPEAT runs, less the same query's with 3-number vectors (the
#       per-row floor: executor, pipeline, receiving), divided by the
#       numbers.  That is the whole decode (reading the body, converting,
#       the arrays), into real[] and into float8[]
#   (c) big answers: one request of BENCH_BIG_ROWS rows (2048 rows: about
#       64 MB, the most mlpredict.max_response_size takes by default):
#       wall time and backend CPU per MB should not grow with the answer
#       (decoding is linear in its size)
#   (d) the decoded values are those of PostgreSQL's float4in/float8in
#       for the same text, and a checksum of them, to compare builds
#
# BENCH_SKIP_BUILD=1 uses the installed extension as it is (to measure an
# older build the same way); BENCH_KEEP=1 keeps the work directory.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

ROWS=${BENCH_ROWS:-6400}
REPEAT=${BENCH_REPEAT:-5}
BIG_ROWS=${BENCH_BIG_ROWS:-"256 1024 2048"}
PGPORT=${BENCH_PGPORT:-55438}
NGINX_PORT=${BENCH_NGINX_PORT:-18798}

for v in "$ROWS" "$REPEAT" "$PGPORT" "$NGINX_PORT" $BIG_ROWS; do
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

if ! command -v nginx >/dev/null 2>&1; then
	echo "decode_bench: (b)-(d) need nginx (apt-get install nginx-light)" >&2
	exit 1
fi
init_scratch_cluster "$work" "$PGPORT" <<CONF
shared_preload_libraries = 'mlpredict'
CONF
as_pg "$PG_BINDIR/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w start >/dev/null
psql_() { as_pg "$PG_BINDIR/psql" -X -q -h "$work" -p "$PGPORT" -U postgres -d postgres "$@"; }
psql_ -v ON_ERROR_STOP=1 -c "CREATE EXTENSION mlpredict" >/dev/null

# Fixed answers served by nginx (bench/embed_answers.py), chosen by the
# request's length: every row's text is 8 characters ('q' and 7 digits),
# so a request of N rows is L1 + (N - 1) * 12 bytes long.
psql_ -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT mlpredict.create_connection('probe', '{"type": "openai", "endpoint": "http://127.0.0.1:$NGINX_PORT/vec/v1/embeddings", "api-key": "sk-bench"}');
SELECT mlpredict.create_model('probe', 'q STRING', 'e ARRAY<FLOAT>', '{"provider": "openai", "task": "embedding", "openai.connection": "probe"}');
SQL
first_len=$(psql_ -At -c "SELECT octet_length(body) FROM mlpredict.debug_request('probe', 'q0000001')")
big_list=$(tr ' ' ',' <<<"$BIG_ROWS")
/usr/bin/python3 bench/embed_answers.py --dir "$work" --port "$NGINX_PORT" \
	--first-body-len "$first_len" --row-len 12 \
	vec:1-64:1536:0 small:1-64:3:0 big:"$big_list":1536:0
chmod -R a+rX "$work/www"
nginx -c "$work/nginx.conf" &
nginx_pid=$!
for _ in $(seq 50); do
	curl -sf -o /dev/null -X POST -d "$(printf '%*s' "$first_len" '')" "http://127.0.0.1:$NGINX_PORT/vec/v1/embeddings" && break
	sleep 0.1
done

# model NAME SET TYPE BATCH: a model whose requests get the answers of SET
model() {
	psql_ -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT mlpredict.create_connection('$1', '{"type": "openai", "endpoint": "http://127.0.0.1:$NGINX_PORT/$2/v1/embeddings", "api-key": "sk-bench"}');
SELECT mlpredict.create_model('$1', 'q STRING', 'e $3', '{"provider": "openai", "task": "embedding", "openai.connection": "$1", "openai.batch_size": "$4"}');
SQL
}
model vec64_f4 vec 'ARRAY<FLOAT>' 64
model vec64_f8 vec 'ARRAY<DOUBLE>' 64
model small64_f4 small 'ARRAY<FLOAT>' 64
model small64_f8 small 'ARRAY<DOUBLE>' 64
for n in $BIG_ROWS; do model "big${n}_f4" big 'ARRAY<FLOAT>' "$n"; done
psql_ -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE TABLE t AS SELECT i AS id, 'q' || lpad(i::text, 7, '0') AS q FROM generate_series(1, $ROWS) i;
SQL

# measure FUNCTION TABLE ROWS: "<best wall ms> <backend CPU ms per run>"
# over REPEAT runs of the pipelined query in one session (after a warm-up)
measure() {
	local fn=$1 tab=$2 out
	out=$({
		printf '\\o /dev/null\n'
		printf 'SELECT count(*), sum(array_length(e.e, 1)) FROM %s t, LATERAL %s(t.q) e;\n' "$tab" "$fn"
		printf "SELECT (s[12]::bigint + s[13]::bigint) AS c0 FROM (SELECT string_to_array(split_part(pg_read_file('/proc/self/stat'), ') ', 2), ' ') AS s) x \\\\gset\n"
		printf '\\timing on\n'
		for ((r = 0; r < REPEAT; r++)); do
			printf 'SELECT count(*), sum(array_length(e.e, 1)) FROM %s t, LATERAL %s(t.q) e;\n' "$tab" "$fn"
		done
		printf '\\timing off\n'
		printf "SELECT (s[12]::bigint + s[13]::bigint) AS c1 FROM (SELECT string_to_array(split_part(pg_read_file('/proc/self/stat'), ') ', 2), ' ') AS s) x \\\\gset\n"
		printf '\\o\n\\echo cpu :c0 :c1\n'
	} | psql_ -v ON_ERROR_STOP=1)
	awk -v hz="$(getconf CLK_TCK)" -v runs="$REPEAT" '
		/^Time:/ { t = $2; if (best == "" || t < best) best = t }
		/^cpu / { cpu = ($3 - $2) * 1000 / hz / runs }
		END { printf "%s %.1f\n", best, cpu }' <<<"$out"
}

echo
echo "== (b) the backend's CPU per number: $ROWS rows, 64 a request, $REPEAT runs"
printf '%-46s %10s %14s %14s\n' "answers" "best ms" "CPU ms/run" "ns per number"
declare -A cpu
for t in f4 f8; do
	type=$([ $t = f4 ] && echo 'real[]' || echo 'float8[]')
	read -r ms c < <(measure "small64_$t" t)
	cpu[small$t]=$c
	printf '%-46s %10s %14s %14s\n' "3 numbers a vector into $type (the floor)" "$ms" "$c" "-"
	read -r ms c < <(measure "vec64_$t" t)
	cpu[vec$t]=$c
	nsper=$(awk -v a="$c" -v b="${cpu[small$t]}" -v n="$((ROWS * 1533))" 'BEGIN { printf "%.1f", (a - b) * 1e6 / n }')
	printf '%-46s %10s %14s %14s\n' "1536 numbers a vector into $type" "$ms" "$c" "$nsper"
done

echo
echo "== (c) big answers: one request, best of $REPEAT runs"
printf '%-30s %8s %10s %10s %14s\n' "answer" "MB" "best ms" "ms per MB" "CPU ms per MB"
for n in $BIG_ROWS; do
	psql_ -c "CREATE TABLE t$n AS SELECT i AS id, 'q' || lpad(i::text, 7, '0') AS q FROM generate_series(1, $n) i" >/dev/null
	read -r ms c < <(measure "big${n}_f4" "t$n")
	bytes=$(stat -c %s "$work/www/big/n$n.json")
	awk -v n="$n" -v b="$bytes" -v ms="$ms" -v c="$c" 'BEGIN { mb = b / 1048576; printf "%-30s %8.1f %10s %10.1f %14.1f\n", n " rows x 1536 numbers", mb, ms, ms / mb, c / mb }'
done

echo
echo "== (d) the values: PostgreSQL's float4in/float8in on the same text, and checksums"
psql_ -At <<SQL
-- row k of a request gets the answer's vector k: send the rows in order
WITH doc AS (SELECT pg_read_file('$work/www/vec/n64.json')::jsonb AS j),
     expected AS (SELECT k + 1 AS id,
                         translate((j -> 'data' -> k -> 'embedding')::text, '[]', '{}') AS txt
                  FROM doc, generate_series(0, 63) k),
     f4 AS MATERIALIZED (SELECT t.id, a.e FROM (SELECT * FROM t WHERE id <= 64 ORDER BY id) t, LATERAL vec64_f4(t.q) a),
     f8 AS MATERIALIZED (SELECT t.id, b.e FROM (SELECT * FROM t WHERE id <= 64 ORDER BY id) t, LATERAL vec64_f8(t.q) b)
SELECT 'same as float4in and float8in: ' || (count(*) = 64 AND bool_and(f4.e = x.txt::real[] AND f8.e = x.txt::float8[]))
FROM expected x JOIN f4 USING (id) JOIN f8 USING (id);
SELECT 'checksum real[]:   ' || md5(string_agg(float4send(x)::text, '' ORDER BY t.id, n))
FROM (SELECT * FROM t WHERE id <= 64) t, LATERAL vec64_f4(t.q) a, unnest(a.e) WITH ORDINALITY AS u(x, n);
SELECT 'checksum float8[]: ' || md5(string_agg(float8send(x)::text, '' ORDER BY t.id, n))
FROM (SELECT * FROM t WHERE id <= 64) t, LATERAL vec64_f8(t.q) a, unnest(a.e) WITH ORDINALITY AS u(x, n);
SQL
echo "(run took ${SECONDS} s)"
