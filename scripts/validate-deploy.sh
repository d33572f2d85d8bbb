#!/usr/bin/env bash
# Checks what can be checked without a container engine or a cluster:
# - the compose file parses and resolves, with the observability profile's services too
#   (docker-compose config);
# - every Kubernetes manifest, and the example Secret, matches the API schema
#   (kubernetes-validate --strict rejects unknown fields too);
# - scripts/check-deploy-manifests.py: no Secret among the applied manifests, no replicas
#   under an autoscaler, one pinned release version with its migrate Job, the edge's front;
# - checkov's Kubernetes checks, but for those skipped, each with its reason, in
#   deploy/checkov.yaml;
# - hadolint on deploy/Dockerfile with deploy/hadolint.yaml;
# - deploy/observability: promtool checks the Prometheus configuration and the alert rules and
#   runs the rules' unit tests; scripts/check-observability.py checks that every metric the
#   rules and the Grafana dashboard query is one the services export, and that the tracing
#   path holds together (every service gets OTEL_EXPORTER_OTLP_ENDPOINT, the collector's
#   configuration defines what its pipelines use, its exporters and Grafana's data sources
#   name compose services). No collector binary here: its configuration is checked as YAML.
# checkov and hadolint live in their own virtualenvs (.ci/run installs them); CHECKOV and
# HADOLINT name other executables.
set -euo pipefail
cd "$(dirname "$0")/.."

CHECKOV="${CHECKOV:-/opt/checkov-3.3.30/bin/checkov}"
HADOLINT="${HADOLINT:-/opt/hadolint-2.15.1/bin/hadolint}"

missing() {
    echo "validate-deploy: $1 (.ci/run installs it)" >&2
    exit 1
}
command -v docker-compose >/dev/null || missing "docker-compose not found"
command -v promtool >/dev/null || missing "promtool not found (Debian's prometheus package)"
python3 -c "import kubernetes_validate, yaml" 2>/dev/null || missing "python3 module kubernetes_validate not found"
[ -x "$CHECKOV" ] || missing "checkov not found at $CHECKOV (set CHECKOV)"
[ -x "$HADOLINT" ] || missing "hadolint not found at $HADOLINT (set HADOLINT)"

# The compose file requires its secrets from the environment; dummy values, for this command
# only, let it resolve.
JWT_SECRET=validate-only POSTGRES_PASSWORD=validate-only RPC_SECRET=validate-only \
    docker-compose -f docker-compose.yml --profile observability config --quiet
echo "docker-compose.yml: valid (with --profile observability)"

python3 -m kubernetes_validate --strict --quiet deploy/kubernetes/*.yaml deploy/secrets.example.yaml
echo "deploy/kubernetes, deploy/secrets.example.yaml: valid"

python3 scripts/check-deploy-manifests.py
echo "deploy/kubernetes: release, Secret, autoscaler, edge front and skip-list checks pass"

# --skip-download: no network calls for check metadata (doc links, severities).
"$CHECKOV" --config-file deploy/checkov.yaml --directory deploy/kubernetes --framework kubernetes \
    --compact --quiet --skip-download
echo "deploy/kubernetes: $CHECKOV passes (skips: deploy/checkov.yaml)"

"$HADOLINT" --config deploy/hadolint.yaml --no-color deploy/Dockerfile
echo "deploy/Dockerfile: $HADOLINT passes (ignores: deploy/hadolint.yaml)"

(cd deploy/observability && promtool check config --syntax-only prometheus.yml >/dev/null && promtool check rules alerts.yml >/dev/null \
    && promtool test rules alerts.test.yml >/dev/null)
echo "deploy/observability: promtool check config, check rules and test rules pass"
python3 scripts/check-observability.py
