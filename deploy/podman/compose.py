#!/usr/bin/env python3
"""compose.py - runs the services of deploy/compose.yaml with plain podman
(no docker-compose, no podman-compose): each service becomes `podman run`
with the image, command, environment, volumes, healthcheck, restart policy,
stop grace period and replicas that compose gives it, started in
depends_on order and waited for as the condition says (service_healthy:
`podman healthcheck run` until it passes; service_completed_successfully:
the container exited 0).

usage: compose.py [options] up|down|plan
  -f FILE            compose file (default: compose.yaml beside this
                     script's parent, deploy/compose.yaml)
  -p NAME            project name: containers NAME-SERVICE-N, volumes
                     NAME_VOLUME (default eastwest)
  --image SVC=IMAGE  run SVC from IMAGE instead of its image: (repeatable;
                     e.g. postgres=localhost/eastwest-postgres:15 where
                     postgres:15-bookworm cannot be pulled)
  --netns PATH       every container joins the network namespace PATH
                     (made with `ip netns add`), which holds only lo: the
                     service names resolve to 127.0.0.1, nothing is
                     published, and each container's HTTP ports (the
                     *_HTTP and *_HTTP_INTAKE_LISTEN variables
                     0.0.0.0:PORT, and the healthcheck's port) get ports
                     of their own from --http-port (default 9100); the
                     container's environment says which
  --wait SECONDS     deadline for each depends_on condition (default 300)
  --volumes          with down: remove the project's named volumes too

`plan` prints the podman commands without running them. `down` stops the
project's containers in reverse order with each one's grace period
(SIGTERM, then SIGKILL), then removes them. Variables ${NAME},
${NAME:-default} are taken from the environment, then from .env beside the
compose file.
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time

import yaml

LABEL = "com.docker.compose.project"


def die(msg):
    print("compose.py: " + msg, file=sys.stderr)
    sys.exit(1)


def load_env(path):
    env = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#") and "=" in line:
                    k, v = line.split("=", 1)
                    env[k.strip()] = v.strip().strip("'\"")
    env.update(os.environ)
    return env


def interpolate(v, env):
    if isinstance(v, str):
        def sub(m):
            name, op, default = m.group(1), m.group(2), m.group(3)
            val = env.get(name)
            if op == ":-" and not val:
                return default
            if op == "-" and val is None:
                return default
            return val or ""
        v = re.sub(r"\$\{(\w+)(?:(:?-)([^}]*))?\}", sub, v)
        return v.replace("$$", "$")
    if isinstance(v, list):
        return [interpolate(x, env) for x in v]
    if isinstance(v, dict):
        return {k: interpolate(x, env) for k, x in v.items()}
    return v


def seconds(v):
    """'30s', '1m30s', '500ms' or a number: seconds (int, at least 1)."""
    if isinstance(v, (int, float)):
        return max(1, int(v))
    total = 0.0
    for num, unit in re.findall(r"([\d.]+)(ms|s|m|h)", str(v)):
        total += float(num) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
    return max(1, int(round(total)))


def order(services):
    """Service names with every dependency before its dependents."""
    out, seen = [], set()

    def visit(name, path):
        if name in seen:
            return
        if name in path:
            die("depends_on cycle at " + name)
        for dep in deps(services[name]):
            visit(dep, path + [name])
        seen.add(name)
        out.append(name)
    for name in services:
        visit(name, [])
    return out


def deps(svc):
    d = svc.get("depends_on") or {}
    if isinstance(d, list):
        return {n: "service_started" for n in d}
    return {n: (c or {}).get("condition", "service_started")
            for n, c in d.items()}


def env_of(svc):
    e = svc.get("environment") or {}
    if isinstance(e, list):
        e = dict(x.split("=", 1) if "=" in x else (x, "") for x in e)
    return {k: "" if v is None else str(v) for k, v in e.items()}


class Project:
    def __init__(self, args):
        self.file = os.path.abspath(args.file)
        self.dir = os.path.dirname(self.file)
        self.name = args.project
        self.netns = args.netns
        self.wait = args.wait
        self.images = dict(x.split("=", 1) for x in args.image)
        env = load_env(os.path.join(self.dir, ".env"))
        with open(self.file, encoding="utf-8") as f:
            doc = interpolate(yaml.safe_load(f), env)
        self.services = {k: v for k, v in doc["services"].items()}
        self.volumes = list((doc.get("volumes") or {}).keys())
        self.next_port = args.http_port
        self.dry = False

    def podman(self, *argv, check=True, capture=False):
        cmd = ["podman"] + list(argv)
        if self.dry:
            print(" ".join(shlex.quote(c) for c in cmd))
            return ""
        r = subprocess.run(cmd, text=True, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        # Without systemd podman cannot schedule healthchecks (they run
        # here when a condition is waited for) and says so each time.
        for line in r.stderr.splitlines():
            if "unable to get systemd connection" not in line:
                print(line, file=sys.stderr)
        if check and r.returncode != 0:
            die("failed (exit %d): %s" % (r.returncode, " ".join(cmd)))
        return r.stdout if capture else r.returncode

    def replicas(self, svc):
        return int(((svc.get("deploy") or {}).get("replicas")) or 1)

    def cname(self, service, i):
        return "%s-%s-%d" % (self.name, service, i)

    def run_args(self, service, i):
        svc = self.services[service]
        env = env_of(svc)
        hc = svc.get("healthcheck") or {}
        test = hc.get("test")
        a = ["run", "-d", "--pull=never", "--name", self.cname(service, i),
             "--label", "%s=%s" % (LABEL, self.name),
             "--label", "com.docker.compose.service=" + service]
        if self.netns:
            a += ["--network", "ns:" + self.netns]
            for other in self.services:
                a += ["--add-host", "%s:127.0.0.1" % other]
            # One namespace for all: every HTTP listener gets its own port.
            for k, v in env.items():
                m = re.fullmatch(r"0\.0\.0\.0:(\d+)", v)
                if k.endswith(("_HTTP", "_HTTP_INTAKE_LISTEN")) and m:
                    old, new = m.group(1), str(self.next_port)
                    self.next_port += 1
                    env[k] = "0.0.0.0:" + new
                    if isinstance(test, list):
                        test = [new if x == old else x for x in test]
        else:
            for p in svc.get("ports") or []:
                a += ["-p", str(p)]
        for k, v in env.items():
            a += ["-e", "%s=%s" % (k, v)]
        for v in svc.get("volumes") or []:
            src, dst = v.split(":", 1)[0], v.split(":", 1)[1]
            if src.startswith((".", "/")):
                src = os.path.normpath(os.path.join(self.dir, src))
            else:
                src = "%s_%s" % (self.name, src)
            a += ["-v", "%s:%s" % (src, dst)]
        if svc.get("user"):
            a += ["--user", str(svc["user"])]
        if test and test != ["NONE"]:
            if test[0] == "CMD-SHELL":
                a += ["--health-cmd", test[1]]
            else:
                a += ["--health-cmd", json.dumps(test[1:])]
            for key, flag in (("interval", "--health-interval"),
                              ("timeout", "--health-timeout"),
                              ("start_period", "--health-start-period")):
                if key in hc:
                    a += [flag, "%ds" % seconds(hc[key])]
            if "retries" in hc:
                a += ["--health-retries", str(hc["retries"])]
        restart = svc.get("restart")
        if restart and restart != "no":
            a += ["--restart", restart]
        a += ["--stop-timeout",
              str(seconds(svc.get("stop_grace_period", "10s")))]
        lg = svc.get("logging") or {}
        if lg.get("driver") in ("json-file", "k8s-file"):
            a += ["--log-driver", "k8s-file"]
            size = (lg.get("options") or {}).get("max-size")
            if size:
                a += ["--log-opt", "max-size=" + size]
        image = self.images.get(service) or svc.get("image")
        if not image:
            die("service %s has no image" % service)
        a.append(image)
        cmd = svc.get("command")
        if isinstance(cmd, str):
            cmd = shlex.split(cmd)
        return a + list(cmd or [])

    def wait_for(self, service, condition):
        names = [self.cname(service, i)
                 for i in range(1, self.replicas(self.services[service]) + 1)]
        deadline = time.monotonic() + self.wait
        for n in names:
            while True:
                state = self.podman("inspect", "--format",
                                    "{{.State.Status}} {{.State.ExitCode}}",
                                    n, capture=True).split()
                if condition == "service_completed_successfully":
                    if state[0] in ("exited", "stopped"):
                        if state[1] != "0":
                            die("%s exited %s (podman logs %s)"
                                % (n, state[1], n))
                        break
                elif state[0] != "running":
                    if state[0] in ("exited", "stopped"):
                        die("%s is %s, exit %s (podman logs %s)"
                            % (n, state[0], state[1], n))
                elif condition == "service_started":
                    break
                elif self.healthy(n):
                    break
                if time.monotonic() > deadline:
                    die("%s: %s not met in %ds" % (n, condition, self.wait))
                time.sleep(1)
            print("compose.py: %s: %s" % (n, condition), file=sys.stderr)

    def healthy(self, name):
        r = subprocess.run(["podman", "healthcheck", "run", name],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        return r.returncode == 0

    def up(self):
        for v in self.volumes:
            full = "%s_%s" % (self.name, v)
            if self.dry or self.podman("volume", "exists", full,
                                       check=False) != 0:
                self.podman("volume", "create", "--label",
                            "%s=%s" % (LABEL, self.name), full)
        started = set()
        for service in order(self.services):
            for dep, cond in deps(self.services[service]).items():
                if (dep, cond) not in started and not self.dry:
                    self.wait_for(dep, cond)
                    started.add((dep, cond))
            for i in range(1, self.replicas(self.services[service]) + 1):
                self.podman(*self.run_args(service, i))
                if not self.dry:
                    print("compose.py: started " + self.cname(service, i),
                          file=sys.stderr)

    def down(self, volumes):
        for service in reversed(order(self.services)):
            svc = self.services[service]
            grace = seconds(svc.get("stop_grace_period", "10s"))
            names = [self.cname(service, i)
                     for i in range(1, self.replicas(svc) + 1)]
            for n in names:
                if self.podman("container", "exists", n, check=False) == 0:
                    self.podman("stop", "-t", str(grace), n, check=False)
                    self.podman("rm", "-f", n, check=False)
        if volumes:
            for v in self.volumes:
                self.podman("volume", "rm", "-f",
                            "%s_%s" % (self.name, v), check=False)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-f", dest="file",
                   default=os.path.join(os.path.dirname(here),
                                        "compose.yaml"))
    p.add_argument("-p", dest="project", default="eastwest")
    p.add_argument("--image", action="append", default=[])
    p.add_argument("--netns")
    p.add_argument("--http-port", type=int, default=9100)
    p.add_argument("--wait", type=int, default=300)
    p.add_argument("--volumes", action="store_true")
    p.add_argument("command", choices=("up", "down", "plan"))
    args = p.parse_args()
    if args.wait <= 0 or not 1 <= args.http_port <= 65000:
        die("--wait wants seconds above 0, --http-port a port up to 65000")
    for x in args.image:
        if "=" not in x:
            die("--image wants SERVICE=IMAGE, not %r" % x)
    proj = Project(args)
    if args.command == "plan":
        proj.dry = True
        proj.up()
    elif args.command == "up":
        proj.up()
    else:
        proj.down(args.volumes)


if __name__ == "__main__":
    main()
