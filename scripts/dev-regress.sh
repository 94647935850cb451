#!/usr/bin/env bash
# Developer helper: run chosen pg_regress suites against an already running
# cluster (default: the socket directory /tmp/pgd, port 5499), each in its own
# database, without the stand-in.  Installs the current build first.
#   scripts/dev-regress.sh format_llm [other suites...]
# Environment: DEV_PGHOST, DEV_PGPORT, DEV_PGDATA (restarted after the
# install, since the library is preloaded; DEV_NO_RESTART=1 skips that).
# Results go to /tmp/pgd/out/<suite>.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
host=${DEV_PGHOST:-/tmp/pgd}
port=${DEV_PGPORT:-5499}
# a full rebuild: this machine's clock can lag, which defeats make's timestamps
make -s -B -j4 PG_CONFIG="$PG_CONFIG" >/dev/null
make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
# the library is preloaded (the pool), so a new build needs a restart
# (only the cluster we know: DEV_PGDATA, or the default one at the default
# host and port)
datadir=${DEV_PGDATA:-}
if [ -z "$datadir" ] && [ "$host" = /tmp/pgd ] && [ "$port" = 5499 ]; then
	datadir=/tmp/pgd/data
fi
if [ -n "$datadir" ] && [ -d "$datadir" ] && [ -z "${DEV_NO_RESTART:-}" ]; then
	as_pg "$PG_BINDIR/pg_ctl" -D "$datadir" -o "-p $port -k $host" \
		-l "$(dirname "$datadir")/log" restart -m fast -w >/dev/null
fi
for suite in "$@"; do
	out=/tmp/pgd/out/$suite
	mkdir -p "$out"
	chmod 777 "$out"
	as_pg "$PG_BINDIR/psql" -X -q -h "$host" -p "$port" -d postgres \
		-c "DROP DATABASE IF EXISTS regress_$suite WITH (FORCE)" -c "CREATE DATABASE regress_$suite"
	as_pg "$PG_PGXS/src/test/regress/pg_regress" --bindir="$PG_BINDIR" \
		--use-existing --host="$host" --port="$port" \
		--inputdir=test --outputdir="$out" --dbname="regress_$suite" "$suite" ||
		{ cat "$out/regression.diffs" 2>/dev/null | head -200; exit 1; }
done
