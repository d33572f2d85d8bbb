#!/usr/bin/env bash
# Sets the release the Kubernetes manifests deploy: the version tag of the three images (and,
# if given, the repository they are pulled from) and the migrate Job's name and version label,
# which must change together (docs/operations.md, "Kubernetes"). Then checks the result.
#
#   scripts/set-deploy-version.sh 1.4.0                              # microposts/edge:1.4.0 ...
#   scripts/set-deploy-version.sh 1.4.0 registry.example.com/microposts
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 VERSION [IMAGE_REPOSITORY_PREFIX]" >&2
    exit 2
fi
version="$1"
prefix="${2:-}"
# A Docker tag that is also a label value, short enough for the Job's name (63 characters
# with its 19-character prefix), and never `latest`.
if ! [[ "$version" =~ ^[0-9A-Za-z]([0-9A-Za-z._-]{0,42}[0-9A-Za-z])?$ ]] || [ "$version" = latest ]; then
    echo "$0: '$version' is not a release version (letters, digits, . _ -; at most 44; not latest)" >&2
    exit 2
fi

python3 - "$version" "$prefix" deploy/kubernetes/*.yaml <<'PY'
import re
import sys

version, prefix, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
job = "microposts-migrate-" + re.sub(r"[^a-z0-9-]", "-", version.lower())
for path in paths:
    with open(path) as f:
        text = f.read()
    new = re.sub(
        r"(?m)^(\s*image:\s*)(\S+)/(edge|worker|data):[^\s@]+(@sha256:[0-9a-f]+)?$",
        lambda m: f"{m[1]}{prefix or m[2]}/{m[3]}:{version}", text)
    new = re.sub(r"(?m)^(\s*name:\s*)microposts-migrate-\S+$", rf"\g<1>{job}", new)
    new = re.sub(r'(?m)^(\s*app\.kubernetes\.io/version:\s*)"[^"]*"$', rf'\g<1>"{version}"', new)
    if new != text:
        with open(path, "w") as f:
            f.write(new)
        print(f"{path}: release {version}")
PY
python3 scripts/check-deploy-manifests.py
