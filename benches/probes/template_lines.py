#!/usr/bin/env python3
# Experiment, not part of wirecopy: a pre-pass that deletes the lines of site templates found by
# line recurrence, to measure a rule before building it into the library (see README.md here).
# A block is the set of long lines (MINW+ words) with one same set of documents (MIND+ of them);
# it is a template when every such document has other long lines, when (SUFFIX=last) each
# document's last long line is in the block (a footer), and when a FRAC share of the documents'
# pairs share no other long line.
# usage: MIND=3 SUFFIX=last python3 template_lines.py SRC_DOCS DST_DOCS
import sys, os, re, itertools, collections, shutil, random
src, dst = sys.argv[1], sys.argv[2]
MINW = int(os.environ.get('MINW', '6')); FRAC = float(os.environ.get('FRAC', '0.67'))
names = sorted(os.listdir(src))
norm = lambda l: ' '.join(l.lower().split())
lines = {}
for n in names:
    t = open(os.path.join(src, n), encoding='utf-8', errors='replace').read()
    lines[n] = t.split('\n')
docsets = collections.defaultdict(set)
for n in names:
    for l in lines[n]:
        k = norm(l)
        if len(k.split()) >= MINW: docsets[k].add(n)
MIND = int(os.environ.get('MIND', '2'))
shared = {k: frozenset(d) for k, d in docsets.items() if len(d) >= 2}
blocks = collections.defaultdict(set)
for k, d in shared.items(): blocks[d].add(k)
# per doc: its shared long lines
doc_shared = collections.defaultdict(set)
for k, d in shared.items():
    for n in d: doc_shared[n].add(k)
doc_long = {n: {norm(l) for l in lines[n] if len(norm(l).split()) >= MINW} for n in names}
rng = random.Random(1)
template = set()
for d, B in blocks.items():
    if len(d) < MIND: continue
    # (a) every doc has long lines outside B
    if any(not (doc_long[n] - B) for n in d): continue
    # (c) in every doc, B comes after all its other long lines (a trailing block: a footer)
    if os.environ.get('SUFFIX'):
        def trailing(n):
            pos = [i for i, l in enumerate(lines[n]) if len(norm(l).split()) >= MINW]
            inb = [i for i in pos if norm(lines[n][i]) in B]
            out = [i for i in pos if norm(lines[n][i]) not in B]
            if os.environ.get('SUFFIX') == 'last':
                return bool(inb) and bool(out) and max(inb) > max(out)
            return inb and out and min(inb) > max(out)
        if not all(trailing(n) for n in d): continue
    # (b) most pairs share nothing but B
    ds = sorted(d); pairs = list(itertools.combinations(ds, 2))
    if len(pairs) > 200: pairs = rng.sample(pairs, 200)
    ok = sum(1 for x, y in pairs if (doc_shared[x] & doc_shared[y]) <= B)
    if ok >= FRAC * len(pairs): template |= B
os.makedirs(dst, exist_ok=True)
removed = 0
for n in names:
    keep = [l for l in lines[n] if norm(l) not in template]
    removed += len(lines[n]) - len(keep)
    open(os.path.join(dst, n), 'w').write('\n'.join(keep))
print('template lines', len(template), 'removed occurrences', removed, file=sys.stderr)
