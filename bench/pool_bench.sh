#!/usr/bin/env bash
# Connection pool benchmark: the same workloads against one cluster, first
# with mlpredict in shared_preload_libraries (the background-worker pool),
# then without it (each backend runs its own libcurl engine), side by side
# in one run.  The provider is the local stand-in (plain HTTP on loopback,
# answering at once unless BENCH_LATENCY_MS is set).
#
#   bash bench/pool_bench.sh            # as root or as a user with sudo
#
# Workloads (pgbench, one prediction per transaction, 8 clients):
#   long   each client keeps its session: BENCH_TX transactions per client
#   short  a new session per transaction (pgbench -C), the web-app pattern
# Reported per mode: transactions per second, and the TCP connections that
# carried model requests (a kept-alive connection opened before the run
# counts once); then the ratios pool / backend.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

CLIENTS=${BENCH_CLIENTS:-8}
TX=${BENCH_TX:-500}
SHORT_TX=${BENCH_SHORT_TX:-100}
LATENCY=${BENCH_LATENCY_MS:-0}
PGPORT=${BENCH_PGPORT:-55433}
STANDIN_PORT=${BENCH_STANDIN_PORT:-18797}

work=$(mktemp -d /tmp/mlpredict-bench.XXXXXX)
chmod 755 "$work"
chown postgres "$work" 2>/dev/null || true
cleanup() {
	stop_standin
	as_pg "$PG_BINDIR/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

build_and_install
init_scratch_cluster "$work" "$PGPORT" <<CONF
max_connections = 100
include_if_exists = 'preload.conf'
CONF
start_standin "$work"
psql_() { as_pg "$PG_BINDIR/psql" -X -q -h "$work" -p "$PGPORT" -U postgres -d postgres "$@"; }
control() { curl -s -X "$1" "http://127.0.0.1:$STANDIN_PORT/_control/$2" ${3:+-d "$3"}; }

as_pg "$PG_BINDIR/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w start >/dev/null
psql_ -v ON_ERROR_STOP=1 <<SQL
CREATE EXTENSION mlpredict;
SELECT mlpredict.create_connection('bench', '{"type": "openai", "endpoint": "http://127.0.0.1:$STANDIN_PORT/v1/chat/completions", "api-key": "sk-test-openai-key"}');
SELECT mlpredict.create_model('chat', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "bench"}');
SQL
control POST config "{\"latency_ms\": $LATENCY}" >/dev/null
echo "SELECT a FROM chat('bench ' || :client_id || ' ' || random()::text);" > "$work/predict.sql"
chmod 644 "$work/predict.sql"

declare -A result
run() {
	local mode=$1 workload=$2 extra=$3 tx=$4 out accepted tps
	control POST reset >/dev/null
	out=$(as_pg "$PG_BINDIR/pgbench" -n -h "$work" -p "$PGPORT" -U postgres \
		-c "$CLIENTS" -j "$CLIENTS" -t "$tx" $extra -f "$work/predict.sql" postgres 2>&1)
	tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out" | head -1)
	accepted=$(control GET stats | sed -n 's/.*"connections": *\([0-9]*\).*/\1/p')
	result[$mode,$workload,tps]=$tps
	result[$mode,$workload,conns]=$accepted
	printf '%-8s %-6s %10.1f tx/s %8s TCP connections\n' "$mode" "$workload" "$tps" "$accepted"
}

for mode in pool backend; do
	if [ "$mode" = pool ]; then
		echo "shared_preload_libraries = 'mlpredict'" > "$work/data/preload.conf"
	else
		: > "$work/data/preload.conf"
	fi
	chown postgres "$work/data/preload.conf" 2>/dev/null || true
	as_pg "$PG_BINDIR/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w restart >/dev/null
	run "$mode" long "" "$TX"
	run "$mode" short "-C" "$SHORT_TX"
done

echo
echo "clients=$CLIENTS, long: $TX tx/client, short: $SHORT_TX tx/client, stand-in latency ${LATENCY} ms"
for w in long short; do
	awk -v w="$w" -v a="${result[pool,$w,tps]}" -v b="${result[backend,$w,tps]}" \
		-v ca="${result[pool,$w,conns]}" -v cb="${result[backend,$w,conns]}" \
		'BEGIN { printf "%-6s throughput pool/backend = %.2f; TCP connections pool %d vs backend %d\n", w, a / b, ca, cb }'
done
