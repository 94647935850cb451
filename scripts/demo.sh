#!/usr/bin/env bash
# The product page's examples, end to end, on a throwaway cluster: installs
# what is missing, builds and installs mlpredict, starts a temporary
# PostgreSQL and the local provider stand-in, runs scripts/demo.sql in psql
# (echoing each statement), then removes everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
. scripts/common.sh

work=$(mktemp -d /tmp/mlpredict-demo.XXXXXX)
chmod 755 "$work"
chown postgres "$work" 2>/dev/null || true
PGPORT=${DEMO_PGPORT:-55432}
cleanup() {
	stop_standin
	as_pg "$PG_BINDIR/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

build_and_install
init_scratch_cluster "$work" "$PGPORT" <<CONF
# the background-worker connection pool
shared_preload_libraries = 'mlpredict'
CONF
as_pg "$PG_BINDIR/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w start >/dev/null
start_standin "$work"

echo "PostgreSQL on socket $work port $PGPORT, provider stand-in on 127.0.0.1:$STANDIN_PORT"
echo
as_pg "$PG_BINDIR/psql" -X -h "$work" -p "$PGPORT" -U postgres -d postgres \
	-v ON_ERROR_STOP=1 -e -f scripts/demo.sql
