# Probe: dev plus 300 of its BBC originals OCR-damaged (letter confusions, lost spaces,
# hyphenated line wraps at 35-60 columns), with paragraphs reordered, or both.
# usage: python3 ocr.py DEV_DIR OUT_DIR  (writes OUT_DIR/docs, truth.jsonl, manifest.jsonl)
from probe import Probe, ocr as probe_ocr
probe=Probe(7)
rng,origs=probe.rng,probe.origs
def ocr(text, rate, width):
    return probe_ocr(rng, text, rate, width)
def reorder(text):
    paras=text.split('\n\n'); head,body=paras[0],paras[1:]
    rng.shuffle(body); return '\n\n'.join([head]+body)
for i,m in enumerate(origs[:300]):
    t=probe.text(m)
    kind=['ocr_wrap','ocr_wrap_noise','reorder','reorder_ocr'][i%4]
    if kind=='ocr_wrap': v=ocr(t,0.0,rng.choice([35,45,60]))
    elif kind=='ocr_wrap_noise': v=ocr(t,0.08,rng.choice([35,45,60]))
    elif kind=='reorder': v=reorder(t)
    else: v=ocr(reorder(t),0.05,45)
    probe.add(f"x{i:04d}.txt", v, m, kind)
probe.finish()
