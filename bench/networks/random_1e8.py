#!/usr/bin/python3
"""Write a 100,000-neuron random network with 1e8 recurrent synapses as engram-network/1.

Usage: random_1e8.py OUT.json [--neurons N] [--synapses-per-neuron K] [--inputs M]
                     [--input-indegree C] [--seed S]

A Brunel (2000, J. Comput. Neurosci. 8:183)-style sparse random network,
written with current-based IF_curr_exp neurons so that it shares its neuron
and synapse parameters with the Potjans & Diesmann (2014) microcircuit
(potjans_diesmann.py):

- N = 100,000 neurons (--neurons): 80% excitatory ("exc"), 20% inhibitory
  ("inh"); IF_curr_exp with cm 0.25 nF, tau_m 10 ms, tau_syn 0.5 ms,
  tau_refrac 2 ms, v_rest = v_reset = -65 mV, v_thresh -50 mV; initial
  voltages uniform in [-65, -50] mV.
- Recurrent connectivity: FixedProbability between every pair of the two
  populations with p = K / (N - 1) and no self-connections, so the expected
  number of recurrent synapses is exactly K x N = 1e8 (K = 1,000 per neuron,
  --synapses-per-neuron), of which each neuron receives on average 0.8 K
  excitatory and 0.2 K inhibitory, as Brunel's C_E = 4 C_I.
- Weights (constants, as Brunel's J): excitatory J = 0.0878 nA (a PSC of
  87.8 pA, a PSP of about 0.15 mV with these parameters), inhibitory g J with
  g = 5 (Brunel's inhibition-dominated regime); delays 1.5 ms (Brunel's D),
  dt = 0.1 ms.
- External input: M = 1,000 SpikeSourcePoisson neurons ("input", --inputs),
  each neuron of exc and inh receiving C = 50 of them (FixedNumberPre,
  --input-indegree) with weight J and delay 1.5 ms, at the rate that makes
  the mean external drive eta = 2 times the threshold drive: nu_thr =
  (v_thresh - v_rest) / (J tau_syn R_m) per neuron in all, where R_m = tau_m /
  cm, split over the C inputs (about 342 Hz each). These add C x N = 5e6
  synapses (5% of the recurrent ones). Unlike Brunel's independent external
  inputs, the 1,000 sources are shared, so inputs are correlated across
  neurons; the network is a compile-time benchmark more than a dynamics study.

The connectors are written as rules, so the file is about 3 kB at any size.
Prints the expected synapse count.
"""

import argparse
import json
import sys

DT = 0.1
J = 0.0878         # nA
G = 5.0
DELAY = 1.5        # ms
ETA = 2.0
PARAMS = {"cm": 0.25, "tau_m": 10.0, "tau_syn_E": 0.5, "tau_syn_I": 0.5, "tau_refrac": 2.0,
          "v_rest": -65.0, "v_reset": -65.0, "v_thresh": -50.0, "i_offset": 0.0}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", help="output network JSON")
    ap.add_argument("--neurons", type=int, default=100_000, help="N (default 100,000)")
    ap.add_argument("--synapses-per-neuron", type=int, default=1000,
                    help="K, the mean recurrent in-degree (default 1,000)")
    ap.add_argument("--inputs", type=int, default=1000, help="Poisson input neurons (default 1,000)")
    ap.add_argument("--input-indegree", type=int, default=50,
                    help="Poisson inputs per neuron (default 50, at most --inputs)")
    ap.add_argument("--seed", type=int, default=2000, help="network seed (default 2000)")
    a = ap.parse_args(argv)
    if a.neurons < 5:
        ap.error("--neurons must be at least 5")
    if not 1 <= a.synapses_per_neuron <= a.neurons - 1:
        ap.error("--synapses-per-neuron must be in [1, neurons - 1]")
    if a.inputs < 1 or not 1 <= a.input_indegree <= a.inputs:
        ap.error("--inputs must be >= 1 and --input-indegree in [1, inputs]")
    if a.seed < 0:
        ap.error("--seed must be >= 0")

    n = a.neurons
    n_exc = round(0.8 * n)
    n_inh = n - n_exc
    p = a.synapses_per_neuron / (n - 1)
    # Threshold drive: input spikes per ms giving a mean depolarisation of v_thresh - v_rest.
    r_m = PARAMS["tau_m"] / PARAMS["cm"]                     # MOhm (ms / nF)
    charge = J * PARAMS["tau_syn_E"]                         # nA ms per spike
    nu_thr = (PARAMS["v_thresh"] - PARAMS["v_rest"]) / (charge * r_m)  # spikes per ms
    rate = round(ETA * nu_thr * 1000.0 / a.input_indegree, 3)         # Hz per input
    if rate * DT / 1000.0 > 1.0:
        ap.error(f"input rate {rate} Hz exceeds one spike per step; raise --input-indegree")

    pops = [("exc", n_exc, "excitatory", J), ("inh", n_inh, "inhibitory", G * J)]
    populations = [{"name": name, "size": size, "model": "IF_curr_exp", "params": PARAMS,
                    "initial": {"v": {"distribution": "uniform", "low": -65.0, "high": -50.0}}}
                   for name, size, _, _ in pops]
    populations.append({"name": "input", "size": a.inputs, "model": "SpikeSourcePoisson",
                        "params": {"rate": rate}})
    projections = []
    expected = 0.0
    for pre, n_pre, receptor, w in pops:
        for post, n_post, _, _ in pops:
            proj = {"name": f"{pre}_to_{post}", "pre": pre, "post": post,
                    "connector": {"type": "FixedProbability", "p": p},
                    "receptor": receptor, "weight": round(w, 6), "delay": DELAY}
            if pre == post:
                proj["connector"]["allow_self_connections"] = False
                expected += p * n_pre * (n_post - 1)
            else:
                expected += p * n_pre * n_post
            projections.append(proj)
    recurrent = expected
    for post, n_post, _, _ in pops:
        projections.append({"name": f"input_to_{post}", "pre": "input", "post": post,
                            "connector": {"type": "FixedNumberPre", "n": a.input_indegree},
                            "receptor": "excitatory", "weight": J, "delay": DELAY})
        expected += a.input_indegree * n_post

    net = {
        "format": "engram-network/1",
        "name": "random_1e8" if (n, a.synapses_per_neuron) == (100_000, 1000) else f"random_{n}_{a.synapses_per_neuron}",
        "description": (f"Brunel-style sparse random network: {n_exc} exc + {n_inh} inh IF_curr_exp neurons, "
                        f"FixedProbability p = {p:.6g} (K = {a.synapses_per_neuron} synapses per neuron, "
                        f"{recurrent:.4g} recurrent), J = {J} nA, g = {G:g}, delay {DELAY} ms; {a.inputs} "
                        f"Poisson inputs at {rate} Hz, {a.input_indegree} per neuron. "
                        "Written by bench/networks/random_1e8.py."),
        "dt": DT,
        "seed": a.seed,
        "populations": populations,
        "projections": projections,
        "recording": [{"population": "exc", "variables": ["spikes"]},
                      {"population": "inh", "variables": ["spikes"]}],
    }
    with open(a.out, "w") as f:
        json.dump(net, f, indent=1)
        f.write("\n")
    print(f"wrote {a.out}: {n} neurons ({n_exc} exc, {n_inh} inh) + {a.inputs} Poisson inputs at {rate} Hz")
    print(f"expected synapses: {expected:,.0f} ({recurrent:,.0f} recurrent FixedProbability + "
          f"{expected - recurrent:,.0f} from the inputs, FixedNumberPre)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
