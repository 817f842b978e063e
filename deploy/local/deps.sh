#!/usr/bin/env bash
# Installs what building, running and testing need on a Debian 12 machine,
# only when something is missing. Usage: deploy/local/deps.sh [--test]
# (--test adds the tools the test suite uses: valgrind, clang's libFuzzer
# runtime, linters, promtool, podman with runc, catatonit (the pause
# process of pods) and mmdebstrap for the container test; and tries
# chromium and a CJK font for the report's browser test, which is skipped
# where they cannot be installed).
set -euo pipefail

runtime=(build-essential cmake pkg-config libzmq3-dev libprotobuf-c-dev
	protobuf-c-compiler libpq-dev libopencc-dev opencc libutf8proc-dev
	libmicrohttpd-dev libsodium-dev libssl-dev postgresql postgresql-client python3
	curl ca-certificates)
testing=(valgrind clang libclang-rt-14-dev clang-format shellcheck yamllint python3-yaml
	prometheus docker-compose podman runc catatonit mmdebstrap)

case ${1:-} in
"" | --test) ;;
*)
	echo "deps.sh: unknown argument \"$1\": want nothing or --test" >&2
	exit 2
	;;
esac
want=("${runtime[@]}")
optional=()
if [ "${1:-}" = "--test" ]; then
	want+=("${testing[@]}")
	optional=(chromium fonts-wqy-microhei)
fi

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}
# Optional packages: tried once per missing package, a failure is a note.
try_optional() {
	local p
	for p in "${optional[@]}"; do
		installed "$p" && continue
		[ "$(id -u)" -eq 0 ] || continue
		echo "== deps: installing $p (optional)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends "$p" >/dev/null 2>&1 ||
			echo "   $p could not be installed: its tests will be skipped"
	done
}

missing=()
for p in "${want[@]}"; do
	installed "$p" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
	try_optional
	exit 0
fi
echo "== deps: installing ${#missing[@]} Debian packages: ${missing[*]}"
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
# Visible progress, one line per step, indented (a minute or more on a
# fresh machine).
echo "   apt-get update"
"${sudo[@]}" apt-get update -q 2>&1 | sed -u 's/^/   /'
echo "   apt-get install"
"${sudo[@]}" apt-get install -y -q -o Dpkg::Progress-Fancy=0 \
	--no-install-recommends "${missing[@]}" 2>&1 |
	{ grep --line-buffered -E '^(Get:|Unpacking|Setting up|E:|W:)|newly installed' || true; } |
	sed -u 's/^/   /'
# The Debian package starts a cluster on 5432 we do not use; leave it be.
try_optional
