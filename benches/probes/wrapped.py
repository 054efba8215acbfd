# Probe: dev with half of its documents hard-wrapped at a fixed width (35-100 characters, drawn per
# document), as plain-text mail, terminals and OCR'd columns deliver text: every line filled
# greedily with words up to the width, blank lines kept. A copy and its source are then wrapped
# differently, or one is wrapped and the other not. Truth and manifest are dev's.
# usage: python3 wrapped.py DEV_DIR OUT_DIR  (writes OUT_DIR/docs, truth.jsonl, manifest.jsonl)
from probe import Probe


def wrap(text, width):
    """`text` with each line filled with its words up to `width` characters a line."""
    out = []
    for line in text.split('\n'):
        cur = ''
        for w in line.split():
            if cur and len(cur) + 1 + len(w) > width:
                out.append(cur)
                cur = w
            else:
                cur = f'{cur} {w}' if cur else w
        out.append(cur)
    return '\n'.join(out)


probe = Probe(11)
rng = probe.rng
for m in sorted(probe.man, key=lambda m: m['doc']):
    if rng.random() < 0.5:
        text = wrap(probe.text(m), rng.randint(35, 100))
        open(f"{probe.out}/{m['doc']}", 'w').write(text)
probe.finish()
