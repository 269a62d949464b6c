#!/usr/bin/env python3
"""W8A8 study: what activation quantization costs on a trained ModernBERT, and what fixes it.

Simulates mbconvert's int8 arithmetic in PyTorch (weights symmetric per output row; activations
symmetric per token, ties to even, [-127, 127]; fp32 attention) on transformers' ModernBertForMaskedLM
and compares with fp32 on the same ids as `mbconvert validate --write-ids`: per-matrix local error for
SmoothQuant alphas and per-token asymmetric activations, then end-to-end top-1 / masked top-1 / KL /
hidden cosine for plain W8A8, asymmetric, smoothed, smoothed+asymmetric and head weight-only, and
which single matrix dominates the weight-only (w8a32) error. Figures: Docs/quantization.md.

Usage: python Scripts/w8a8_study.py MODEL_DIR IDS.jsonl [breakdown]
Needs torch and transformers (PyPI).
"""
import torch, json, sys, math
from transformers import ModernBertForMaskedLM
torch.set_num_threads(1)
path = sys.argv[1]
ref = ModernBertForMaskedLM.from_pretrained(path, attn_implementation="eager").eval()
ids = [json.loads(l) for l in open(sys.argv[2])]
MASK = 50284
def wq(W):  # per-row symmetric
    s = W.abs().amax(1, keepdim=True) / 127
    return torch.clamp(torch.round(W / torch.where(s > 0, s, 1)), -127, 127) * s
def aq_sym(X):
    s = X.abs().amax(-1, keepdim=True) / 127
    return torch.clamp(torch.round(X / torch.where(s > 0, s, 1)), -127, 127) * s
def aq_asym(X):
    lo, hi = X.amin(-1, keepdim=True).clamp(max=0), X.amax(-1, keepdim=True).clamp(min=0)
    s = (hi - lo) / 255; s = torch.where(s > 0, s, torch.ones_like(s)); zp = torch.round(-lo / s)
    return (torch.clamp(torch.round(X / s) + zp, 0, 255) - zp) * s
# capture inputs
caps = {}
def cap(name):
    def f(mod, inp): caps.setdefault(name, []).append(inp[0].detach().reshape(-1, inp[0].shape[-1]))
    return f
hs = []
for n, mod in ref.named_modules():
    if isinstance(mod, torch.nn.Linear): hs.append(mod.register_forward_pre_hook(cap(n)))
refout = []
with torch.no_grad():
    for s in ids:
        o = ref(input_ids=torch.tensor([s]), output_hidden_states=True)
        refout.append((o.logits[0], o.hidden_states[-1][0]))
for h in hs: h.remove()
X = {n: torch.cat(v) for n, v in caps.items()}
def local_err(W, x, alpha, aq):
    y = x @ W.T
    if alpha is None: yq = aq(x) @ wq(W).T
    else:
        s = (x.abs().amax(0).clamp(min=1e-5) ** alpha / W.abs().amax(0).clamp(min=1e-5) ** (1 - alpha))
        yq = aq(x / s) @ wq(W * s).T
    return ((yq - y).norm() / y.norm()).item()
def score(m, with_min=False):
    """Model m against the fp32 reference outputs: top-1 and masked top-1 agreement, KL, hidden cosine."""
    t1 = mt1 = rows = mrows = 0; kl = 0.0; cos = []
    with torch.no_grad():
        for s, (rl, rh) in zip(ids, refout):
            o = m(input_ids=torch.tensor([s]), output_hidden_states=True)
            cl, ch = o.logits[0], o.hidden_states[-1][0]
            lp, lq = torch.log_softmax(rl.double(), -1), torch.log_softmax(cl.double(), -1)
            kl += (lp.exp() * (lp - lq)).sum().item()
            ag = rl.argmax(-1) == cl.argmax(-1); mk = torch.tensor(s) == MASK
            t1 += ag.sum().item(); rows += len(s); mt1 += ag[mk].sum().item(); mrows += mk.sum().item()
            cos.append(torch.nn.functional.cosine_similarity(ch.double(), rh.double(), dim=-1))
    cos = torch.cat(cos)
    line = f"top1 {t1/rows:.4f} masked {mt1/mrows:.4f} KL {kl/rows:.2e} cos {cos.mean():.6f}"
    return line + f" min {cos.min():.5f}" if with_min else line
BREAKDOWN = r"""
def run2(embq, linq, actq_names=(), alpha=None):
    m = ModernBertForMaskedLM.from_pretrained(path, attn_implementation="eager").eval()
    E = m.model.embeddings.tok_embeddings.weight.data
    dec_w = None
    if embq: m.model.embeddings.tok_embeddings.weight.data = embq(E.clone())
    for n, mod in m.named_modules():
        if not isinstance(mod, torch.nn.Linear): continue
        q = linq(n)
        if n == "decoder":
            mod.weight = torch.nn.Parameter(q(E.clone()) if q else E.clone())
        elif q: mod.weight.data = q(mod.weight.data)
    return score(m)
def wq_mse(W, x=None):
    best = None
    amax = W.abs().amax(1, keepdim=True)
    out = torch.empty_like(W); err_best = torch.full((W.shape[0],), float('inf'))
    for f in [1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7]:
        s = amax * f / 127; s = torch.where(s > 0, s, torch.ones_like(s))
        q = torch.clamp(torch.round(W / s), -127, 127) * s
        d = (q - W)
        err = (d @ x.T).pow(2).sum(1) if x is not None else d.pow(2).sum(1)
        better = err < err_best
        out[better] = q[better]; err_best = torch.where(better, err, err_best)
    return out
print("embeddings only      ", run2(wq, lambda n: None))
print("decoder only         ", run2(None, lambda n: wq if n == "decoder" else None))
print("head.dense only      ", run2(None, lambda n: wq if n == "head.dense" else None))
print("encoder only         ", run2(None, lambda n: wq if n.startswith("model.") else None))
print("all (w8a32)          ", run2(wq, lambda n: wq))
print("all mse-clip         ", run2(wq_mse, lambda n: wq_mse))
print("all mse-clip (X-weighted lin)", run2(wq_mse, lambda n: (lambda W, n=n: wq_mse(W, X[n][::2])) ))
"""
alphas = [None, 0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
choice = {}
for n, mod in ref.named_modules():
    if not isinstance(mod, torch.nn.Linear): continue
    W = mod.weight.detach(); x = X[n]
    if n == "decoder": x = x[::4]
    errs = [local_err(W, x, a, aq_sym) for a in alphas]
    ea = local_err(W, x, None, aq_asym)
    best = min(range(len(alphas)), key=lambda i: errs[i])
    choice[n] = alphas[best]
    print(f"{n:28s} none {errs[0]:.2e} asym {ea:.2e} best a={alphas[best]} {errs[best]:.2e}  " + " ".join(f"{e:.1e}" for e in errs[1:]))
def run(cfg):
    # cfg: name -> (alpha or None or 'fp', aq)
    m = ModernBertForMaskedLM.from_pretrained(path, attn_implementation="eager").eval()
    m.model.embeddings.tok_embeddings.weight.data = wq(m.model.embeddings.tok_embeddings.weight.data)
    for n, mod in m.named_modules():
        if not isinstance(mod, torch.nn.Linear): continue
        a, aq = cfg.get(n, (None, aq_sym))
        if a == 'fp': continue
        if a == 'wo':
            mod.weight.data = wq(mod.weight.data); continue
        W = mod.weight.data.clone(); xm = X[n].abs().amax(0)
        if a is None: s = torch.ones(W.shape[1])
        else: s = xm.clamp(min=1e-5) ** a / W.abs().amax(0).clamp(min=1e-5) ** (1 - a)
        Wq = wq(W * s)
        def fwd(inp, Wq=Wq, s=s, aq=aq, b=mod.bias): 
            y = aq(inp / s) @ Wq.T
            return y + b if b is not None else y
        mod.forward = fwd
    return score(m, with_min=True)
lin = [n for n, mod in ref.named_modules() if isinstance(mod, torch.nn.Linear)]
if len(sys.argv) > 3 and sys.argv[3] == "breakdown":
    exec(compile(BREAKDOWN, "breakdown", "exec"))
    sys.exit(0)
print("w8a32      ", run({n: ('wo', None) for n in lin}))
print("w8a8 plain ", run({}))
print("w8a8 asym  ", run({n: (None, aq_asym) for n in lin}))
print("smooth best", run({n: (choice[n], aq_sym) for n in lin}))
print("smooth .5  ", run({n: (0.5, aq_sym) for n in lin}))
print("smooth+asym", run({n: (choice[n], aq_asym) for n in lin}))
print("smooth, head wo", run({n: ((choice[n], aq_sym) if n.startswith("model.") else ('wo', None)) for n in lin}))
print("plain, head wo", run({n: ((None, aq_sym) if n.startswith("model.") else ('wo', None)) for n in lin}))
