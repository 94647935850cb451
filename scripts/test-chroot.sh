#!/usr/bin/env bash
# Runs the demo and the whole test suite (scripts/demo.sh, scripts/test.sh)
# against another PostgreSQL major inside a Debian chroot, as CI does for
# the versions the machine does not have:
#
#   scripts/test-chroot.sh SUITE PG_VERSION      e.g. trixie 17, sid 18
#
# Needs root, debootstrap and access to deb.debian.org the first time.  The
# chroot (Debian SUITE, minbase, plus what scripts/install-deps.sh installs
# for PG_VERSION) is kept as a tarball in $MLPREDICT_CI_CACHE (default
# /var/cache/mlpredict-ci) and unpacked from there on later runs; without
# that directory, or with MLPREDICT_CI_CACHE=none, it is built every time.
# The working tree (tracked and untracked files that git does not ignore)
# is copied into the chroot, with ../shared beside it read-only when it
# exists.  The tests run in a private mount and network namespace (only
# loopback, so fixed ports never collide with the host's), with no locale
# set and the chroot's own PostgreSQL.  The chroot is removed afterwards
# (KEEP_CHROOT=1 keeps it).  Exit status 75: the Debian mirror could not be
# reached to build the chroot (nothing was tested).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

if [ $# -ne 2 ] || ! [[ $2 =~ ^[0-9]+$ ]]; then
	echo "usage: $0 SUITE PG_VERSION (for example: $0 trixie 17)" >&2
	exit 2
fi
suite=$1
pgver=$2
[ "$(id -u)" -eq 0 ] || { echo "$0 must run as root (chroot, mounts, namespaces)" >&2; exit 1; }
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${MLPREDICT_CI_CACHE:-/var/cache/mlpredict-ci}
tarball=$cache/$suite-pg$pgver.tar.gz
root=$(mktemp -d /var/tmp/mlpredict-chroot-"$suite".XXXXXX)
chmod 755 "$root"	# the chroot's / : its postgres and _apt users need it
cleanup() {
	# the mounts live in a private namespace and are gone already
	[ -n "${KEEP_CHROOT:-}" ] && { echo "chroot kept in $root"; return; }
	rm -rf --one-file-system "$root"
}
trap cleanup EXIT

# Run a command in the chroot with /proc, /dev and /dev/shm mounted, in a
# private mount namespace; with --net, also in a private network namespace
# where only loopback is up.
in_chroot() {
	local net=()
	[ "$1" = --net ] && { net=(--net); shift; }
	unshare --mount "${net[@]}" --fork -- bash -euc '
		root=$1; shift
		ip link set lo up 2>/dev/null || true
		mount -t proc proc "$root/proc"
		mount --rbind /dev "$root/dev"
		mount -t tmpfs -o mode=1777 shm "$root/dev/shm"
		if [ -d "$root/build/shared" ] && [ -d "$SHARED" ]; then
			mount --bind -o ro "$SHARED" "$root/build/shared"
		fi
		exec chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"
	' in_chroot "$root" "$@"
}
export SHARED=$repo/../shared

# Install what scripts/install-deps.sh asks for into the chroot (with the
# network: the tests later run without it), and remember which version of
# the script did, so that a cached chroot is brought up to date when the
# script changes (a new test dependency).
deps_stamp=/etc/mlpredict-ci-deps.sha256
install_deps() {
	mkdir -p "$root/build/mlpredict/scripts"
	cp scripts/install-deps.sh scripts/pg-config.sh "$root/build/mlpredict/scripts/"
	cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	echo "== installing PostgreSQL $pgver and the build dependencies in the chroot"
	in_chroot bash /build/mlpredict/scripts/install-deps.sh "$pgver" ||
		{ echo "== installing failed; trying once more"; sleep 10; in_chroot bash /build/mlpredict/scripts/install-deps.sh "$pgver"; } ||
		{ echo "could not install the dependencies in the $suite chroot (is the mirror reachable?)" >&2; exit 75; }
	in_chroot apt-get clean
	rm -rf "$root/build"
	sha256sum <scripts/install-deps.sh >"$root$deps_stamp"
}
cache_chroot() {
	if [ "$cache" != none ] && mkdir -p "$cache" 2>/dev/null; then
		echo "== caching the chroot as $tarball"
		tar -C "$root" -czf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
	fi
}

start=$SECONDS
if [ -f "$tarball" ]; then
	echo "== unpacking the $suite chroot from $tarball"
	tar -C "$root" -xzf "$tarball"
	if ! sha256sum <scripts/install-deps.sh | cmp -s - "$root$deps_stamp"; then
		echo "== scripts/install-deps.sh changed since the chroot was cached"
		install_deps
		cache_chroot
	fi
else
	command -v debootstrap >/dev/null || {
		echo "debootstrap is missing: apt-get install debootstrap" >&2
		exit 1
	}
	echo "== building a Debian $suite chroot in $root (debootstrap, a few minutes)"
	# a mirror that cannot be reached is not a failure of the project: after
	# a second try, exit 75 (EX_TEMPFAIL), which .ci/run reports as skipped
	if ! debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.debootstrap.log" 2>&1; then
		echo "== debootstrap failed; trying once more in 30 s"
		sleep 30
		rm -rf --one-file-system "$root" && mkdir -m 755 "$root"
		debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.debootstrap.log" 2>&1 || {
			tail -n 30 "$root.debootstrap.log" >&2
			echo "could not build a Debian $suite chroot from $mirror" >&2
			exit 75
		}
	fi
	rm -f "$root.debootstrap.log"
	# no daemon starts inside the chroot; sid's Release files may be
	# past their Valid-Until on a mirror snapshot
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99mlpredict-ci"
	install_deps
	cache_chroot
fi
[ -x "$root/usr/lib/postgresql/$pgver/bin/pg_config" ] || {
	echo "Debian $suite has no PostgreSQL $pgver (found: $(ls "$root/usr/lib/postgresql" 2>/dev/null | tr '\n' ' '))" >&2
	exit 1
}
echo "== chroot ready after $((SECONDS - start)) s"

# the working tree as it is, without build products
mkdir -p "$root/build/mlpredict" "$root/build/shared"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		tar --null -T - -cf - 2>/dev/null | tar -C "$root/build/mlpredict" -xf -
else
	tar --exclude='*.o' --exclude='*.so' --exclude='*.bc' -cf - . | tar -C "$root/build/mlpredict" -xf -
fi

echo "== Debian $suite, PostgreSQL $pgver: scripts/demo.sh, then scripts/test.sh"
rc=0
in_chroot --net env PG_CONFIG=/usr/lib/postgresql/"$pgver"/bin/pg_config bash -c '
	cd /build/mlpredict
	bash scripts/demo.sh >/build/demo.log 2>&1 || { cat /build/demo.log; echo "demo.sh FAILED"; exit 1; }
	echo "demo.sh: ok ($(grep -c "^" /build/demo.log) lines of output)"
	bash scripts/test.sh' || rc=$?
echo "== Debian $suite, PostgreSQL $pgver: exit $rc after $((SECONDS - start)) s"
exit $rc
