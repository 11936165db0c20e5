#!/usr/bin/python3
"""Writes network.json of the triplet-STDP frequency example.

    make_network.py [OUT.json]

Pfister & Gerstner's (2006) pairing protocol: 60 pre/post pairings at a
fixed lag, repeated at 1, 5, 10, 20, 40 and 50 Hz, with lag +10 ms (pre
before post) and -10 ms (post before pre). Each (lag, frequency) is one
plastic synapse: pre source k and post neuron k, which drive source k makes
fire at the pairing times (step 100 + i * period, i = 0..59) through a strong
fixed synapse. Pre source k spikes at t_post - lag - 1, so that its axon sees
the spike lag steps before the post spike (delay 1 ms).
"""
import json
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "network.json"
frequencies = [1.0, 5.0, 10.0, 20.0, 40.0, 50.0]
lags = [10, -10]
pairings = 60
pre, drive, labels = [], [], []
for lag in lags:
    for f in frequencies:
        period = 1000.0 / f
        post = [100.0 + round(i * period) for i in range(pairings)]
        pre.append([t - lag - 1.0 for t in post])
        drive.append([t - 1.0 for t in post])
        labels.append(f"lag {lag:+d} ms at {f:g} Hz")
n = len(pre)
net = {
    "format": "engram-network/1",
    "name": "triplet_frequency",
    "description": "Triplet STDP (Pfister & Gerstner 2006, all-to-all, visual-cortex parameters): 60 pairings at +10 ms and -10 ms, at 1..50 Hz; synapse k = " + "; ".join(f"{k}: {s}" for k, s in enumerate(labels)),
    "dt": 1.0,
    "populations": [
        {"name": "pre", "size": n, "model": "SpikeSourceArray", "params": {"spike_times": pre}},
        {"name": "drive", "size": n, "model": "SpikeSourceArray", "params": {"spike_times": drive}},
        {"name": "post", "size": n, "model": "IF_curr_exp", "params": {"tau_syn_E": 0.1, "tau_refrac": 2.0}},
    ],
    "plasticity": [
        {"name": "triplet", "rule": "triplet_stdp",
         "params": {"tau_plus": 16.8, "tau_minus": 33.7, "tau_x": 101.0, "tau_y": 125.0,
                    "a2_plus": 5e-10, "a3_plus": 6.2e-3, "a2_minus": 7e-3, "a3_minus": 2.3e-4,
                    "w_min": 0.0, "w_max": 2.5}},
    ],
    "projections": [
        {"name": "learn", "pre": "pre", "post": "post", "connector": {"type": "OneToOne"}, "weight": 1.0,
         "plasticity": "triplet"},
        {"name": "kick", "pre": "drive", "post": "post", "connector": {"type": "OneToOne"}, "weight": 30.0},
    ],
}
with open(out, "w") as f:
    json.dump(net, f, indent=1)
    f.write("\n")
