#!/usr/bin/env bash
# tests/containers.sh - the image, the compose stack and the Kubernetes
# workloads for real, with Debian's podman and runc, no registry:
#
#   1. deploy/podman/setup.sh --base: podman's configuration and a Debian
#      base image made with mmdebstrap (cached for the week);
#   2. builds deploy/Dockerfile (RUN_UNIT_TESTS=0 by default: tests/run.sh
#      has run them already) and a PostgreSQL 15 image from Debian's
#      packages (deploy/podman/postgres);
#   3. compose: runs the services of deploy/compose.yaml as compose defines
#      them (deploy/podman/compose.py) in one network namespace that holds
#      only lo; feeds tests/corpus/ through a bind-mounted spool as
#      docs/OPERATIONS.md says and POSTs it to ingestd's intake port (the
#      metrics port refuses POSTs); checks rows, TLS, users, mounts; SIGTERM
#      to every daemon in the middle of a second batch; restarts; checks
#      that nothing was lost;
#   4. Kubernetes: plays `kubectl kustomize deploy/k8s/base`
#      (deploy/podman/kube-local.py) against the same PostgreSQL with real
#      CURVE keys; checks the security context in force, the probe paths,
#      PGAPPNAME in pg_stat_activity, articles posted to ingestd's intake
#      port (INGESTD_HTTP_INTAKE_LISTEN, not the probes' port) stored over
#      CURVE and TLS; SIGTERM; nothing lost.
# Everything it starts has a name with a unique id and is removed on exit,
# failed or not. Environment: RUN_UNIT_TESTS (default 0; the image's
# build uses every core, -j2 here), KEEP=1 keeps the work directory.
# Needs root.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
t_start=$SECONDS

say() { printf '[containers %4ds] %s\n' $((SECONDS - t_start)) "$*"; }
fail() {
	say "FAILED: $*"
	exit 1
}
[ "$(id -u)" -eq 0 ] || fail "needs root (rootful podman with runc)"
for t in podman runc mmdebstrap kubectl python3 nsenter ip; do
	command -v "$t" >/dev/null || fail "$t is not installed (deploy/local/deps.sh --test)"
done

setup_out=$(deploy/podman/setup.sh --base) ||
	fail "podman cannot run containers on this machine (see deploy/podman/setup.sh above)"
eval "$setup_out"

id=ewt$$$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
work=$(mktemp -d "/tmp/$id.XXXXXX")
chmod 0755 "$work"
netns=$id
nspath=/run/netns/$netns
image=localhost/eastwest:ci
pgimage=localhost/eastwest-postgres:15
pg=$id-postgres-1
cleanup() {
	local rc=$?
	set +e
	if [ "$rc" -ne 0 ]; then
		for c in $(podman ps -a --filter "label=com.docker.compose.project=$id" \
			--format '{{.Names}}') ingestd-0-ingestd extractd-pod-0-extractd \
			extractd-migrate-migrate; do
			podman container exists "$c" 2>/dev/null || continue
			echo "--- last log lines of $c"
			podman logs --tail 15 "$c" 2>&1 | sed 's/^/    /'
		done
	fi
	deploy/podman/kube-local.py down --workdir "$work/kube" >/dev/null 2>&1
	deploy/podman/compose.py -p "$id" down --volumes >/dev/null 2>&1
	ip netns del "$netns" 2>/dev/null
	if [ "${KEEP:-}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
	say "took $((SECONDS - t_start)) s"
}
trap cleanup EXIT

# -- images -------------------------------------------------------------------
say "building $pgimage (PostgreSQL from Debian's packages)"
podman build -q --pull=never -t "$pgimage" \
	-f deploy/podman/postgres/Containerfile deploy/podman/postgres >/dev/null ||
	fail "building $pgimage"
t0=$SECONDS
say "building $image from deploy/Dockerfile (RUN_UNIT_TESTS=${RUN_UNIT_TESTS:-0})"
podman build --pull=never -t "$image" -f deploy/Dockerfile \
	--build-arg RUN_UNIT_TESTS="${RUN_UNIT_TESTS:-0}" . >"$work/build.log" 2>&1 || {
	tail -n 40 "$work/build.log"
	fail "deploy/Dockerfile does not build"
}
say "image built in $((SECONDS - t0)) s: $(podman image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')"
# The build stage tagged too, so that pruning keeps it as the next run's
# cache, and the layers of earlier runs' builds (untagged now) go: every
# image made from the base carries its label.
podman build -q --pull=never --target build -t localhost/eastwest-build:ci \
	-f deploy/Dockerfile --build-arg RUN_UNIT_TESTS="${RUN_UNIT_TESTS:-0}" . >/dev/null
podman image prune -f --filter label=org.eastwest.base >/dev/null
run_user=$(podman run --rm --pull=never --network none "$image" sh -c 'id -u; id -g')
[ "$run_user" = $'10001\n10001' ] || fail "image runs as \"$run_user\", want 10001/10001"
[ -z "$(podman image inspect --format '{{range $k, $v := .Config.Volumes}}{{$k}} {{end}}' "$image")" ] ||
	fail "the image declares a VOLUME"
debs=$(podman run --rm --pull=never --network none "$image" \
	sh -c 'ls /var/cache/apt/archives/*.deb 2>/dev/null | wc -l')
[ "$debs" = 0 ] || fail "the image carries $debs .deb files in /var/cache/apt"

# -- one network namespace with only lo ----------------------------------------
ip netns add "$netns"
ip netns exec "$netns" ip link set lo up
links=$(ip netns exec "$netns" ip -o link | awk -F': ' '{print $2}' | tr '\n' ' ')
[ "$links" = "lo " ] || fail "namespace $netns has links: $links"
innet() { nsenter --net="$nspath" "$@"; }
# podman stop without the complaint that no systemd timer is there to
# remove (healthchecks are run on demand here).
stop() {
	podman stop "$@" 2>&1 >/dev/null | { grep -v 'unable to get systemd connection' || true; } >&2
}
# GET or POST on 127.0.0.1:PORT inside the namespace: prints the status.
http() {
	innet python3 - "$@" <<'PY'
import sys, urllib.request, urllib.error
method, port, path = sys.argv[1], sys.argv[2], sys.argv[3]
data = open(sys.argv[4], "rb").read() if len(sys.argv) > 4 else None
req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path),
                             data=data, method=method)
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        print(r.status)
except urllib.error.HTTPError as e:
    print(e.code)
except OSError as e:
    print("error", e)
PY
}
sql() { podman exec "$pg" psql -X -U eastwest_owner -d eastwest -Atc "$1"; }
# wait_until SECONDS WHAT COMMAND...: polls until COMMAND succeeds.
wait_until() {
	local limit=$1 what=$2 t=$SECONDS
	shift 2
	until "$@"; do
		[ $((SECONDS - t)) -lt "$limit" ] || fail "$what: not within $limit s"
		sleep 1
	done
}

# -- compose -------------------------------------------------------------------
export PG_OWNER_PASSWORD=owner-$id EXTRACTD_DB_PASSWORD=writer-$id
export ANALYST_DB_PASSWORD=reader-$id EASTWEST_IMAGE=$image
# The spool as docs/OPERATIONS.md says: a host directory owned by uid 10001.
spool=$work/spool
install -d -o 10001 -g 10001 "$spool"
export SPOOL=$spool
say "compose: up (postgres, migrate, ingestd, 3 x extractd) in $netns"
deploy/podman/compose.py -p "$id" --netns "$nspath" \
	--image postgres="$pgimage" up || fail "compose up"
workers=("$id-extractd-1" "$id-extractd-2" "$id-extractd-3")
ing=$id-ingestd-1
for c in "$ing" "${workers[@]}"; do
	wait_until 120 "$c healthy" podman healthcheck run "$c"
	[ "$(podman exec "$c" id -u)" = 10001 ] || fail "$c does not run as 10001"
done
for c in "$id-migrate-1" "${workers[@]}"; do
	n=$(podman inspect --format '{{range .Mounts}}{{.Type}} {{end}}' "$c" | wc -w)
	[ "$n" = 0 ] || fail "$c has $n mounts (anonymous volumes?)"
done
[ "$(podman inspect --format '{{.State.ExitCode}}' "$id-migrate-1")" = 0 ] ||
	fail "migrate did not exit 0"
say "compose: all healthy"

# feed NAME-PREFIX: every tests/corpus article, a line naming the batch
# appended (new content, new rows), into tmp/ then renamed into incoming/.
feed() {
	local f n=0
	for f in tests/corpus/*.txt; do
		{
			cat "$f"
			printf '\n%s\n' "$1"
		} >"$spool/tmp/$1-$(basename "$f")"
		mv "$spool/tmp/$1-$(basename "$f")" "$spool/incoming/"
		n=$((n + 1))
	done
	echo "$n"
}
count() { sql "SELECT count(*) FROM articles"; }
done_files() { find "$spool/done" -type f ! -name '*.meta.json' | wc -l; }
# post PORT LABEL: every tests/corpus article, LABEL appended, POSTed to
# 127.0.0.1:PORT/articles; each must get 202. Prints how many.
post() {
	local f n=0 st
	for f in tests/corpus/*.txt; do
		{
			cat "$f"
			printf '\n%s\n' "$2"
		} >"$work/post.txt"
		st=$(http POST "$1" /articles "$work/post.txt")
		[ "$st" = 202 ] || fail "POST /articles on port $1: $st"
		n=$((n + 1))
	done
	echo "$n"
}
# The port a container's VARIABLE (0.0.0.0:PORT) listens on; empty when
# it has no such variable.
port_in() { podman exec "$1" printenv "$2" 2>/dev/null | sed 's/.*://' || true; }
wait_until 60 "ingestd's spool directories" test -d "$spool/incoming"
n1=$(feed batch1)
wait_until 300 "$n1 articles stored" test "$(count)" = "$n1"
say "compose: $n1 articles stored; figures $(sql 'SELECT count(*) FROM figures'), pairings $(sql 'SELECT count(*) FROM pairings')"
intake_port=$(port_in "$ing" INGESTD_HTTP_INTAKE_LISTEN)
metrics_port=$(port_in "$ing" INGESTD_HTTP)
if [ -z "$intake_port" ] || [ "$intake_port" = "$metrics_port" ]; then
	fail "compose: ingestd has no intake port of its own ($intake_port)"
fi
st=$(http POST "$metrics_port" /articles tests/corpus/000_5d3d27540e34edbe.txt)
case $st in 404 | 405) ;; *) fail "compose: POST on the metrics port: $st" ;; esac
np=$(post "$intake_port" post1)
n1=$((n1 + np))
wait_until 300 "$n1 articles stored (with $np posted)" test "$(count)" = "$n1"
say "compose: $np articles posted to the intake port $intake_port stored (POST on $metrics_port: $st)"
sessions=$(sql "SELECT count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
	WHERE a.usename = 'extractd' AND a.application_name = 'extractd' AND s.ssl")
[ "$sessions" = 3 ] || fail "want 3 extractd sessions over TLS, have $sessions"

# SIGTERM in the middle of a second batch: every daemon drains and exits 0.
n2=$(feed batch2)
t0=$SECONDS
for c in "${workers[@]}" "$ing"; do
	stop -t 30 "$c"
done
stop_s=$((SECONDS - t0))
for c in "${workers[@]}" "$ing"; do
	rc=$(podman inspect --format '{{.State.ExitCode}}' "$c")
	[ "$rc" = 0 ] || fail "$c exited $rc after SIGTERM"
done
stored=$(count)
say "compose: SIGTERM to 4 daemons took ${stop_s} s; $stored of $((n1 + n2)) stored, $(find "$spool/incoming" -type f ! -name '*.meta.json' | wc -l) still in incoming/"
[ "$(find "$spool/failed" -type f | wc -l)" = 0 ] || fail "articles in failed/"
[ "$(done_files)" = "$stored" ] || fail "done/ has $(done_files), articles $stored"
for c in "$ing" "${workers[@]}"; do
	podman start "$c" 2>&1 >/dev/null | { grep -v 'unable to get systemd connection' || true; } >&2
done
wait_until 300 "all $((n1 + n2)) articles after the restart" \
	test "$(count)" = $((n1 + n2))
[ "$(done_files)" = $((n1 + n2)) ] || fail "done/ has $(done_files) files"
for c in "${workers[@]}" "$ing"; do
	stop -t 30 "$c"
	rc=$(podman inspect --format '{{.State.ExitCode}}' "$c")
	[ "$rc" = 0 ] || fail "$c exited $rc after SIGTERM"
done
say "compose: nothing lost: $((n1 + n2)) articles, $((n1 + n2)) files in done/, none failed"

# -- Kubernetes workloads ------------------------------------------------------
kubectl kustomize deploy/k8s/base >"$work/rendered.yaml"
sec=$work/secrets
mkdir -p "$sec/eastwest-curve" "$sec/eastwest-postgres"
keys() { podman run --rm --pull=never --network none "$image" extractd --keygen; }
keys >"$work/server.pair"
keys >"$work/worker.pair"
sed -n 2p "$work/server.pair" >"$sec/eastwest-curve/server.public"
sed -n 4p "$work/server.pair" >"$sec/eastwest-curve/server.secret"
sed -n 2p "$work/worker.pair" >"$sec/eastwest-curve/worker.public"
sed -n 4p "$work/worker.pair" >"$sec/eastwest-curve/worker.secret"
cp "$sec/eastwest-curve/worker.public" "$sec/eastwest-curve/workers.allow"
printf eastwest_owner >"$sec/eastwest-postgres/owner-user"
printf %s "$PG_OWNER_PASSWORD" >"$sec/eastwest-postgres/owner-password"
printf extractd >"$sec/eastwest-postgres/writer-user"
printf %s "$EXTRACTD_DB_PASSWORD" >"$sec/eastwest-postgres/writer-password"
say "kube: playing the rendered base"
deploy/podman/kube-local.py play "$work/rendered.yaml" --netns "$nspath" \
	--workdir "$work/kube" --secrets "$sec" --image "$image" \
	--host ingestd-0.ingestd --host postgres.example.internal >"$work/play.log" 2>&1 || {
	cat "$work/play.log"
	fail "podman kube play"
}
grep 'not played' "$work/play.log" || true
kmig=extractd-migrate-migrate
king=ingestd-0-ingestd
kext=extractd-pod-0-extractd
# port_of CONTAINER: its *_HTTP port; listen_of VARIABLE: the port the
# variable was given.
port_of() {
	python3 -c 'import json,sys
for p in json.load(open(sys.argv[1]))["pods"]:
    if sys.argv[2] in p[sys.argv[3]]:
        print(p[sys.argv[3]][sys.argv[2]])' "$work/kube/objects.json" "$1" "${2:-ports}"
}
listen_of() { port_of "$1" listen; }
ing_port=$(port_of ingestd)
ext_port=$(port_of extractd)
ing_intake=$(listen_of INGESTD_HTTP_INTAKE_LISTEN)
[ -n "$ing_intake" ] || fail "kube: ingestd has no INGESTD_HTTP_INTAKE_LISTEN"
wait_until 300 "the migration Job's pod" test "$(podman inspect --format '{{.State.Status}}' "$kmig")" = exited
[ "$(podman inspect --format '{{.State.ExitCode}}' "$kmig")" = 0 ] || fail "$kmig exited non-zero"
for c in "$king" "$kext"; do
	[ "$(podman inspect --format '{{.Config.User}} {{.HostConfig.ReadonlyRootfs}} {{len .EffectiveCaps}}' "$c")" = "10001:10001 true 0" ] ||
		fail "$c: $(podman inspect --format 'user {{.Config.User}} read-only {{.HostConfig.ReadonlyRootfs}} caps {{.EffectiveCaps}}' "$c")"
	case $(podman inspect --format '{{.HostConfig.SecurityOpt}}' "$c") in
	*no-new-privileges*) ;;
	*) fail "$c: privilege escalation allowed" ;;
	esac
	[ "$(podman exec "$c" id -u)" = 10001 ] || fail "$c: not uid 10001"
	if podman exec "$c" sh -c 'echo x >/probe' 2>/dev/null; then
		fail "$c: root file system writable"
	fi
	[ "$(podman exec "$c" grep -c ^CapEff:.0000000000000000 /proc/1/status)" = 1 ] ||
		fail "$c: PID 1 has capabilities"
done
probe_ok() { [ "$(http GET "$1" "$2")" = 200 ]; }
for p in /healthz /readyz; do
	wait_until 120 "ingestd $p" probe_ok "$ing_port" "$p"
	wait_until 120 "extractd $p" probe_ok "$ext_port" "$p"
done
say "kube: non-root, read-only root, no capabilities; /healthz and /readyz answer 200"
appname=$(sql "SELECT a.application_name || ' ' || s.ssl FROM pg_stat_activity a
	JOIN pg_stat_ssl s USING (pid) WHERE a.usename = 'extractd'")
[ "$appname" = "extractd-pod-0 true" ] ||
	fail "extractd's session: \"$appname\", want the pod name (PGAPPNAME) over TLS"
king_log=$(podman logs "$king" 2>&1)
grep -q '"event":"mq.bound".*"curve":"on"' <<<"$king_log" ||
	fail "ingestd did not bind with CURVE on"
before=$(count)
st=$(http POST "$ing_port" /articles tests/corpus/000_5d3d27540e34edbe.txt)
case $st in 404 | 405) ;; *) fail "kube: POST on the metrics port: $st" ;; esac
posted=$(post "$ing_intake" batch3)
wait_until 300 "$posted articles through the Kubernetes pods" \
	test "$(count)" = $((before + posted))
say "kube: PGAPPNAME=pod name over TLS; $posted articles posted to the intake port, stored over CURVE"
t0=$SECONDS
for p in extractd-pod-0 ingestd-0; do
	grace=$(python3 -c 'import json,sys
print([p["grace"] for p in json.load(open(sys.argv[1]))["pods"] if p["name"] == sys.argv[2]][0])' \
		"$work/kube/objects.json" "$p")
	podman pod stop -t "$grace" "$p" >/dev/null
done
stop_s=$((SECONDS - t0))
for c in "$king" "$kext"; do
	rc=$(podman inspect --format '{{.State.ExitCode}}' "$c")
	[ "$rc" = 0 ] || fail "$c exited $rc after SIGTERM"
done
[ "$(count)" = $((before + posted)) ] || fail "rows changed after the stop"
say "kube: SIGTERM to both pods took ${stop_s} s, both exited 0, $((before + posted)) articles"
say "ok"
