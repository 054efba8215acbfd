# Probe: dev plus 320 of its BBC originals with character-level OCR noise: each character is, with
# probability q, read as a look-alike (a/o, o/0, e/c, i/l, l/1, s/5, h/b, n/h, u/v, t/f, g/q, m/n,
# r/n, d/a), or lost (a space, so two words run together, or a letter). q is 2%, 4%, 6%, 8% or 10%
# (a fifth of the copies each): at 6% about one word in four is misread, at 10% about two in five.
# Line breaks are kept.
# usage: python3 ocr_chars.py DEV_DIR OUT_DIR
from probe import Probe
probe=Probe(19)
rng,origs=probe.rng,probe.origs
looks={'a':'o','o':'0','e':'c','c':'e','i':'l','l':'1','s':'5','h':'b','b':'h','n':'h','u':'v','t':'f','g':'q','m':'n','r':'n','d':'a'}
def ocr(text,q):
    out=[]
    for ch in text:
        r=rng.random()
        if r<q and ch.lower() in looks: out.append(looks[ch.lower()])
        elif r<q*1.15 and ch==' ': continue
        elif r<q*1.2 and ch.isalpha(): continue
        else: out.append(ch)
    return ''.join(out)
qs=[0.02,0.04,0.06,0.08,0.1]
for i,m in enumerate(origs[:320]):
    q=qs[i%5]
    probe.add(f"z{i:04d}.txt", ocr(probe.text(m), q), m, f"ocr_chars q={q}")
probe.finish()
