#!/usr/bin/env bash
# Checks what can be checked without a container engine: the compose file parses and
# resolves (docker-compose config), and every Kubernetes manifest matches the API schema
# (kubernetes-validate --strict rejects unknown fields too).
set -euo pipefail
cd "$(dirname "$0")/.."

docker-compose -f docker-compose.yml config --quiet
echo "docker-compose.yml: valid"
python3 -m kubernetes_validate --strict --quiet deploy/kubernetes/*.yaml
echo "deploy/kubernetes: valid"
