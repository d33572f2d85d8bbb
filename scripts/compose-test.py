#!/usr/bin/env python3
"""The compose end-to-end test: the real images in a real Docker engine, as a user runs them.

Builds the images, starts docker-compose.yml, and checks through the published port on
127.0.0.1 only: the API works; the services run unprivileged and on the event loops;
`--scale worker=3 --scale data=2` is picked up without restarting anything; under steady load
a SIGKILLed worker and a `docker stop`ped one fail no request; while the data service is
stopped the API answers only fast 503s with Retry-After, and recovers within 2 s of the data
service's return; `docker compose stop` ends every service with exit status 0. It prints the
image sizes and how long each step took, and always removes what it started (`down -v`).

Skipped, with a message, when no Docker engine answers. Standard library only.
Usage: scripts/compose-test.py   (environment: COMPOSE_TEST_PROJECT, RUNTIME_IMAGE)
"""

import http.client
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROJECT = os.environ.get("COMPOSE_TEST_PROJECT", "micropostscomposetest")
RUNTIME_IMAGE = os.environ.get("RUNTIME_IMAGE", "ubuntu:noble")
# Bytes each image may add to its runtime base. Every binary carries ICU's data (~30 MB) through
# swift-corelibs-foundation: PostgresNIO uses it in data (String(format:), NSString methods),
# swift-otel 1.6 in all three (CharacterSet trimming in its OTEL_* parsing). Measured stripped
# static binaries on 2026-12-06: edge 87.4 MB, worker 87.9 MB, data 92.0 MB (edge and worker
# were under 60 MB before tracing).
MAX_IMAGE_GROWTH = {"edge": 100_000_000, "worker": 100_000_000, "data": 105_000_000}
SCALE_PICKUP = 10.0  # seconds for a new instance to take requests
RECOVERY = 2.0  # seconds after the data service is ready again
FAST_REFUSAL = 1.0  # seconds: a 503 slower than this is a timeout in disguise
GRACE = 40.0  # stop_grace_period in docker-compose.yml

timings = []
failures = []


def log(message):
    print(f"compose-test: {message}", flush=True)


class Step:
    def __init__(self, name):
        self.name = name

    def __enter__(self):
        log(f"{self.name} ...")
        self.start = time.monotonic()
        return self

    def __exit__(self, kind, value, traceback):
        elapsed = time.monotonic() - self.start
        timings.append((self.name, elapsed, kind is None))
        log(f"{self.name}: {'done' if kind is None else 'FAILED'} in {elapsed:.1f} s")
        return False


def check(condition, message):
    if not condition:
        failures.append(message)
        raise AssertionError(message)


def run(*args, check_status=True, capture=True, env=None, timeout=3600):
    result = subprocess.run(
        list(args), cwd=ROOT, env=env or ENV, timeout=timeout,
        stdout=subprocess.PIPE if capture else None, stderr=subprocess.STDOUT if capture else None, text=True)
    if check_status and result.returncode != 0:
        output = (result.stdout or "")[-4000:]
        raise AssertionError(f"{' '.join(args)} exited {result.returncode}:\n{output}")
    return result.stdout or ""


def compose(*args, **kwargs):
    return run("docker", "compose", "-p", PROJECT, *args, **kwargs)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def containers(service):
    return compose("ps", "-q", service).split()


def inspect(container):
    return json.loads(run("docker", "inspect", container))[0]


def exec_in(container, *command):
    return subprocess.run(["docker", "exec", container, *command], cwd=ROOT, env=ENV,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)


# MARK: HTTP through the published port

def request(method, path, body=None, token=None, timeout=10):
    connection = http.client.HTTPConnection("127.0.0.1", EDGE_PORT, timeout=timeout)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, dict(response.getheaders()), data
    finally:
        connection.close()


class Load:
    """Steady keep-alive GET load from a few threads; every outcome is kept with its time."""

    def __init__(self, paths, token, threads=6):
        self.paths = paths
        self.token = token
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]
        self.results = []  # (start, end, status or None, retry_after, error)
        self.stopping = threading.Event()

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=15)
        return False

    def _run(self):
        connection = None
        headers = {"Authorization": f"Bearer {self.token}"}
        while not self.stopping.is_set():
            start = time.monotonic()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", EDGE_PORT, timeout=10)
                connection.request("GET", random.choice(self.paths), headers=headers)
                response = connection.getresponse()
                body = response.read()
                detail = None if response.status < 400 else f"body {body[:200]!r}"
                self.results.append((start, time.monotonic(), response.status, response.getheader("Retry-After"), detail))
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except Exception as error:  # a failed request: recorded, then a new connection
                self.results.append((start, time.monotonic(), None, None, repr(error)))
                if connection is not None:
                    connection.close()
                connection = None
                time.sleep(0.01)

    def between(self, start, end):
        return [r for r in list(self.results) if start <= r[0] < end]


def describe(result):
    start, end, status, retry_after, error = result
    return f"status={status} retry-after={retry_after} in {1000 * (end - start):.0f} ms {error or ''}".strip()


# MARK: Steps

def require_engine():
    try:
        subprocess.run(["docker", "info"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True, timeout=20)
        subprocess.run(["docker", "compose", "version"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True, timeout=20)
    except (OSError, subprocess.SubprocessError) as error:
        log(f"SKIPPED: no Docker engine or compose plugin answers ({error}); "
            "run ../shared/docker/standins.sh or install Docker to run this test")
        sys.exit(0)


def wait_healthy(services, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        states = {}
        for service in services:
            for container in containers(service):
                state = inspect(container)["State"]
                states[f"{service}/{container[:12]}"] = state.get("Health", {}).get("Status", state["Status"])
        if states and all(status == "healthy" for status in states.values()):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not healthy within {timeout} s: {states}")
        time.sleep(0.5)


def image_sizes():
    base = json.loads(run("docker", "image", "inspect", RUNTIME_IMAGE))[0]["Size"]
    log(f"runtime base {RUNTIME_IMAGE}: {base / 1e6:.1f} MB")
    for service in ("edge", "worker", "data"):
        image = inspect(containers(service)[0])["Image"]
        size = json.loads(run("docker", "image", "inspect", image))[0]["Size"]
        log(f"image {service}: {size / 1e6:.1f} MB, {(size - base) / 1e6:.1f} MB over the base")
        limit = MAX_IMAGE_GROWTH[service]
        check(size - base <= limit, f"{service} image adds {(size - base) / 1e6:.1f} MB to its base (limit {limit / 1e6:.0f})")


def check_processes():
    for service in ("edge", "worker", "data"):
        container = containers(service)[0]
        status = exec_in(container, "cat", "/proc/1/status").stdout
        uid = next((line.split()[1] for line in status.splitlines() if line.startswith("Uid:")), "?")
        check(uid not in ("0", "?"), f"{service} runs as uid {uid}")
        logs = run("docker", "logs", container)
        check("cooperative pool" not in logs, f"{service} fell back to the cooperative pool:\n{logs[-2000:]}")
        check('"task-executor":"event-loops"' in logs, f"{service} did not start on the event loops:\n{logs[-2000:]}")
        log(f"{service}: uid {uid}, tasks on the event loops")


def api_walkthrough():
    name = f"ana{secrets.token_hex(3)}"
    password = secrets.token_urlsafe(12)
    status, headers, _ = request("POST", "/api/users", {"username": name, "password": password})
    check(status == 201, f"register: {status}")
    status, _, body = request("POST", "/api/token", {"grant_type": "client_credentials", "client_id": name, "client_secret": password})
    check(status == 200, f"login: {status}")
    token = json.loads(body)["access_token"]
    paths = []
    for number in range(5):
        status, headers, body = request("POST", f"/api/users/{name}/collection", {"text": f"hello from compose {number}"}, token)
        check(status == 201, f"post: {status} {body[:200]!r}")
        paths.append(f"/api/users/{name}/collection/{json.loads(body)['id']}")
    status, _, body = request("GET", paths[0], token=token)
    check(status == 200 and b"hello from compose 0" in body, f"read: {status}")
    status, _, body = request("GET", f"/api/users/{name}/collection", token=token)
    check(status == 200 and len(json.loads(body)["result"]) == 5, f"list: {status}")
    # A second token for the load; the first one is logged out and must stop working.
    status, _, body = request("POST", "/api/token", {"grant_type": "client_credentials", "client_id": name, "client_secret": password})
    load_token = json.loads(body)["access_token"]
    status, _, _ = request("DELETE", "/api/token", token=token)
    check(status == 204, f"logout: {status}")
    status, _, _ = request("GET", paths[0], token=token)
    check(status == 401, f"logged-out token: {status}")
    return paths + [f"/api/users/{name}", f"/api/users/{name}/collection"], load_token


def io_read(container):
    """Bytes the container's service process has read (sockets included): grows when it serves.
    Read from the host's /proc when allowed (instant); through `docker exec` otherwise."""
    pid = inspect(container)["State"]["Pid"]
    try:
        with open(f"/proc/{pid}/io") as file:
            text = file.read()
        return next(int(line.split()[1]) for line in text.splitlines() if line.startswith("rchar:"))
    except (OSError, StopIteration, ValueError):
        pass
    result = exec_in(container, "cat", "/proc/1/io")
    for line in result.stdout.splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    return None


def scale_up(paths, token):
    before = {c: inspect(c)["State"]["StartedAt"] for s in ("edge", "worker", "data") for c in containers(s)}
    old = set(before)
    with Load(paths, token) as load:
        time.sleep(1)
        asked = time.monotonic()
        compose("up", "-d", "--no-recreate", "--scale", "worker=3", "--scale", "data=2")
        # compose returns once the new containers run (after waiting for health where
        # depends_on asks for it); from then on each must take requests within SCALE_PICKUP.
        scaled = time.monotonic()
        log(f"docker compose up --scale returned after {scaled - asked:.1f} s")
        new = [c for s in ("worker", "data") for c in containers(s) if c not in old]
        check(len(new) == 3, f"expected 3 new containers, found {len(new)}")
        baseline = {c: io_read(c) or 0 for c in new}
        serving = {}
        while time.monotonic() - scaled < SCALE_PICKUP + 5 and len(serving) < len(new):
            time.sleep(0.2)
            for container in new:
                read = io_read(container)
                # Idle instances read a few hundred bytes in that time (keepalive pings, health
                # checks); serving ones read a request frame of ~100 bytes per call at least.
                if container not in serving and read is not None and read - baseline[container] > 20_000:
                    serving[container] = time.monotonic() - scaled
        errors = [r for r in load.results if r[2] is None or r[2] >= 400]
    for container in new:
        taken = serving.get(container)
        service = inspect(container)["Config"]["Labels"].get("com.docker.compose.service", "?")
        log(f"new {service} {container[:12]} took requests after {taken:.1f} s" if taken is not None
            else f"new {service} {container[:12]} took no requests (read {(io_read(container) or 0) - baseline[container]} bytes)")
    for container in new:
        taken = serving.get(container)
        check(taken is not None and taken <= SCALE_PICKUP, f"{container[:12]} took no requests within {SCALE_PICKUP} s")
    for container, started in before.items():
        check(inspect(container)["State"]["StartedAt"] == started, f"{container[:12]} was restarted by the scale-up")
    check(not errors, f"{len(errors)} failed requests while scaling, e.g. {describe(errors[0]) if errors else ''}")
    log(f"scale-up: {len(load.results)} requests, none failed")


def kill_workers(paths, token):
    workers = containers("worker")
    check(len(workers) >= 3, "expected 3 workers")
    with Load(paths, token) as load:
        time.sleep(2)
        # SIGKILL the process itself, as a crash would: Docker restarts it (restart policy).
        # `docker kill` would count as a deliberate stop and leave it stopped.
        crashed_pid = inspect(workers[0])["State"]["Pid"]
        try:
            os.kill(crashed_pid, signal.SIGKILL)
        except PermissionError:  # a rootless engine: the engine has to send it
            run("docker", "kill", "--signal", "KILL", workers[0])
        time.sleep(2)
        run("docker", "stop", workers[1])
        time.sleep(3)
    errors = [r for r in load.results if r[2] is None or r[2] >= 400]
    log(f"SIGKILL and docker stop of a worker under load: {len(load.results)} requests, {len(errors)} failed")
    check(len(load.results) > 100, f"too little load: {len(load.results)} requests")
    check(not errors, f"{len(errors)} failed requests, e.g. {describe(errors[0]) if errors else ''}")
    stopped = inspect(workers[1])["State"]
    check(stopped["ExitCode"] == 0, f"docker stop of a worker: exit {stopped['ExitCode']}")
    run("docker", "start", workers[1])
    wait_healthy(["worker"])
    restarts = inspect(workers[0])["RestartCount"]
    log(f"the crashed worker was restarted by its restart policy ({restarts} restart)")


def data_ready(instances):
    return all(exec_in(c, "/app/data", "healthcheck").returncode == 0 for c in instances)


def restart_data(paths, token):
    instances = containers("data")
    with Load(paths, token) as load:
        time.sleep(1)
        stop_started = time.monotonic()
        compose("stop", "data")
        time.sleep(3)
        compose("start", "data")
        while not data_ready(instances):
            check(time.monotonic() - stop_started < 90, "data service not ready within 90 s of its restart")
            time.sleep(0.1)
        returned = time.monotonic()
        time.sleep(RECOVERY + 3)
        end = time.monotonic()
    results = load.between(stop_started, end)
    bad = []
    refused = [r for r in results if r[2] == 503]
    for result in results:
        start, finish, status, retry_after, error = result
        ok = status is not None and 200 <= status < 300
        fast_refusal = status == 503 and retry_after is not None and finish - start <= FAST_REFUSAL
        if not ok and not fast_refusal:
            bad.append(result)
    late = [r for r in results if r[0] > returned + RECOVERY and not (r[2] is not None and 200 <= r[2] < 300)]
    after = [r for r in results if r[0] > returned + RECOVERY]
    last_refusal = max((r[0] for r in results if not (r[2] is not None and 200 <= r[2] < 300)), default=stop_started)
    log(f"data stopped and started under load: {len(results)} requests, {len(refused)} fast 503s with Retry-After, "
        f"last refusal {last_refusal - returned:+.2f} s from the data service's return")
    check(refused, "no 503 while the data service was stopped (the load did not reach it?)")
    check(not bad, f"{len(bad)} requests were neither 2xx nor a fast 503 with Retry-After, e.g. {describe(bad[0]) if bad else ''}")
    check(after and not late, f"{len(late)} of {len(after)} requests failed later than {RECOVERY} s after the data service returned")


def stop_all():
    services = {c: s for s in ("edge", "worker", "data", "postgres") for c in containers(s)}
    started = time.monotonic()
    compose("stop", timeout=300)
    elapsed = time.monotonic() - started
    for container, service in services.items():
        state = inspect(container)["State"]
        check(state["ExitCode"] == 0, f"{service} {container[:12]} exited {state['ExitCode']} on docker compose stop")
    check(elapsed < GRACE, f"docker compose stop took {elapsed:.1f} s (grace period {GRACE} s)")
    log(f"docker compose stop: {len(services)} containers exited 0 in {elapsed:.1f} s")


def main():
    require_engine()
    try:
        with Step("clean leftovers"):
            compose("down", "-v", "--remove-orphans", check_status=False)
        with Step("build images"):
            compose("build", capture=False)
        with Step("up, until healthy"):
            compose("up", "-d")
            wait_healthy(["postgres", "data", "worker", "edge"])
        with Step("image sizes"):
            image_sizes()
        with Step("unprivileged, on the event loops"):
            check_processes()
        with Step("register, log in, post, read, log out"):
            paths, token = api_walkthrough()
        with Step("scale to 3 workers and 2 data services under load"):
            scale_up(paths, token)
        with Step("SIGKILL one worker and docker stop another under load"):
            kill_workers(paths, token)
        with Step("stop and start the data service under load"):
            restart_data(paths, token)
        with Step("docker compose stop"):
            stop_all()
    except AssertionError as error:
        if str(error) not in failures:
            failures.append(str(error))
        for service in ("edge", "worker", "data"):
            for container in containers(service):
                output = run("docker", "logs", "--tail", "12", container, check_status=False)
                log(f"last log lines of {service} {container[:12]}:\n{output}")
    finally:
        with Step("down -v"):
            compose("down", "-v", "--remove-orphans", check_status=False)
        log("timings: " + ", ".join(f"{name} {elapsed:.1f} s{'' if ok else ' (failed)'}" for name, elapsed, ok in timings))
    if failures:
        for failure in failures:
            log(f"FAIL: {failure}")
        sys.exit(1)
    log("PASS")


EDGE_PORT = free_port()
ENV = dict(os.environ)
ENV.update({
    "JWT_SECRET": secrets.token_hex(32),
    "RPC_SECRET": secrets.token_hex(32),
    "POSTGRES_PASSWORD": secrets.token_hex(16),
    "EDGE_BIND": "127.0.0.1",
    "EDGE_PORT": str(EDGE_PORT),
})

if __name__ == "__main__":
    main()
