# Probe: dev plus 300 of its BBC originals spun with another "thesaurus": any word of the corpus
# vocabulary for a content word (20-50% of them) and a connective table that also rewrites
# function words (50%); a third also truncated.
# usage: python3 thesaurus.py DEV_DIR OUT_DIR
import json,random,os,shutil,re,sys
rng=random.Random(11)
dev=sys.argv[1]; root=sys.argv[2]
man=[json.loads(l) for l in open(f'{dev}/manifest.jsonl')]
truth={m['doc']:m['cluster'] for m in man}
origs=[m for m in man if m['transformation']=='original' and m['source']=='bbc']
rng.shuffle(origs)
out=os.path.join(root,'docs'); shutil.rmtree(out,ignore_errors=True); os.makedirs(out)
for m in man: shutil.copy(f"{dev}/docs/{m['doc']}", out)
vocab=set()
for m in origs[:600]:
    for w in re.findall(r"[a-z]{4,}", open(f"{dev}/docs/{m['doc']}").read()): vocab.add(w)
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
extra=[]
for i,m in enumerate(origs[:300]):
    t=open(f"{dev}/docs/{m['doc']}").read()
    p=[0.2,0.3,0.4,0.5][i%4]
    v=spin(t,p,0.5)
    if i%3==0:  # also truncate
        paras=v.split('\n\n'); k=max(2,int(len(paras)*rng.uniform(0.4,0.8))); v='\n\n'.join(paras[:k])
    name=f"t{i:04d}.txt"; open(f"{out}/{name}",'w').write(v)
    truth[name]=m['cluster']; extra.append({'doc':name,'base_doc':m['doc'],'transformation':f"rspin p={p}"+(" +trunc" if i%3==0 else ""),'cluster':m['cluster']})
with open(os.path.join(root,'truth.jsonl'),'w') as f:
    for d,c in truth.items(): f.write(json.dumps({'doc':d,'cluster':c})+'\n')
with open(os.path.join(root,'manifest.jsonl'),'w') as f:
    for m in man: f.write(json.dumps({'doc':m['doc'],'base_doc':m['base_doc'],'transformation':m['transformation']})+'\n')
    for e in extra: f.write(json.dumps(e)+'\n')
print(len(extra))
