#!/usr/bin/python3
"""G-DHL kernels measured by `engram run`, against their configured components.

    plot_kernels.py NETWORK.json RUN_DIR OUT.png

RUN_DIR holds weights.bin and run.json of a run with `--record-weights
learn_bipoo,learn_symmetric,learn_hat --weights-every 400`. Synapse k of
each projection pairs a pre spike at step 100 - dt with a post spike at step
100, dt = k - 50. The expected kernel is computed from each rule's
coefficients and trace time constants in NETWORK.json with the G-DHL of
docs/learning.md: u1, u2 the pre and post traces (jump 1, decay exp(-1/tau)
per step), u' + their spikes, u' - = u / tau per step, summed over the run:

  dw = sum over steps of  eta_sp u1 u2'+ + eta_sn u1 u2'- + eta_ps u1'+ u2 + eta_ns u1'- u2
                        + sigma_pp u1'+ u2'+ + sigma_pn u1'+ u2'- + sigma_np u1'- u2'+ + sigma_nn u1'- u2'-
"""
import json
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

net = json.load(open(sys.argv[1]))
run_dir, out = sys.argv[2], sys.argv[3]
run = json.load(open(run_dir + "/run.json"))
names = [q["name"] for q in run["projections"]]
lsb = {q["name"]: q["weight_lsb_na"] for q in run["projections"]}
w = np.fromfile(run_dir + "/weights.bin",
                dtype=[(n, "<i4") for n in ("step", "projection", "pre", "post", "weight", "weight_frac", "tag", "delay")])
steps = np.unique(w["step"])
rules = {r["name"]: r["params"] for r in net["plasticity"]}
kernels = [(p["name"], p["plasticity"]) for p in net["projections"] if "plasticity" in p]


def measured(projection):
    i = names.index(projection)
    ext = lambda s: {r["post"]: r["weight"] * 256 + r["weight_frac"]
                     for r in w[(w["step"] == s) & (w["projection"] == i)]}
    a, b = ext(steps[0]), ext(steps[-1])
    return np.array([(b[k] - a[k]) * lsb[projection] / 256.0 for k in sorted(a)])


def model(g, dts, t_end):
    c = {k: g.get(k, 0.0) for k in ("eta_sp", "eta_sn", "eta_ps", "eta_ns", "sigma_pp", "sigma_pn", "sigma_np", "sigma_nn")}
    tp, tq = g.get("tau_pre", 20.0), g.get("tau_post", 20.0)
    t = np.arange(t_end)
    out = []
    for dt in dts:
        pre, post = 100 - dt, 100
        u1 = np.where(t >= pre, np.exp(-(t - pre) / tp), 0.0)
        u2 = np.where(t >= post, np.exp(-(t - post) / tq), 0.0)
        p1, p2 = (t == pre).astype(float), (t == post).astype(float)
        n1, n2 = u1 / tp, u2 / tq
        out.append(np.sum(c["eta_sp"] * u1 * p2 + c["eta_sn"] * u1 * n2 + c["eta_ps"] * p1 * u2 + c["eta_ns"] * n1 * u2
                          + c["sigma_pp"] * p1 * p2 + c["sigma_pn"] * p1 * n2 + c["sigma_np"] * n1 * p2
                          + c["sigma_nn"] * n1 * n2))
    return np.array(out)


fig, axes = plt.subplots(1, len(kernels), figsize=(4 * len(kernels), 3.4), sharey=True)
print("| kernel | coefficients (nA) | dw(-20) | dw(-1) | dw(0) | dw(+1) | dw(+20) (nA) | largest abs(measured - model) |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for ax, (projection, rule) in zip(axes, kernels):
    g = rules[rule]
    m = measured(projection)
    span = (len(m) - 1) // 2
    dts = np.arange(-span, span + 1)
    e = model(g, dts, int(steps[-1]))
    coefficients = ", ".join(f"{k} {v:g}" for k, v in g.items() if k.startswith(("eta", "sigma")))
    worst = np.abs(m - e).max()
    print(f"| {rule} | {coefficients} | " + " | ".join(f"{m[span + d]:+.5f}" for d in (-20, -1, 0, 1, 20))
          + f" | {worst:.6f} nA = {100 * worst / np.abs(e).max():.2f} % of the peak |")
    ax.plot(dts, e, color="gray", label="configured components")
    ax.plot(dts, m, "o", ms=3, color="tab:blue", label="measured on the emulator")
    ax.axhline(0, color="black", lw=0.5)
    ax.set_title(rule)
    ax.set_xlabel("dt = t_post - t_pre (steps)")
axes[0].set_ylabel("dw (nA)")
axes[0].legend(fontsize=8)
fig.tight_layout()
fig.savefig(out, dpi=100)
