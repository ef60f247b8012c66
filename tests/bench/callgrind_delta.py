#!/usr/bin/env python3
"""Marginal instructions per unit of work from two callgrind runs (N and 2N).

usage: callgrind_delta.py SMALL.cg LARGE.cg N [--calls FUNC,...] [--incl FUNC,...] [--top K] [--tag TAG]

Each .cg is callgrind's output of the same command over N and 2N units of
work; the difference of their instruction counts, divided by N, is what one
more unit costs, start-up excluded. Per function: callgrind_annotate's self
cost, keyed by function name, so that code inlined from a header (a line
"hash.h:same_question" without an object) counts to the function it was
inlined into, as "col.c:same_question" does (tests/bench/instructions.sh
keys by file and function and leaves inlined lines out of its "dnsvolley's
code" sum; this script sums every line). With --toggle-collect, the totals
are those of the toggled function and everything it calls.
--calls FUNC,...: also the calls of each FUNC per unit (from the .cg's calls= lines).
--incl FUNC,...: also the inclusive cost of each FUNC per unit (FUNC and all it calls).
"""
import re
import subprocess
import sys


def annotate(path, inclusive=False):
    cmd = ["callgrind_annotate", "--threshold=100"] + (["--inclusive=yes"] if inclusive else []) + [path]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    total, fns = 0, {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+) \(100.0%\)\s+PROGRAM TOTALS", line)
        if m:
            total = int(m.group(1).replace(",", ""))
            continue
        m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(\S+?):(\S+)(?:\s+\[(.*)\])?\s*$", line)
        if not m:
            continue
        fn = m.group(3)
        if fn.startswith("0x"):  # an object without symbols: name it by the object
            fn = (m.group(4) or "?").rsplit("/", 1)[-1] + ":" + fn
        v = int(m.group(1).replace(",", ""))
        # Inclusive: the function's own line (lines of code inlined into it are within it).
        fns[fn] = max(fns.get(fn, 0), v) if inclusive else fns.get(fn, 0) + v
    return total, fns


def calls(path, func):
    """Calls of func in a callgrind out file (names may be compressed: "(id) name")."""
    names, n, pending = {}, 0, False
    with open(path) as f:
        for line in f:
            m = re.match(r"(c?)fn=(?:\((\d+)\))? ?(.*)", line.rstrip("\n"))
            if m:
                name = m.group(3)
                if m.group(2):  # compressed: "(id) name" the first time, "(id)" after
                    if name:
                        names[m.group(2)] = name
                    name = names.get(m.group(2))
                pending = m.group(1) == "c" and name == func
            elif line.startswith("calls=") and pending:
                n += int(line[6:].split()[0])
                pending = False
    return n


def main():
    args = sys.argv[1:]
    opt = {"--calls": None, "--incl": "", "--top": "10", "--tag": ""}
    pos = []
    while args:
        a = args.pop(0)
        if a in opt:
            opt[a] = args.pop(0)
        else:
            pos.append(a)
    small, large, n = pos[0], pos[1], int(pos[2])
    (t1, f1), (t2, f2) = annotate(small), annotate(large)
    line = f"   {opt['--tag']:12s} {(t2 - t1) / n:8.1f} instructions per unit"
    for fn in filter(None, (opt["--calls"] or "").split(",")):
        line += f", {(calls(large, fn) - calls(small, fn)) / n:.3f} calls of {fn}"
    print(line)
    if opt["--incl"]:
        (_, i1), (_, i2) = annotate(small, True), annotate(large, True)
        print("                inclusive: " + ", ".join(
            f"{k} {(i2.get(k, 0) - i1.get(k, 0)) / n:.1f}" for k in opt["--incl"].split(",")))
    rows = sorted((((f2.get(k, 0) - f1.get(k, 0)) / n, k) for k in set(f1) | set(f2)), reverse=True)
    for v, k in rows[: int(opt["--top"])]:
        print(f"                {v:8.1f}  {k}")


if __name__ == "__main__":
    main()
