#!/usr/bin/env python3
"""Summarize one benches/peers/run.sh results folder into a table (stdout, summary.md, summary.json).

Usage: summarize.py RESULTS_DIR

Reads, for every system S and round R written by run.sh:
  S_rR.json    bench_py.py's timings (Python peers)          or
  S_rR.stdout  wirecopy's stdout; its LAST non-empty line is a JSON object with at least
               docs, bytes, seconds, mb_per_s (optional: mean_abs_err, lsh_seconds)
  S_rR.time    /usr/bin/time -v output (peak RSS, wall clock, exit status)
plus accuracy.json (peer_accuracy.py) and run.json (corpus facts, system order).
Figures are medians over rounds; ratios vs rensa are medians of per-round ratios
(system's round R over rensa's round R), which cancels drift of a noisy machine.
"""
import json
import math
import os
import re
import statistics
import sys


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def parse_time(path):
    out = {"max_rss_mb": None, "wall_s": None, "exit_status": None}
    if not os.path.exists(path):
        return out
    t = open(path, errors="replace").read()
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t)
    if m:
        out["max_rss_mb"] = int(m.group(1)) / 1024
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t)
    if m:
        parts = [float(x) for x in m.group(1).split(":")]
        out["wall_s"] = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    m = re.search(r"Exit status: (\d+)", t)
    if m:
        out["exit_status"] = int(m.group(1))
    m = re.search(r"Command terminated by signal (\d+)", t)
    if m:
        out["exit_status"] = 128 + int(m.group(1))
    return out


def last_json_line(path):
    last = None
    with open(path, errors="replace") as f:
        for line in f:
            if line.strip():
                last = line.strip()
    if last is None:
        raise ValueError("empty stdout")
    d = json.loads(last)
    if not isinstance(d, dict):
        raise ValueError("last stdout line is not a JSON object")
    missing = [k for k in ("docs", "bytes", "seconds", "mb_per_s") if k not in d]
    if missing:
        raise ValueError("last stdout line lacks " + ", ".join(missing))
    return d


def one_run(res, system, r, accuracy, corpus_bytes):
    base = os.path.join(res, f"{system}_r{r}")
    row = {"system": system, "round": r, **parse_time(base + ".time")}
    if row.get("exit_status") not in (None, 0):
        row["error"] = f"exit status {row['exit_status']} (see {base}.stderr)"
        return row
    if not system.startswith("wirecopy"):         # Python peer via bench_py.py
        if not os.path.exists(base + ".json"):
            row["error"] = f"no {base}.json (see {base}.stderr)"
            return row
        d = json.load(open(base + ".json"))
        row.update({
            "text_sig_mb_s": d["shingle_plus_sig_MB_per_s"],
            "docs_s": d["shingle_plus_sig_docs_per_s"],
            "sig_only_mb_s": d["sig_MB_per_s"],
            "lsh_s": d["lsh_total_s"],
            "mean_abs_err": accuracy.get(system.split("-")[0]),
            "raw": d,
        })
    elif os.path.exists(base + ".stdout"):        # wirecopy example (see README's contract)
        try:
            d = last_json_line(base + ".stdout")
        except (ValueError, OSError) as e:
            row["error"] = f"{base}.stdout: {e}"
            return row
        secs = float(d["seconds"])
        row.update({
            "text_sig_mb_s": float(d["mb_per_s"]),
            "docs_s": d["docs"] / secs if secs > 0 else None,
            "sig_only_mb_s": None,               # wirecopy starts from raw text
            "lsh_s": d.get("lsh_seconds"),
            "mean_abs_err": d.get("mean_abs_err"),
            "raw": d,
        })
        if corpus_bytes and d["bytes"] != corpus_bytes:
            row["warning"] = f"bytes {d['bytes']} != corpus total_bytes {corpus_bytes}"
    else:
        row["error"] = f"no output for {system} round {r}"
    return row


def in_process_scaling(res, rounds):
    """scaling-tT_rR.stdout files (run.sh -s): per thread count T, each round's speedup fields."""
    out = {}
    for name in sorted(os.listdir(res)):
        m = re.fullmatch(r"scaling-t(\d+)_r(\d+)\.stdout", name)
        if not m:
            continue
        try:
            d = last_json_line(os.path.join(res, name))
        except (ValueError, OSError):
            continue
        if "speedup" not in d:
            continue
        sc = out.setdefault(int(m.group(1)), {"speedup": [], "speedup_median": [], "passes": None, "rounds": []})
        sc["rounds"].append(int(m.group(2)))
        sc["speedup"].append(float(d["speedup"]))
        sc["speedup_median"].append(float(d["speedup_median"]))
        sc["passes"] = d.get("passes", sc["passes"])
    for sc in out.values():
        order = sorted(range(len(sc["rounds"])), key=lambda i: sc["rounds"][i])
        for k in ("rounds", "speedup", "speedup_median"):
            sc[k] = [sc[k][i] for i in order]
    return out


def fmt(x, nd=2):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if isinstance(x, str):
        return x
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.{nd}f}"


def main():
    res = sys.argv[1]
    run = json.load(open(os.path.join(res, "run.json")))
    acc_path = os.path.join(res, "accuracy.json")
    accuracy, ideal = {}, None
    if os.path.exists(acc_path):
        for a in json.load(open(acc_path)):
            if a["lib"].startswith("ideal"):
                ideal = a
            else:
                accuracy[a["lib"]] = a["mean_abs_err"]
    rounds = run["rounds"]
    systems = run["systems"]
    runs = [one_run(res, s, r, accuracy, run.get("corpus_bytes")) for r in range(1, rounds + 1) for s in systems]
    ok = [x for x in runs if "error" not in x]
    by = {s: [x for x in ok if x["system"] == s] for s in systems}
    rensa_by_round = {x["round"]: x for x in by.get("rensa", [])}

    def ratio(s, key, rkey):
        vals = []
        for x in by[s]:
            ref = rensa_by_round.get(x["round"])
            if ref and x.get(key) is not None and ref.get(rkey):
                vals.append(x[key] / ref[rkey])
        return median(vals)

    rows = []
    for s in systems:
        xs = by[s]
        row = {"system": s, "rounds_ok": len(xs)}
        for k in ("text_sig_mb_s", "docs_s", "sig_only_mb_s", "lsh_s", "max_rss_mb", "mean_abs_err", "wall_s"):
            row[k] = median([x.get(k) for x in xs])
        row["text_sig_mb_s_per_round"] = [x.get("text_sig_mb_s") for x in xs]
        row["x_rensa_text_sig"] = ratio(s, "text_sig_mb_s", "text_sig_mb_s")
        row["x_rensa_sig_only"] = ratio(s, "text_sig_mb_s", "sig_only_mb_s")
        row["lsh_over_rensa"] = ratio(s, "lsh_s", "lsh_s")
        row["rss_over_rensa"] = ratio(s, "max_rss_mb", "max_rss_mb")
        rows.append(row)

    head = ["system", "text→signature MB/s", "docs/s", "signature-only MB/s", "LSH build+query s",
            "peak RSS MB", "mean abs(est−exact J)", "text→sig ÷ rensa text→sig",
            "text→sig ÷ rensa sig-only", "LSH s ÷ rensa", "RSS ÷ rensa"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        err = "n/a" if r["mean_abs_err"] is None else f"{r['mean_abs_err']:.4f}"
        lines.append("| " + " | ".join([
            r["system"], fmt(r["text_sig_mb_s"]), fmt(r["docs_s"]), fmt(r["sig_only_mb_s"]), fmt(r["lsh_s"], 3),
            fmt(r["max_rss_mb"]), err, fmt(r["x_rensa_text_sig"]), fmt(r["x_rensa_sig_only"]),
            fmt(r["lsh_over_rensa"]), fmt(r["rss_over_rensa"])]) + " |")
    notes = [
        "",
        f"corpus: {run['corpus']} ({run['corpus_docs']} docs, {run['corpus_bytes'] / 1e6:.1f} MB, "
        f"{run.get('truth_pairs', '?')} planted pairs); {rounds} interleaved rounds; medians; "
        f"ratios are medians of same-round ratios to rensa.",
        f"machine: {run.get('cpu', '?')}, {run.get('nproc', '?')} cores; {run.get('date', '')}; "
        f"peers: {run.get('peer_versions', '')}",
        "text→signature = shingling (Python, for peers) + MinHash, 128 permutations, word 5-grams of "
        "lowercased whitespace tokens; signature-only = from pre-split shingles (peers only); "
        "peak RSS = whole process (/usr/bin/time -v), corpus held in memory.",
    ]
    if ideal:
        notes.append(f"reference: independent-permutation MinHash would give mean abs(est−exact J) = "
                     f"{ideal['mean_abs_err']:.4f} on these pairs (binomial expectation).")
    per_round = ["", "text→signature MB/s per round: " + "; ".join(
        f"{r['system']} " + ", ".join(fmt(v) for v in r["text_sig_mb_s_per_round"]) for r in rows)]
    scaling = in_process_scaling(res, rounds)
    for t, sc in sorted(scaling.items()):
        per_round.append(
            f"{t} threads ÷ 1 thread in one process ({sc['passes']} alternated passes each; fastest "
            f"÷ fastest) per round: " + ", ".join(fmt(v) for v in sc["speedup"]) +
            f"; median **{fmt(median(sc['speedup']))}** (median of paired passes per round: " +
            ", ".join(fmt(v) for v in sc["speedup_median"]) + ")")
    problems = [f"- {x['system']} round {x['round']}: {x['error']}" for x in runs if "error" in x]
    problems += [f"- {x['system']} round {x['round']}: {x['warning']}" for x in runs if "warning" in x]
    text = "\n".join(lines + notes + per_round + (["", "problems:"] + problems if problems else []))
    print(text)
    open(os.path.join(res, "summary.md"), "w").write(text + "\n")
    for x in runs:
        x.pop("raw", None)
    json.dump({"run": run, "rows": rows, "runs": runs, "ideal": ideal, "scaling": scaling}, open(os.path.join(res, "summary.json"), "w"),
              indent=1)
    return 1 if problems and any("error" in x for x in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
