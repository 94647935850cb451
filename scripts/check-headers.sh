#!/bin/sh
# Fails when a project header would shadow one of PostgreSQL's: the build
# puts -Isrc before the server's include directory, so src/catalog/foo.h
# would be found instead of PostgreSQL's catalog/foo.h by every server
# header that includes "catalog/foo.h".  Lists the project's header paths
# relative to src/ and looks each up under the server include directory.
#   scripts/check-headers.sh [SERVER_INCLUDE_DIR]   (default: pg_config --includedir-server)
set -eu
cd "$(dirname "$0")/../src"
inc=${1:-$("${PG_CONFIG:-pg_config}" --includedir-server)}
[ -d "$inc" ] || { echo "check-headers: no server include directory $inc" >&2; exit 2; }
status=0
for h in $(find . -name '*.h' | sed 's|^\./||' | sort); do
	if [ -e "$inc/$h" ]; then
		echo "src/$h shadows PostgreSQL's $inc/$h: give it a name of its own" >&2
		status=1
	fi
done
exit $status
