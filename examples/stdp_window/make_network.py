#!/usr/bin/python3
"""Writes network.json of the STDP-window example.

    make_network.py [OUT.json]

For each dt in -50..50 steps, pre source k = dt + 50 spikes at 99 - dt (its
axon sees the spike at 100 - dt, after the 1 ms delay) and drive source k at
99, which makes post neuron k fire at step 100 through a strong fixed
synapse. Each pre/post pair is one plastic synapse with additive pair STDP,
so after the run the change of synapse k is the window at dt (post minus pre).
"""
import json
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "network.json"
span = 50
pre = [[float(99 - dt)] for dt in range(-span, span + 1)]
drive = [[99.0] for _ in range(-span, span + 1)]
n = len(pre)
net = {
    "format": "engram-network/1",
    "name": "stdp_window",
    "description": "The pair-STDP window: one plastic synapse per spike-time difference dt = -50..50 steps.",
    "dt": 1.0,
    "populations": [
        {"name": "pre", "size": n, "model": "SpikeSourceArray", "params": {"spike_times": pre}},
        {"name": "drive", "size": n, "model": "SpikeSourceArray", "params": {"spike_times": drive}},
        {"name": "post", "size": n, "model": "IF_curr_exp", "params": {"tau_syn_E": 0.1, "tau_refrac": 2.0}},
    ],
    "plasticity": [
        {"name": "stdp", "rule": "pair_stdp",
         "params": {"tau_plus": 20.0, "tau_minus": 20.0, "a_plus": 0.01, "a_minus": 0.012, "w_max": 1.0}},
    ],
    "projections": [
        {"name": "learn", "pre": "pre", "post": "post", "connector": {"type": "OneToOne"}, "weight": 0.5,
         "plasticity": "stdp"},
        {"name": "kick", "pre": "drive", "post": "post", "connector": {"type": "OneToOne"}, "weight": 30.0},
    ],
    "recording": [{"population": "post", "variables": ["spikes"]}],
}
with open(out, "w") as f:
    json.dump(net, f, indent=1)
    f.write("\n")
