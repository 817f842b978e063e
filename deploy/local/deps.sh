#!/usr/bin/env bash
# Installs what building, running and testing need on a Debian 12 machine,
# only when something is missing. Usage: deploy/local/deps.sh [--test]
# (--test adds the tools the test suite uses: valgrind, clang's libFuzzer
# runtime, linters, promtool).
set -euo pipefail

runtime=(build-essential cmake pkg-config libzmq3-dev libprotobuf-c-dev
	protobuf-c-compiler libpq-dev libopencc-dev opencc libutf8proc-dev
	libmicrohttpd-dev libsodium-dev libssl-dev postgresql postgresql-client python3
	curl ca-certificates)
testing=(valgrind clang libclang-rt-14-dev clang-format shellcheck yamllint python3-yaml
	prometheus docker-compose)

want=("${runtime[@]}")
if [ "${1:-}" = "--test" ]; then
	want+=("${testing[@]}")
fi

missing=()
for p in "${want[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
if [ "${#missing[@]}" -eq 0 ]; then
	exit 0
fi
echo "deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo=(sudo)
	else
		echo "deps: not root and no sudo: install ${missing[*]}" >&2
		exit 1
	fi
else
	sudo=()
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian package starts a cluster on 5432 we do not use; leave it be.
