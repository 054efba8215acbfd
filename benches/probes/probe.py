"""What the probe builders share: dev read from DEV_DIR (argv[1]) and copied into OUT_DIR/docs
(argv[2]), its BBC originals in a seeded random order, and the added copies written with their
truth and manifest lines."""
import json, os, random, shutil, sys


class Probe:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.dev, self.root = sys.argv[1], sys.argv[2]
        self.man = [json.loads(l) for l in open(f'{self.dev}/manifest.jsonl')]
        self.truth = {m['doc']: m['cluster'] for m in self.man}
        self.origs = [m for m in self.man if m['transformation'] == 'original' and m['source'] == 'bbc']
        self.rng.shuffle(self.origs)
        self.out = os.path.join(self.root, 'docs')
        shutil.rmtree(self.out, ignore_errors=True)
        os.makedirs(self.out)
        for m in self.man:
            shutil.copy(f"{self.dev}/docs/{m['doc']}", self.out)
        self.extra = []

    def text(self, m):
        """The text of dev document `m` (a manifest line)."""
        return open(f"{self.dev}/docs/{m['doc']}").read()

    def add(self, name, text, base, transformation):
        """A new document `name`, a copy of `base` (a manifest line) made by `transformation`."""
        open(f"{self.out}/{name}", 'w').write(text)
        self.truth[name] = base['cluster']
        self.extra.append({'doc': name, 'base_doc': base['doc'], 'transformation': transformation, 'cluster': base['cluster']})

    def finish(self):
        with open(os.path.join(self.root, 'truth.jsonl'), 'w') as f:
            for d, c in self.truth.items():
                f.write(json.dumps({'doc': d, 'cluster': c}) + '\n')
        with open(os.path.join(self.root, 'manifest.jsonl'), 'w') as f:
            for m in self.man:
                f.write(json.dumps({'doc': m['doc'], 'base_doc': m['base_doc'], 'transformation': m['transformation']}) + '\n')
            for e in self.extra:
                f.write(json.dumps(e) + '\n')


# Look-alike letters OCR confuses (either way for m/rn).
OCR_SUBS = {'m': 'rn', 'rn': 'm', 'l': '1', 'e': 'c', 'i': 'l', 'o': '0', 'h': 'b', 'cl': 'd',
            'a': 'o', 's': '5'}


def ocr(rng, text, rate, width):
    """`text` as OCR might read it, with random numbers from `rng`: in each paragraph a share
    `rate` of the words get one look-alike confusion, `rate / 3` lose the space before them, and
    the lines are re-wrapped at `width` columns, a third of the long words broken with a hyphen."""
    res = []
    for p in text.split('\n\n'):
        w2 = []
        for w in p.split():
            if rng.random() < rate:
                k = rng.choice(list(OCR_SUBS))
                if k in w:
                    w = w.replace(k, OCR_SUBS[k], 1)
            if rng.random() < rate / 3 and w2:  # lost space
                w2[-1] = w2[-1] + w
                continue
            w2.append(w)
        lines, cur = [], ''
        for w in w2:
            if len(cur) + len(w) + 1 > width:
                if len(w) > 6 and rng.random() < 0.3:
                    cut = len(w) // 2
                    lines.append((cur + ' ' + w[:cut] + '-').strip())
                    cur = w[cut:]
                    continue
                lines.append(cur)
                cur = w
            else:
                cur = (cur + ' ' + w).strip()
        lines.append(cur)
        res.append('\n'.join(lines))
    return '\n\n'.join(res)
