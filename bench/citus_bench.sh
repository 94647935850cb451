#!/usr/bin/env bash
# A distributed LATERAL query on Citus (a coordinator and two workers)
# against one node, side by side in one run: the same chat request per row,
# the same rows, to the local stand-in at BENCH_LATENCY_MS (default 100):
#
#   PG_CONFIG=/path/to/pg_config bash bench/citus_bench.sh
#
#   one node       SELECT count(c.a) FROM t, LATERAL chat(t.q) c on a plain
#                  cluster (mlpredict preloaded): default max_parallelism
#   one node, 64   the same with max_parallelism => 64 and, on that node,
#                  mlpredict.max_session_share = 100: the one session may
#                  fill the node's whole pool (mlpredict.max_connections = 64)
#   citus 2w       the same query on the coordinator of a Citus cluster, t a
#                  distributed table (BENCH_SHARDS shards, default 32): each
#                  shard task runs mlpredict on its worker, through that
#                  worker's pool
#
# Citus is not a Debian package and this script does not fetch it: build it
# from its public source (https://github.com/citusdata/citus) for the same
# PostgreSQL.  Without it the script says so and exits with status 2.
#
# Rows: BENCH_ROWS (default 3000).  Each case runs once over 300 rows as a
# warm-up, then once measured; rows/s are compared.  The nodes listen on
# 127.0.0.1, ports BENCH_PGPORT (default 55461) to BENCH_PGPORT + 3.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

ROWS=${BENCH_ROWS:-3000}
LATENCY=${BENCH_LATENCY_MS:-100}
SHARDS=${BENCH_SHARDS:-32}
PGPORT=${BENCH_PGPORT:-55461}
STANDIN_PORT=${BENCH_STANDIN_PORT:-18798}
API_KEY=sk-test-openai-key
for v in "$ROWS" "$LATENCY" "$SHARDS" "$PGPORT" "$STANDIN_PORT"; do
	case $v in
		'' | *[!0-9]*) echo "citus_bench: BENCH_* values are whole numbers (got '$v')" >&2; exit 2 ;;
	esac
done
if [ ! -f "$("$PG_CONFIG" --sharedir)/extension/citus.control" ]; then
	echo "citus_bench: Citus is not installed for this PostgreSQL ($PG_CONFIG);" \
		"build it from https://github.com/citusdata/citus for PostgreSQL $PG_MAJOR and run again" >&2
	exit 2
fi

work=$(mktemp -d /tmp/mlpredict-citus.XXXXXX)
chmod 755 "$work"
chown postgres "$work" 2>/dev/null || true
nodes="single coord w1 w2"
cleanup() {
	stop_standin
	for n in $nodes; do
		[ -d "$work/$n/data" ] && as_pg "$PG_BINDIR/pg_ctl" -D "$work/$n/data" -m fast stop >/dev/null 2>&1 || true
	done
	[ "${BENCH_KEEP:-0}" = 1 ] && echo "work directory kept: $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
	make -s -B -j"$(nproc)" PG_CONFIG="$PG_CONFIG" >/dev/null
	make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
fi

# node name, port, shared_preload_libraries
start_node() {
	local name=$1 port=$2 preload=$3 extra=${4:-}
	mkdir -p "$work/$name"
	chown postgres "$work/$name" 2>/dev/null || true
	init_scratch_cluster "$work/$name" "$port" <<CONF
shared_preload_libraries = '$preload'
listen_addresses = '127.0.0.1'
max_prepared_transactions = 20
citus.node_conninfo = 'sslmode=disable'
citus.shard_count = $SHARDS
$extra
CONF
	as_pg "$PG_BINDIR/pg_ctl" -D "$work/$name/data" -l "$work/$name/postgres.log" -w start >/dev/null
}
psql_() { local name=$1 port=$2; shift 2; as_pg "$PG_BINDIR/psql" -X -q -h "$work/$name" -p "$port" -U postgres -d postgres "$@"; }

STANDIN_ARGS="--latency-ms $LATENCY" start_standin "$work"
url="http://127.0.0.1:$STANDIN_PORT/v1/chat/completions"
catalog_sql="
SELECT mlpredict.create_connection('bench_chat', '{\"type\": \"openai\", \"endpoint\": \"$url\", \"api-key\": \"$API_KEY\"}');
SELECT mlpredict.create_model('chat', 'q STRING', 'a STRING', '{\"provider\": \"openai\", \"task\": \"text_generation\", \"openai.connection\": \"bench_chat\"}');"
table_sql="CREATE TABLE t (id int PRIMARY KEY, q text);"
rows_sql="INSERT INTO t SELECT i, 'question number ' || i FROM generate_series(1, $ROWS) i; ANALYZE t;"

# one node
sp=$PGPORT
start_node single "$sp" mlpredict "mlpredict.max_session_share = 100"
psql_ single "$sp" -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE EXTENSION mlpredict;
$catalog_sql
$table_sql
$rows_sql
SQL

# Citus: the steps of README "Scaling out"
cp=$((PGPORT + 1)); w1=$((PGPORT + 2)); w2=$((PGPORT + 3))
for n in "coord $cp" "w1 $w1" "w2 $w2"; do
	set -- $n
	start_node "$1" "$2" citus,mlpredict
	psql_ "$1" "$2" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION citus" >/dev/null
done
psql_ coord "$cp" -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT citus_set_coordinator_host('127.0.0.1', $cp);
SELECT citus_add_node('127.0.0.1', $w1);
SELECT citus_add_node('127.0.0.1', $w2);
CREATE EXTENSION mlpredict;
SELECT mlpredict.cluster_key_id();
SQL
for w in w1 w2; do
	install -o postgres -m 600 "$work/coord/data/mlpredict_secret.key" "$work/$w/data/mlpredict_secret.key"
done
psql_ coord "$cp" -v ON_ERROR_STOP=1 >/dev/null <<SQL
$catalog_sql
$table_sql
SELECT create_distributed_table('t', 'id');
$rows_sql
SQL
mismatched=$(psql_ coord "$cp" -At -c "SELECT count(*) FROM mlpredict.citus_check_keys() WHERE NOT matches")
[ "$mismatched" = 0 ] || { echo "citus_bench: the workers do not share the coordinator's key" >&2; exit 1; }

declare -A rate
# one warm-up over 300 rows, then the measured run (wall clock, one psql)
run_case() {
	local label=$1 name=$2 port=$3 opts=$4 out start end ms
	local query="SELECT count(*) || ' rows, ' || count(*) FILTER (WHERE c.a = 'echo: ' || t.q) || ' answered correctly' FROM t, LATERAL chat(t.q$opts) c"
	psql_ "$name" "$port" -At -v ON_ERROR_STOP=1 -c "$query WHERE t.id <= 300" >/dev/null
	start=$(date +%s%N)
	out=$(psql_ "$name" "$port" -At -v ON_ERROR_STOP=1 -c "$query")
	end=$(date +%s%N)
	ms=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
	rate[$label]=$(awk -v r="$ROWS" -v ms="$ms" 'BEGIN { printf "%.1f", r / (ms / 1000) }')
	printf '  %-14s %6d rows in %9.1f ms -> %8s rows/s  (%s)\n' "$label" "$ROWS" "$ms" "${rate[$label]}" "$out"
}

echo "stand-in latency ${LATENCY} ms; $ROWS rows; $SHARDS shards; $(nproc) CPUs"
run_case "one node" single "$sp" ""
run_case "one node, 64" single "$sp" ", mlpredict.options(max_parallelism => 64)"
run_case "citus 2w" coord "$cp" ""
echo
awk -v a="${rate[citus 2w]}" -v b="${rate[one node]}" -v c="${rate[one node, 64]}" \
	'BEGIN { printf "citus 2w / one node      %5.2fx\ncitus 2w / one node, 64  %5.2fx\n", a / b, a / c }'
echo
echo "calls per node (mlpredict.citus_stat_models on the coordinator):"
psql_ coord "$cp" -c "SELECT node, calls, rows, latency_p50_ms FROM mlpredict.citus_stat_models WHERE model = 'public.chat' ORDER BY node"
