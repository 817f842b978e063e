#!/usr/bin/env python3
"""kube-local.py - plays the rendered Kubernetes workloads of deploy/k8s
with `podman kube play` on one machine, as far as podman 4.3 can:

* Deployment, Pod, ConfigMap, PersistentVolumeClaim: played as they are;
* StatefulSet: its pod template as Pod NAME-0, each volumeClaimTemplate as
  the PersistentVolumeClaim TEMPLATE-NAME-0 (what the controller makes);
* Job: its pod template as Pod NAME (restartPolicy kept);
* Secret: a podman secret of the same name (env secretKeyRef reads it),
  and each secret volume a read-only directory of its items with the
  volume's mode, group 10001 (podman 4.3 cannot mount secret volumes);
* Namespace, Service, NetworkPolicy, HorizontalPodAutoscaler,
  PodDisruptionBudget, ScaledObject: skipped (no podman equivalent;
  .ci/lint.sh checks them rendered).

Secret values come from DIR/SECRET/KEY files (--secrets DIR); a Secret
annotated as a placeholder with a key missing there is an error. Every
pod runs in the network namespace --netns (podman runs in it with
--network host): service and database host names of the manifests given
with --host resolve to 127.0.0.1 there, and each *_HTTP or
*_HTTP_INTAKE_LISTEN variable of a container that is 0.0.0.0:PORT gets a
port of its own from --http-port so the pods do not collide on one
loopback (its ports and probes follow).
Each --host NAME in a ConfigMap or env value becomes 127.0.0.1 (with
--network host podman ignores hostAliases).

usage: kube-local.py play RENDERED.yaml --netns PATH --workdir DIR
                          --secrets DIR [--image IMAGE] [--host NAME]...
       kube-local.py down --workdir DIR
`play` writes WORKDIR/play.yaml and WORKDIR/objects.json (what was
played, with each pod's terminationGracePeriodSeconds, its containers'
HTTP ports ("ports": container -> port of *_HTTP) and every port given
("listen": variable -> port); `down` stops each
pod with its grace period (SIGTERM, then SIGKILL), removes the pods,
volumes and secrets it made.
"""

import argparse
import base64
import copy
import json
import os
import re
import shutil
import subprocess
import sys

import yaml

SKIP = {"Namespace", "Service", "NetworkPolicy", "HorizontalPodAutoscaler",
        "PodDisruptionBudget", "ScaledObject"}
GID = 10001


def die(msg):
    print("kube-local.py: " + msg, file=sys.stderr)
    sys.exit(1)


def podman(*argv, check=True, stdin=None, netns=None, quiet=False):
    cmd = ["podman"] + list(argv)
    if netns:
        cmd = ["nsenter", "--net=" + netns] + cmd
    r = subprocess.run(cmd, input=stdin, text=True,
                       stderr=subprocess.DEVNULL if quiet else None)
    if check and r.returncode != 0:
        die("failed (exit %d): %s" % (r.returncode, " ".join(cmd)))
    return r.returncode


def secret_values(doc, sdir):
    name = doc["metadata"]["name"]
    placeholder = (doc["metadata"].get("annotations") or {}).get(
        "eastwest.example/placeholder") == "true"
    vals = {}
    keys = set((doc.get("stringData") or {}).keys()) | set(
        (doc.get("data") or {}).keys())
    for k in sorted(keys):
        path = os.path.join(sdir, name, k)
        if os.path.exists(path):
            with open(path, "rb") as f:
                vals[k] = f.read()
        elif placeholder:
            die("secret %s is a placeholder and %s is missing"
                % (name, path))
        elif k in (doc.get("stringData") or {}):
            vals[k] = doc["stringData"][k].encode()
        else:
            vals[k] = base64.b64decode(doc["data"][k])
    return vals


def local_names(value, hosts):
    """value with each of hosts (as a whole host name) made 127.0.0.1."""
    for h in hosts:
        value = re.sub(r"(?<![\w.-])%s(?![\w.-])" % re.escape(h),
                       "127.0.0.1", value)
    return value


def pod_of(name, template, kind):
    meta = copy.deepcopy(template.get("metadata") or {})
    meta["name"] = name
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": copy.deepcopy(template["spec"]), "x-from": kind}


def play(args):
    with open(args.rendered, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    os.makedirs(args.workdir, exist_ok=True)
    secrets = {}
    configmaps = {}
    out = []
    skipped = []
    for d in docs:
        kind, name = d["kind"], d["metadata"]["name"]
        if kind in SKIP:
            skipped.append("%s/%s" % (kind, name))
        elif kind == "Secret":
            secrets[name] = secret_values(d, args.secrets)
        elif kind == "ConfigMap":
            configmaps[name] = d.get("data") or {}
            out.append(d)
        elif kind in ("Deployment", "Pod", "PersistentVolumeClaim"):
            out.append(copy.deepcopy(d))
        elif kind == "StatefulSet":
            pod = pod_of(name + "-0", d["spec"]["template"], kind)
            for vct in d["spec"].get("volumeClaimTemplates") or []:
                claim = "%s-%s-0" % (vct["metadata"]["name"], name)
                out.append({"apiVersion": "v1",
                            "kind": "PersistentVolumeClaim",
                            "metadata": {"name": claim},
                            "spec": vct["spec"]})
                pod["spec"].setdefault("volumes", []).append(
                    {"name": vct["metadata"]["name"],
                     "persistentVolumeClaim": {"claimName": claim}})
            out.append(pod)
        elif kind == "Job":
            out.append(pod_of(name, d["spec"]["template"], kind))
        else:
            die("%s/%s: no way to play this kind" % (kind, name))
    print("kube-local.py: not played (no podman equivalent): "
          + ", ".join(skipped), file=sys.stderr)

    # One network namespace, no DNS: the manifests' host names of
    # services and the database are this namespace's loopback.
    for cm in out:
        if cm["kind"] == "ConfigMap":
            cm["data"] = {k: local_names(v, args.host)
                          for k, v in (cm.get("data") or {}).items()}
            configmaps[cm["metadata"]["name"]] = cm["data"]
    extra_cms = []
    copies = set()  # names of the per-pod ConfigMap copies
    port = args.http_port
    made = {"pods": [], "volumes": [], "secrets": sorted(secrets),
            "dirs": []}
    for d in out:
        if d["kind"] == "PersistentVolumeClaim":
            made["volumes"].append(d["metadata"]["name"])
            continue
        if d["kind"] not in ("Pod", "Deployment"):
            continue
        spec = d["spec"] if d["kind"] == "Pod" else d["spec"]["template"][
            "spec"]
        pname = d["metadata"]["name"]
        if d["kind"] == "Deployment":
            # podman names the pod of a Deployment NAME-pod-0.
            pname = pname + "-pod-0"
        made["pods"].append({"name": pname,
                             "grace": spec.get(
                                 "terminationGracePeriodSeconds", 30),
                             "from": d.pop("x-from", d["kind"]),
                             "workload": d["metadata"]["name"],
                             "containers": [c["name"] for c in
                                            spec["containers"]],
                             "ports": {}, "listen": {}})
        for v in spec.get("volumes") or []:
            if "secret" not in v:
                continue
            sec = v.pop("secret")
            vals = secrets.get(sec["secretName"])
            if vals is None:
                die("volume %s: no Secret %s" % (v["name"],
                                                 sec["secretName"]))
            vdir = os.path.join(args.workdir, "secret-%s-%s"
                                % (pname, v["name"]))
            shutil.rmtree(vdir, ignore_errors=True)
            os.makedirs(vdir)
            items = sec.get("items") or [{"key": k, "path": k}
                                         for k in vals]
            for it in items:
                p = os.path.join(vdir, it["path"])
                with open(p, "wb") as f:
                    f.write(vals[it["key"]])
                os.chown(p, 0, GID)
                os.chmod(p, it.get("mode", sec.get("defaultMode", 0o644)))
            os.chown(vdir, 0, GID)
            os.chmod(vdir, 0o750)
            v["hostPath"] = {"path": os.path.abspath(vdir),
                             "type": "Directory"}
            made["dirs"].append(vdir)
        for c in spec["containers"]:
            if args.image:
                c["image"] = args.image
            for e in c.get("env") or []:
                if "value" in e:
                    e["value"] = local_names(e["value"], args.host)
            # Where each variable comes from: its ConfigMap, or env.
            origin = {}
            for ef in c.get("envFrom") or []:
                ref = ef.get("configMapRef")
                if ref:
                    for k in configmaps.get(ref["name"], {}):
                        origin[k] = ef
            for e in c.get("env") or []:
                origin[e["name"]] = e
            for k, src in sorted(origin.items()):
                if "configMapRef" in src:
                    v = configmaps[src["configMapRef"]["name"]][k]
                else:
                    v = src.get("value")
                m = re.fullmatch(r"0\.0\.0\.0:(\d+)", v or "")
                if not (k.endswith(("_HTTP", "_HTTP_INTAKE_LISTEN")) and m):
                    continue
                old, new = int(m.group(1)), port
                port += 1
                if "configMapRef" in src:
                    # A copy of the ConfigMap for this pod (podman lets
                    # envFrom win over env, unlike Kubernetes).
                    cm = src["configMapRef"]["name"]
                    if cm in copies:
                        configmaps[cm][k] = "0.0.0.0:%d" % new
                    else:
                        copy_name = "%s-%s" % (cm, pname)
                        data = dict(configmaps[cm])
                        data[k] = "0.0.0.0:%d" % new
                        configmaps[copy_name] = data
                        copies.add(copy_name)
                        extra_cms.append({"apiVersion": "v1",
                                          "kind": "ConfigMap",
                                          "metadata": {"name": copy_name},
                                          "data": data})
                        src["configMapRef"]["name"] = copy_name
                else:
                    src["value"] = "0.0.0.0:%d" % new
                named = set()
                for p in c.get("ports") or []:
                    if p.get("containerPort") == old:
                        p["containerPort"] = new
                        if p.get("name"):
                            named.add(p["name"])
                for probe in ("livenessProbe", "readinessProbe",
                              "startupProbe"):
                    hg = (c.get(probe) or {}).get("httpGet")
                    if hg and (hg.get("port") == old or
                               hg.get("port") in named):
                        hg["port"] = new
                made["pods"][-1]["listen"][k] = new
                if k.endswith("_HTTP"):
                    made["pods"][-1]["ports"][c["name"]] = new
            # The pod shares the namespace's network: nothing to map. Probes
            # that name a port get its number.
            numbers = {p["name"]: p["containerPort"]
                       for p in c.get("ports") or [] if p.get("name")}
            for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                hg = (c.get(probe) or {}).get("httpGet")
                if hg and hg.get("port") in numbers:
                    hg["port"] = numbers[hg["port"]]
            c.pop("ports", None)
    for name, vals in secrets.items():
        podman("secret", "rm", name, check=False, quiet=True)
        podman("secret", "create", name, "-",
               stdin=json.dumps({k: base64.b64encode(v).decode()
                                 for k, v in vals.items()}))
    out = extra_cms + out
    play_path = os.path.join(args.workdir, "play.yaml")
    with open(play_path, "w", encoding="utf-8") as f:
        yaml.safe_dump_all(out, f, sort_keys=False)
    with open(os.path.join(args.workdir, "objects.json"), "w") as f:
        json.dump(made, f, indent=1)
    podman("kube", "play", "--network", "host", play_path,
           netns=args.netns)


def down(args):
    path = os.path.join(args.workdir, "objects.json")
    if not os.path.exists(path):
        return
    with open(path) as f:
        made = json.load(f)
    for p in made["pods"]:
        podman("pod", "stop", "-t", str(p["grace"]), p["name"], check=False)
        podman("pod", "rm", "-f", p["name"], check=False)
    for v in made["volumes"]:
        podman("volume", "rm", "-f", v, check=False)
    for s in made["secrets"]:
        podman("secret", "rm", s, check=False)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("command", choices=("play", "down"))
    p.add_argument("rendered", nargs="?")
    p.add_argument("--netns")
    p.add_argument("--workdir", required=True)
    p.add_argument("--secrets")
    p.add_argument("--image")
    p.add_argument("--host", action="append", default=[])
    p.add_argument("--http-port", type=int, default=9100)
    args = p.parse_args()
    if args.command == "play":
        if not (args.rendered and args.netns and args.secrets):
            die("play wants RENDERED.yaml, --netns and --secrets")
        if not os.path.exists(args.netns):
            die("no network namespace at " + args.netns)
        play(args)
    else:
        down(args)


if __name__ == "__main__":
    main()
