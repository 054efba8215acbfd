# Probe: dev with half of its documents (of every kind: originals, copies, reprints with their site
# chrome, partial pages) read by OCR from a printed page: each paragraph re-flowed into a column
# of 35-60 characters, a third of the long words broken with a hyphen at the line end, and in a
# third of them 5% of the words misread (look-alike letters, lost spaces). Printed, a page's
# navigation bar, byline and related-stories list are set as one block, so they come back run
# together into lines of text. Truth and manifest are dev's.
# usage: python3 ocr_pages.py DEV_DIR OUT_DIR  (writes OUT_DIR/docs, truth.jsonl, manifest.jsonl)
from probe import Probe, ocr

probe = Probe(13)
rng = probe.rng
for m in sorted(probe.man, key=lambda m: m['doc']):
    if rng.random() < 0.5:
        rate = 0.05 if rng.random() < 1 / 3 else 0.0
        text = ocr(rng, probe.text(m), rate, rng.randint(35, 60))
        open(f"{probe.out}/{m['doc']}", 'w').write(text)
probe.finish()
