#!/usr/bin/env python3
"""Mean |estimated Jaccard - exact Jaccard| over a corpus's planted truth pairs.

Usage: peer_accuracy.py CORPUS_DIR [--libs rensa datasketch] [--num-perm 128] [--json OUT]

CORPUS_DIR is a gen_corpus.py output (corpus.jsonl + truth_pairs.jsonl). Shingling is the
harness's: word 5-grams of text.lower().split() joined by one space (a doc with < 5 tokens is
one shingle); signatures use num_perm permutations with each library's defaults
(rensa RMinHash(num_perm, seed=42) as in bench_py.py; datasketch MinHash(num_perm), seed 1).
Only documents that occur in a truth pair are hashed. Exact Jaccard is truth_pairs.jsonl's
(rounded to 5 decimals by the generator).

Also prints the "ideal" row: E|X/k - J| for X ~ Binomial(k, J), averaged over the same pairs,
i.e. the error of a MinHash with k truly independent permutations (a reference, not a library).
One JSON object per line, the last line being {"results": [...]}.
"""
import argparse
import json
import math
import os
import sys
import time


def shingle(text, k=5):
    toks = text.lower().split()
    if len(toks) < k:
        return [" ".join(toks)]
    return list({" ".join(toks[i:i + k]) for i in range(len(toks) - k + 1)})


def ideal_mae(j, k):
    # exact E|X/k - j|, X ~ Bin(k, j); done in log space to stay finite for k up to a few thousand
    if j <= 0.0 or j >= 1.0:
        return 0.0
    lj, l1j = math.log(j), math.log1p(-j)
    s = 0.0
    for x in range(k + 1):
        lp = math.lgamma(k + 1) - math.lgamma(x + 1) - math.lgamma(k - x + 1) + x * lj + (k - x) * l1j
        s += math.exp(lp) * abs(x / k - j)
    return s


def summarize(name, errs, secs=None):
    n = len(errs)
    out = {"lib": name, "n_pairs": n,
           "mean_abs_err": sum(abs(e) for e in errs) / n,
           "rmse": math.sqrt(sum(e * e for e in errs) / n),
           "bias": sum(errs) / n,
           "max_abs_err": max(abs(e) for e in errs)}
    if secs is not None:
        out["seconds"] = secs
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--libs", nargs="+", default=["rensa", "datasketch"])
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--json")
    args = ap.parse_args()
    k = args.num_perm

    truth = []
    with open(os.path.join(args.corpus, "truth_pairs.jsonl")) as f:
        for line in f:
            d = json.loads(line)
            truth.append((d["a"], d["b"], float(d["jaccard"])))
    need = {a for a, _, _ in truth} | {b for _, b, _ in truth}
    shingles = {}
    with open(os.path.join(args.corpus, "corpus.jsonl")) as f:
        for line in f:
            d = json.loads(line)
            if d["id"] in need:
                shingles[d["id"]] = shingle(d["text"])

    results = []
    for lib in args.libs:
        t0 = time.perf_counter()
        if lib == "rensa":
            from rensa import RMinHash
            sigs = {}
            for i, sh in shingles.items():
                m = RMinHash(k, 42)
                m.update(sh)
                sigs[i] = m
            errs = [sigs[a].jaccard(sigs[b]) - j for a, b, j in truth]
        elif lib == "datasketch":
            from datasketch import MinHash
            sigs = {}
            for i, sh in shingles.items():
                m = MinHash(num_perm=k)
                m.update_batch([s.encode("utf-8") for s in sh])
                sigs[i] = m
            errs = [sigs[a].jaccard(sigs[b]) - j for a, b, j in truth]
        else:
            raise SystemExit("unknown lib " + lib)
        r = summarize(lib, errs, time.perf_counter() - t0)
        results.append(r)
        print(json.dumps(r), flush=True)
    ideal = [ideal_mae(j, k) for _, _, j in truth]
    r = {"lib": f"ideal (binomial, k={k})", "n_pairs": len(truth), "mean_abs_err": sum(ideal) / len(ideal)}
    results.append(r)
    print(json.dumps(r))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    print(json.dumps({"results": results}))


if __name__ == "__main__":
    sys.exit(main())
