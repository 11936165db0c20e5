#!/usr/bin/python3
"""Writes network.json of the distal-reward example (Izhikevich 2007).

    make_network.py [--control] [OUT.json]

Trials start every 2.5..3.5 s (uniform, drawn from a fixed seed so the
file is reproducible). In each trial the cue input spikes at t, a teacher
input makes the neuron fire a few ms later (the cue's pre->post pairing),
and the dopamine event follows at t + 1000 ms. With --control the teacher
spikes 10 ms before the cue instead (a post->pre pairing, whose tag is
negative), everything else unchanged.
"""
import json
import random
import sys

args = [a for a in sys.argv[1:] if a != "--control"]
control = "--control" in sys.argv[1:]
out = args[0] if args else "network.json"
rng = random.Random(2007)

duration_ms = 120000.0
reward_delay_ms = 1000.0
# Teacher spike relative to the cue spike; the neuron fires in the step after
# the teacher's spike arrives (delay 1 ms), the cue's spike arrives at t + 1.
teacher_lag_ms = -10.0 if control else 4.0
cue, teacher, reward = [], [], []
t = 500.0
while t + reward_delay_ms + 500.0 < duration_ms:
    cue.append(t)
    teacher.append(t + teacher_lag_ms)
    reward.append(t + reward_delay_ms)
    t += float(rng.randint(2500, 3500))

net = {
    "format": "engram-network/1",
    "name": "distal_reward",
    "description": ("Izhikevich (2007) distal reward: reward-modulated STDP (three-factor) on 100 background "
                    "synapses and one cue synapse onto one neuron; every pre->post pairing of the cue synapse is "
                    "followed by a dopamine event 1 s later, while Poisson background activity pairs the other "
                    "synapses at random."),
    "dt": 1.0,
    "seed": 2007,
    "populations": [
        {"name": "inputs", "size": 100, "model": "SpikeSourcePoisson", "params": {"rate": 2.0}},
        {"name": "cue", "size": 1, "model": "SpikeSourceArray", "params": {"spike_times": cue}},
        {"name": "teacher", "size": 1, "model": "SpikeSourceArray", "params": {"spike_times": teacher}},
        {"name": "neuron", "size": 1, "model": "IF_curr_exp",
         "params": {"tau_m": 20.0, "tau_syn_E": 5.0, "v_rest": -65.0, "v_reset": -65.0, "v_thresh": -50.0,
                    "tau_refrac": 2.0, "cm": 1.0}},
        {"name": "dopamine", "size": 1, "model": "Modulator", "params": {"times": reward, "amplitude": 0.5}},
    ],
    "plasticity": [
        {"name": "rstdp", "rule": "three_factor", "modulator": "dopamine",
         "params": {"tau_plus": 20.0, "tau_minus": 20.0, "a_plus": 1.0, "a_minus": 1.5,
                    "tau_eligibility": 1000.0, "tau_modulator": 200.0, "learning_rate": 0.002,
                    "w_min": 0.0, "w_max": 4.0}},
    ],
    "projections": [
        {"name": "background", "pre": "inputs", "post": "neuron", "weight": 0.375, "delay": 1.0,
         "connector": {"type": "AllToAll"}, "plasticity": "rstdp"},
        {"name": "cue_synapse", "pre": "cue", "post": "neuron", "weight": 0.375, "delay": 1.0,
         "connector": {"type": "AllToAll"}, "plasticity": "rstdp"},
        {"name": "teacher_synapse", "pre": "teacher", "post": "neuron", "weight": 40.0, "delay": 1.0,
         "connector": {"type": "AllToAll"}},
    ],
    "recording": [{"population": "neuron", "variables": ["spikes"]}],
}
with open(out, "w") as f:
    json.dump(net, f, indent=1)
    f.write("\n")
print(f"{len(cue)} trials over {duration_ms / 1000:.0f} s -> {out}")
