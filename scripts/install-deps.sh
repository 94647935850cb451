#!/usr/bin/env bash
# Installs what building and testing mlpredict needs on Debian 12, if missing:
# PostgreSQL 15 server and headers, libcurl (OpenSSL flavour), OpenSSL headers,
# IPC::Run for TAP tests, and Debian's python3 with botocore (SigV4 checks)
# and cryptography (JWT checks) for the provider stand-in.
set -euo pipefail

packages=(postgresql-15 postgresql-server-dev-15 libcurl4-openssl-dev libssl-dev
          libipc-run-perl python3 python3-botocore python3-cryptography curl make gcc openssl)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
echo "installing: ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
