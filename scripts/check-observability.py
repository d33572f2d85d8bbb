#!/usr/bin/env python3
"""Every metric the alert rules and the Grafana dashboard in deploy/observability query is one
the services export (a `label: "…"` of a swift-metrics instrument in Shared/ or Services/), so a
renamed metric cannot leave an alert that never fires or a panel that stays empty.

And the tracing path holds together: every service built from deploy/Dockerfile in
docker-compose.yml gets OTEL_EXPORTER_OTLP_ENDPOINT (empty by default: tracing off); the
collector's configuration (deploy/observability/otel-collector.yaml) defines every component
its pipelines use and takes OTLP/HTTP on 4318; and the collector's exporters and the Grafana
data sources name services of the compose file.

    scripts/check-observability.py
"""
import glob
import json
import os
import re
import sys
from urllib.parse import urlsplit

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Prometheus's own series, and what PromQL adds to a histogram's name.
BUILT_IN = {"up"}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset", "le", "inf"}


def exported() -> set:
    names = set()
    for path in glob.glob(os.path.join(ROOT, "Shared/**/*.swift"), recursive=True) + glob.glob(
            os.path.join(ROOT, "Services/**/*.swift"), recursive=True):
        with open(path, encoding="utf-8") as source:
            names.update(re.findall(r'label: "([a-z_:][a-z0-9_:]*)"', source.read()))
    return names


def metrics_in(expression: str) -> set:
    text = re.sub(r'"(?:[^"\\]|\\.)*"', "", expression)  # strings
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)  # label lists
    text = re.sub(r"\[[^\]]*\]", "", text)  # ranges
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        name = match.group(0)
        following = text[match.end():].lstrip()
        if following.startswith("(") or name.lower() in KEYWORDS or name.startswith("$"):
            continue
        if text[max(0, match.start() - 1)] == "$":  # a Grafana variable such as $__rate_interval
            continue
        names.add(name)
    return names


def tracing_problems() -> list:
    """The compose file, the collector's configuration and the Grafana data sources agree."""
    problems = []
    with open(os.path.join(ROOT, "docker-compose.yml"), encoding="utf-8") as compose_file:
        services = yaml.safe_load(compose_file)["services"]
    for name, service in services.items():
        endpoint = (service.get("environment") or {}).get("OTEL_EXPORTER_OTLP_ENDPOINT")
        if "build" in service and endpoint != "${OTEL_EXPORTER_OTLP_ENDPOINT:-}":
            problems.append(f"docker-compose.yml: {name} needs OTEL_EXPORTER_OTLP_ENDPOINT: ${{OTEL_EXPORTER_OTLP_ENDPOINT:-}} (tracing off unless set)")
    where = "otel-collector.yaml"
    with open(os.path.join(ROOT, "deploy/observability/otel-collector.yaml"), encoding="utf-8") as config_file:
        config = yaml.safe_load(config_file)
    for pipeline, parts in config["service"]["pipelines"].items():
        for section in ("receivers", "processors", "exporters"):
            for component in parts.get(section, []):
                if component not in (config.get(section) or {}):
                    problems.append(f"{where}: pipeline {pipeline} uses {section[:-1]} {component}, which is not defined")
    http = (((config.get("receivers") or {}).get("otlp") or {}).get("protocols") or {}).get("http") or {}
    if http.get("endpoint") != "0.0.0.0:4318":
        problems.append(f"{where}: the otlp receiver must take OTLP/HTTP on 0.0.0.0:4318, where the services post")
    if "otel-collector" not in services:
        problems.append("docker-compose.yml: no otel-collector service (OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector:4318)")
    targets = [(f"{where}: exporter {name}", exporter["endpoint"]) for name, exporter in (config.get("exporters") or {}).items()
               if "endpoint" in (exporter or {})]
    for path in glob.glob(os.path.join(ROOT, "deploy/observability/grafana/provisioning/datasources/*.yml")):
        with open(path, encoding="utf-8") as datasources:
            targets += [(f"{os.path.basename(path)}: {source['name']}", source["url"]) for source in yaml.safe_load(datasources)["datasources"]]
    for what, endpoint in targets:
        host = urlsplit(endpoint if "//" in endpoint else "//" + endpoint).hostname
        if host not in services:
            problems.append(f"{what}: {endpoint} names no service of docker-compose.yml")
    return problems


def main() -> int:
    known = exported() | BUILT_IN
    expressions = []
    with open(os.path.join(ROOT, "deploy/observability/alerts.yml"), encoding="utf-8") as rules:
        for group in yaml.safe_load(rules)["groups"]:
            expressions += [(f"alerts.yml: {rule['alert']}", rule["expr"]) for rule in group["rules"]]
    for path in glob.glob(os.path.join(ROOT, "deploy/observability/grafana/dashboards/*.json")):
        with open(path, encoding="utf-8") as dashboard:
            for panel in json.load(dashboard)["panels"]:
                expressions += [(f"{os.path.basename(path)}: {panel['title']}", target["expr"]) for target in panel.get("targets", [])]
    problems = []
    for where, expression in expressions:
        for name in sorted(metrics_in(expression)):
            base = next((name[: -len(suffix)] for suffix in HISTOGRAM_SUFFIXES if name.endswith(suffix)), name)
            if name not in known and base not in known:
                problems.append(f"{where}: no service exports '{name}'")
    tracing = tracing_problems()
    for problem in problems + tracing:
        print(problem)
    if problems or tracing:
        return 1
    print(f"deploy/observability: {len(expressions)} queries use only exported metrics")
    print("deploy/observability: the services, the collector, Jaeger and Grafana's data sources agree on the tracing path")
    return 0


if __name__ == "__main__":
    sys.exit(main())
