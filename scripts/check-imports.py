#!/usr/bin/env python3
"""Every module a target imports is one it declares: a target of this package or a product of
a dependency named in its `dependencies` (SwiftPM builds an undeclared one anyway when another
target pulls it in, so the mistake only shows when that other target changes). Toolchain
modules (the standard library, Foundation, Glibc, XCTest, …) need no declaration.

    scripts/check-imports.py        (exit 1 and a list when a target imports what it does not declare)
"""
import json
import os
import re
import subprocess
import sys

TOOLCHAIN = {
    "Swift", "Foundation", "FoundationEssentials", "FoundationNetworking", "Glibc", "Musl", "Darwin", "XCTest",
    "Dispatch", "Synchronization", "_Concurrency", "os", "Testing", "CoreFoundation",
}
IMPORT = re.compile(
    r"^\s*(?:@[A-Za-z_]+(?:\([^)]*\))?\s+)*(?:public |package |internal |fileprivate |private )?import\s+"
    r"(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)",
    re.M)


def main() -> int:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    package = json.loads(subprocess.check_output(["swift", "package", "dump-package"], cwd=root))
    targets = {target["name"]: target for target in package["targets"]}
    problems = []
    for name, target in sorted(targets.items()):
        declared = {name}
        for dependency in target.get("dependencies", []):
            for kind in ("byName", "target", "product"):
                if kind in dependency:
                    declared.add(dependency[kind][0])
        folder = os.path.join(root, target.get("path") or os.path.join("Sources", name))
        excluded = {os.path.normpath(os.path.join(folder, path)) for path in target.get("exclude", [])}
        for directory, _, files in os.walk(folder):
            if any(directory == path or directory.startswith(path + os.sep) for path in excluded):
                continue
            for file in files:
                if not file.endswith(".swift"):
                    continue
                path = os.path.join(directory, file)
                with open(path, encoding="utf-8") as source:
                    for module in IMPORT.findall(source.read()):
                        if module not in declared and module not in TOOLCHAIN:
                            problems.append(f"{os.path.relpath(path, root)}: imports {module}, which target {name} does not declare")
    for problem in sorted(set(problems)):
        print(problem)
    if problems:
        return 1
    print(f"imports: every module imported by the {len(targets)} targets is declared")
    return 0


if __name__ == "__main__":
    sys.exit(main())
