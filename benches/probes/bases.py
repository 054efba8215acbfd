# Probe: other base articles. Dev plus one real web page per story of ../shared/eval/reprints-dev
# (83 pages: wire stories, press releases, blog posts and same-event reports, with their site
# chrome, hard-wrapped lines and 2,000-character cuts) as new originals, each its own story, and
# three dev-style copies of each: two reprinted in a site template (12 templates, about 14 pages
# each), truncated, spun from the corpus vocabulary (10-50%), edited (sentences deleted, one to
# three from an unrelated BBC article inserted, headline spun), or those combined; the third with
# its paragraphs reordered, OCR-damaged or both. Plus `partial` pages, hard negatives with their
# own cluster (14 with these seeds): a stretch of 15-35% of a page's sentences among 4-8
# paragraphs of 2-4 BBC articles, no source over 40% of the words or 0.5 word 5-gram containment,
# as in dev. The pages' own real copies are left out.
# usage: python3 bases.py DEV_DIR OUT_DIR  (reads DEV_DIR/../reprints-dev)
import csv, os, random, re
from probe import Probe, ocr

probe = Probe(13)
rng, origs = probe.rng, probe.origs
web = os.path.join(os.path.dirname(os.path.abspath(probe.dev)), 'reprints-dev')
rows = list(csv.DictReader(open(f'{web}/sources.tsv'), delimiter='\t'))
rank = {'original': 0, 'verbatim': 1, 'truncated': 2, 'negative': 3}
best = {}
for r in rows:
    k = (rank.get(r['kind'], 4), r['doc'])
    if r['cluster'] not in best or k < best[r['cluster']][0]:
        best[r['cluster']] = (k, r)
bases = []
for label in sorted(best):
    r = best[label][1]
    m = {'doc': 'w' + r['doc'], 'base_doc': 'w' + r['doc'], 'cluster': 'web:' + label,
         'transformation': 'original_web'}
    text = open(f"{web}/docs/{r['doc']}", encoding='utf-8', errors='replace').read()
    probe.add(m['doc'], text, m, 'original_web')
    bases.append((m, text))

vocab = sorted({w for m in origs[:600] for w in re.findall(r"[a-z]{4,}", probe.text(m))})
stop = set("a an the and or but if of to in on at by for with from as is are was were be been "
           "being it its this that these those he she they we you i his her their our not no so "
           "than then there here which who whom whose what when where why how all any each more "
           "most other some such only own same too very can will just should now also has have "
           "had do does did into over after before about under again further once up down out "
           "off above below between through during while because until against said".split())


def spin(text, p):
    def rep(mo):
        w = mo.group(0)
        if w.lower() in stop or len(w) < 3 or w[0].isupper() or rng.random() >= p:
            return w
        return rng.choice(vocab)
    return re.sub(r"[A-Za-z]+", rep, text)


def sentences(text):
    return [s for s in re.split(r'(?<=[.!?])\s+', text) if s.strip()]


def truncate(text):
    # The first 30-90% of the paragraphs (of the sentences when there are under three), at
    # least 40 words, never all: a page cut at a paragraph or sentence boundary.
    frac = rng.uniform(0.3, 0.9)
    paras = [p for p in text.split('\n\n') if p.strip()]
    for parts, sep in ((paras, '\n\n'), (sentences(text), ' ')):
        keep = max(1, min(len(parts) - 1, round(len(parts) * frac)))
        while keep < len(parts) - 1 and len(sep.join(parts[:keep]).split()) < 40:
            keep += 1
        if len(sep.join(parts[:keep]).split()) >= 40:
            break
    return sep.join(parts[:keep])


def edit(text):
    lines = text.split('\n', 1)
    head, rest = (lines[0], lines[1]) if len(lines) == 2 else ('', text)
    s = sentences(rest)
    drop = set(rng.sample(range(len(s)), max(1, int(len(s) * rng.uniform(0.1, 0.3))))) if len(s) > 2 else set()
    kept = [x for i, x in enumerate(s) if i not in drop]
    donor = sentences(probe.text(rng.choice(origs[700:1000])).split('\n', 1)[-1])
    # One to three consecutive sentences of it, at most a fifth of the copy's words (as in dev,
    # whose articles are longer); the shortest one when even one is more.
    at = rng.randint(0, len(kept))
    n = rng.randint(1, 3)
    start = rng.randint(0, max(0, len(donor) - n))
    added = donor[start:start + n]
    budget = 0.2 * len(' '.join(kept).split())
    while len(added) > 1 and len(' '.join(added).split()) > budget:
        added.pop()
    if len(' '.join(added).split()) > budget:
        added = [min(donor, key=lambda x: len(x.split()))]
    kept[at:at] = added
    return spin(head, 0.5) + '\n\n' + ' '.join(kept)


tpl_vocab = [w for m in origs[400:700] for w in re.findall(r"[a-z]+", probe.text(m).lower())]


def words(n):
    return ' '.join(rng.choice(tpl_vocab) for _ in range(n))


def sentence():
    s = words(rng.randint(8, 18))
    return s[0].upper() + s[1:] + '.'


def template():
    name = f"The {words(2).title()} {rng.choice(['Herald', 'Post', 'Daily', 'Online', 'Wire', 'Gazette'])}"
    head = [name, ' | '.join(words(1).title() for _ in range(rng.randint(6, 10))),
            f"By {words(2).title()}", 'Share this article']
    foot = [' '.join(sentence() for _ in range(rng.randint(5, 9))),
            ' '.join(sentence() for _ in range(rng.randint(2, 4))),
            f"Copyright {rng.randint(2001, 2024)} {name}. All rights reserved."]
    return head, foot


tpls = [template() for _ in range(12)]


def reprint(text):
    head, foot = rng.choice(tpls)
    return '\n'.join(head) + '\n\n' + text + '\n\n' + '\n\n'.join(foot) + '\n'


kinds = ['reprint', 'truncate', 'spin', 'edit', 'spin+truncate+reprint', 'edit+reprint',
         'truncate+reprint']
n = 0
for i, (m, text) in enumerate(bases):
    for j in range(2):
        kind = kinds[(2 * i + j) % len(kinds)]
        v, label = text, kind
        if 'edit' in kind:
            v = edit(v)
        if 'spin' in kind:
            p = [0.1, 0.2, 0.3, 0.4, 0.5][(i + j) % 5]
            v = spin(v, p)
            label = f'{kind} p={p}'
        if 'truncate' in kind:
            v = truncate(v)
        if 'reprint' in kind:
            v = reprint(v)
        probe.add(f"v{n:04d}.txt", v, m, label)
        n += 1

def grams(text, n=5):
    w = re.findall(r"\w+", text.lower())
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


def containment(a, b):
    return len(a & b) / max(1, min(len(a), len(b)))


# As dev's: 4-8 paragraphs from 2-4 BBC articles (none used twice, none giving more than 40% of
# its paragraphs), and a page is kept only when its word 5-gram containment with every source
# stays under 0.5 and no source gives more than 40% of its words.
donors = [d for d in origs[300:1110] if len(probe.text(d).split('\n\n')) >= 7]
rng.shuffle(donors)
k = 0
while k < 25 and len(donors) >= 4:
    m, text = bases[(7 * k + len(donors)) % len(bases)]
    s = sentences(text)
    take = max(1, round(len(s) * rng.uniform(0.15, 0.35)))
    at = rng.randint(0, len(s) - take)
    own = ' '.join(s[at:at + take])
    paras, used, shares = [], [donors.pop() for _ in range(rng.randint(2, 4))], [len(own.split())]
    for d in used:
        ps = [p for p in probe.text(d).split('\n\n')[1:] if p.strip()]
        c = rng.randint(1, 2)
        st = rng.randint(0, len(ps) - c)
        paras += ps[st:st + c]
        shares.append(len(' '.join(ps[st:st + c]).split()))
    paras = paras[:8]
    if len(paras) < 4 or max(shares) > 0.4 * sum(shares):
        continue
    paras.insert(rng.randint(0, len(paras)), own)
    page = spin(probe.text(donors.pop()).split('\n')[0], 0.5) + '\n\n' + '\n\n'.join(paras)
    g = grams(page)
    if any(containment(grams(t), g) >= 0.5 for t in [text] + [probe.text(d) for d in used]):
        continue
    name = f"p{k:04d}.txt"
    open(f"{probe.out}/{name}", 'w').write(page)
    probe.truth[name] = 'partial:' + name
    probe.extra.append({'doc': name, 'base_doc': m['doc'], 'transformation': 'partial', 'cluster': 'partial:' + name})
    k += 1

# A third copy of each page, drawn from a generator of its own (the copies and pages above stay
# as they were): its paragraphs reordered (the first, the headline, kept; sentences when there
# are under three paragraphs), OCR-damaged by probe.ocr as the ocr probe is (letter
# confusions in 5% of the words, lost spaces, lines re-wrapped at 45 columns with hyphenated
# breaks), or both.
orng = random.Random(14)


def reorder(text):
    paras = [p for p in text.split('\n\n') if p.strip()]
    if len(paras) >= 3:
        body = paras[1:]
        orng.shuffle(body)
        return '\n\n'.join(paras[:1] + body)
    s = sentences(text)
    body = s[1:]
    orng.shuffle(body)
    return ' '.join(s[:1] + body)


for i, (m, text) in enumerate(bases):
    kind = ['reorder', 'ocr', 'reorder+ocr'][i % 3]
    v = reorder(text) if 'reorder' in kind else text
    v = ocr(orng, v, 0.05, 45) if 'ocr' in kind else v
    probe.add(f"o{i:04d}.txt", v, m, kind)
probe.finish()
