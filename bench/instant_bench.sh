#!/usr/bin/env bash
# Instant-endpoint benchmark: what the pool costs per request when the
# provider answers at once.  nginx (a non-daemon on high ports, its own
# config in a temporary directory) answers every POST with a fixed OpenAI
# chat completion via `return 200`, over plain HTTP, TLS HTTP/1.1 and TLS
# HTTP/2 (a self-signed certificate made for the run, trusted through
# mlpredict.ca_bundle).  One command:
#
#   PG_CONFIG=.../pg_config bash bench/instant_bench.sh
#
# as root (or with sudo), best in a network namespace of its own; without
# PG_CONFIG, the newest /usr/lib/postgresql/N is used (scripts/common.sh).
#
# For each protocol and each number in flight (BENCH_INFLIGHT, default
# "32 128"), over BENCH_ROWS rows (default 20000):
#   - the pipelined query  SELECT count(*) FROM t, LATERAL chat(t.q, ...)
#     through the pool, max_parallelism => N, once for each number of pool
#     workers in BENCH_POOL_WORKERS (default "1 2"; the server restarts
#     with mlpredict.pool_workers set, and the one session spreads over
#     them): rows/s (median of BENCH_REPEAT runs after a warm-up), CPU
#     microseconds per request of the pool workers (together) and of the
#     backend (utime + stime from /proc/<pid>/stat), and the TCP
#     connections nginx saw opened per query (new $connection serials in
#     its access log);
#   - bench/http_ceiling.c (libcurl multi, keep-alive, N in flight, the
#     same request body and headers): rows/s and its CPU per request;
#   - plain HTTP only: wrk (N connections, one thread) when installed.
# Then the ratios of issue 16: pipelined / curl multi (target >= 0.85),
# worker CPU / curl CPU (target <= 1.3) and worker + backend / curl, how
# busy the worker was (its CPU seconds per second of the query: 1.00 is
# one core saturated), TLS HTTP/1.1 and HTTP/2 / plain (target >= 0.85),
# and connections per query.
#
# BENCH_SKIP_BUILD=1 uses the installed extension; BENCH_KEEP=1 keeps the
# work directory; BENCH_PERF=1 records `perf record -g` of the pool worker
# during the plain 128-in-flight run into the work directory (and keeps it).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

ROWS=${BENCH_ROWS:-20000}
REPEAT=${BENCH_REPEAT:-3}
INFLIGHT=${BENCH_INFLIGHT:-32 128}
PROTOS=${BENCH_PROTOS:-http h1tls h2tls}
POOLS=${BENCH_POOL_WORKERS:-1 2}
PGPORT=${BENCH_PGPORT:-55441}
PORT_BASE=${BENCH_NGINX_PORT:-18830}
API_KEY=sk-test-openai-key

for cmd in nginx openssl; do
	command -v "$cmd" >/dev/null || {
		echo "instant_bench: needs $cmd (apt-get install nginx-light openssl)" >&2
		exit 2
	}
done
NGINX=$(command -v nginx)

work=$(mktemp -d /tmp/mlpredict-instant.XXXXXX)
chmod 755 "$work"
chown postgres "$work" 2>/dev/null || true
nginx_pid=
cleanup() {
	local rc=$?
	if [ $rc -ne 0 ] && [ -f "$work/postgres.log" ]; then
		echo "--- instant_bench failed; last lines of the server log:" >&2
		tail -n 15 "$work/postgres.log" >&2
	fi
	[ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
	as_pg "$PG_BINDIR/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true
	if [ "${BENCH_KEEP:-0}" = 1 ] || [ "${BENCH_PERF:-0}" = 1 ]; then
		echo "work directory kept: $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
	build_and_install
fi
cc -O2 -Wall -o "$work/http_ceiling" bench/http_ceiling.c $(curl-config --cflags) $(curl-config --libs)

# --- nginx: a fixed chat completion on three ports -------------------------
port_http=$PORT_BASE
port_h1tls=$((PORT_BASE + 1))
port_h2tls=$((PORT_BASE + 2))
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 \
	-keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1
chmod 644 "$work/cert.pem" "$work/key.pem"
answer='{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}'
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
	log_format conn '\$server_port \$connection \$connection_requests';
	access_log $work/nginx/access.log conn buffer=256k flush=100ms;
	client_body_temp_path $work/nginx/tmp_body;
	proxy_temp_path $work/nginx/tmp_proxy;
	fastcgi_temp_path $work/nginx/tmp_fastcgi;
	uwsgi_temp_path $work/nginx/tmp_uwsgi;
	scgi_temp_path $work/nginx/tmp_scgi;
	keepalive_requests 10000000;
	keepalive_timeout 600s;
	http2_max_requests 10000000;
	http2_max_concurrent_streams 256;
	ssl_certificate $work/cert.pem;
	ssl_certificate_key $work/key.pem;
	ssl_session_cache shared:bench:1m;
	server {
		listen 127.0.0.1:$port_http;
		listen 127.0.0.1:$port_h1tls ssl;
		listen 127.0.0.1:$port_h2tls ssl http2;
		location / {
			default_type application/json;
			return 200 '$answer';
		}
	}
}
NGINX
"$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' 2>>"$work/nginx/error.log" &
nginx_pid=$!
for _ in $(seq 50); do
	curl -sf -o /dev/null -X POST "http://127.0.0.1:$port_http/" && break
	sleep 0.1
done
curl -sf -o /dev/null --cacert "$work/cert.pem" --http2 -X POST "https://127.0.0.1:$port_h2tls/" || {
	echo "instant_bench: nginx did not answer; its log:" >&2
	cat "$work/nginx/error.log" >&2
	exit 1
}
declare -A url
url[http]=http://127.0.0.1:$port_http/v1/chat/completions
url[h1tls]=https://127.0.0.1:$port_h1tls/v1/chat/completions
url[h2tls]=https://127.0.0.1:$port_h2tls/v1/chat/completions
declare -A proto_name=([http]="plain HTTP/1.1" [h1tls]="TLS HTTP/1.1" [h2tls]="TLS HTTP/2")

# connections_between FROM TO PORT: how many $connection serials of PORT
# appear between bytes FROM and TO of the access log and nowhere before
# FROM: the connections opened in that stretch.  nginx flushes its log
# buffer every 100 ms.
log_size() { sleep 0.3; stat -c %s "$work/nginx/access.log" 2>/dev/null || echo 0; }
connections_between() {
	head -c "$2" "$work/nginx/access.log" |
		awk -v from="$1" -v port="$3" '
			{ at += length($0) + 1 }
			$1 != port { next }
			at <= from { old[$2] = 1; next }
			!($2 in old) && !($2 in new) { new[$2] = 1; n++ }
			END { print n + 0 }'
}

# --- PostgreSQL ------------------------------------------------------------
init_scratch_cluster "$work" "$PGPORT" <<CONF
shared_preload_libraries = 'mlpredict'
mlpredict.ca_bundle = '$work/cert.pem'
mlpredict.max_connections = 1024
mlpredict.max_session_share = 100
CONF
as_pg "$PG_BINDIR/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w start >/dev/null
psql_() { as_pg "$PG_BINDIR/psql" -X -q -h "$work" -p "$PGPORT" -U postgres -d postgres "$@"; }
psql_ -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE EXTENSION mlpredict;
SELECT mlpredict.create_connection('bench_http', '{"type": "openai", "endpoint": "${url[http]}", "api-key": "$API_KEY"}');
SELECT mlpredict.create_connection('bench_h1tls', '{"type": "openai", "endpoint": "${url[h1tls]}", "api-key": "$API_KEY"}');
SELECT mlpredict.create_connection('bench_h2tls', '{"type": "openai", "endpoint": "${url[h2tls]}", "api-key": "$API_KEY"}');
SELECT mlpredict.create_model('chat_http', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "bench_http"}');
SELECT mlpredict.create_model('chat_h1tls', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "bench_h1tls"}');
SELECT mlpredict.create_model('chat_h2tls', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "bench_h2tls"}');
CREATE TABLE t AS SELECT i AS id, 'question number ' || i AS q FROM generate_series(1, $ROWS) i;
ANALYZE t;
SQL
psql_ -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
-- CPU clock ticks (utime + stime) of a process of this cluster
CREATE FUNCTION bench_ticks(pid int) RETURNS bigint LANGUAGE sql AS $$
	SELECT f[12]::bigint + f[13]::bigint
	FROM string_to_array(substring(pg_read_file('/proc/' || pid || '/stat') FROM '\) (.*)$'), ' ') f
$$;
-- the same, summed over every pool worker
CREATE FUNCTION bench_pool_ticks() RETURNS bigint LANGUAGE sql AS $$
	SELECT sum(bench_ticks(pid))::bigint FROM pg_stat_activity WHERE backend_type = 'mlpredict pool'
$$;
SQL
# use_pool_workers W: restart the server with W pool workers
use_pool_workers() {
	psql_ -q -c "ALTER SYSTEM SET mlpredict.pool_workers = $1" >/dev/null
	as_pg "$PG_BINDIR/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w restart -m fast >/dev/null
	for _ in $(seq 50); do
		[ "$(psql_ -At -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'mlpredict pool'")" = "$1" ] && break
		sleep 0.1
	done
	worker_pid=$(psql_ -At -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'mlpredict pool' ORDER BY pid LIMIT 1")
}
HZ=$(getconf CLK_TCK)
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A rate cpu_w cpu_b cpu_c conns crate wrate cconns
# pipelined PROTO N W: one session, W pool workers; a warm-up run, then
# REPEAT timed runs, each bracketed (in SQL, so in step with the queries)
# by the access log's size and the CPU ticks of the backend and the
# workers.
pipelined() {
	local proto=$1 n=$2 w=$3 out wt bt
	local query="SELECT count(*) FROM t, LATERAL chat_$proto(t.q, mlpredict.options(max_parallelism => $n)) c WHERE c.a = 'ok'"
	local probe="SELECT pg_sleep(0.3), (pg_stat_file('$work/nginx/access.log')).size, bench_pool_ticks(), bench_ticks(pg_backend_pid())"
	out=$({
		echo "$query;"
		for ((i = 0; i < REPEAT; i++)); do
			echo "$probe;"
			echo "\\timing on"
			echo "$query;"
			echo "\\timing off"
			echo "$probe;"
		done
	} | psql_ -v ON_ERROR_STOP=1 -At -F ' ' 2>&1)
	echo "$out" > "$work/run_${proto}_${n}_$w.out"
	if [ "$(grep -cx "$ROWS" <<<"$out")" -ne $((REPEAT + 1)) ]; then
		echo "instant_bench: the pipelined query did not answer all $ROWS rows ($proto, $n in flight):" >&2
		head -5 <<<"$out" >&2
		exit 1
	fi
	local ms
	ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$out" | median)
	rate[$proto,$n,$w]=$(awk -v r="$ROWS" -v ms="$ms" 'BEGIN { printf "%.0f", r / (ms / 1000) }')
	# probe lines: " <log size> <worker ticks> <backend ticks>", before and after
	read -r wt bt < <(awk 'NF == 3 && $1 ~ /^[0-9]+$/ { if (++k % 2) { w0 = $2; b0 = $3 } else { w += $2 - w0; b += $3 - b0 } }
		END { print w, b }' <<<"$out")
	cpu_w[$proto,$n,$w]=$(awk -v t="$wt" -v hz="$HZ" -v n="$((ROWS * REPEAT))" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
	cpu_b[$proto,$n,$w]=$(awk -v t="$bt" -v hz="$HZ" -v n="$((ROWS * REPEAT))" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
	conns[$proto,$n,$w]=$(awk 'NF == 3 && $1 ~ /^[0-9]+$/ { if (++k % 2) s = $1; else print s, $1 }' <<<"$out" |
		while read -r from to; do
			connections_between "$from" "$to" "$(port_of "$proto")"
		done | paste -sd, -)
	printf '  pipelined %-15s %4d in flight, %d pool worker(s): %s ms -> %s rows/s; CPU/request workers %s us, backend %s us; connections opened per query: %s\n' \
		"${proto_name[$proto]}" "$n" "$w" "$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$out" | tr '\n' ' ' | sed 's/ $//')" \
		"${rate[$proto,$n,$w]}" "${cpu_w[$proto,$n,$w]}" "${cpu_b[$proto,$n,$w]}" "${conns[$proto,$n,$w]}"
}
port_of() { case $1 in http) echo "$port_http" ;; h1tls) echo "$port_h1tls" ;; h2tls) echo "$port_h2tls" ;; esac; }

# ceiling PROTO N: http_ceiling with the model's own request, REPEAT+1
# rounds (the first is the warm-up); CPU per request over all rounds.
ceiling() {
	local proto=$1 n=$2 out off cpu
	psql_ -At -c "SELECT body FROM mlpredict.debug_request('chat_$proto', 'question number {{i}}')" > "$work/body_$proto"
	mapfile -t hdrs < <(psql_ -At -c "SELECT '-H' || E'\n' || key || ': ' || value FROM mlpredict.debug_request('chat_$proto', 'x'), jsonb_each_text(headers) WHERE key <> 'Authorization'")
	off=$(log_size)
	out=$( { /usr/bin/time -f 'cputime %U %S' "$work/http_ceiling" -u "${url[$proto]}" -b "$work/body_$proto" \
		-n "$ROWS" -c "$n" -r $((REPEAT + 1)) -C "$work/cert.pem" "${hdrs[@]}" \
		-H "Authorization: Bearer $API_KEY"; } 2>&1)
	crate[$proto,$n]=$(sed -n '2,$s/.* rows_per_s=\([0-9.]*\).*/\1/p' <<<"$out" | median | awk '{ printf "%.0f", $1 }')
	cpu_c[$proto,$n]=$(awk -v n="$((ROWS * (REPEAT + 1)))" '/^cputime/ { printf "%.1f", ($2 + $3) * 1e6 / n }' <<<"$out")
	cconns[$proto,$n]=$(connections_between "$off" "$(log_size)" "$(port_of "$proto")")
	printf '  curl multi %-14s %4d in flight: %s rows/s (rounds: %s); CPU/request %s us; connections %s for %d rounds\n' \
		"${proto_name[$proto]}" "$n" "${crate[$proto,$n]}" \
		"$(sed -n 's/.* rows_per_s=\([0-9.]*\).*/\1/p' <<<"$out" | tr '\n' ' ' | sed 's/ $//')" \
		"${cpu_c[$proto,$n]}" "${cconns[$proto,$n]}" $((REPEAT + 1))
}

# wrk N: plain HTTP, N connections, one thread, 5 s
wrk_run() {
	local n=$1 out
	cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $API_KEY"
wrk.body = [[$(cat "$work/body_http")]]
LUA
	out=$(wrk -t1 -c"$n" -d5s -s "$work/post.lua" "${url[http]}" 2>&1)
	wrate[$n]=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' <<<"$out" | awk '{ printf "%.0f", $1 }')
	printf '  wrk        %-14s %4d connections: %s requests/s\n' "plain HTTP/1.1" "$n" "${wrate[$n]}"
}

echo "instant_bench: nginx answering at once, $ROWS rows, in flight: $INFLIGHT, pool workers: $POOLS, $(nproc) CPUs, libcurl $(curl-config --version | cut -d' ' -f2)"
for w in $POOLS; do
	use_pool_workers "$w"
	for proto in $PROTOS; do
		for n in $INFLIGHT; do
			if [ "${BENCH_PERF:-0}" = 1 ] && [ "$proto" = http ] && [ "$n" = 128 ]; then
				perf record ${BENCH_PERF_OPTS:--g} -o "$work/perf.worker$w.data" -p "$worker_pid" >/dev/null 2>&1 &
				perf_pid=$!
				pipelined "$proto" "$n" "$w"
				kill -INT "$perf_pid"; wait "$perf_pid" || true
			else
				pipelined "$proto" "$n" "$w"
			fi
			[ -n "${crate[$proto,$n]:-}" ] && continue
			ceiling "$proto" "$n"
			if [ "$proto" = http ] && command -v wrk >/dev/null; then
				wrk_run "$n"
			fi
		done
	done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v != "-" && v >= t) ? "met" : "MISSED" }'; }
echo
echo "== instant_bench: $ROWS rows, nginx answering at once; rows/s are medians of $REPEAT runs"
printf '%-16s %5s %3s %10s %10s %6s %7s %7s %7s %7s %6s %6s %6s %s\n' protocol "in fl" wkr pipelined "curl mult" ratio workers backend "w+b" curl "w/cu" "w+b/cu" busy "conns/q"
for proto in $PROTOS; do
	for n in $INFLIGHT; do
		for w in $POOLS; do
			wb=$(awk -v a="${cpu_w[$proto,$n,$w]}" -v b="${cpu_b[$proto,$n,$w]}" 'BEGIN { printf "%.1f", a + b }')
			busy=$(awk -v c="${cpu_w[$proto,$n,$w]}" -v r="${rate[$proto,$n,$w]}" 'BEGIN { printf "%.2f", c * r / 1e6 }')
			printf '%-16s %5d %3d %10s %10s %6s %7s %7s %7s %7s %6s %6s %6s %s\n' "${proto_name[$proto]}" "$n" "$w" \
				"${rate[$proto,$n,$w]}" "${crate[$proto,$n]}" "$(ratio "${rate[$proto,$n,$w]}" "${crate[$proto,$n]}")" \
				"${cpu_w[$proto,$n,$w]}" "${cpu_b[$proto,$n,$w]}" "$wb" "${cpu_c[$proto,$n]}" \
				"$(ratio "${cpu_w[$proto,$n,$w]}" "${cpu_c[$proto,$n]}")" "$(ratio "$wb" "${cpu_c[$proto,$n]}")" \
				"$busy" "${conns[$proto,$n,$w]}"
		done
	done
done
echo "(wkr: pool workers; CPU columns: microseconds per request; workers: all pool workers together;"
echo " w/cu: the workers' against curl's (target <= 1.3); busy: the workers' CPU seconds per second of"
echo " the query, 1.00 = one core saturated; conns/q: TCP connections nginx saw opened by each measured query)"
if [ -n "${wrate[*]:-}" ]; then
	for n in $INFLIGHT; do
		for w in $POOLS; do
			printf 'wrk, plain HTTP/1.1, %d connections: %s requests/s; pipelined (%d pool workers) / wrk = %s\n' "$n" "${wrate[$n]}" "$w" "$(ratio "${rate[http,$n,$w]}" "${wrate[$n]}")"
		done
	done
fi
echo
for w in $POOLS; do
	for n in $INFLIGHT; do
		for proto in $PROTOS; do
			r=$(ratio "${rate[$proto,$n,$w]}" "${crate[$proto,$n]}")
			printf '%-66s %6s   target >= 0.85  %s\n' "pipelined / curl multi, ${proto_name[$proto]}, $n in flight, $w pool worker(s)" "$r" "$(verdict "$r" 0.85)"
		done
	done
done
for w in $POOLS; do
	for n in $INFLIGHT; do
		for proto in $PROTOS; do
			[ "$proto" = http ] && continue
			case " $PROTOS " in *" http "*) ;; *) continue ;; esac
			r=$(ratio "${rate[$proto,$n,$w]}" "${rate[http,$n,$w]}")
			printf '%-66s %6s   target >= 0.85  %s\n' "pipelined ${proto_name[$proto]} / plain HTTP, $n in flight, $w pool worker(s)" "$r" "$(verdict "$r" 0.85)"
		done
	done
done
echo
echo "pool statistics (every request since the last restart, warm-ups and ceilings' setup included):"
psql_ -c "SELECT connection, calls, errors, retries, errors_connection, errors_timeout, round(latency_p50_ms::numeric, 2) AS p50_ms, round(latency_p99_ms::numeric, 2) AS p99_ms FROM mlpredict.stat_connections ORDER BY 1"
for w in $POOLS; do
	[ "${BENCH_PERF:-0}" = 1 ] && [ -f "$work/perf.worker$w.data" ] || continue
	echo
	echo "== perf: first pool worker of $w, plain HTTP, 128 in flight (top entries, self time)"
	perf report -i "$work/perf.worker$w.data" --no-children --sort symbol --stdio 2>/dev/null |
		grep -E '^ +[0-9.]+%' | head -25 || true
done
echo "(run took ${SECONDS} s)"
