#!/usr/bin/env bash
# Pipelined execution benchmark: the documented query
#   SELECT ... FROM t, LATERAL chat(t.q)
# against the local stand-in (plain HTTP on loopback, BENCH_LATENCY_MS per
# request), side by side in one run, on a throwaway cluster with mlpredict
# preloaded (the pool carries the requests):
#
#   bash bench/pipeline_bench.sh            # as root or as a user with sudo
#
#   (a) sequential baseline over BENCH_ROWS rows: the pipeline with
#       max_parallelism => 1, and mlpredict.enable_pipeline = off (one
#       blocking call per row); each measured once
#   (b) the same query pipelined with the default settings
#       (mlpredict.max_parallelism)
#   (c) 1536-dimension embeddings (OpenAI text-embedding-3-small) over the
#       same rows, pipelined: unbatched ('openai.batch_size' = '1') and
#       batched (the default batch size)
#   (d) the ceiling: bench/http_ceiling.c, a plain libcurl-multi client
#       with keep-alive, the same endpoint, request body shape and headers,
#       as many requests in flight as (b), one request per row; the same
#       for the embedding requests of (c), unbatched and batched
#   (f) batched embeddings against nginx (when installed): the Python
#       stand-in is too slow to serve 1536-dimension batches at full rate,
#       so nginx serves fixed answers (bench/embed_answers.py: OpenAI's
#       shape, numbers with 10 decimals, one answer per batch size, chosen
#       by the request's length) on 127.0.0.1:BENCH_NGINX_PORT; the
#       pipelined batched query against the curl-multi ceiling sending the
#       same batched requests to the same nginx, over BENCH_EMBED_ROWS
#       rows (default 12800: 200 requests, several rounds of 32 in flight)
#   (e) memory: the backend's peak RSS (VmHWM of /proc/<pg_backend_pid()>)
#       before, after BENCH_MEM_MID_ROWS and after BENCH_MEM_ROWS rows of
#       the pipelined query in one session, stand-in at
#       BENCH_MEM_LATENCY_MS; also the pool worker's
#
# Timing is wall clock (psql's \timing, or the driver's clock for (d)).
# Each fast measurement runs once for warm-up, then BENCH_REPEAT times;
# the median is reported.  Then the ratios against the targets of issue 5.
# BENCH_KEEP=1 keeps the work directory (logs); BENCH_SKIP_BUILD=1 uses
# the installed extension as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

ROWS=${BENCH_ROWS:-2000}
LATENCY=${BENCH_LATENCY_MS:-20}
REPEAT=${BENCH_REPEAT:-3}
MEM_ROWS=${BENCH_MEM_ROWS:-100000}
MEM_MID_ROWS=${BENCH_MEM_MID_ROWS:-10000}
MEM_LATENCY=${BENCH_MEM_LATENCY_MS:-0}
PGPORT=${BENCH_PGPORT:-55437}
STANDIN_PORT=${BENCH_STANDIN_PORT:-18796}
NGINX_PORT=${BENCH_NGINX_PORT:-18799}
EMBED_ROWS=${BENCH_EMBED_ROWS:-12800}
API_KEY=sk-test-openai-key

for v in "$ROWS" "$LATENCY" "$REPEAT" "$MEM_ROWS" "$MEM_MID_ROWS" "$MEM_LATENCY" "$PGPORT" "$STANDIN_PORT" "$NGINX_PORT" "$EMBED_ROWS"; do
	case $v in
		'' | *[!0-9]*) echo "pipeline_bench: BENCH_* sizes, latencies and ports are whole numbers (got '$v')" >&2; exit 2 ;;
	esac
done
if [ "$ROWS" -lt 20 ] || [ "$REPEAT" -lt 1 ] || [ "$MEM_ROWS" -lt 100 ] || [ "$MEM_MID_ROWS" -lt 100 ]; then
	echo "pipeline_bench: need BENCH_ROWS >= 20, BENCH_REPEAT >= 1, BENCH_MEM_ROWS and BENCH_MEM_MID_ROWS >= 100" >&2
	exit 2
fi
if [ "$STANDIN_PORT" = 18787 ]; then
	echo "pipeline_bench: the stand-in port 18787 belongs to the dev setup; choose another" >&2
	exit 2
fi

work=$(mktemp -d /tmp/mlpredict-pipebench.XXXXXX)
chmod 755 "$work"
chown postgres "$work" 2>/dev/null || true
cleanup() {
	local rc=$?
	if [ $rc -ne 0 ] && [ -f "$work/postgres.log" ]; then
		echo "--- pipeline_bench failed; last lines of the server log:" >&2
		tail -n 15 "$work/postgres.log" >&2
	fi
	stop_standin
	[ -n "${nginx_pid:-}" ] && kill "$nginx_pid" 2>/dev/null
	as_pg "$PG_BINDIR/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "work directory kept: $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The current tree, installed (always -B: file times are not trusted here).
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
latency() { control POST config "{\"latency_ms\": $1}" >/dev/null; }
base="http://127.0.0.1:$STANDIN_PORT/v1"

psql_ -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE EXTENSION mlpredict;
SELECT mlpredict.create_connection('bench_chat', '{"type": "openai", "endpoint": "$base/chat/completions", "api-key": "$API_KEY"}');
SELECT mlpredict.create_connection('bench_embed', '{"type": "openai", "endpoint": "$base/embeddings", "api-key": "$API_KEY"}');
SELECT mlpredict.create_model('chat', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "bench_chat"}');
SELECT mlpredict.create_model('embed', 'q STRING', 'e ARRAY<FLOAT>', '{"provider": "openai", "task": "embedding", "openai.connection": "bench_embed", "openai.model_version": "text-embedding-3-small"}');
CREATE TABLE t AS SELECT i AS id, 'question number ' || i AS q FROM generate_series(1, $ROWS) i;
CREATE TABLE t_mem AS SELECT i AS id, 'question number ' || i AS q FROM generate_series(1, $MEM_ROWS) i;
ANALYZE t, t_mem;
SQL
# The unbatched embedding model: batch size 1 (a tree without batching
# refuses the option; both runs are then the same).
batch_note=
if ! psql_ -v ON_ERROR_STOP=1 -c "SELECT mlpredict.create_model('embed_unbatched', 'q STRING', 'e ARRAY<FLOAT>', '{\"provider\": \"openai\", \"task\": \"embedding\", \"openai.connection\": \"bench_embed\", \"openai.model_version\": \"text-embedding-3-small\", \"openai.batch_size\": \"1\"}')" >/dev/null 2>"$work/batch_option.err"; then
	batch_note="'openai.batch_size' is refused ($(sed -n 's/^ERROR: *//p' "$work/batch_option.err" | head -1)); both embedding runs use the default"
	psql_ -v ON_ERROR_STOP=1 -c "SELECT mlpredict.create_model('embed_unbatched', 'q STRING', 'e ARRAY<FLOAT>', '{\"provider\": \"openai\", \"task\": \"embedding\", \"openai.connection\": \"bench_embed\", \"openai.model_version\": \"text-embedding-3-small\"}')" >/dev/null
fi
dims=$(psql_ -At -c "SELECT array_length(e, 1) FROM embed('dimension check')")
parallelism=$(psql_ -At -c "SHOW mlpredict.max_parallelism")

# timed SETUP QUERY RUNS: the wall-clock time of each run in ms, one a line
# (one psql session; rows go to /dev/null; SETUP is not timed).
timed() {
	{
		printf '%s\n\\timing on\n\\o /dev/null\n' "$1"
		for ((i = 0; i < $3; i++)); do printf '%s;\n' "$2"; done
	} | psql_ -v ON_ERROR_STOP=1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# The node's counters from EXPLAIN ANALYZE (one extra, untimed run).
node_info() {
	printf '%s\nEXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) %s;\n' "$1" "$2" | psql_ -v ON_ERROR_STOP=1 -At |
		awk -F': ' '/Custom Scan \(MLPredict\)/ { node = 1 }
			/^ *(Max Parallelism|Batch Size|Requests|Peak In Flight):/ { sub(/^ */, "", $1); out = out sep $1 " " $2; sep = ", " }
			END { print node ? out : "no MLPredict node (one call per row)" }'
}

declare -A rate info requests inflight
# measure KEY SETUP QUERY ROWS RUNS [SMALL]: a warm-up run, then RUNS
# timed runs; rows/s of the median, the stand-in's requests per run and
# peak in flight, the node's counters.  With SMALL (a WHERE clause on t),
# the warm-up and the EXPLAIN ANALYZE run only over those rows.
measure() {
	local key=$1 setup=$2 query=$3 rows=$4 runs=$5 small=${6:+ WHERE $6} times ms stats
	timed "$setup" "$query$small" 1 >/dev/null
	control POST reset >/dev/null
	times=$(timed "$setup" "$query" "$runs")
	stats=$(control GET stats)
	ms=$(median <<<"$times")
	rate[$key]=$(awk -v r="$rows" -v ms="$ms" 'BEGIN { printf "%.1f", r / (ms / 1000) }')
	requests[$key]=$(( $(stat_of requests <<<"$stats") / runs ))
	inflight[$key]=$(stat_of max_in_flight <<<"$stats")
	info[$key]=$(node_info "$setup" "$query$small")
	printf '  %-12s %s ms -> %s rows/s; stand-in: %s requests/run, peak %s in flight; %s%s\n' \
		"$key" "$(tr '\n' ' ' <<<"$times" | sed 's/ $//')" "${rate[$key]}" "${requests[$key]}" \
		"${inflight[$key]}" "${small:+EXPLAIN ANALYZE over$small: }" "${info[$key]}"
}

# ceiling KEY MODEL ROWS_PER_REQUEST: http_ceiling sends MODEL's own
# request (headers, body; ROWS_PER_REQUEST row texts in the body) for all
# rows with as many requests in flight as the pipeline; rows/s of the
# median of the rounds after the first (the warm-up).
ceiling() {
	local key=$1 model=$2 k=$3 out stats url
	url=$(psql_ -At -c "SELECT url FROM mlpredict.debug_request('$model', 'x')")
	psql_ -At -c "SELECT replace(body, '\"question number {{i}}\"', (SELECT string_agg('\"question number {{i}}\"', ', ') FROM generate_series(1, $k))) FROM mlpredict.debug_request('$model', 'question number {{i}}')" > "$work/$key.body"
	mapfile -t hdrs < <(psql_ -At -c "SELECT '-H' || E'\n' || key || ': ' || value FROM mlpredict.debug_request('$model', 'x'), jsonb_each_text(headers) WHERE key <> 'Authorization'")
	control POST reset >/dev/null
	out=$("$work/http_ceiling" -u "$url" -b "$work/$key.body" -n $(((ROWS + k - 1) / k)) \
		-c "$parallelism" -r $((REPEAT + 1)) "${hdrs[@]}" -H "Authorization: Bearer $API_KEY")
	stats=$(control GET stats)
	rate[$key]=$(sed -n '2,$s/.* rows_per_s=\([0-9.]*\).*/\1/p' <<<"$out" | median)
	requests[$key]=$(( $(stat_of requests <<<"$stats") / (REPEAT + 1) ))
	inflight[$key]=$(stat_of max_in_flight <<<"$stats")
	printf '  %-12s %s rows/s (%s rows per request; round 1 is the warm-up); stand-in: %s requests/run, peak %s in flight, %s connections\n' \
		"$key" "$(sed -n 's/.* rows_per_s=\([0-9.]*\).*/\1/p' <<<"$out" | tr '\n' ' ' | sed 's/ $//')" "$k" \
		"${requests[$key]}" "${inflight[$key]}" "$(stat_of connections <<<"$stats")"
}

chat_query='SELECT t.id, c.a FROM t, LATERAL chat(t.q) c'
chat_seq_query='SELECT t.id, c.a FROM t, LATERAL chat(t.q, mlpredict.options(max_parallelism => 1)) c'
# The vectors are consumed in the backend (their 1536 numbers are not
# printed as text to psql, which would time float4out, not the calls).
embed_query='SELECT t.id, array_length(e.e, 1) FROM t, LATERAL embed(t.q) e'
embed1_query='SELECT t.id, array_length(e.e, 1) FROM t, LATERAL embed_unbatched(t.q) e'

echo "stand-in latency ${LATENCY} ms (memory: ${MEM_LATENCY} ms), ${ROWS} rows, mlpredict.max_parallelism = $parallelism, $(nproc) CPUs"
echo "(times: wall clock of each measured run)"
# (e) memory first (so the pool worker's peak is this query's, not the
# batched embeddings'), one session: VmHWM before, after MEM_MID_ROWS rows,
# after MEM_ROWS rows.
latency "$MEM_LATENCY"
mem_out=$(psql_ -v ON_ERROR_STOP=1 <<SQL
\\o /dev/null
SELECT pid AS pool_pids FROM (SELECT string_agg(pid::text, ',') AS pid FROM pg_stat_activity WHERE backend_type = 'mlpredict pool') s \\gset
SELECT t.id, c.a FROM t_mem t, LATERAL chat(t.q) c WHERE t.id <= 100;
SELECT substring(pg_read_file('/proc/' || pg_backend_pid() || '/status') FROM 'VmHWM:\\s*(\\d+) kB') AS hwm0,
       (SELECT max(substring(pg_read_file('/proc/' || p || '/status') FROM 'VmHWM:\\s*(\\d+) kB')::int) FROM unnest(string_to_array(:'pool_pids', ',')) p) AS pool0 \\gset
\\timing on
SELECT t.id, c.a FROM t_mem t, LATERAL chat(t.q) c WHERE t.id <= $MEM_MID_ROWS;
\\timing off
SELECT substring(pg_read_file('/proc/' || pg_backend_pid() || '/status') FROM 'VmHWM:\\s*(\\d+) kB') AS hwm1,
       (SELECT max(substring(pg_read_file('/proc/' || p || '/status') FROM 'VmHWM:\\s*(\\d+) kB')::int) FROM unnest(string_to_array(:'pool_pids', ',')) p) AS pool1 \\gset
\\timing on
SELECT t.id, c.a FROM t_mem t, LATERAL chat(t.q) c;
\\timing off
SELECT substring(pg_read_file('/proc/' || pg_backend_pid() || '/status') FROM 'VmHWM:\\s*(\\d+) kB') AS hwm2,
       (SELECT max(substring(pg_read_file('/proc/' || p || '/status') FROM 'VmHWM:\\s*(\\d+) kB')::int) FROM unnest(string_to_array(:'pool_pids', ',')) p) AS pool2,
       pg_backend_pid() AS pid \\gset
\\echo mem :pid :hwm0 :hwm1 :hwm2 :pool0 :pool1 :pool2
SQL
)
read -r _ mem_pid hwm0 hwm1 hwm2 pool0 pool1 pool2 < <(grep '^mem ' <<<"$mem_out")
mapfile -t mem_ms < <(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$mem_out")
rate[mem_mid]=$(awk -v r="$MEM_MID_ROWS" -v ms="${mem_ms[0]}" 'BEGIN { printf "%.1f", r / (ms / 1000) }')
rate[mem]=$(awk -v r="$MEM_ROWS" -v ms="${mem_ms[1]}" 'BEGIN { printf "%.1f", r / (ms / 1000) }')
printf '  %-12s %s rows in %s ms -> %s rows/s; %s rows in %s ms -> %s rows/s (stand-in %s ms)\n' memory \
	"$MEM_MID_ROWS" "${mem_ms[0]}" "${rate[mem_mid]}" "$MEM_ROWS" "${mem_ms[1]}" "${rate[mem]}" "$MEM_LATENCY"

latency "$LATENCY"
measure pipelined '' "$chat_query" "$ROWS" "$REPEAT"
ceiling ceiling chat 1
measure embed_1 '' "$embed1_query" "$ROWS" "$REPEAT"
measure embed_batch '' "$embed_query" "$ROWS" "$REPEAT"
batch_size=$(sed -n 's/.*Batch Size \([0-9]*\).*/\1/p' <<<"${info[embed_batch]}")
ceiling ceil_emb_1 embed_unbatched 1
ceiling ceil_emb_b embed "${batch_size:-1}"

# (f) batched embeddings against nginx: every row's text is 8 characters
# ('q' and 7 digits), so a request of N rows is L1 + (N - 1) * 12 bytes,
# which picks the answer of N vectors (bench/embed_answers.py).
embed_nginx() {
	local k=${batch_size:-64} first_len out
	psql_ -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT mlpredict.create_connection('bench_embed_ng', '{"type": "openai", "endpoint": "http://127.0.0.1:$NGINX_PORT/emb/v1/embeddings", "api-key": "$API_KEY"}');
SELECT mlpredict.create_model('embed_ng', 'q STRING', 'e ARRAY<FLOAT>', '{"provider": "openai", "task": "embedding", "openai.connection": "bench_embed_ng", "openai.model_version": "text-embedding-3-small", "openai.batch_size": "$k"}');
CREATE TABLE t_ng AS SELECT i AS id, 'q' || lpad(i::text, 7, '0') AS q FROM generate_series(1, $EMBED_ROWS) i;
ANALYZE t_ng;
SQL
	first_len=$(psql_ -At -c "SELECT octet_length(body) FROM mlpredict.debug_request('embed_ng', 'q0000001')")
	"$STANDIN_PYTHON" bench/embed_answers.py --dir "$work/nginx" --port "$NGINX_PORT" \
		--first-body-len "$first_len" --row-len 12 "emb:1-$k:$dims:10"
	chmod -R a+rX "$work/nginx"
	nginx -c "$work/nginx/nginx.conf" &
	nginx_pid=$!
	for _ in $(seq 50); do
		curl -sf -o /dev/null -X POST -d "$(printf '%*s' "$first_len" '')" "http://127.0.0.1:$NGINX_PORT/emb/v1/embeddings" && break
		sleep 0.1
	done
	measure embed_ng '' 'SELECT t.id, array_length(e.e, 1) FROM t_ng t, LATERAL embed_ng(t.q) e' "$EMBED_ROWS" "$REPEAT"
	unset 'requests[embed_ng]' 'inflight[embed_ng]'	# the stand-in's, not nginx's
	# the ceiling: the same batched request of k rows, every time
	# (exactly the request's bytes: no newline after them)
	printf '%s' "$(psql_ -At -c "SELECT replace(body, '\"q0000001\"', (SELECT string_agg('\"q0000001\"', ', ') FROM generate_series(1, $k))) FROM mlpredict.debug_request('embed_ng', 'q0000001')")" > "$work/embed_ng.body"
	mapfile -t hdrs < <(psql_ -At -c "SELECT '-H' || E'\n' || key || ': ' || value FROM mlpredict.debug_request('embed_ng', 'x'), jsonb_each_text(headers) WHERE key <> 'Authorization'")
	out=$("$work/http_ceiling" -u "http://127.0.0.1:$NGINX_PORT/emb/v1/embeddings" -b "$work/embed_ng.body" \
		-n $(((EMBED_ROWS + k - 1) / k)) -c "$parallelism" -r $((REPEAT + 1)) "${hdrs[@]}" -H "Authorization: Bearer $API_KEY")
	rate[ceil_emb_ng]=$(sed -n '2,$s/.* rps=\([0-9.]*\).*/\1/p' <<<"$out" | median | awk -v k="$k" '{ printf "%.1f", $1 * k }')
	printf '  %-12s %s requests/s (%s rows per request; round 1 is the warm-up) -> %s rows/s\n' ceil_emb_ng \
		"$(sed -n 's/.* rps=\([0-9.]*\).*/\1/p' <<<"$out" | tr '\n' ' ' | sed 's/ $//')" "$k" "${rate[ceil_emb_ng]}"
}
nginx_note=
if command -v nginx >/dev/null 2>&1; then
	embed_nginx
else
	nginx_note="(f) skipped: no nginx (apt-get install nginx-light)"
fi
# the sequential runs take ROWS x (latency + ~1 ms): measured once
measure seq_mp1 '' "$chat_seq_query" "$ROWS" 1 't.id <= 20'
measure seq_off 'SET mlpredict.enable_pipeline = off;' "$chat_query" "$ROWS" 1 't.id <= 20'

mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v >= t) ? "met" : "MISSED" }'; }

echo
echo "== pipeline_bench: stand-in latency ${LATENCY} ms, ${ROWS} rows, ${dims}-dimension embeddings, $(nproc) CPUs"
printf '%-58s %12s %10s %10s\n' "measurement (requests per run and peak in flight: stand-in)" rows/s requests "in flight"
row() { printf '%-58s %12s %10s %10s\n' "$1" "${rate[$2]}" "${requests[$2]:--}" "${inflight[$2]:--}"; }
row "(a) chat, sequential: enable_pipeline = off" seq_off
row "(a) chat, sequential: pipeline, max_parallelism => 1" seq_mp1
row "(b) chat, pipelined, max_parallelism $parallelism (default)" pipelined
row "(d) ceiling: curl multi, $parallelism in flight, chat" ceiling
row "(c) embeddings, pipelined, unbatched (batch_size 1)" embed_1
row "(c) embeddings, pipelined, batched (default, ${batch_size:-?} a request)" embed_batch
row "    ceiling: curl multi, embeddings, 1 a request" ceil_emb_1
row "    ceiling: curl multi, embeddings, ${batch_size:-?} a request" ceil_emb_b
if [ -z "$nginx_note" ]; then
	row "(f) embeddings, nginx, $EMBED_ROWS rows, pipelined, batched (${batch_size:-?} a request)" embed_ng
	row "    ceiling: curl multi, the same batched requests to nginx" ceil_emb_ng
fi
row "(e) chat, pipelined, $MEM_ROWS rows, stand-in ${MEM_LATENCY} ms" mem
echo "    unbatched: ${info[embed_1]}"
echo "    batched:   ${info[embed_batch]}"
[ -n "$batch_note" ] && echo "    note: $batch_note"
echo
r_seq=$(ratio "${rate[pipelined]}" "${rate[seq_mp1]}")
r_off=$(ratio "${rate[pipelined]}" "${rate[seq_off]}")
r_ceil=$(awk -v a="${rate[pipelined]}" -v b="${rate[ceiling]}" 'BEGIN { printf "%.0f", 100 * a / b }')
r_emb=$(ratio "${rate[embed_batch]}" "${rate[embed_1]}")
r_emb_ceil=$(ratio "${rate[ceil_emb_b]}" "${rate[ceil_emb_1]}")
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }
printf '%-58s %10s   target %-8s %s\n' \
	"pipelined / sequential (max_parallelism => 1)" "${r_seq}x" ">= 25x" "$(verdict "$r_seq" 25)" \
	"pipelined / sequential (enable_pipeline = off)" "${r_off}x" ">= 25x" "$(verdict "$r_off" 25)" \
	"pipelined / ceiling" "${r_ceil}%" ">= 70%" "$(verdict "$r_ceil" 70)" \
	"batched / unbatched embeddings" "${r_emb}x" ">= 5x" "$(verdict "$r_emb" 5)"
r_emb_b=$(ratio "${rate[embed_batch]}" "${rate[ceil_emb_b]}")
printf '%-58s %10s   target %-8s %s\n' "batched embeddings / ceiling (stand-in, (c))" "${r_emb_b}" ">= 0.7" "$(verdict "$r_emb_b" 0.7)"
if [ -z "$nginx_note" ]; then
	r_emb_ng=$(ratio "${rate[embed_ng]}" "${rate[ceil_emb_ng]}")
	printf '%-58s %10s   target %-8s %s\n' "batched embeddings / ceiling (nginx, (f))" "${r_emb_ng}" ">= 0.7" "$(verdict "$r_emb_ng" 0.7)"
	echo "    (f): ${info[embed_ng]}"
else
	echo "$nginx_note"
fi
printf '(embeddings against their ceilings: unbatched %s, batched %s; the ceilings batched / unbatched %sx)\n' \
	"$(pct "${rate[embed_1]}" "${rate[ceil_emb_1]}")" "$(pct "${rate[embed_batch]}" "${rate[ceil_emb_b]}")" "$r_emb_ceil"
printf 'backend peak RSS (VmHWM, pid %s): before %s, after %s rows %s, then %s after a %s-row query (%+d kB)\n' \
	"$mem_pid" "$(mb "$hwm0")" "$MEM_MID_ROWS" "$(mb "$hwm1")" "$(mb "$hwm2")" "$MEM_ROWS" $((hwm2 - hwm1))
printf 'pool worker peak RSS (VmHWM): before %s, after %s rows %s, then %s after a %s-row query (%+d kB)\n' \
	"$(mb "$pool0")" "$MEM_MID_ROWS" "$(mb "$pool1")" "$(mb "$pool2")" "$MEM_ROWS" $((pool2 - pool1))
echo "(run took ${SECONDS} s)"
