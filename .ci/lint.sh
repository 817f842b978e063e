#!/usr/bin/env bash
# .ci/lint.sh - offline validation of everything that is not compiled:
# shell scripts, YAML, Kubernetes manifests (rendered with kustomize and
# checked against our deployment rules), the compose file, the Dockerfile,
# Prometheus rules, the Grafana dashboard, metric names used by alerts and
# dashboards, and C formatting. Needs no network, cluster or Docker engine.
#
# usage: .ci/lint.sh            run every check, print each, exit 1 if any
#                               failed (a missing optional tool is a note)
# Tools: shellcheck yamllint kubectl (for kustomize) docker-compose
# promtool clang-format (14) python3 python3-yaml; hadolint if installed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

failed=()
notes=()
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# step NAME COMMAND...: runs one check, prints its output indented.
step() {
	local name=$1 rc
	shift
	printf '== %s\n' "$name"
	"$@" >"$tmp/out" 2>&1
	rc=$?
	sed 's/^/   /' "$tmp/out"
	if [ "$rc" -eq 0 ]; then
		printf '   ok\n'
	else
		printf '   FAILED (exit %d)\n' "$rc"
		failed+=("$name")
	fi
}

have() {
	command -v "$1" >/dev/null 2>&1
}

# missing TOOL WHY: a required tool is absent; that fails the run.
missing() {
	printf '== %s\n   FAILED: %s not installed\n' "$2" "$1"
	failed+=("$2 ($1 missing)")
}

# Files of the checkout: tracked plus new ones not ignored, so a local run
# sees work in progress too; never build trees.
list_files() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -co --exclude-standard
	else
		find . -type f -not -path './.git/*' | sed 's|^\./||'
	fi | grep -Ev '^(build[^/]*|\.run)/' | sort -u
}
list_files >"$tmp/files"

# ---- shell ----
shell_scripts() {
	grep -E '\.sh$' "$tmp/files"
	# Extensionless scripts with a shell shebang (.ci/run, ...).
	while IFS= read -r f; do
		case $f in *.*) continue ;; esac
		[ -f "$f" ] || continue
		head -n 1 "$f" 2>/dev/null | grep -Eq '^#!.*\b(ba)?sh\b' &&
			printf '%s\n' "$f"
	done <"$tmp/files"
}
run_shellcheck() {
	local files=()
	mapfile -t files < <(shell_scripts | sort -u)
	for f in "${files[@]}"; do
		[ -f "$f" ] && echo "$f"
	done
	shellcheck "${files[@]}"
}
if have shellcheck; then
	step "shellcheck (every *.sh and shell script)" run_shellcheck
else
	missing shellcheck "shellcheck"
fi

# ---- YAML ----
if have yamllint; then
	step "yamllint deploy/ (.yamllint)" yamllint -s -c .yamllint deploy/ .yamllint
else
	missing yamllint "yamllint"
fi

# ---- Kubernetes: render base and every overlay ----
kustomize_dirs() {
	echo deploy/k8s/base
	for d in deploy/k8s/overlays/*/; do
		[ -f "$d/kustomization.yaml" ] && echo "${d%/}"
	done
}
render() {
	local d=$1 out=$2
	kubectl kustomize "$d" >"$out" || return 1
	echo "$d: $(grep -c '^kind:' "$out") objects"
	yamllint -s -c .yamllint "$out"
}
# Rules of this deployment that a schema would not catch (no schema
# validator is available offline: kubeconform is not in Debian, and
# kubectl --dry-run needs a server).
cat >"$tmp/policy.py" <<'PY'
import sys, yaml

errors = []
def err(src, obj, msg):
    m = obj.get("metadata", {})
    errors.append(f"{src}: {obj.get('kind')}/{m.get('name')}: {msg}")

def pod_spec(obj):
    k = obj.get("kind")
    s = obj.get("spec", {})
    if k in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        return s.get("template", {}).get("spec")
    if k == "CronJob":
        return s.get("jobTemplate", {}).get("spec", {}).get(
            "template", {}).get("spec")
    return None

def env_of(c, configmaps):
    env = {}
    for ef in c.get("envFrom", []):
        ref = ef.get("configMapRef")
        if ref and ref["name"] in configmaps:
            env.update(configmaps[ref["name"]])
    for e in c.get("env", []):
        env[e["name"]] = e.get("value", "<from>")
    return env

def admits(policy, labels, port):
    s = policy["spec"]
    sel = s.get("podSelector", {}).get("matchLabels", {})
    if any(labels.get(k) != v for k, v in sel.items()):
        return False
    return any(p.get("port") == port
               for rule in s.get("ingress", [])
               for p in rule.get("ports", []))

# POST /articles on a listener of its own (INGESTD_HTTP_INTAKE_LISTEN),
# declared, behind a Service and admitted by a NetworkPolicy: on the
# probes' port, feeders holding every connection starve the kubelet.
def intake_rules(src, d, c, env, docs):
    where = f"container {c['name']}"
    listen = env.get("INGESTD_HTTP_INTAKE_LISTEN", "")
    if env.get("INGESTD_HTTP_INTAKE") == "true" and not listen:
        err(src, d, f"{where}: POST /articles on the probes' port "
            "(INGESTD_HTTP_INTAKE); use INGESTD_HTTP_INTAKE_LISTEN")
    if not listen:
        return
    port = int(listen.rsplit(":", 1)[1])
    if port == int(env.get("INGESTD_HTTP", ":0").rsplit(":", 1)[1]):
        err(src, d, f"{where}: INGESTD_HTTP_INTAKE_LISTEN on INGESTD_HTTP")
    names = [p.get("name") for p in c.get("ports", [])
             if p.get("containerPort") == port]
    if not names:
        err(src, d, f"{where}: no containerPort {port} (intake)")
    labels = d["spec"]["template"]["metadata"].get("labels", {})
    if not any(x["kind"] == "Service" and
               all(labels.get(k) == v
                   for k, v in x["spec"].get("selector", {}).items()) and
               any(p.get("targetPort") in names + [port]
                   for p in x["spec"].get("ports", []))
               for x in docs):
        err(src, d, f"{where}: no Service for the intake port {port}")
    if not any(x["kind"] == "NetworkPolicy" and admits(x, labels, port)
               for x in docs):
        err(src, d, f"{where}: no NetworkPolicy admits the intake port "
            f"{port}")

for src in sys.argv[1:]:
    with open(src) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    configmaps = {d["metadata"]["name"]: d.get("data", {})
                  for d in docs if d["kind"] == "ConfigMap"}
    scaled = {}
    for d in docs:
        if d["kind"] == "HorizontalPodAutoscaler":
            t = d["spec"]["scaleTargetRef"]
            scaled.setdefault((t["kind"], t["name"]), []).append("HPA")
        if d["kind"] == "ScaledObject":
            t = d["spec"]["scaleTargetRef"]
            scaled.setdefault((t.get("kind", "Deployment"), t["name"]),
                              []).append("ScaledObject")
    for target, who in scaled.items():
        if len(who) > 1:
            errors.append(f"{src}: {target[0]}/{target[1]} has several "
                          f"autoscalers: {who}")
    if not any(d["kind"] == "NetworkPolicy" and
               d["spec"].get("podSelector") == {} and
               set(d["spec"].get("policyTypes", [])) >= {"Ingress", "Egress"}
               and not d["spec"].get("ingress") and
               not d["spec"].get("egress")
               for d in docs):
        errors.append(f"{src}: no default-deny NetworkPolicy")
    for d in docs:
        ps = pod_spec(d)
        if ps is None:
            continue
        if ps.get("enableServiceLinks") is not False:
            err(src, d, "enableServiceLinks must be false")
        if ps.get("automountServiceAccountToken") is not False:
            err(src, d, "automountServiceAccountToken should be false")
        psc = ps.get("securityContext", {})
        if psc.get("runAsNonRoot") is not True:
            err(src, d, "pod securityContext.runAsNonRoot must be true")
        for c in ps.get("containers", []):
            sc = c.get("securityContext", {})
            where = f"container {c['name']}"
            if sc.get("readOnlyRootFilesystem") is not True:
                err(src, d, f"{where}: readOnlyRootFilesystem")
            if sc.get("allowPrivilegeEscalation") is not False:
                err(src, d, f"{where}: allowPrivilegeEscalation")
            if "ALL" not in sc.get("capabilities", {}).get("drop", []):
                err(src, d, f"{where}: capabilities must drop ALL")
            res = c.get("resources", {})
            if not res.get("requests") or not res.get("limits", {}).get(
                    "memory"):
                err(src, d, f"{where}: requests and a memory limit")
            env = env_of(c, configmaps)
            args = " ".join(c.get("command", []) + c.get("args", []))
            for daemon in ("ingestd", "extractd"):
                if not args.startswith(daemon):
                    continue
                P = daemon.upper() + "_"
                if env.get(P + "LOG_FORMAT") != "json":
                    err(src, d, f"{where}: {P}LOG_FORMAT=json")
                if d["kind"] in ("Deployment", "StatefulSet"):
                    for probe in ("livenessProbe", "readinessProbe"):
                        if probe not in c:
                            err(src, d, f"{where}: no {probe}")
                    if not env.get(P + "HTTP", "").startswith("0.0.0.0:"):
                        err(src, d, f"{where}: {P}HTTP 0.0.0.0:PORT")
                    if not env.get(P + "CURVE_SECRET_KEY_FILE"):
                        err(src, d, f"{where}: CURVE off")
                    drain = int(env.get(P + "DRAIN_MS", "20000"))
                    grace = ps.get("terminationGracePeriodSeconds", 30)
                    if grace * 1000 <= drain + 5000:
                        err(src, d, f"terminationGracePeriodSeconds "
                            f"{grace} s not above {P}DRAIN_MS {drain} + 5 s")
                    if daemon == "ingestd" and d["kind"] == "StatefulSet" \
                            and not d["spec"].get("volumeClaimTemplates"):
                        err(src, d, "ingestd spool needs a PVC")
                    if daemon == "ingestd":
                        intake_rules(src, d, c, env, docs)
    print(f"{src}: {len(docs)} objects checked")
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
PY
if have kubectl && have yamllint; then
	mapfile -t kdirs < <(kustomize_dirs)
	rendered=()
	for d in "${kdirs[@]}"; do
		out="$tmp/$(echo "$d" | tr / _).yaml"
		step "kubectl kustomize $d (+ yamllint)" render "$d" "$out"
		[ -s "$out" ] && rendered+=("$out")
	done
	if have python3 && python3 -c 'import yaml' 2>/dev/null; then
		step "manifest rules (security, probes, grace > drain, autoscalers)" \
			python3 "$tmp/policy.py" "${rendered[@]}"
	else
		missing python3-yaml "manifest rules"
	fi
else
	missing kubectl "kubectl kustomize"
fi

# ---- compose ----
compose_config() {
	if have docker-compose; then
		docker-compose -f deploy/compose.yaml config -q
	else
		docker compose -f deploy/compose.yaml config -q
	fi
}
if have docker-compose || (have docker && docker compose version >/dev/null 2>&1); then
	step "docker-compose -f deploy/compose.yaml config" compose_config
else
	missing docker-compose "compose config"
fi

# ---- Dockerfile ----
if have hadolint; then
	step "hadolint deploy/Dockerfile" hadolint deploy/Dockerfile
else
	notes+=("hadolint not installed (not packaged in Debian 12; a static \
binary from github.com/hadolint/hadolint/releases): Dockerfile not linted")
fi

# ---- Prometheus ----
if have promtool; then
	step "promtool check rules deploy/prometheus/alerts.yaml" \
		promtool check rules deploy/prometheus/alerts.yaml
	if [ -f deploy/prometheus/alerts_test.yaml ]; then
		step "promtool test rules deploy/prometheus/alerts_test.yaml" \
			sh -c 'cd deploy/prometheus && promtool test rules alerts_test.yaml'
	fi
else
	missing promtool "promtool rules"
fi

# ---- Grafana dashboard ----
cat >"$tmp/dashboard.py" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
errs = []
for k in ("title", "uid", "panels", "schemaVersion"):
    if k not in d:
        errs.append(f"missing {k}")
ids = set()
n = 0
def walk(panels):
    global n
    for p in panels:
        if p.get("type") == "row":
            walk(p.get("panels", []))
            continue
        n += 1
        if p.get("id") in ids:
            errs.append(f"duplicate panel id {p.get('id')}")
        ids.add(p.get("id"))
        if not p.get("targets"):
            errs.append(f"panel {p.get('title')!r} has no query")
        for t in p.get("targets", []):
            if not t.get("expr"):
                errs.append(f"panel {p.get('title')!r}: empty expr")
            if t["expr"].count("(") != t["expr"].count(")"):
                errs.append(f"panel {p.get('title')!r}: unbalanced ()")
        if "gridPos" not in p:
            errs.append(f"panel {p.get('title')!r} has no gridPos")
exprs = []
def collect(panels):
    for p in panels:
        collect(p.get("panels", []))
        exprs.extend(t["expr"] for t in p.get("targets", []) if t.get("expr"))
collect(d.get("panels", []))
walk(d.get("panels", []))
# Every query as a recording rule, so promtool parses the PromQL
# (Grafana's $__rate_interval becomes 5m).
if len(sys.argv) > 2:
    with open(sys.argv[2], "w") as f:
        f.write("groups:\n  - name: dashboard\n    rules:\n")
        for i, e in enumerate(exprs):
            e = e.replace("$__rate_interval", "5m").replace("$__interval", "1m")
            f.write(f"      - record: dashboard:query{i}\n")
            f.write(f"        expr: {json.dumps(e)}\n")
print(f"{n} panels, {len(exprs)} queries")
for e in errs:
    print(e)
sys.exit(1 if errs else 0)
PY
check_dashboard() {
	python3 "$tmp/dashboard.py" docs/grafana-dashboard.json \
		"$tmp/dashboard-rules.yaml" || return 1
	if have promtool; then
		echo "PromQL of every query (promtool check rules):"
		promtool check rules "$tmp/dashboard-rules.yaml"
	fi
}
if [ -f docs/grafana-dashboard.json ]; then
	step "docs/grafana-dashboard.json (JSON, panels, PromQL)" check_dashboard
fi

# ---- metric names: alerts and dashboards against the C sources ----
# Every name an alert, the dashboard or the KEDA trigger queries must be
# registered by a metrics_counter/gauge/histogram call, or it silently
# matches nothing.
cat >"$tmp/names.py" <<'PY'
import re, sys
files = [l.strip() for l in open(sys.argv[1])]
registered = set()
for f in files:
    if f.endswith(".c"):
        try:
            src = open(f, encoding="utf-8", errors="replace").read()
        except OSError:
            continue
        registered.update(re.findall(
            r'metrics_(?:counter|gauge|histogram)\s*\(\s*"([a-zA-Z_:][a-zA-Z0-9_:]*)"',
            src))
used = {}
for f in sys.argv[2:]:
    for name in re.findall(r'\b((?:ingestd|extractd)_[a-z0-9_]+)', open(f).read()):
        base = re.sub(r'_(bucket|sum|count)$', '', name)
        if name in registered or base in registered:
            continue
        used.setdefault(name, set()).add(f)
print(f"{len(registered)} metric names registered in C sources")
for name, where in sorted(used.items()):
    print(f"not registered by any daemon: {name} (used in {', '.join(sorted(where))})")
sys.exit(1 if used else 0)
PY
name_users=()
for f in deploy/prometheus/alerts.yaml docs/grafana-dashboard.json \
	deploy/k8s/overlays/keda/scaledobject.yaml; do
	[ -f "$f" ] && name_users+=("$f")
done
step "metric names used by alerts/dashboard/KEDA exist in the C sources" \
	python3 "$tmp/names.py" "$tmp/files" "${name_users[@]}"

# ---- C formatting ----
run_clang_format() {
	local files=() bad=()
	# Generated code (protobuf-c) lives in the build tree; skip any that
	# shows up in the source tree too.
	mapfile -t files < <(grep -E '\.[ch]$' "$tmp/files" |
		grep -Ev '\.pb-c\.[ch]$|(^|/)generated/')
	for f in "${files[@]}"; do
		[ -f "$f" ] || continue
		if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
			bad+=("$f")
		fi
	done
	echo "${#files[@]} files checked with $(clang-format --version | head -n 1)"
	if [ "${#bad[@]}" -gt 0 ]; then
		printf 'not clang-formatted: %s\n' "${bad[@]}"
		echo "(fix with: clang-format -i FILE)"
		return 1
	fi
}
if have clang-format; then
	step "clang-format --dry-run -Werror (*.c *.h)" run_clang_format
else
	missing clang-format "clang-format"
fi

echo
for n in "${notes[@]}"; do
	echo "note: $n"
done
if [ "${#failed[@]}" -gt 0 ]; then
	printf 'lint: %d check(s) FAILED:\n' "${#failed[@]}"
	printf '  - %s\n' "${failed[@]}"
	exit 1
fi
echo "lint: all checks passed"
