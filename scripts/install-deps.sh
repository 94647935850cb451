#!/usr/bin/env bash
# Installs what building and testing mlpredict needs on Debian, if missing:
# the PostgreSQL server and headers of one major version N, pgvector for N
# where the distribution has it (postgresql-N-pgvector; optional), libcurl
# (OpenSSL flavour), OpenSSL headers, IPC::Run for TAP tests, and Debian's
# python3 with botocore (SigV4 checks) and cryptography (JWT checks) for the
# provider stand-in, and nginx-light (t/017_http2.pl and bench/instant_bench.sh
# run their own nginx, on high ports, as an HTTP/2 server over TLS).
#
# N is the first argument when given (scripts/test-chroot.sh), else the
# version of $PG_CONFIG when set, else the newest PostgreSQL
# installed under /usr/lib/postgresql, else the distribution's default
# (the version of its "postgresql" package: 15 on Debian 12, 17 on trixie,
# 18 on sid).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg-config.sh

sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
updated=
apt_update() {
	[ -n "$updated" ] && return 0
	"${sudo_cmd[@]}" apt-get update -qq
	updated=1
}

# The candidate version of a package, or nothing when apt does not know it.
candidate() {
	apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p' | grep -v '^(none)$' || true
}

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

if [ -n "${1:-}" ]; then
	major=$1
elif pg_config=$(find_pg_config); then
	major=$(pg_major_of "$pg_config")
else
	[ -n "$(candidate postgresql)" ] || apt_update
	major=$(candidate postgresql | sed -n 's/^\([0-9][0-9]*\)+.*/\1/p')
	if [ -z "$major" ]; then
		echo "cannot tell which PostgreSQL to install: no pg_config and no 'postgresql' package known to apt" >&2
		exit 1
	fi
fi

packages=(postgresql-"$major" postgresql-server-dev-"$major" libcurl4-openssl-dev libssl-dev
          libipc-run-perl python3 python3-botocore python3-cryptography curl make gcc openssl nginx-light)
missing=()
for p in "${packages[@]}"; do
	installed "$p" || missing+=("$p")
done
# pgvector is optional: the pgvector test suite is skipped without it.
if ! installed postgresql-"$major"-pgvector; then
	[ ${#missing[@]} -eq 0 ] || apt_update
	[ -n "$(candidate postgresql-"$major"-pgvector)" ] && missing+=(postgresql-"$major"-pgvector)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing for PostgreSQL $major: ${missing[*]}"
apt_update
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
