# Probe: dev plus 300 of its BBC originals wrapped in 50 new site templates (name, navigation,
# byline, a mid-article line, 100-250 words of footer paragraphs), half of them truncated.
# Copies 0-149 use 10 templates (15 pages each, "_common"), 150-299 use 40 (3-4 pages, "_rare").
# usage: python3 templates.py DEV_DIR OUT_DIR
import json,random,os,shutil,re,sys
rng=random.Random(11)
dev=sys.argv[1]; root=sys.argv[2]
man=[json.loads(l) for l in open(f'{dev}/manifest.jsonl')]
truth={m['doc']:m['cluster'] for m in man}
origs=[m for m in man if m['transformation']=='original' and m['source']=='bbc']
rng.shuffle(origs)
out=os.path.join(root,'docs'); shutil.rmtree(out,ignore_errors=True); os.makedirs(out)
for m in man: shutil.copy(f"{dev}/docs/{m['doc']}", out)
vocab=[]
for m in origs[400:700]:
    vocab+=re.findall(r"[a-z]+", open(f"{dev}/docs/{m['doc']}").read().lower())
def words(n): return ' '.join(rng.choice(vocab) for _ in range(n))
def sentence(): s=words(rng.randint(8,18)); return s[0].upper()+s[1:]+'.'
def template(k):
    name=f"The {words(2).title()} {rng.choice(['Herald','Post','Daily','Online','Wire','Gazette'])}"
    head=[name, ' | '.join(words(1).title() for _ in range(rng.randint(6,10))), f"By {words(2).title()}", rng.choice(['Share this article','Share','Print this page','Listen to this story'])]
    mid=f"Advertisement" if k%2 else f"Read more: {sentence()}"
    foot=[' '.join(sentence() for _ in range(rng.randint(5,9))),  # long privacy/newsletter paragraph
          ' '.join(sentence() for _ in range(rng.randint(2,4))),
          f"Copyright {rng.randint(2001,2024)} {name}. All rights reserved."]
    return head, mid, foot
tpls=[template(k) for k in range(50)]
extra=[]
for i,m in enumerate(origs[:300]):
    t=open(f"{dev}/docs/{m['doc']}").read()
    paras=t.split('\n\n')
    # first 150 docs: 10 templates (15 uses each); next 150: 40 templates (3-4 uses each)
    k = i%10 if i<150 else 10+(i%40)
    head,mid,foot=tpls[k]
    kind=['tpl_reprint','tpl_truncate'][i%2]
    if kind=='tpl_truncate':
        keep=1+max(1,int((len(paras)-1)*rng.uniform(0.3,0.7))); paras=paras[:keep]
    body=paras[:]
    if len(body)>3: body.insert(len(body)//2, mid)
    v='\n'.join(head)+'\n\n'+'\n\n'.join(body)+'\n\n'+'\n\n'.join(foot)+'\n'
    name=f"t{i:04d}.txt"; open(f"{out}/{name}",'w').write(v)
    truth[name]=m['cluster']; extra.append({'doc':name,'base_doc':m['doc'],'transformation':kind+('_rare' if i>=150 else '_common'),'cluster':m['cluster']})
with open(os.path.join(root,'truth.jsonl'),'w') as f:
    for d,c in truth.items(): f.write(json.dumps({'doc':d,'cluster':c})+'\n')
with open(os.path.join(root,'manifest.jsonl'),'w') as f:
    for m in man: f.write(json.dumps({'doc':m['doc'],'base_doc':m['base_doc'],'transformation':m['transformation']})+'\n')
    for e in extra: f.write(json.dumps(e)+'\n')
