#!/usr/bin/python3
"""Final weights of the distal-reward example from `engram run` output.

    plot_weights.py RUN_DIR OUT.png

RUN_DIR holds weights.bin and run.json (docs/run-output.md) of a run with
`--record-weights background,cue_synapse`. Prints a Markdown table (the cue
synapse against the distribution of the background synapses at each
recorded step, and the neuron's rate) and draws the histogram of the final
background weights with the cue synapse marked.
"""
import json
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

run_dir, out = sys.argv[1], sys.argv[2]
run = json.load(open(run_dir + "/run.json"))
projections = run["projections"]
index = {p["name"]: i for i, p in enumerate(projections)}
lsb = {i: p["weight_lsb_na"] for i, p in enumerate(projections)}
w = np.fromfile(run_dir + "/weights.bin",
                dtype=[(n, "<i4") for n in ("step", "projection", "pre", "post", "weight", "weight_frac", "tag", "delay")])
nA = (w["weight"] + w["weight_frac"] / 256.0) * np.array([lsb[p] for p in w["projection"]])
spikes = np.fromfile(run_dir + "/spikes.bin", dtype=[("step", "<u4"), ("population", "<u4"), ("neuron", "<u4")])

print("| time (s) | cue synapse (nA) | background mean ± sd (nA) | background max (nA) | background above the cue | (cue − mean) / sd |")
print("| --- | --- | --- | --- | --- | --- |")
steps = np.unique(w["step"])
for s in steps:
    at = w["step"] == s
    bg = nA[at & (w["projection"] == index["background"])]
    cue = nA[at & (w["projection"] == index["cue_synapse"])][0]
    sd = bg.std(ddof=1)
    z = f"{(cue - bg.mean()) / sd:.1f}" if sd > 0 else "-"
    print(f"| {s / 1000:.0f} | {cue:.3f} | {bg.mean():.3f} ± {sd:.3f} | {bg.max():.3f} | {(bg > cue).sum()} of {bg.size} | {z} |")
end = run["end_step"] if "end_step" in run else steps[-1]
neuron = [p["name"] for p in run["populations"]].index("neuron")
count = (spikes["population"] == neuron).sum()
print(f"\nneuron: {count} spikes in {end / 1000:.0f} s ({count / (end / 1000):.1f} Hz)")

last = w["step"] == steps[-1]
bg = nA[last & (w["projection"] == index["background"])]
cue = nA[last & (w["projection"] == index["cue_synapse"])][0]
fig, ax = plt.subplots(figsize=(6, 3.2))
ax.hist(bg, bins=np.linspace(0, max(cue, bg.max()) * 1.05, 40), color="tab:blue", label=f"{bg.size} background synapses")
ax.axvline(cue, color="tab:red", lw=2, label="cue synapse (rewarded)")
ax.axvline(nA[(w["step"] == steps[0]) & (w["projection"] == index["cue_synapse"])][0], color="gray", ls="--",
           label="initial weight")
ax.set_xlabel("weight (nA)")
ax.set_ylabel("synapses")
ax.set_title(f"after {steps[-1] / 1000:.0f} s")
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(out, dpi=100)
