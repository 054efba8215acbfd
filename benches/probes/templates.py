# Probe: dev plus 300 of its BBC originals wrapped in 50 new site templates (name, navigation,
# byline, a mid-article line, 100-250 words of footer paragraphs), half of them truncated.
# Copies 0-149 use 10 templates (15 pages each, "_common"), 150-299 use 40 (3-4 pages, "_rare").
# Half the templates (two of every four) end their footer with a long line that is the same on
# every page of the site but for a date, a time and an archive number of its own (drawn from a
# second seeded generator, so the rest of the probe is as before).
# With --head (templates_head.py), the boilerplate paragraphs stand above the story, as a header;
# with --inside (templates_inside.py), between its paragraphs, halfway down what the page keeps of
# it (a newsletter box); the copyright line stays last.
# usage: python3 templates.py DEV_DIR OUT_DIR [--head | --inside]
import random, re, sys
from probe import Probe
head_first='--head' in sys.argv[3:]
inside='--inside' in sys.argv[3:]
probe=Probe(11)
rng,origs=probe.rng,probe.origs
stamps=random.Random(12)
vocab=[]
for m in origs[400:700]:
    vocab+=re.findall(r"[a-z]+", probe.text(m).lower())
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
for i,m in enumerate(origs[:300]):
    t=probe.text(m)
    paras=t.split('\n\n')
    # first 150 docs: 10 templates (15 uses each); next 150: 40 templates (3-4 uses each)
    k = i%10 if i<150 else 10+(i%40)
    head,mid,foot=tpls[k]
    kind=['tpl_reprint','tpl_truncate'][i%2]
    if kind=='tpl_truncate':
        keep=1+max(1,int((len(paras)-1)*rng.uniform(0.3,0.7))); paras=paras[:keep]
    body=paras[:]
    if len(body)>3: body.insert(len(body)//2, mid)
    if (k//2)%2==0:
        r=stamps.randint
        stamp=(f"This page was last updated on {r(1,28):02d}.{r(1,12):02d}.{r(2015,2024)} at {r(0,23):02d}:{r(0,59):02d} "
               f"and is kept in the {head[0]} archive as item {r(10000,99999)}; do not reproduce it without permission.")
        foot=foot[:-1]+[stamp]+foot[-1:]
    if inside:
        at=max(1,len(body)//2)
        v='\n'.join(head)+'\n\n'+'\n\n'.join(body[:at]+foot[:-1]+body[at:])+'\n\n'+foot[-1]+'\n'
    elif head_first:
        v='\n'.join(head)+'\n\n'+'\n\n'.join(foot[:-1])+'\n\n'+'\n\n'.join(body)+'\n\n'+foot[-1]+'\n'
    else:
        v='\n'.join(head)+'\n\n'+'\n\n'.join(body)+'\n\n'+'\n\n'.join(foot)+'\n'
    probe.add(f"t{i:04d}.txt", v, m, kind+('_rare' if i>=150 else '_common'))
probe.finish()
