#!/usr/bin/python3
"""The STDP window measured by `engram run`, against the configured exponentials.

    plot_window.py NETWORK.json RUN_DIR OUT.png

RUN_DIR holds weights.bin and run.json of a run with `--record-weights learn
--weights-every 200` (docs/run-output.md): the weights at steps 0 and 200.
Synapse k pairs a pre spike at step 100 - dt with a post spike at step 100,
dt = k - 50. The expected curve is computed from the rule's parameters in
NETWORK.json: a_plus * exp(-dt / tau_plus) for dt > 0, -a_minus * exp(dt /
tau_minus) for dt < 0, a_plus - a_minus at dt = 0 (both terms fire).
Prints a Markdown table and the largest deviation.
"""
import json
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

net = json.load(open(sys.argv[1]))
run_dir, out = sys.argv[2], sys.argv[3]
p = net["plasticity"][0]["params"]
run = json.load(open(run_dir + "/run.json"))
lsb = {q["name"]: q["weight_lsb_na"] for q in run["projections"]}["learn"]
w = np.fromfile(run_dir + "/weights.bin",
                dtype=[(n, "<i4") for n in ("step", "projection", "pre", "post", "weight", "weight_frac", "tag", "delay")])
steps = np.unique(w["step"])
ext = lambda s: {r["post"]: r["weight"] * 256 + r["weight_frac"] for r in w[w["step"] == s]}
before, after = ext(steps[0]), ext(steps[-1])
span = (len(before) - 1) // 2
dts = np.arange(-span, span + 1)
measured = np.array([(after[k] - before[k]) * lsb / 256.0 for k in range(len(dts))])


def window(dt):
    dt = np.asarray(dt, dtype=float)
    return np.where(dt > 0, p["a_plus"] * np.exp(-dt / p["tau_plus"]),
                    np.where(dt < 0, -p["a_minus"] * np.exp(dt / p["tau_minus"]), p["a_plus"] - p["a_minus"]))


expected = window(dts)
print("| dt (steps) | measured dw (nA) | configured window (nA) | difference (% of a_plus) |")
print("| --- | --- | --- | --- |")
for d in (-50, -20, -10, -1, 0, 1, 10, 20, 50):
    k = d + span
    print(f"| {d:+d} | {measured[k]:+.6f} | {expected[k]:+.6f} | {100 * (measured[k] - expected[k]) / p['a_plus']:+.2f} |")
worst = np.abs(measured - expected).max()
print(f"\nlargest |measured - configured| over dt = -{span}..{span}: {worst:.6f} nA "
      f"= {100 * worst / p['a_plus']:.2f} % of a_plus ({worst / lsb * 256:.1f} extended-weight LSB)")

fig, ax = plt.subplots(figsize=(6, 3.5))
fine = np.linspace(-span, span, 1001)
fine = fine[fine != 0]
ax.plot(fine[fine < 0], window(fine[fine < 0]), color="gray", label="configured window")
ax.plot(fine[fine > 0], window(fine[fine > 0]), color="gray")
ax.plot([0], [p["a_plus"] - p["a_minus"]], "x", color="gray", label="dt = 0: a_plus - a_minus")
ax.plot(dts, measured, "o", ms=3, color="tab:blue", label="measured on the emulator")
ax.axhline(0, color="black", lw=0.5)
ax.set_xlabel("dt = t_post - t_pre (steps of 1 ms)")
ax.set_ylabel("dw (nA)")
ax.set_title("pair STDP window, one spike pair per synapse")
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(out, dpi=100)
