# Shared by scripts/test.sh and scripts/demo.sh: locating PostgreSQL, running
# commands as the postgres OS user when we are root, the provider stand-in,
# and running one TAP test file.

. "$(dirname "${BASH_SOURCE[0]}")/pg-config.sh"
PG_CONFIG=$(find_pg_config) || {
	echo "no PostgreSQL found (PG_CONFIG, /usr/lib/postgresql/*/bin/pg_config or pg_config on PATH); run scripts/install-deps.sh" >&2
	exit 1
}
PG_MAJOR=$(pg_major_of "$PG_CONFIG")
PG_BINDIR=$("$PG_CONFIG" --bindir)
PG_PGXS=$(dirname "$("$PG_CONFIG" --pgxs)")/../..
STANDIN_PYTHON=${STANDIN_PYTHON:-/usr/bin/python3}
[ -x "$STANDIN_PYTHON" ] || STANDIN_PYTHON=$(command -v python3)
STANDIN_PORT=${STANDIN_PORT:-18787}

# The tests and the demo must not depend on the caller's locale (a bare
# machine has no LANG at all, which makes initdb pick SQL_ASCII and psql
# count bytes instead of characters): C.UTF-8 is always there on Debian.
export LC_ALL=C.UTF-8
unset LANGUAGE

# Run a command as the postgres OS user when root (PostgreSQL refuses root).
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# Whether pgvector is installed for this PostgreSQL (test/sql/pgvector.sql
# needs it; Debian 12 has no postgresql-15-pgvector).
have_pgvector() {
	[ -f "$("$PG_CONFIG" --sharedir)/extension/vector.control" ]
}

# Build and install the extension (install needs root or sudo).
build_and_install() {
	make -s PG_CONFIG="$PG_CONFIG" >/dev/null
	if [ "$(id -u)" -eq 0 ]; then
		make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
	else
		sudo make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
	fi
}

# Generate a Google service account for the Vertex AI tests: a fresh RSA
# key pair, the key file in $1/gcp-service-account.json (readable by the
# postgres user, path exported as MLPREDICT_TEST_GCP_KEY for psql's \getenv)
# and the stand-in flags that make it verify JWTs with the public key.
prepare_gcp_account() {
	local dir=$1 port=${2:-$STANDIN_PORT}
	"$STANDIN_PYTHON" test/standin/make_service_account.py \
		--out "$dir/gcp-service-account.json" --public-key "$dir/gcp-public-key.pem" \
		--token-uri "http://127.0.0.1:$port/token" \
		--client-email "mlpredict-test@mlpredict-test.iam.gserviceaccount.com"
	chmod 644 "$dir/gcp-service-account.json"
	export MLPREDICT_TEST_GCP_KEY="$dir/gcp-service-account.json"
	STANDIN_ARGS="${STANDIN_ARGS:-} --gcp-public-key $dir/gcp-public-key.pem --gcp-client-email mlpredict-test@mlpredict-test.iam.gserviceaccount.com"
}

# Initialise a throwaway cluster in $1/data that listens only on the socket
# directory $1, port $2, with what the stand-in needs: it speaks plain http
# on loopback, which the endpoint policy refuses unless allowed (real
# providers have public addresses).  Further postgresql.conf lines come on
# stdin.  Used by scripts/demo.sh and the benchmarks.
init_scratch_cluster() {
	local dir=$1 port=$2
	as_pg "$PG_BINDIR/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
	{
		cat <<CONF
port = $port
listen_addresses = ''
unix_socket_directories = '$dir'
mlpredict.allow_insecure_http = on
mlpredict.allowed_networks = '127.0.0.0/8, ::1/128'
CONF
		cat
	} >> "$dir/data/postgresql.conf"
}

# Start the stand-in on $STANDIN_PORT; sets STANDIN_PID.  $1: work dir.
start_standin() {
	local dir=$1
	rm -f "$dir/standin.port"
	"$STANDIN_PYTHON" test/standin/standin.py --port "$STANDIN_PORT" \
		--port-file "$dir/standin.port" --pid-file "$dir/standin.pid" \
		--log "$dir/standin.log" ${STANDIN_ARGS:-} &
	STANDIN_PID=$!
	for _ in $(seq 100); do
		[ -s "$dir/standin.port" ] && return 0
		kill -0 "$STANDIN_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "the provider stand-in did not start on port $STANDIN_PORT (is the port in use?)" >&2
	return 1
}

stop_standin() {
	[ -n "${STANDIN_PID:-}" ] && kill "$STANDIN_PID" 2>/dev/null && wait "$STANDIN_PID" 2>/dev/null
	STANDIN_PID=
}

# Run one TAP test file (t/*.pl) with prove, as the postgres OS user when
# root.  $1: a directory that user can write (tmp_check/ with the nodes and
# logs goes there), $2: the test file.  On failure the end of the test's
# log is printed.
run_tap() {
	local dir=$1 file=$2 name rc=0
	name=$(basename "$file" .pl)
	as_pg env PATH="$PG_BINDIR:$PATH" \
		PERL5LIB="$PG_PGXS/src/test/perl:$PWD/t${PERL5LIB:+:$PERL5LIB}" \
		PG_REGRESS="$PG_PGXS/src/test/regress/pg_regress" \
		TESTDIR="$dir" TESTDATADIR="$dir/tmp_check" TESTLOGDIR="$dir/tmp_check/log" \
		STANDIN_PYTHON="$STANDIN_PYTHON" \
		prove --timer "$file" || rc=$?
	if [ $rc -ne 0 ] && [ -f "$dir/tmp_check/log/regress_log_$name" ]; then
		echo "--- last lines of $dir/tmp_check/log/regress_log_$name (KEEP_TMP=1 keeps the node logs)"
		tail -n 150 "$dir/tmp_check/log/regress_log_$name"
	fi
	return $rc
}
