#!/usr/bin/python3
"""Checks the module graph (docs/architecture.md) against the build and the code.

1. The USES of every ctscale_add_module() call in src/<module>/CMakeLists.txt, the single
   source of truth, equal the "uses" column of the table in docs/architecture.md.
2. Every `#include "ctscale/<other>/..."` in src/<module>/ and include/ctscale/<module>/
   names the module itself or one it may use (its USES and theirs). The link check of the
   build (-z defs) catches calls into a forbidden module; this also catches header-only
   code (templates, inline functions) that the linker never sees.

Prints one line per violation and exits 1 if there is any.
usage: check-module-graph.py [REPO]
"""
import glob
import os
import re
import sys

REPO = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))


def cmake_graph():
    graph = {}
    for path in sorted(glob.glob(os.path.join(REPO, "src", "*", "CMakeLists.txt"))):
        text = re.sub(r"#[^\n]*", "", open(path).read())
        for call in re.findall(r"ctscale_add_module\(([^)]*)\)", text):
            words = call.split()
            uses, section = [], None
            for word in words[1:]:
                if word in ("SOURCES", "USES", "LIBRARIES"):
                    section = word
                elif section == "USES":
                    uses.append(word)
            graph[words[0]] = set(uses)
    return graph


def documented_graph():
    text = open(os.path.join(REPO, "docs", "architecture.md")).read()
    table = text.split("<!-- module-graph: begin -->")[1].split("<!-- module-graph: end -->")[0]
    graph = {}
    for line in table.strip().splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        graph[cells[0]] = set(cells[1].split())
    return graph


def closure(graph, module):
    seen, stack = set(), [module]
    while stack:
        for used in graph.get(stack.pop(), ()):
            if used not in seen:
                seen.add(used)
                stack.append(used)
    return seen


def include_violations(graph):
    problems = []
    for module in sorted(graph):
        allowed = closure(graph, module) | {module, "util"}
        files = glob.glob(os.path.join(REPO, "src", module, "*")) + glob.glob(
            os.path.join(REPO, "include", "ctscale", module, "*"))
        for path in sorted(files):
            if not path.endswith((".cpp", ".hpp")):
                continue
            for number, line in enumerate(open(path), 1):
                found = re.match(r'\s*#include "ctscale/([a-z0-9_]+)/', line)
                if found and found.group(1) not in allowed:
                    problems.append(f"{os.path.relpath(path, REPO)}:{number}: module {module} includes "
                                    f"{found.group(1)}, which it may not use")
    return problems


def main():
    built, documented = cmake_graph(), documented_graph()
    problems = []
    for module in sorted(set(built) | set(documented)):
        if built.get(module) != documented.get(module):
            problems.append(f"docs/architecture.md: module {module} uses {sorted(documented.get(module, []))}, "
                            f"but src/{module}/CMakeLists.txt says {sorted(built.get(module, []))}")
    problems += include_violations(built)
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"module graph: {len(built)} modules, documentation and includes agree with the build")
    return 0


if __name__ == "__main__":
    sys.exit(main())
