# Which PostgreSQL the scripts build and test against; sourced by
# scripts/common.sh and scripts/install-deps.sh.  find_pg_config prints the
# pg_config to use: $PG_CONFIG if set, else the newest installed Debian
# server (/usr/lib/postgresql/N/bin/pg_config), else pg_config on PATH;
# nothing (and status 1) when none is installed.

find_pg_config() {
	local newest
	if [ -n "${PG_CONFIG:-}" ]; then
		[ -x "$PG_CONFIG" ] || command -v "$PG_CONFIG" >/dev/null || return 1
		echo "$PG_CONFIG"
		return 0
	fi
	newest=$(ls -d /usr/lib/postgresql/*/bin/pg_config 2>/dev/null | sort -V | tail -n 1)
	if [ -n "$newest" ]; then
		echo "$newest"
		return 0
	fi
	command -v pg_config
}

# The major version of a pg_config ("15", "18"), from its --version line.
pg_major_of() {
	"$1" --version | sed -n 's/^PostgreSQL \([0-9][0-9]*\).*/\1/p'
}
