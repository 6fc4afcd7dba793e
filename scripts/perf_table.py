#!/usr/bin/env python3
"""Turn hact_bench's Google Benchmark JSON into docs/performance.md.

Every figure comes from the JSON: the machine and the command from its context, and per benchmark
the median over repetitions (the "median" aggregate, or the median of the plain runs when the JSON
has no aggregates). Benchmark names, as bench/bench_kernels.cpp registers them:
    hact/<op>/<dir>/<isa>[/dtype:<t>]/n:<n>/threads:<t>   onednn/<op>/<dir>/n:<n>/threads:<t>
    plain/<op>/<dir>/n:<n>/threads:<t>   unfused/<op>/<dir>/n:<n>/threads:<t>
    copy/<2stream|3stream|5stream>/n:<n>/threads:<t>
(<dir>: fwd, bwd, bwd_params, and glufwd / glubwd for the GLU family; dtype f32 unless named.)
(Google Benchmark appends /real_time.) Standard library only.

usage: perf_table.py BENCH.json [-o docs/performance.md] [--command "how it was run"]
                     [--anchor-runs MORE.json ...]

--anchor-runs: JSON files of the same benchmarks run again in other processes (scripts/bench.sh
runs the oneDNN anchors in several). oneDNN's eltwise kernels run at a speed that is fixed for a
process and differs between processes on this machine (up to 3x for the same call,
experiments/onednn_process_modes.cpp), so each oneDNN anchor is taken from its fastest process:
the comparison is against what oneDNN can do, not against an unlucky process.
"""
import argparse
import json
import statistics
import sys
from pathlib import Path

DIRS = ["fwd", "bwd", "bwd_params", "glufwd", "glubwd"]
ROOFLINE = {"fwd": "2stream", "bwd": "3stream", "bwd_params": "2stream",  # same bytes moved
            "glufwd": "3stream", "glubwd": "5stream"}
STREAMS = {"fwd": 2, "bwd": 3, "bwd_params": 2, "glufwd": 3, "glubwd": 5, "2stream": 2, "3stream": 3,
           "5stream": 5}
TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}

# The bars: (a) vs oneDNN at cache sizes; (b), (c) vs the copy roofline at DRAM size.
BAR_A = dict(ops=["silu", "swish"], isa="avx512", levels=["L1", "L2"], threads=1, need=2.0)
BAR_B = dict(dir="fwd", level="DRAM", threads=[1, 2], need=0.90)
BAR_C = dict(dir="bwd", level="DRAM", threads=[1, 2], need=0.90)
BAR_D = dict(need=1.0)  # every op with a oneDNN counterpart, best ISA, every size and thread count
BAR_E = dict(glu="swiglu", level="DRAM", threads=[1, 2], need=1.3)  # fused vs silu + multiply
BAR_F = dict(dtypes=["bf16", "f16"], dram_need=0.9, cache_levels=["L1", "L2"], cache_need=1.0)


def parse_name(run_name):
    """'hact/silu/fwd/avx512/n:4096/threads:1/real_time' -> dict(impl, op, dir, isa, n, threads)."""
    parts = [p for p in run_name.split("/") if p not in ("real_time", "process_time")]
    keys = dict(p.split(":", 1) for p in parts if ":" in p)
    pos = [p for p in parts if ":" not in p]
    impl = pos[0]
    d = dict(impl=impl, n=int(keys["n"]), threads=int(keys["threads"]), op=None, dir=None, isa=None,
             dtype=keys.get("dtype", "f32"))
    if impl == "copy":
        d["dir"] = pos[1]  # 2stream / 3stream
    else:
        d["op"], d["dir"] = pos[1], pos[2]
        if impl == "hact":
            d["isa"] = pos[3]
    return d


def load(path):
    """The context, and one record per benchmark: its key fields plus median figures."""
    data = json.loads(Path(path).read_text())
    groups = {}
    # In registration order (the suite's: registry ops, directions, sizes), not the JSON's, which
    # is shuffled when repetitions are interleaved at random.
    order = lambda b: (b.get("family_index", 0), b.get("per_family_instance_index", 0))
    for b in sorted(data["benchmarks"], key=order):
        groups.setdefault(b.get("run_name", b["name"]), []).append(b)
    records = []
    for run_name, runs in groups.items():
        rec = parse_name(run_name)
        rec["name"] = run_name
        errors = [r for r in runs if r.get("error_occurred")]
        if errors:
            rec["error"] = errors[0].get("error_message", "error")
            records.append(rec)
            continue
        agg = {r["aggregate_name"]: r for r in runs if r.get("run_type") == "aggregate"}
        plain = [r for r in runs if r.get("run_type", "iteration") == "iteration"]
        ns = lambda r: r["real_time"] * TO_NS[r.get("time_unit", "ns")]
        if "median" in agg:
            m = agg["median"]
            rec.update(time_ns=ns(m), items=m["items_per_second"], bytes=m["bytes_per_second"],
                       reps=m.get("repetitions", len(plain)))
            rec["cv"] = agg["cv"]["real_time"] if "cv" in agg else None
        else:
            rec.update(time_ns=statistics.median(ns(r) for r in plain),
                       items=statistics.median(r["items_per_second"] for r in plain),
                       bytes=statistics.median(r["bytes_per_second"] for r in plain),
                       reps=len(plain), cv=None)
        records.append(rec)
    return data["context"], records


def fmt_bytes(b):
    for unit, f in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= f and b % f == 0:
            return f"{b // f} {unit}"
    return f"{b} B"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def cell(x, digits=2, suffix=""):
    return "—" if x is None else f"{x:.{digits}f}{suffix}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("json")
    ap.add_argument("-o", "--out", default=str(Path(__file__).resolve().parent.parent / "docs" / "performance.md"))
    ap.add_argument("--command", help="the command that produced the JSON (default: the context's)")
    ap.add_argument("--anchor-runs", nargs="*", default=[], metavar="JSON",
                    help="the oneDNN anchors run in other processes: each anchor's fastest process is used")
    args = ap.parse_args()

    ctx, records = load(args.json)
    # oneDNN anchors: the fastest process's median, with the spread over processes kept.
    seen = {r["name"]: [r] for r in records if r["impl"] == "onednn" and "error" not in r}
    for path in args.anchor_runs:
        for r in load(path)[1]:
            if r["name"] in seen and "error" not in r:
                seen[r["name"]].append(r)
    for i, r in enumerate(records):
        if r["name"] in seen:
            runs = seen[r["name"]]
            best = min(runs, key=lambda x: x["time_ns"])
            records[i] = dict(best, procs=len(runs), spread=max(x["time_ns"] for x in runs) / best["time_ns"])
    anchor_procs = max((len(v) for v in seen.values()), default=0)
    levels = {}
    for item in filter(None, ctx.get("size_levels", "").split(",")):
        n, name = item.split("=")
        levels[int(n)] = name
    level = lambda n: levels.get(n, f"n={n}")
    n_of = {v: k for k, v in levels.items()}
    isa_order = [i for i in ctx.get("hact_isas", "").split(",") if i]
    ok = [r for r in records if "error" not in r]
    index = {(r["impl"], r["op"], r["dir"], r["isa"], r["n"], r["threads"], r["dtype"]): r for r in ok}
    get = lambda impl, op, d, isa, n, t, dt="f32": index.get((impl, op, d, isa, n, t, dt))

    def anchors(r):
        """Ratios of a hact record to its anchors (throughput ratios: > 1 is faster than the anchor)."""
        n, t = r["n"], r["threads"]
        copy = get("copy", None, ROOFLINE[r["dir"]], None, n, t)
        dnnl = get("onednn", r["op"], r["dir"], None, n, t)
        plain = get("plain", r["op"], r["dir"], None, n, t)
        return (ratio(r["bytes"], copy and copy["bytes"]), ratio(r["items"], dnnl and dnnl["items"]),
                ratio(r["items"], plain and plain["items"]))

    def best_isa(op, d):
        have = {r["isa"] for r in ok if r["impl"] == "hact" and r["op"] == op and r["dir"] == d and r["dtype"] == "f32"}
        ranked = [i for i in isa_order if i in have] or sorted(have)
        return ranked[-1] if ranked else None

    ops = list(dict.fromkeys(r["op"] for r in records if r["impl"] == "hact"))
    reps = sorted({r["reps"] for r in ok})
    out = []
    w = out.append

    # ---- header: machine and run ----
    caches = ", ".join(
        f"L{c['level']}{'d' if c['type'] == 'Data' else 'i' if c['type'] == 'Instruction' else ''} "
        f"{fmt_bytes(c['size'])}" + (f" (shared by {c['num_sharing']})" if c.get("num_sharing", 1) > 1 else "")
        for c in ctx.get("caches", []))
    w("# hact performance\n")
    w(f"Generated by `scripts/perf_table.py` from `{Path(args.json).name}` (Google Benchmark JSON); "
      "do not edit by hand: rerun `scripts/bench.sh`.\n")
    w("## Machine and run\n")
    w(f"- CPU: {ctx.get('cpu_model', '?')}, {ctx.get('num_cpus', '?')} logical CPUs at "
      f"{ctx.get('mhz_per_cpu', '?')} MHz (frequency scaling {'on' if ctx.get('cpu_scaling_enabled') else 'off'})")
    w(f"- Caches: {caches}")
    w(f"- Date: {ctx.get('date', '?')}; load average at start: "
      f"{', '.join(f'{x:.2f}' for x in ctx.get('load_avg', [])) or '?'}")
    w(f"- Command: `{args.command or ctx.get('command', '?')}`")
    if args.command and ctx.get("command"):
        w(f"- Benchmark binary ran as: `{ctx['command']}`")
    w(f"- hact {ctx.get('hact_version', '?')}, ISA variants measured: {', '.join(isa_order) or '?'}")
    w(f"- Anchors: copy rooflines (2-stream `b = a` loop, 3-stream `c = a + b` loop) and the plain loop "
      f"(`{ctx.get('anchor_loops_compiler', '?')}`) run on {ctx.get('anchor_threads', '?')}; "
      f"{ctx.get('onednn', 'oneDNN: ?')}")
    if anchor_procs > 1:
        w(f"- oneDNN anchors: each from the fastest of {anchor_procs} processes (its median there). oneDNN's "
          "eltwise kernels ran at a speed fixed for a process and different in the next one on the AMD EPYC "
          "(Zen 4) VM of stops 1-19 (the same call up to 3x apart; `experiments/onednn_process_modes.cpp`, "
          "no hact code involved; hact's kernels showed no such modes there: gelu backward, 32K elements, "
          "32.5-33.1 us over 6 processes); the column `procs` of the anchor table gives this run's slowest "
          "process's time over the fastest's")
    w("- Sizes (float32 elements per stream): " + ", ".join(
        f"{name} = {n} ({fmt_bytes(4 * n)} per stream)" for n, name in sorted(levels.items())))
    w(f"- Statistic: median over {'/'.join(map(str, reps))} repetition(s) of each benchmark; "
      "GB/s = 10^9 bytes/s counting each stream read or written once (fwd 2, bwd 3, bwd_params 2); "
      "ratios are throughput ratios (> 1 = faster than the anchor); cv = coefficient of variation of "
      "the time over the repetitions")
    load1 = ctx.get("load_avg", [0.0])[0]
    if load1 >= 0.5:
        w(f"- **Warning: the machine was not idle** (1-minute load average {load1:.2f} at start): "
          "other work competes for the cores; 2-thread figures suffer most (the anchors' OpenMP "
          "barrier waits for a descheduled thread)")
    if ctx.get("library_build_type") == "debug":
        w("- Google Benchmark reports its own library as a debug build (Debian's package); "
          "this does not affect the timed code")
    errors = [r for r in records if "error" in r]
    if errors:
        w(f"- {len(errors)} benchmark(s) failed: " + "; ".join(f"`{r['name']}`: {r['error']}" for r in errors))
    w("")

    # ---- bars ----
    bars = []  # (label, figure or None, need, what it was compared with)

    def bar(label, r, idx, need, anchor_name):
        fig = anchors(r)[idx] if r else None
        bars.append((label, fig, need, anchor_name))

    for op in BAR_A["ops"]:
        for lv in BAR_A["levels"]:
            r = get("hact", op, "fwd", BAR_A["isa"], n_of.get(lv), BAR_A["threads"])
            bar(f"(a) {op} fwd, {BAR_A['isa']}, {lv}, {BAR_A['threads']} thread", r, 1, BAR_A["need"],
                "oneDNN swish")
    unary = [op for op in ops if any(r["op"] == op and r["dir"] in ("fwd", "bwd") for r in ok)]
    for spec, tag, copy_name in ((BAR_B, "(b)", "2-stream copy"), (BAR_C, "(c)", "3-stream copy")):
        for op in unary:
            isa = best_isa(op, spec["dir"])
            if isa is None:
                continue
            for t in spec["threads"]:
                r = get("hact", op, spec["dir"], isa, n_of.get(spec["level"]), t)
                bar(f"{tag} {op} {spec['dir']}, {isa or 'best ISA'}, {spec['level']}, {t} thread{'s' * (t > 1)}", r, 0,
                    spec["need"], copy_name)
    # (d) no op slower than its oneDNN counterpart at any size or thread count (best ISA).
    for r in ok:
        if r["impl"] == "onednn":
            isa = best_isa(r["op"], r["dir"])
            h = get("hact", r["op"], r["dir"], isa, r["n"], r["threads"])
            bar(f"(d) {r['op']} {r['dir']}, {isa}, {level(r['n'])}, {r['threads']} thread{'s' * (r['threads'] > 1)}",
                h, 1, BAR_D["need"], "oneDNN")
    # (e) the fused SwiGLU forward against silu followed by a separate multiply.
    for t in BAR_E["threads"]:
        n = n_of.get(BAR_E["level"])
        isa = best_isa(BAR_E["glu"], "glufwd")
        h, u = get("hact", BAR_E["glu"], "glufwd", isa, n, t), get("unfused", BAR_E["glu"], "fwd", None, n, t)
        fig = ratio(h and h["items"], u and u["items"])
        bars.append((f"(e) {BAR_E['glu']} fused fwd, {isa}, {BAR_E['level']}, {t} thread{'s' * (t > 1)}", fig,
                     BAR_E["need"], "silu then a separate multiply"))
    # (f) narrow storage: DRAM bytes/s against the copy of the same bytes; in cache, elements/s
    # against the float32 path.
    for r in ok:
        if r["impl"] != "hact" or r["dtype"] not in BAR_F["dtypes"] or r["isa"] != best_isa(r["op"], r["dir"]):
            continue
        lv, t = level(r["n"]), r["threads"]
        what = f"{r['op']} {r['dir']} {r['dtype']}, {r['isa']}, {lv}, {t} thread{'s' * (t > 1)}"
        if lv == "DRAM":
            copy = get("copy", None, ROOFLINE[r["dir"]], None, r["n"], t)
            bars.append((f"(f) {what}", ratio(r["bytes"], copy and copy["bytes"]), BAR_F["dram_need"], "copy (bytes/s)"))
        elif lv in BAR_F["cache_levels"]:
            f32 = get("hact", r["op"], r["dir"], r["isa"], r["n"], t)
            bars.append((f"(f) {what}", ratio(r["items"], f32 and f32["items"]), BAR_F["cache_need"],
                         "the f32 path (elements/s)"))
    npass = sum(1 for _, f, need, _ in bars if f is not None and f >= need)
    w("## Bars\n")
    w("(a) silu and swish forward, 1 thread, avx512, L1 and L2 sizes: >= 2.0x oneDNN swish "
      "throughput. (b) every op's forward at DRAM size, best ISA, 1 and 2 threads: >= 0.9x the "
      "2-stream copy. (c) every op's backward at DRAM size, best ISA, 1 and 2 threads: >= 0.9x the "
      "3-stream copy. (d) every op with a oneDNN eltwise counterpart, best ISA, every size and thread "
      "count: >= 1.0x oneDNN. (e) SwiGLU fused forward at DRAM size: >= 1.3x silu followed by a "
      "separate multiply. (f) bf16/f16 storage, best ISA: >= 0.9x the copy of the same bytes at DRAM "
      "size, and >= 1.0x the f32 path's elements/s at L1/L2 sizes.\n")
    w(f"**{npass} of {len(bars)} pass.**\n")
    for label, fig, need, anchor_name in bars:
        if fig is None:
            w(f"- MISSING {label}: no figure (benchmark or its anchor not in this run)")
        else:
            w(f"- {'PASS' if fig >= need else 'FAIL'} {label}: {fig:.2f}x {anchor_name} (needs >= {need:.2f}x)")
    w("")

    # ---- anchors ----
    w("## Anchors\n")
    w("| anchor | size | threads | ns/element | GB/s | cv | procs |")
    w("|---|---|---:|---:|---:|---:|---:|")
    order = {"copy": 0, "plain": 1, "unfused": 2, "onednn": 3}
    for r in sorted((r for r in ok if r["impl"] != "hact"),
                    key=lambda r: (order.get(r["impl"], 9), ops.index(r["op"]) if r["op"] in ops else -1,
                                   DIRS.index(r["dir"]) if r["dir"] in DIRS else -1, r["dir"], r["n"], r["threads"])):
        name = "/".join(x for x in (r["impl"], r["op"], r["dir"]) if x)
        w(f"| {name} | {level(r['n'])} | {r['threads']} | {cell(r['time_ns'] / r['n'], 3)} | "
          f"{cell(r['bytes'] / 1e9, 1)} | {cell(r['cv'] and 100 * r['cv'], 1, '%')} | "
          f"{cell(r.get('spread'), 2, 'x') if r.get('procs', 1) > 1 else '—'} |")
    w("")

    # ---- one table per op ----
    rank = lambda isa: isa_order.index(isa) if isa in isa_order else len(isa_order)
    for op in ops:
        w(f"## {op}\n")
        w("| direction | dtype | ISA | size | threads | ns/element | GB/s | x copy | x oneDNN | x plain loop | cv |")
        w("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
        rows = [r for r in ok if r["impl"] == "hact" and r["op"] == op]
        for r in sorted(rows, key=lambda r: (DIRS.index(r["dir"]), r["dtype"], rank(r["isa"]), r["n"], r["threads"])):
            c, d, p = anchors(r) if r["dtype"] == "f32" else (None, None, None)
            if r["dtype"] != "f32":
                copy = get("copy", None, ROOFLINE[r["dir"]], None, r["n"], r["threads"])
                c = ratio(r["bytes"], copy and copy["bytes"])
            w(f"| {r['dir']} | {r['dtype']} | {r['isa']} | {level(r['n'])} | {r['threads']} | {cell(r['time_ns'] / r['n'], 3)} | "
              f"{cell(r['bytes'] / 1e9, 1)} | {cell(c)} | {cell(d)} | {cell(p)} | "
              f"{cell(r['cv'] and 100 * r['cv'], 1, '%')} |")
        w("")

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(out) + "\n")
    print(f"perf_table: wrote {args.out} ({npass}/{len(bars)} bars pass)", file=sys.stderr)


if __name__ == "__main__":
    main()
