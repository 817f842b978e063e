#!/usr/bin/env bash
# deploy/podman/setup.sh - Debian's podman on a plain Debian 12 machine as
# root, with no container registry: the configuration that makes it work
# (runc, cgroupfs, events to a file, ulimits the host allows, no registry
# for short names) and, with --base, a Debian base image built from the
# Debian mirror with mmdebstrap.
#
# usage: eval "$(deploy/podman/setup.sh)"          configuration only
#        eval "$(deploy/podman/setup.sh --base)"   and the base image
#
# Prints `export CONTAINERS_CONF=... CONTAINERS_REGISTRIES_CONF=...` for the
# shell that runs podman; messages go to stderr. Needs the Debian packages
# podman, runc (and mmdebstrap for --base): deploy/local/deps.sh --test
# installs them.
#
# Environment:
#   EASTWEST_PODMAN_CONF   where the configuration is written
#                          (default ${XDG_CONFIG_HOME:-$HOME/.config}/eastwest/podman)
#   DEBIAN_RELEASE         base image release (default bookworm)
#   DEBIAN_MIRROR          (default http://deb.debian.org/debian)
#   EASTWEST_CACHE         where base tarballs are kept
#                          (default ${XDG_CACHE_HOME:-$HOME/.cache}/eastwest)
#
# The base is tagged localhost/debian:RELEASE and localhost/debian:RELEASE-slim
# (deploy/Dockerfile uses both) and rebuilt once a week: the tarball's name
# carries the release and the ISO week, and the image a label with the same
# key, so a second run the same week does nothing.
set -euo pipefail

base=0
case ${1:-} in
"") ;;
--base) base=1 ;;
*)
	echo "setup.sh: unknown argument \"$1\": want nothing or --base" >&2
	exit 2
	;;
esac

say() { echo "podman setup: $*" >&2; }
die() {
	echo "podman setup: $*" >&2
	exit 1
}

for t in podman runc; do
	command -v "$t" >/dev/null 2>&1 ||
		die "$t is not installed (apt-get install podman runc, or deploy/local/deps.sh --test)"
done
[ "$(id -u)" -eq 0 ] ||
	die "run as root: this recipe is for rootful podman with runc and cgroupfs"
# Containers need user, mount, PID, IPC and network namespaces.
if ! unshare --user --mount --pid --ipc --net --fork true 2>/dev/null; then
	die "this machine cannot create namespaces (unshare --user --mount --pid --ipc --net failed): containers cannot run here"
fi

conf=${EASTWEST_PODMAN_CONF:-${XDG_CONFIG_HOME:-$HOME/.config}/eastwest/podman}
mkdir -p "$conf"
# The host's hard limit on open files: podman's default (1048576) is
# refused where the host allows less.
nofile=$(ulimit -Hn)
[ "$nofile" = unlimited ] && nofile=1048576
# podman lowers its own process limit to 32768 before it starts runc, and
# without CAP_SYS_RESOURCE runc cannot raise it again for the container.
nproc_max=$(ulimit -Hu)
if [ "$nproc_max" = unlimited ] || [ "$nproc_max" -gt 32768 ]; then
	nproc_max=32768
fi
cat >"$conf/containers.conf.new" <<EOF
# Written by deploy/podman/setup.sh.
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc_max:$nproc_max"]
log_driver = "k8s-file"

[engine]
# No systemd as PID 1 and cgroup v1: podman manages cgroups itself.
cgroup_manager = "cgroupfs"
# No journald: events go to a file.
events_logger = "file"
runtime = "runc"
EOF
cat >"$conf/registries.conf.new" <<'EOF'
# Written by deploy/podman/setup.sh: no registry is searched for short
# names; images are built or imported locally.
unqualified-search-registries = []
short-name-mode = "permissive"
EOF
mv "$conf/containers.conf.new" "$conf/containers.conf"
mv "$conf/registries.conf.new" "$conf/registries.conf"
export CONTAINERS_CONF=$conf/containers.conf
export CONTAINERS_REGISTRIES_CONF=$conf/registries.conf
printf 'export CONTAINERS_CONF=%q CONTAINERS_REGISTRIES_CONF=%q\n' \
	"$CONTAINERS_CONF" "$CONTAINERS_REGISTRIES_CONF"

# A container that runs: the configuration works on this machine.
check_runs() {
	local out
	out=$(podman run --rm --pull=never --network none "$1" sh -c 'echo ok' 2>&1) &&
		[ "$out" = ok ] && return 0
	echo "$out" | tail -n 20 >&2
	die "podman cannot run a container with $1 (output above)"
}

[ "$base" -eq 1 ] || exit 0

release=${DEBIAN_RELEASE:-bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
key=$release-$(date -u +%G-W%V)
# The image's label also names this recipe's revision: a change to the
# import below re-imports the same tarball.
label=org.eastwest.base
want=$key-r2
have=$(podman image inspect --format "{{index .Labels \"$label\"}}" \
	"localhost/debian:$release" 2>/dev/null || true)
if [ "$have" = "$want" ] &&
	podman image exists "localhost/debian:$release-slim"; then
	say "base localhost/debian:$release ($key) already there"
	check_runs "localhost/debian:$release"
	exit 0
fi
command -v mmdebstrap >/dev/null 2>&1 ||
	die "mmdebstrap is not installed (apt-get install mmdebstrap)"
cache=${EASTWEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eastwest}
mkdir -p "$cache"
tar=$cache/debian-$key.tar
if [ ! -s "$tar" ]; then
	say "building the $release base from $mirror with mmdebstrap (a minute or two)"
	# Like Debian's -slim images: no documentation, manual pages or
	# translations; no recommends by default.
	mmdebstrap --variant=apt --quiet \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-include=/usr/share/doc/*/copyright' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--aptopt='APT::Install-Recommends "false"' \
		"$release" "$tar.new.tar" "$mirror" >&2 ||
		die "mmdebstrap failed (is $mirror reachable?)"
	mv "$tar.new.tar" "$tar"
	# Older tarballs of this release are of no further use.
	find "$cache" -maxdepth 1 -name "debian-$release-*.tar" ! -name "debian-$key.tar" \
		-delete
fi
say "importing $tar as localhost/debian:$release and :$release-slim"
podman import --quiet --change "LABEL $label=$want" \
	--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
	--change 'CMD ["bash"]' "$tar" "localhost/debian:$release" >/dev/null
podman tag "localhost/debian:$release" "localhost/debian:$release-slim"
check_runs "localhost/debian:$release"
