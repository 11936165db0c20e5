#!/usr/bin/python3
"""Triplet STDP against pairing frequency, measured by `engram run`.

    plot_frequency.py NETWORK.json RUN_DIR OUT.png

RUN_DIR holds weights.bin and run.json of a run with `--record-weights learn`
(the weights at the first and the last recorded step). The spike times come
from NETWORK.json (pre axon = source time + 1 step, post = drive time + 1
step). The model is Pfister & Gerstner's (2006) all-to-all triplet rule in
float, with exact exponential traces:
  at a post spike  w += r1 * (A2+ + A3+ * o2(t - eps)),
  at a pre spike   w -= o1 * (A2- + A3- * r2(t - eps)),
once with the configured amplitudes and once with A3+ and A3- rounded to the
powers of two the chip realises (docs/learning.md: a triplet term has three
operands, so its coefficient is a power of two in extended-weight LSB).
Prints a Markdown table.
"""
import json
import math
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

net = json.load(open(sys.argv[1]))
run_dir, out = sys.argv[2], sys.argv[3]
p = net["plasticity"][0]["params"]
pops = {q["name"]: q for q in net["populations"]}
pre_times = [[int(round(t)) + 1 for t in ts] for ts in pops["pre"]["params"]["spike_times"]]
post_times = [[int(round(t)) + 1 for t in ts] for ts in pops["drive"]["params"]["spike_times"]]
run = json.load(open(run_dir + "/run.json"))
lsb = {q["name"]: q["weight_lsb_na"] for q in run["projections"]}["learn"]
w = np.fromfile(run_dir + "/weights.bin",
                dtype=[(n, "<i4") for n in ("step", "projection", "pre", "post", "weight", "weight_frac", "tag", "delay")])
steps = np.unique(w["step"])
ext = lambda s: {r["post"]: r["weight"] * 256 + r["weight_frac"] for r in w[w["step"] == s]}
before, after = ext(steps[0]), ext(steps[-1])
measured = np.array([(after[k] - before[k]) * lsb / 256.0 for k in range(len(pre_times))])


def power_of_two(a):
    """A3 as the chip realises it: K = a * 256 / lsb / 4096^2 rounded to 2^g (2^g below 1.5 * 2^g, else 2^(g+1))."""
    per = 256.0 / lsb / 4096.0 ** 2
    m, e = math.frexp(a * per)
    return math.ldexp(1.0, e if 2 * m >= 1.5 else e - 1) / per


def triplet(pre, post, a2p, a3p, a2m, a3m):
    decay = [math.exp(-1.0 / p[k]) for k in ("tau_plus", "tau_x", "tau_minus", "tau_y")]
    r1 = r2 = o1 = o2 = 0.0
    dw, i, j = 0.0, 0, 0
    for t in range(max(pre[-1], post[-1]) + 1):
        r1, r2, o1, o2 = r1 * decay[0], r2 * decay[1], o1 * decay[2], o2 * decay[3]
        x0 = i < len(pre) and pre[i] == t
        y0 = j < len(post) and post[j] == t
        o2_before, r2_before = o2, r2
        if x0:
            r1, r2, i = r1 + 1, r2 + 1, i + 1
        if y0:
            o1, o2, j = o1 + 1, o2 + 1, j + 1
        if y0:
            dw += r1 * (a2p + a3p * o2_before)
        if x0:
            dw -= o1 * (a2m + a3m * r2_before)
    return dw


configured = [triplet(a, b, p["a2_plus"], p["a3_plus"], p["a2_minus"], p["a3_minus"]) for a, b in zip(pre_times, post_times)]
a3p, a3m = power_of_two(p["a3_plus"]), power_of_two(p["a3_minus"])
realised = [triplet(a, b, p["a2_plus"], a3p, p["a2_minus"], a3m) for a, b in zip(pre_times, post_times)]
lags = [b[0] - a[0] for a, b in zip(pre_times, post_times)]
freqs = [1000.0 / (b[1] - b[0]) for b in post_times]
print(f"A3+ {p['a3_plus']:g} -> {a3p:g} nA, A3- {p['a3_minus']:g} -> {a3m:g} nA as realised\n")
print("| lag (ms) | frequency (Hz) | measured dw (nA) | model, realised A3 (nA) | model, configured (nA) |")
print("| --- | --- | --- | --- | --- |")
for k in range(len(lags)):
    print(f"| {lags[k]:+d} | {freqs[k]:g} | {measured[k]:+.4f} | {realised[k]:+.4f} | {configured[k]:+.4f} |")

w0 = net["projections"][0]["weight"]
fig, ax = plt.subplots(figsize=(6, 3.8))
for lag, color in ((10, "tab:red"), (-10, "tab:blue")):
    ks = [k for k in range(len(lags)) if lags[k] == lag]
    f = [freqs[k] for k in ks]
    ax.plot(f, [100 * measured[k] / w0 for k in ks], "o", color=color, label=f"measured, {lag:+d} ms")
    ax.plot(f, [100 * realised[k] / w0 for k in ks], "-", color=color, label=f"model, realised A3, {lag:+d} ms")
    ax.plot(f, [100 * configured[k] / w0 for k in ks], ":", color=color, label=f"model, configured, {lag:+d} ms")
ax.axhline(0, color="black", lw=0.5)
ax.set_xlabel("pairing frequency (Hz)")
ax.set_ylabel(f"dw / w0 after 60 pairings (%), w0 = {w0:g} nA")
ax.set_title("triplet STDP (Pfister & Gerstner 2006, visual cortex, all-to-all)")
ax.legend(fontsize=7)
fig.tight_layout()
fig.savefig(out, dpi=100)
