# Probe: dev plus 300 of its BBC originals OCR-damaged (letter confusions, lost spaces,
# hyphenated line wraps at 35-60 columns), with paragraphs reordered, or both.
# usage: python3 ocr.py DEV_DIR OUT_DIR  (writes OUT_DIR/docs, truth.jsonl, manifest.jsonl)
from probe import Probe
probe=Probe(7)
rng,origs=probe.rng,probe.origs
subs={'m':'rn','rn':'m','l':'1','e':'c','i':'l','o':'0','h':'b','cl':'d','a':'o','s':'5'}
def ocr(text, rate, width):
    paras=[p for p in text.split('\n\n')]
    res=[]
    for p in paras:
        words=p.split()
        w2=[]
        for w in words:
            if rng.random()<rate:
                k=rng.choice(list(subs)); 
                if k in w: w=w.replace(k,subs[k],1)
            if rng.random()<rate/3 and w2: w2[-1]=w2[-1]+w; continue  # lost space
            w2.append(w)
        lines=[];cur=''
        for w in w2:
            if len(cur)+len(w)+1>width:
                if len(w)>6 and rng.random()<0.3:
                    cut=len(w)//2; lines.append((cur+' '+w[:cut]+'-').strip()); cur=w[cut:]; continue
                lines.append(cur); cur=w
            else: cur=(cur+' '+w).strip()
        lines.append(cur)
        res.append('\n'.join(lines))
    return '\n\n'.join(res)
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
