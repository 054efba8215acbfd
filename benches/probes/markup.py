# Probe: dev with half of its documents delivered as markup or without their line breaks, as web
# pages, feeds and data sets give text: of those, a third as HTML (each paragraph in <p> tags, and
# about one word in sixteen inside a link with its address, <b>, <em> or <span style>), a third
# as Markdown (links with addresses and bold around about one word in sixteen, short lines as ##
# headings, a bare address line after each paragraph), a third with their white space collapsed
# into one line. A copy and its source are then delivered differently. Truth and manifest are dev's.
# usage: python3 markup.py DEV_DIR OUT_DIR  (writes OUT_DIR/docs, truth.jsonl, manifest.jsonl)
import re
from probe import Probe


def wrapped_words(line, rng, wrap):
    """`line` with about one word in sixteen starting a run of 1-4 words passed to `wrap`."""
    words, out, i = line.split(' '), [], 0
    while i < len(words):
        if words[i].strip() and rng.random() < 0.0625:
            k = rng.randint(1, 4)
            out.append(wrap(' '.join(words[i:i + k])))
            i += k
        else:
            out.append(words[i])
            i += 1
    return ' '.join(out)


def as_html(text, rng):
    def tag(seg):
        kind = rng.randrange(4)
        if kind == 0:
            return f'<a href="https://www.site{rng.randrange(50)}.example/news/{rng.randrange(10**6)}/story.html">{seg}</a>'
        if kind == 1:
            return f'<b>{seg}</b>'
        if kind == 2:
            return f'<em>{seg}</em>'
        return f'<span style="font-weight: bold; color: #{rng.randrange(16**6):06x}">{seg}</span>'
    paragraphs = [wrapped_words(p.replace('\n', ' '), rng, tag) for p in text.split('\n\n')]
    return '\n'.join(f'<p class="story">{p}</p>' for p in paragraphs)


def as_markdown(text, rng):
    def mark(seg):
        if rng.random() < 0.5:
            return f'[{seg}](https://www.site{rng.randrange(50)}.example/news/{rng.randrange(10**6)}/story.html)'
        return f'**{seg}**'
    out = []
    for line in text.split('\n'):
        line = wrapped_words(line, rng, mark)
        if line.strip() and len(line.split()) < 10 and rng.random() < 0.5:
            line = '## ' + line
        out.append(line)
    return '\n'.join(out).replace('\n\n', f'\n\nhttps://www.site{rng.randrange(50)}.example/more\n\n')


probe = Probe(17)
rng = probe.rng
for m in sorted(probe.man, key=lambda m: m['doc']):
    if rng.random() < 0.5:
        text, kind = probe.text(m), rng.randrange(3)
        if kind == 0:
            text = as_html(text, rng)
        elif kind == 1:
            text = as_markdown(text, rng)
        else:
            text = re.sub(r'\s+', ' ', text).strip()
        open(f"{probe.out}/{m['doc']}", 'w').write(text)
probe.finish()
