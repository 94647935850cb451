#!/usr/bin/env bash
# Runs every mlpredict test on a fresh Debian machine (12 or later) against
# its PostgreSQL (see scripts/pg-config.sh): installs what is missing, builds and installs the extension, then runs the stand-in's own
# tests, the C unit tests, the pg_regress suites on a temporary instance and
# the TAP tests in t/ (both as the postgres OS user when run as root).
# Prints "N passed, M failed" (the C unit tests count once, the pg_regress
# suite counts once, each TAP test file counts once).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
. scripts/common.sh

work=$(mktemp -d /tmp/mlpredict-test.XXXXXX)
chmod 755 "$work"
trap 'stop_standin; [ -n "${KEEP_TMP:-}" ] || rm -rf "$work"' EXIT

echo "== building and installing mlpredict for PostgreSQL $PG_MAJOR ($PG_CONFIG)"
build_and_install

passed=0
failed=0
count() { if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi; }

echo "== provider stand-in self-test"
count "$STANDIN_PYTHON" test/standin/test_standin.py -q

echo "== layering (scripts/check-layers.py: includes and calls point down src/README.md's table)"
count "$STANDIN_PYTHON" scripts/check-layers.py --report

echo "== C unit tests (make unit)"
count make -s PG_CONFIG="$PG_CONFIG" unit

echo "== pg_regress"
chown postgres "$work" 2>/dev/null || true
prepare_gcp_account "$work"
# the secrets suite reads the stand-in's OpenAI key from the server's
# environment (an env: secret reference)
export MLPREDICT_TEST_ENV_KEY=sk-test-openai-key
start_standin "$work"
tests=$(ls test/sql/*.sql | xargs -n1 basename | sed 's/\.sql$//' | sort)
if ! have_pgvector; then
	echo "pgvector is not installed for PostgreSQL $PG_MAJOR (no postgresql-$PG_MAJOR-pgvector): skipping test/sql/pgvector.sql"
	tests=$(echo "$tests" | grep -vx pgvector)
fi
set +e
# UTF8 and the C locale whatever the caller's locale (see common.sh)
as_pg "$PG_PGXS/src/test/regress/pg_regress" --bindir="$PG_BINDIR" \
	--inputdir=test --outputdir="$work" --temp-instance="$work/instance" \
	--encoding=UTF8 --no-locale \
	--temp-config=test/mlpredict.conf --dbname=contrib_regression $tests
rc=$?
set -e
stop_standin
if [ $rc -ne 0 ]; then
	[ -f "$work/regression.diffs" ] && cat "$work/regression.diffs"
	failed=$((failed + 1))
else
	passed=$((passed + 1))
fi

echo "== TAP (t/*.pl)"
# Each file starts its own nodes and its own stand-in on a free port.
tapdir="$work/tap"
mkdir -p "$tapdir"
chown postgres "$tapdir" 2>/dev/null || true
for t in t/*.pl; do
	count run_tap "$tapdir" "$t"
done

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
