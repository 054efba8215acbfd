# Probe: smaller collections. Twelve samples of dev, each keeping 5, 10, 25 or 50% of its clusters
# whole (three seeded draws each), into OUT_DIR/f{percent}s{seed}/ (docs, truth.jsonl,
# manifest.jsonl). In fewer documents a site template is on fewer pages, so more boilerplate is
# left to the line rules of src/template.rs, and each story has fewer copies to vote in stage two.
# usage: python3 samples.py DEV_DIR OUT_DIR
#        python3 samples.py --score EVALUATE OUT_DIR [MIN_ARI MIN_MEAN_ARI]
#   The second form scores each sample with the `evaluate` example at EVALUATE, prints one line
#   each and the mean ARI, and exits 1 when a sample's ARI is below MIN_ARI or the mean below
#   MIN_MEAN_ARI.
import json, os, random, shutil, subprocess, sys

PERCENTS, SEEDS = (5, 10, 25, 50), (1, 2, 3)
NAMES = [f'f{p}s{s}' for p in PERCENTS for s in SEEDS]


def build(dev, root):
    man = [json.loads(l) for l in open(f'{dev}/manifest.jsonl')]
    clusters = sorted({m['cluster'] for m in man})
    for percent in PERCENTS:
        for seed in SEEDS:
            ids = clusters[:]
            random.Random(seed).shuffle(ids)
            keep = set(ids[:len(ids) * percent // 100])
            out = os.path.join(root, f'f{percent}s{seed}')
            shutil.rmtree(out, ignore_errors=True)
            os.makedirs(f'{out}/docs')
            with open(f'{out}/truth.jsonl', 'w') as truth, open(f'{out}/manifest.jsonl', 'w') as manifest:
                for m in man:
                    if m['cluster'] in keep:
                        shutil.copy(f"{dev}/docs/{m['doc']}", f'{out}/docs')
                        truth.write(json.dumps({'doc': m['doc'], 'cluster': m['cluster']}) + '\n')
                        manifest.write(json.dumps({'doc': m['doc'], 'base_doc': m['base_doc'],
                                                   'transformation': m['transformation']}) + '\n')


def score(evaluate, root, min_ari, min_mean):
    aris = []
    for name in NAMES:
        out = os.path.join(root, name)
        run = subprocess.run([evaluate, f'{out}/docs', f'{out}/truth.jsonl', '--json'],
                             capture_output=True, text=True, check=True)
        m = json.loads(run.stdout)
        aris.append(m['ari'])
        print(f"{name:7} {m['docs']:5} documents  P {m['precision']:.4f}  R {m['recall']:.4f}  ARI {m['ari']:.4f}")
    mean = sum(aris) / len(aris)
    print(f'mean ARI {mean:.4f}, lowest {min(aris):.4f}')
    if min(aris) < min_ari or mean < min_mean:
        print(f'FAIL: a sample below ARI {min_ari} or the mean below {min_mean}')
        sys.exit(1)


if sys.argv[1] == '--score':
    gates = [float(x) for x in sys.argv[4:6]] + [0.0, 0.0]
    score(sys.argv[2], sys.argv[3], gates[0], gates[1])
else:
    build(sys.argv[1], sys.argv[2])
