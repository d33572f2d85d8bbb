#!/usr/bin/env python3
"""Every metric the alert rules and the Grafana dashboard in deploy/observability query is one
the services export (a `label: "…"` of a swift-metrics instrument in Shared/ or Services/), so a
renamed metric cannot leave an alert that never fires or a panel that stays empty.

    scripts/check-observability.py
"""
import glob
import json
import os
import re
import sys

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
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"deploy/observability: {len(expressions)} queries use only exported metrics")
    return 0


if __name__ == "__main__":
    sys.exit(main())
