#!/usr/bin/env python3
"""The house's include order: every `#include "dir/file.h"` in lib/ and app/
must point down the layers below, and no header may reach itself again.

    core                      depends on nothing of ours
    wire, net                 core
    tcp                       core, wire            (the TCP client's state machine)
    config                    core, wire
    metrics                   core, wire, config   (counters, histograms, results)
    engine                    core, wire, net, tcp, config, metrics, xdp
    report                    core, wire, config, metrics (results, never the engine)
    analyze                   core, wire, report    (report's gnuplot runner and HTML page)
    app                       anything: it wires config -> engine -> report

Prints one line per violation and exits 1; exits 0 when the house is in order.
"""
import os
import re
import sys

ALLOWED = {
    "core": set(),
    "wire": {"core"},
    "net": {"core"},
    "tcp": {"core", "wire"},
    "xdp": set(),
    "config": {"core", "wire"},
    "check": {"core", "wire"},
    "analyze": {"core", "wire", "report"},
    "metrics": {"core", "wire", "config", "check"},
    "engine": {"core", "wire", "net", "tcp", "config", "metrics", "xdp", "check"},
    "report": {"core", "wire", "config", "metrics", "check"},
    "app": {"core", "wire", "net", "tcp", "config", "metrics", "engine", "report", "xdp", "check", "analyze"},
}
GENERATED = {"dv_config.h"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(rel):
    """lib/engine/features/x.c -> engine; app/main.c -> app."""
    parts = rel.split("/")
    return parts[1] if parts[0] == "lib" else parts[0]


def main(root):
    files = {}
    for top in ("lib", "app"):
        for d, _, names in os.walk(os.path.join(root, top)):
            for n in names:
                if n.endswith((".c", ".h", ".def")):
                    p = os.path.join(d, n)
                    files[os.path.relpath(p, root)] = p
    bad = []
    graph = {}
    for rel, path in sorted(files.items()):
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        mine = layer_of(rel)
        if mine not in ALLOWED:
            bad.append(f"{rel}: directory '{mine}' is not in the layer table (tests/layout/check_includes.py)")
            continue
        for inc in INCLUDE.findall(text):
            if inc in GENERATED:
                continue
            target = "lib/" + inc
            if mine == "app" and "app/" + inc in files:
                continue  # the app's own wiring files (app/check_datapath.h)
            if target not in files:
                bad.append(f"{rel}: includes \"{inc}\", which is not a file of lib/")
                continue
            theirs = layer_of(target)
            if theirs != mine and theirs not in ALLOWED[mine]:
                bad.append(f"{rel}: includes \"{inc}\": {mine} may not depend on {theirs}")
            graph.setdefault(rel, []).append(target)
    # A cycle among headers (a.h -> b.h -> a.h), found by depth-first search.
    state = {}

    def visit(node, stack):
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cyc = stack[stack.index(nxt):] + [nxt]
                bad.append("include cycle: " + " -> ".join(cyc))
            elif state.get(nxt) is None:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if state.get(node) is None:
            visit(node, [])
    for line in bad:
        print(line)
    print(f"{len(files)} files, {sum(len(v) for v in graph.values())} includes, {len(bad)} against the order")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("DV_SOURCE_ROOT", ".")))
