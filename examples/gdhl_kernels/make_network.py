#!/usr/bin/python3
"""Writes network.json of the G-DHL kernel example.

    make_network.py [OUT.json]

The spike pairs of examples/stdp_window (pre source k spikes at 99 - dt, its
axon sees the spike at 100 - dt; drive source k makes post neuron k fire at
step 100; dt = -50..50), shared by three post populations, each with its own
G-DHL rule (Zappacosta et al. 2018) on its plastic synapses:

- post_bipoo, rule gdhl_bipoo: eta_sp > 0 (pre signal x post onset) and
  eta_ps < 0 (pre onset x post signal): the asymmetric Bi & Poo window.
- post_symmetric, rule gdhl_symmetric: eta_sp > 0 and eta_ps > 0:
  potentiation on both sides, a symmetric kernel.
- post_hat, rule gdhl_hat: sigma_pp > 0 (both onsets in one step) and
  eta_sn, eta_ns < 0 (a signal times the other's decay): potentiation at
  coincidence, depression on both sides, a discrete Mexican hat.
"""
import json
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "network.json"
span = 50
pre = [[float(99 - dt)] for dt in range(-span, span + 1)]
drive = [[99.0] for _ in range(-span, span + 1)]
n = len(pre)
rules = {
    "bipoo": {"eta_sp": 0.01, "eta_ps": -0.012},
    "symmetric": {"eta_sp": 0.01, "eta_ps": 0.01},
    "hat": {"sigma_pp": 0.05, "eta_sn": -0.02, "eta_ns": -0.02},
}
post_params = {"tau_syn_E": 0.1, "tau_refrac": 2.0}
populations = [
    {"name": "pre", "size": n, "model": "SpikeSourceArray", "params": {"spike_times": pre}},
    {"name": "drive", "size": n, "model": "SpikeSourceArray", "params": {"spike_times": drive}},
]
plasticity, projections = [], []
for name, coefficients in rules.items():
    populations.append({"name": "post_" + name, "size": n, "model": "IF_curr_exp", "params": post_params})
    params = dict(coefficients)
    params.update({"tau_pre": 20.0, "tau_post": 20.0, "w_min": 0.0, "w_max": 1.0})
    plasticity.append({"name": "gdhl_" + name, "rule": "gdhl", "params": params})
    projections.append({"name": "learn_" + name, "pre": "pre", "post": "post_" + name,
                        "connector": {"type": "OneToOne"}, "weight": 0.5, "plasticity": "gdhl_" + name})
    projections.append({"name": "kick_" + name, "pre": "drive", "post": "post_" + name,
                        "connector": {"type": "OneToOne"}, "weight": 30.0})
net = {
    "format": "engram-network/1",
    "name": "gdhl_kernels",
    "description": "Three G-DHL kernels (asymmetric Bi & Poo, symmetric, Mexican hat) measured from spike pairs at dt = -50..50 steps.",
    "dt": 1.0,
    "populations": populations,
    "plasticity": plasticity,
    "projections": projections,
}
with open(out, "w") as f:
    json.dump(net, f, indent=1)
    f.write("\n")
