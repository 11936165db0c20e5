#!/usr/bin/python3
"""Weight histograms of the Song et al. (2000) examples from `engram run` output.

    plot_weights.py RUN_DIR W_MAX_MANTISSA OUT.png [GROUP_PROJECTION]

RUN_DIR holds weights.bin (docs/run-output.md) of the plastic projections;
W_MAX_MANTISSA is the rule's upper bound in mantissa steps (`engram compile`
prints it: "weights 0..92"). Draws the histogram at the first and at the last
recorded step; with GROUP_PROJECTION (an image projection index), the
synapses of that projection are drawn apart. Prints the same figures as a
Markdown table.
"""
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

run_dir, w_max, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
group = int(sys.argv[4]) if len(sys.argv) > 4 else None
w = np.fromfile(run_dir + "/weights.bin",
                dtype=[(n, "<i4") for n in ("step", "projection", "pre", "post", "weight", "weight_frac", "tag", "delay")])
steps = np.unique(w["step"])
bins = np.linspace(0, w_max, 11)

print("| time (s) | within 10 % of 0 | in [0.3, 0.7) w_max | within 10 % of w_max | strong in group |")
print("| --- | --- | --- | --- | --- |")
for s in steps:
    x = w[w["step"] == s]
    m = x["weight"]
    low, high = (m * 10 <= w_max), (m * 10 >= 9 * w_max)
    mid = (m * 10 >= 3 * w_max) & (m * 10 < 7 * w_max)
    g = f"{(high & (x['projection'] == group)).sum()} of {high.sum()}" if group is not None else "-"
    print(f"| {s / 1000:.0f} | {low.sum()} | {mid.sum()} | {high.sum()} | {g} |")

fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), sharey=True)
for ax, s in zip(axes, (steps[0], steps[-1])):
    x = w[w["step"] == s]
    if group is None:
        ax.hist(x["weight"] / w_max, bins=bins / w_max, color="tab:blue")
    else:
        ax.hist([x["weight"][x["projection"] != group] / w_max, x["weight"][x["projection"] == group] / w_max],
                bins=bins / w_max, stacked=True, color=["tab:blue", "tab:red"],
                label=["independent", "correlated group"])
        ax.legend(loc="upper center")
    ax.set_title(f"t = {s / 1000:.0f} s")
    ax.set_xlabel("w / w_max")
axes[0].set_ylabel("synapses")
fig.tight_layout()
fig.savefig(out, dpi=100)
