#!/usr/bin/env python3
"""Expand the harness corpus to many articles for the end-to-end scale run (issue 3, item 7).

    expand.py CORPUS_DIR ROUNDS OUT_DIR

Reads CORPUS_DIR/corpus.jsonl and CORPUS_DIR/clusters.jsonl (written by the harness's
gen_corpus.py) and writes OUT_DIR/corpus.jsonl with ROUNDS copies of the corpus and
OUT_DIR/truth.jsonl ({"doc", "cluster"} per line, for score.py). Round 0 is the corpus itself;
round r > 0 passes every letter through a seeded substitution of the alphabet (seed r), so each
round keeps the planted copy structure (same lengths, same edits) but shares no words with the
other rounds. Ids become "<round>-<id>". Deterministic; standard library only.
"""
import json
import random
import string
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    src, rounds, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    docs = [json.loads(line) for line in open(f"{src}/corpus.jsonl", encoding="utf-8")]
    label = {}
    for line in open(f"{src}/clusters.jsonl", encoding="utf-8"):
        c = json.loads(line)
        for m in c["members"]:
            label[m] = c["cluster"]
    import os

    os.makedirs(out, exist_ok=True)
    with open(f"{out}/corpus.jsonl", "w", encoding="utf-8") as fc, open(
        f"{out}/truth.jsonl", "w", encoding="utf-8"
    ) as ft:
        for r in range(rounds):
            lower = list(string.ascii_lowercase)
            if r > 0:
                random.Random(r).shuffle(lower)
            table = str.maketrans(
                string.ascii_lowercase + string.ascii_uppercase,
                "".join(lower) + "".join(lower).upper(),
            )
            for d in docs:
                doc_id = f"{r}-{d['id']}"
                fc.write(json.dumps({"id": doc_id, "text": d["text"].translate(table)}) + "\n")
                c = label.get(d["id"])
                cluster = f"{r}-c{c}" if c is not None else f"{r}-s{d['id']}"
                ft.write(json.dumps({"doc": doc_id, "cluster": cluster}) + "\n")


if __name__ == "__main__":
    main()
