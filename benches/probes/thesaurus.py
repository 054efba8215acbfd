# Probe: dev plus 300 of its BBC originals spun with another "thesaurus": any word of the corpus
# vocabulary for a content word (20-50% of them) and a connective table that also rewrites
# function words (50%); a third also truncated.
# usage: python3 thesaurus.py DEV_DIR OUT_DIR
import re
from probe import Probe
probe=Probe(11)
rng,origs=probe.rng,probe.origs
vocab=set()
for m in origs[:600]:
    for w in re.findall(r"[a-z]{4,}", probe.text(m)): vocab.add(w)
vocab=sorted(vocab)
stop=set("a an the and or but if of to in on at by for with from as is are was were be been being it its this that these those he she they we you i his her their our not no so than then there here which who whom whose what when where why how all any each more most other some such only own same too very can will just should now also has have had do does did into over after before about under again further once up down out off above below between through during while because until against".split())
conn={'and':'as well as','but':'however','because':'since','also':'additionally','about':'regarding','after':'following','before':'prior to','while':'whereas','said':'stated','however':'but','so':'therefore','to':'in order to'}
def spin(text,p,pc):
    def rep(mo):
        w=mo.group(0); lw=w.lower()
        if lw in conn and rng.random()<pc:
            r=conn[lw]; return r.capitalize() if w[0].isupper() else r
        if lw in stop or len(w)<3 or (w[0].isupper()): return w
        if rng.random()<p:
            r=rng.choice(vocab); return r
        return w
    return re.sub(r"[A-Za-z]+",rep,text)
for i,m in enumerate(origs[:300]):
    t=probe.text(m)
    p=[0.2,0.3,0.4,0.5][i%4]
    v=spin(t,p,0.5)
    if i%3==0:  # also truncate
        paras=v.split('\n\n'); k=max(2,int(len(paras)*rng.uniform(0.4,0.8))); v='\n\n'.join(paras[:k])
    probe.add(f"t{i:04d}.txt", v, m, f"rspin p={p}"+(" +trunc" if i%3==0 else ""))
probe.finish()
