#!/usr/bin/env python3
"""Turns the raw results of bench/table.sh (one directory) into one markdown
table: a row per workload, a column per runner, medians with the ratio to
none of the same session."""
import json
import os
import statistics
import sys
from collections import defaultdict

out = sys.argv[1]
cols = ["none", "tend", "tend-no-prefix", "gomin", "foreman"]
rows = []  # (workload, {runner: text})


def cheapsink(procs):
    path = os.path.join(out, f"cheapsink-{procs}.txt")
    if not os.path.exists(path):
        return
    vals = {}
    for line in open(path):
        f = line.split()
        if not f:
            continue
        kv = dict(x.split("=", 1) for x in f[1:] if "=" in x)
        vals[f[0]] = (kv["lines_per_s"], float(kv["x_none"]))
    cells = {r: f"{v[0]} lines/s" + ("" if r == "none" else f" ({v[1]:.2f}×)") for r, v in vals.items()}
    rows.append((f"{procs} process{'es' if procs > 1 else ''} × {1000000 // procs:,} lines, cheap sink", cells))


def jsonl(name):
    by = defaultdict(list)
    path = os.path.join(out, name)
    if os.path.exists(path):
        for line in open(path):
            r = json.loads(line)
            by[(r["variant"], r["runner"])].append(r["m"])
    return by


def children(n, what=""):
    return f"1 {what}child" if n == "1" else f"{n} {what}children"


def med(ms, key):
    vals = [m[key] for m in ms if key in m]
    return statistics.median(vals) if vals else None


def metric_row(by, variant, key, label, fmt, lower_is_better=True):
    base = med(by.get((variant, "none"), []), key)
    cells = {}
    for (v, runner), ms in by.items():
        if v != variant:
            continue
        m = med(ms, key)
        if m is None:
            continue
        text = fmt(m)
        if runner != "none" and base:
            text += f" ({m / base:.2f}×)"
        cells[runner] = text
    if cells:
        rows.append((label, cells))


cheapsink(1)
cheapsink(4)

tp = jsonl("throughput.jsonl")
for variant, label in [("one", "1 × 1M lines, validating sink"), ("four", "4 × 250k lines, validating sink")]:
    base = med(tp.get((variant, "none"), []), "lines_per_s")
    cells = {}
    for (v, runner), ms in tp.items():
        if v != variant:
            continue
        lps = med(ms, "lines_per_s")
        bad = sum(m.get("missing", 0) + m.get("bad_merged", 0) + m.get("bad_short", 0) + m.get("bad_glued", 0) for m in ms)
        text = f"{lps / 1e6:.2f} M/s"
        if runner != "none" and base:
            text += f" ({lps / base:.2f}×)"
        text += f", {bad:.0f} lost/merged/cut"
        cells[runner] = text
    if cells:
        rows.append((label, cells))
for variant, label in [("big", "one 1 MiB line"), ("bigeof", "one 1 MiB line, no final newline"), ("burst", "10,000-line burst at start")]:
    cells = {}
    for (v, runner), ms in tp.items():
        if v == variant:
            bad = sum(m.get("missing", 0) + m.get("bad_merged", 0) + m.get("bad_short", 0) + m.get("bad_glued", 0) for m in ms)
            cells[runner] = "intact" if bad == 0 else f"{bad:.0f} lost/merged/cut"
    if cells:
        rows.append((label, cells))

lc = jsonl("lifecycle.jsonl")
ms_fmt = lambda m: f"{m:.1f} ms"
for n in ("1", "100"):
    metric_row(lc, n, "shutdown_ms", f"SIGTERM → exit, {children(n)}", ms_fmt)
for n in ("1", "1000"):
    metric_row(lc, n, "spawn_first_ms", f"first child exec'd, {children(n)}", ms_fmt)
metric_row(lc, "1000", "spawn_all_ms", "all 1000 children exec'd", ms_fmt)

idle = jsonl("idle.jsonl")
for n in ("1", "50", "1000"):
    metric_row(idle, n, "rss_kb", f"RSS, {children(n, 'idle ')}", lambda m: f"{m / 1024:.1f} MB")
metric_row(idle, "50", "idle_cpu_ms", "CPU per 5 s, 50 idle children", lambda m: f"{m:.1f} ms")

exec_path = os.path.join(out, "exec.json")
if os.path.exists(exec_path):
    res = json.load(open(exec_path))["results"]
    tini = next((r["median"] for r in res if r["command"].startswith("tini")), None)
    cells = {}
    for r in res:
        name = r["command"].split()[0].rsplit("/", 1)[-1]
        text = f"{r['median'] * 1000:.1f} ms"
        if tini and name == "tend":
            text += f" ({r['median'] / tini:.1f}× tini)"
        cells[name] = text
    rows.append(("exec mode: `-- /bin/true` (tini, dumb-init in the none column)", {
        "none": ", ".join(f"{k} {v}" for k, v in cells.items() if k != "tend"), "tend": cells.get("tend", "")}))

present = [c for c in cols if any(c in cells for _, cells in rows)]
print("| workload | " + " | ".join(present) + " |")
print("|---|" + "---|" * len(present))
for label, cells in rows:
    print(f"| {label} | " + " | ".join(cells.get(c, "") for c in present) + " |")
