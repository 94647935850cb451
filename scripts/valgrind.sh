#!/usr/bin/env bash
# Runs the pg_regress suites against a postmaster under valgrind's memcheck
# ("make valgrind"), then fails if valgrind reported an error with a frame
# in mlpredict's code, or a "definitely lost" leak allocated by it.
#
# What it does:
#   1. builds and installs the extension into PG_CONFIG's installation;
#   2. initialises a throwaway cluster as the postgres OS user with the
#      settings of the pg_regress suites (test/mlpredict.conf: mlpredict
#      preloaded, so the pool worker runs; the stand-in's loopback network
#      allowed; MLPREDICT_TEST_ENV_KEY and the Vertex service account);
#   3. starts the postmaster under memcheck (every process it forks is
#      checked: backends, the pool worker, the auxiliary processes; each
#      writes $work/vg/vg.<pid>.log) and runs the suites with
#      pg_regress --use-existing: every request goes through the pool;
#      then terminates a session with its request in flight, and the pool
#      worker with a request in flight, and checks that its replacement
#      answers;
#   4. restarts it without shared_preload_libraries and runs the suites in
#      VALGRIND_BACKEND_SUITES again: each backend now performs its own
#      requests (the in-backend engine); then terminates a session with its
#      request in flight;
#   5. stops the cluster (fast shutdown, so every process exits normally
#      and valgrind checks its leaks) and scans every log.
#
# Limits: Debian's PostgreSQL is not built with USE_VALGRIND, so memcheck
# does not see palloc chunks one by one: a read or write past the end of a
# palloc'd chunk that stays inside its memory context's block, or a use of
# a pfree'd chunk, goes unnoticed.  Memcheck still sees uninitialised
# values (palloc'd memory starts undefined), reads and writes outside
# malloc'd blocks (libcurl's and OpenSSL's buffers, our own malloc'd
# state), misuse of libcurl and OpenSSL buffers, and malloc leaks.
#
# pg_regress's expected-output diffs are reported too, but they are not
# what this run checks: under valgrind everything is many times slower
# (the suites take about 10 times as long), and the queries that depend on
# timing (statement_timeout, client
# timeouts, the stand-in's delays) may answer differently.
#
# Environment:
#   PG_CONFIG                  the PostgreSQL to build against and run
#   STANDIN_PORT               the provider stand-in's port (the suites'
#                              18787 is rewritten to it in a copy of test/)
#   VALGRIND_PORT              the cluster's port (default STANDIN_PORT+1)
#   VALGRIND_SUITES            suites to run with the pool (default: all of
#                              test/sql)
#   VALGRIND_BACKEND_SUITES    suites to run without the pool (default:
#                              VALGRIND_SUITES; "none" skips the phase)
#   VALGRIND_WORKDIR           where the cluster and the logs go, a new or
#                              empty directory (default: a new
#                              /tmp/mlpredict-valgrind.XXXXXX, kept)
#   VALGRIND_EXTRA             further valgrind options
# Exit status: 0 when no error in mlpredict's code was found (and the
# pool worker and the failure exercises behaved), 1 otherwise.
#
# A new PostgreSQL, glibc or library version may bring reports of its own:
# they are counted as "other errors", not failures, but a process that
# exits with valgrind errors exits with code 1 (--error-exitcode), and for
# the startup process or the checkpointer the postmaster takes that as a
# crash.  Each report is followed in its log by a ready-made suppression
# (--gen-suppressions=all): add a narrow one to test/valgrind.supp, with a
# comment saying why it is benign.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

command -v valgrind >/dev/null ||
	{ echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }

repo=$PWD
port=${VALGRIND_PORT:-$((STANDIN_PORT + 1))}
suites=${VALGRIND_SUITES:-$(ls test/sql/*.sql | xargs -n1 basename | sed 's/\.sql$//' | sort)}
if ! have_pgvector; then
	echo "pgvector is not installed for PostgreSQL $PG_MAJOR: leaving out the pgvector suite"
	suites=$(echo "$suites" | grep -vx pgvector)
fi
backend_suites=${VALGRIND_BACKEND_SUITES:-$suites}
[ "$backend_suites" = none ] && backend_suites=
work=${VALGRIND_WORKDIR:-$(mktemp -d /tmp/mlpredict-valgrind.XXXXXX)}
mkdir -p "$work/vg" "$work/regress"
chmod 755 "$work"
chmod 777 "$work/vg" "$work/regress"
chown postgres "$work" 2>/dev/null || true
# laid out as pg_regress's temporary instance: provider_errors reads the
# server log at data_directory/../../log/postmaster.log
inst=$work/instance
data=$inst/data
[ ! -e "$data" ] || { echo "$data exists: VALGRIND_WORKDIR must be new or empty" >&2; exit 2; }
started=$(date +%s)

stop_cluster() {
	[ -f "$data/postmaster.pid" ] || return 0
	as_pg "$PG_BINDIR/pg_ctl" -D "$data" -m fast -t 600 -w stop >/dev/null || true
}
trap 'stop_cluster; stop_standin' EXIT

build_and_install

# A copy of the suites talking to our stand-in's port.
tree=$work/tree
mkdir -p "$tree/test"
cp -r test/sql test/expected test/helpers "$tree/test/"
if [ "$STANDIN_PORT" != 18787 ]; then
	grep -rl 18787 "$tree/test" | xargs -r sed -i "s/18787/$STANDIN_PORT/g"
fi
chmod -R a+rX "$tree"

echo "== valgrind: cluster in $data, port $port, logs in $work/vg"
mkdir -p "$inst" "$work/log"
chown postgres "$inst" "$work/log" 2>/dev/null || true
init_scratch_cluster "$inst" "$port" <<CONF
$(cat test/mlpredict.conf)
# valgrind makes everything slow: no statement or lock timeout, no JIT
# (LLVM under memcheck is both slow and noisy), no autovacuum (its workers
# would only add load), a log line that names the process
statement_timeout = 0
lock_timeout = 0
authentication_timeout = 600s
jit = off
autovacuum = off
fsync = off
huge_pages = off
max_prepared_transactions = 2
log_line_prefix = '%m [%p] %q%a '
CONF

prepare_gcp_account "$work"
export MLPREDICT_TEST_ENV_KEY=sk-test-openai-key
start_standin "$work"

# The trace-children-skip list: COPY ... FROM PROGRAM (the suites' calls
# of the stand-in's control API) runs /bin/sh and curl, which are not ours.
vgopts=(--tool=memcheck --trace-children=yes --trace-children-skip='*/sh,*/bash,*/curl'
	--track-origins=no --error-exitcode=1 --num-callers=40
	--leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite
	--error-markers=VGERR-BEGIN,VGERR-END --fullpath-after="$repo/"
	--suppressions="$repo/test/valgrind.supp" --gen-suppressions=all
	--log-file="$work/vg/vg.%p.log" ${VALGRIND_EXTRA:-})

# Start the postmaster under valgrind; $@: further server options.
# --error-exitcode=1: a backend or the pool worker that exits with
# valgrind errors exits with code 1, which the postmaster takes as a plain
# exit (any other code would make it restart every process, a crash).
start_cluster() {
	as_pg env MLPREDICT_TEST_ENV_KEY="$MLPREDICT_TEST_ENV_KEY" \
		valgrind "${vgopts[@]}" "$PG_BINDIR/postgres" -D "$data" "$@" \
		>>"$work/log/postmaster.log" 2>&1 &
	local pid=$!
	for _ in $(seq 600); do
		as_pg "$PG_BINDIR/pg_isready" -q -h "$inst" -p "$port" && return 0
		kill -0 $pid 2>/dev/null || break
		sleep 1
	done
	echo "the postmaster did not start under valgrind (see $work/log/postmaster.log)" >&2
	tail -n 20 "$work/log/postmaster.log" >&2
	return 1
}

psql_c() {
	as_pg "$PG_BINDIR/psql" -X -q -At -h "$inst" -p "$port" -d postgres -c "$1"
}

# pg_regress against the running cluster; $1: database, the rest: suites.
# Returns pg_regress's status (diffs are reported, not fatal).
run_suites() {
	local db=$1 out=$work/regress/$1 rc=0
	shift
	mkdir -p "$out"
	chmod 777 "$out"
	psql_c "DROP DATABASE IF EXISTS $db"
	psql_c "CREATE DATABASE $db"
	(cd "$tree" && as_pg "$PG_PGXS/src/test/regress/pg_regress" --bindir="$PG_BINDIR" \
		--use-existing --host="$inst" --port="$port" --inputdir=test \
		--outputdir="$out" --dbname="$db" "$@") || rc=$?
	return $rc
}

# psql on database $1 with the statements on stdin (stops at an error).
psql_db() {
	as_pg "$PG_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$inst" -p "$port" -d "$1"
}

# Wait until a session runs a query containing $1 (an active model call),
# then give it time to reach the provider (the stand-in sleeps on it).
wait_active() {
	for _ in $(seq 120); do
		[ -n "$(psql_c "SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%$1%' AND pid <> pg_backend_pid()")" ] &&
			{ sleep 3; return 0; }
		sleep 0.5
	done
	echo "no session runs '$1'" >&2
	return 1
}

# The failure paths the suites do not reach, for valgrind to watch: a
# session terminated with its request in flight, and with the pool, the
# pool workers terminated with a request in flight (its backend gets an
# error, the postmaster starts new workers, which then serve a call).
exercise_failures() {
	local mode=$1 db=vg_failures old_pid new_pid=
	psql_c "DROP DATABASE IF EXISTS $db"
	psql_c "CREATE DATABASE $db"
	psql_db $db <<SQL
CREATE EXTENSION mlpredict;
SELECT FROM mlpredict.execute(\$\$CREATE CONNECTION vg-openai WITH ('type' = 'openai', 'endpoint' = 'http://127.0.0.1:$STANDIN_PORT/v1/chat/completions', 'api-key' = 'sk-test-openai-key')\$\$);
SELECT FROM mlpredict.execute(\$\$CREATE MODEL vgchat INPUT (prompt STRING) OUTPUT (answer STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'vg-openai')\$\$);
SQL
	echo "SELECT * FROM vgchat('terminate me [[sleep:30000]]')" |
		psql_db $db >"$work/log/$mode-terminated.out" 2>&1 &
	wait_active 'terminate me'
	psql_c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%terminate me%' AND pid <> pg_backend_pid()" >/dev/null
	wait $! || true
	if [ "$mode" = pool ]; then
		# every pool worker (test/mlpredict.conf may start several)
		old_pid=$(psql_c "SELECT string_agg(pid::text, ',' ORDER BY pid) FROM pg_stat_activity WHERE backend_type = 'mlpredict pool'")
		echo "SELECT * FROM vgchat('orphan me [[sleep:30000]]')" |
			psql_db $db >"$work/log/$mode-orphaned.out" 2>&1 &
		wait_active 'orphan me'
		psql_c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'mlpredict pool'" >/dev/null
		wait $! || true
		for _ in $(seq 120); do
			new_pid=$(psql_c "SELECT string_agg(pid::text, ',' ORDER BY pid) FROM pg_stat_activity WHERE backend_type = 'mlpredict pool' AND pid NOT IN ($old_pid)")
			[ -n "$new_pid" ] && [ "$(echo "$new_pid" | tr ',' '\n' | wc -l)" = "$(echo "$old_pid" | tr ',' '\n' | wc -l)" ] && break
			sleep 1
		done
		echo "pool workers $old_pid terminated, new workers: pids ${new_pid:-none}"
	fi
	[ "$(echo "SELECT answer FROM vgchat('still here')" | psql_db $db)" = "echo: still here" ] ||
		{ echo "no answer after the failures ($mode)" >&2; return 1; }
}

regress_status=()
problems=()

echo "== phase 1: with the pool worker (mlpredict preloaded): $(echo $suites)"
start_cluster
# wait for the pool worker: the suites' requests go through it
pool_pid=
for _ in $(seq 120); do
	pool_pid=$(psql_c "SELECT string_agg(pid::text, ',' ORDER BY pid) FROM pg_stat_activity WHERE backend_type = 'mlpredict pool'")
	[ -n "$pool_pid" ] && break
	sleep 1
done
if [ -n "$pool_pid" ]; then
	echo "pool workers: pids $pool_pid"
else
	problems+=("no mlpredict pool worker was running")
fi
if run_suites contrib_regression $suites; then
	regress_status+=("pool: ok")
else
	regress_status+=("pool: differences, see $work/regress/contrib_regression/regression.diffs")
fi
echo "== phase 1: failures around the pool"
exercise_failures pool || problems+=("the failure exercise with the pool did not end with an answer")
stop_cluster

if [ -n "$backend_suites" ]; then
	echo "== phase 2: in-backend requests (nothing preloaded): $backend_suites"
	# a postmaster setting of a library not preloaded would warn in every
	# session that loads it (and show in the suites' output)
	sed -i '/^mlpredict\.pool_workers/d' "$data/postgresql.conf"
	start_cluster -c shared_preload_libraries=
	[ -z "$(psql_c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'mlpredict pool'")" ] ||
		problems+=("a pool worker ran although nothing was preloaded")
	if run_suites contrib_regression_backend $backend_suites; then
		regress_status+=("in-backend: ok")
	else
		regress_status+=("in-backend: differences, see $work/regress/contrib_regression_backend/regression.diffs")
	fi
	echo "== phase 2: a session terminated mid-request"
	exercise_failures backend || problems+=("the in-backend failure exercise did not end with an answer")
	stop_cluster
fi
stop_standin

# Scan the logs.  An error counts when one of its frames is in mlpredict's
# sources (shown as (src/...) thanks to --fullpath-after) or in
# mlpredict.so; the same error in many processes (a forked child inherits
# its parent's leaks) is counted once.  Other errors are only counted.
echo "== valgrind logs"
for pid in ${pool_pid//,/ }; do
	[ -f "$work/vg/vg.$pid.log" ] ||
		problems+=("no valgrind log for the pool worker (pid $pid)")
done
nlogs=$(ls "$work"/vg/vg.*.log | wc -l)
awk '
	{ sub(/^==[0-9]+== ?/, "") }
	/^VGERR-BEGIN$/ { inerr = 1; sig = ""; text = ""; ours = 0; next }
	/^VGERR-END$/ {
		inerr = 0
		if (ours) { if (!(sig in seen)) { seen[sig] = FILENAME; body[sig] = text; order[n++] = sig }; count[sig]++ }
		else { other++; otherfile[FILENAME] = 1 }
		next
	}
	inerr {
		text = text "    " $0 "\n"
		line = $0
		gsub(/0x[0-9A-Fa-f]+/, "", line)
		gsub(/^[0-9,]+ (\([^)]*\) )?bytes in [0-9,]+ blocks/, "", line)
		gsub(/loss record [0-9,]+ of [0-9,]+/, "", line)
		sig = sig line "\n"
		if (line ~ /\(src\/[^ ]*\.[ch]:[0-9]+\)/ || line ~ /mlpredict\.so\)/) ours = 1
	}
	/Process terminating with default action of signal (4|6|7|8|11)/ { crash[FILENAME] = $0 }
	END {
		for (i = 0; i < n; i++) {
			s = order[i]
			printf "mlpredict error %d (%d process(es), first in %s):\n%s\n", i + 1, count[s], seen[s], body[s]
		}
		for (f in crash) { printf "crash: %s: %s\n", f, crash[f]; ncrash++ }
		for (f in otherfile) printf "other errors in %s\n", f
		printf "valgrind: %d distinct error(s) in mlpredict code, %d other error(s) (PostgreSQL, libraries), %d crash(es)\n", n, other + 0, ncrash + 0
		exit (n > 0 || ncrash > 0)
	}' "$work"/vg/vg.*.log && vg_rc=0 || vg_rc=1

for p in "${problems[@]}"; do
	echo "problem: $p"
	vg_rc=1
done
echo "processes checked: $nlogs; pg_regress: ${regress_status[*]}"
echo "wall clock: $(( $(date +%s) - started )) s; logs kept in $work"
exit $vg_rc
