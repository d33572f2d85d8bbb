#!/usr/bin/env python3
"""Checks on deploy/ that neither the Kubernetes schema nor checkov makes: the ones that keep
the defects of issue 13 from coming back. Run by scripts/validate-deploy.sh; needs PyYAML
(installed with kubernetes-validate). Prints one line per problem and exits 1 if any."""
import glob
import re
import sys

import yaml

MANIFESTS = sorted(glob.glob("deploy/kubernetes/*.yaml"))
SECRET_EXAMPLE = "deploy/secrets.example.yaml"
SKIP_LISTS = {"deploy/checkov.yaml": "skip-check", "deploy/hadolint.yaml": "ignored"}

problems = []


def problem(where, text):
    problems.append(f"{where}: {text}")


def load(path):
    with open(path) as f:
        return [doc for doc in yaml.safe_load_all(f) if doc]


def pod_spec(doc):
    if doc["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        return doc["spec"]["template"]["spec"]
    return None


def job_name_for(version):
    return "microposts-migrate-" + re.sub(r"[^a-z0-9-]", "-", version.lower())


documents = [(path, doc) for path in MANIFESTS for doc in load(path)]

# The real Secret is created by hand; a Secret here would overwrite it on every apply.
for path, doc in documents:
    if doc["kind"] == "Secret":
        problem(path, f"Secret {doc['metadata']['name']} belongs outside deploy/kubernetes/ (see {SECRET_EXAMPLE})")

# An autoscaled Deployment must not set replicas: every apply would reset the HPA's count.
scaled = {doc["spec"]["scaleTargetRef"]["name"] for _, doc in documents if doc["kind"] == "HorizontalPodAutoscaler"}
for path, doc in documents:
    if doc["kind"] == "Deployment" and doc["metadata"]["name"] in scaled and "replicas" in doc["spec"]:
        problem(path, f"Deployment {doc['metadata']['name']} sets replicas under a HorizontalPodAutoscaler")

# One pinned release version on every image, and the migrate Job named after it.
versions = set()
for path, doc in documents:
    spec = pod_spec(doc)
    if spec is None:
        continue
    for container in spec.get("initContainers", []) + spec["containers"]:
        image = container.get("image", "")
        match = re.fullmatch(r"(?P<name>[^:@\s]+(?::\d+/[^:@\s]+)?):(?P<tag>[\w][\w.-]{0,127})(@sha256:[0-9a-f]{64})?", image)
        if not match or match["tag"] == "latest":
            problem(path, f"{doc['kind']} {doc['metadata']['name']}: image {image!r} needs a pinned version tag, not latest")
        elif re.search(r"/(edge|worker|data)$", match["name"]):
            versions.add(match["tag"])
if len(versions) > 1:
    problem("deploy/kubernetes", f"the services' images carry different versions {sorted(versions)}; use scripts/set-deploy-version.sh")
if len(versions) == 1:
    version = versions.pop()
    jobs = [(path, doc) for path, doc in documents if doc["kind"] == "Job"]
    if not jobs:
        problem("deploy/kubernetes", "no migrate Job")
    for path, doc in jobs:
        labels = [doc["metadata"].get("labels", {}), doc["spec"]["template"]["metadata"].get("labels", {})]
        if len(job_name_for(version)) > 63:
            problem(path, f"release version {version} is too long for the Job's name (63 characters at most)")
        if doc["metadata"]["name"] != job_name_for(version):
            problem(path, f"Job {doc['metadata']['name']} must be named {job_name_for(version)} for release {version}")
        if any(l.get("app.kubernetes.io/version") != version for l in labels):
            problem(path, f"Job {doc['metadata']['name']} and its pods need the label app.kubernetes.io/version: \"{version}\"")

# The edge sits behind a plain L4 load balancer: the peer address is the client, trust no one.
for path, doc in documents:
    if doc["kind"] == "Service" and doc["spec"].get("type") == "LoadBalancer":
        if doc["spec"].get("externalTrafficPolicy") != "Local":
            problem(path, f"Service {doc['metadata']['name']}: a LoadBalancer needs externalTrafficPolicy: Local to keep client addresses")
        selector = doc["spec"]["selector"]
        for p, d in documents:
            if d["kind"] == "Deployment" and all(d["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in selector.items()):
                for container in pod_spec(d)["containers"]:
                    if any(e["name"] == "TRUSTED_PROXIES" for e in container.get("env", [])):
                        problem(p, f"{d['metadata']['name']} behind an L4 LoadBalancer must not set TRUSTED_PROXIES")

# The example Secret's values are placeholders the services refuse.
for doc in load(SECRET_EXAMPLE):
    for key, value in (doc.get("stringData") or {}).items():
        if "change-me" not in value:
            problem(SECRET_EXAMPLE, f"{key}: an example value must contain 'change-me'")

# Every skipped check and ignored rule says why, on its own line.
for path, key in SKIP_LISTS.items():
    in_list = False
    for number, line in enumerate(open(path), 1):
        if re.match(rf"{key}:\s*$", line):
            in_list = True
        elif in_list and re.match(r"\s+-\s", line):
            if not re.search(r"#\s*\S", line):
                problem(f"{path}:{number}", f"{line.split('#')[0].strip().lstrip('- ')} has no reason (a comment on its line)")
        elif in_list and line.strip() and not line.lstrip().startswith("#"):
            in_list = False

for text in problems:
    print(text, file=sys.stderr)
sys.exit(1 if problems else 0)
