# Probe: dev plus 300 of its BBC originals OCR-damaged (letter confusions, lost spaces,
# hyphenated line wraps at 35-60 columns), with paragraphs reordered, or both.
# usage: python3 ocr.py DEV_DIR OUT_DIR  (writes OUT_DIR/docs, truth.jsonl, manifest.jsonl)
import json,random,os,shutil,sys
rng=random.Random(7)
dev=sys.argv[1]; root=sys.argv[2]
man=[json.loads(l) for l in open(f'{dev}/manifest.jsonl')]
truth={m['doc']:m['cluster'] for m in man}
origs=[m for m in man if m['transformation']=='original' and m['source']=='bbc']
rng.shuffle(origs)
out=os.path.join(root,'docs'); shutil.rmtree(out,ignore_errors=True); os.makedirs(out)
for m in man: shutil.copy(f"{dev}/docs/{m['doc']}", out)
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
extra=[]
for i,m in enumerate(origs[:300]):
    t=open(f"{dev}/docs/{m['doc']}").read()
    kind=['ocr_wrap','ocr_wrap_noise','reorder','reorder_ocr'][i%4]
    if kind=='ocr_wrap': v=ocr(t,0.0,rng.choice([35,45,60]))
    elif kind=='ocr_wrap_noise': v=ocr(t,0.08,rng.choice([35,45,60]))
    elif kind=='reorder': v=reorder(t)
    else: v=ocr(reorder(t),0.05,45)
    name=f"x{i:04d}.txt"; open(f"{out}/{name}",'w').write(v)
    truth[name]=m['cluster']; extra.append({'doc':name,'base_doc':m['doc'],'transformation':kind,'cluster':m['cluster']})
with open(os.path.join(root,'truth.jsonl'),'w') as f:
    for d,c in truth.items(): f.write(json.dumps({'doc':d,'cluster':c})+'\n')
with open(os.path.join(root,'manifest.jsonl'),'w') as f:
    for m in man: f.write(json.dumps({'doc':m['doc'],'base_doc':m['base_doc'],'transformation':m['transformation']})+'\n')
    for e in extra: f.write(json.dumps(e)+'\n')
