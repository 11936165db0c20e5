#!/usr/bin/python3
"""Write the Potjans & Diesmann (2014) cortical microcircuit as engram-network/1.

Usage: potjans_diesmann.py OUT.json [--scale S] [--seed N] [--drive poisson|dc]
                           [--poisson-max-p P] [--max-delay-steps D]

Source: T. C. Potjans and M. Diesmann, "The cell-type specific cortical
microcircuit: relating structure and activity in a full-scale spiking network
model", Cerebral Cortex 24(3):785-806, 2014 (Tables 4 and 5), with the
parameter values as in NEST's PyNEST microcircuit example
(pynest/examples/Potjans_2014/network_params.py).

- 8 populations L23e L23i L4e L4i L5e L5i L6e L6i with 20683, 5834, 21915,
  5479, 4850, 1065, 14395, 2948 neurons (77,169 in all); --scale S multiplies
  the sizes (rounded, at least 1) and keeps the connection probabilities, so
  in-degrees shrink with S while K_ext does not: scaled-down networks are for
  quick tests of the tool chain, not for the paper's dynamics.
- IF_curr_exp: C_m 250 pF (cm 0.25 nF), tau_m 10 ms, tau_syn_E = tau_syn_I
  0.5 ms, t_ref 2 ms, E_L = V_reset -65 mV, V_th -50 mV, i_offset 0.
  Initial voltages N(-58, 10) mV as the NEST example ('original' V0), written
  as normal_clipped to [-98, -18] mV (+/- 4 sd) because the format accepts
  initial voltages only with finite bounds.
- Connectivity: the published 8x8 connection-probability table (target rows,
  source columns), one FixedProbability projection per non-zero entry,
  self-connections allowed (the paper allows autapses).
  The paper draws a *fixed total number* of synapses per population pair,
  K = log(1 - C_a) / log(1 - 1/(N_pre N_post)), with multapses; Engram's
  FixedProbability makes each pair independently with probability p, so the
  expected count is p N_pre N_post. Since K ~= -ln(1 - p) N_pre N_post, the
  paper's count is larger by -ln(1 - p)/p ~= 1 + p/2. For the full model
  FixedProbability expects 284.8 million recurrent synapses, 0.953 of the
  paper's 298.9 million (the script prints both totals); the largest entry,
  p = 0.3726 (L5i -> L5e), gets 0.80 of the paper's count.
- Weights: mean PSC amplitude 87.8 pA (w = 0.0878 nA; a 0.15 mV PSP), with a
  relative sd of 0.1, as "normal_clipped" on [0, 2 x mean]: Engram's
  normal_clipped redraws values outside [low, high] (as NEST's redraw), low =
  0 keeps the sign and high = mean + 10 sd is symmetric and never reached in
  practice; it also sets the weight-quantization range, which is why it is
  finite and not larger. L4e -> L23e is doubled (0.1756 nA, sd 0.01756).
  Inhibitory projections have g = -4: magnitude 0.3512 nA (sd 0.03512) on the
  "inhibitory" receptor (weights are magnitudes in engram-network/1).
- Delays: normal, excitatory 1.5 ms (sd 0.75), inhibitory 0.75 ms
  (sd 0.375), as normal_clipped on [dt, D x dt] with D = 62 steps (--max-delay-steps).
  dt = 0.1 ms, as in the paper: the loihi-like chip's max_delay is 62 steps,
  i.e. 6.2 ms at dt = 0.1 ms, which is 6.3 sd above the excitatory mean, so
  the upper bound removes a fraction ~2e-10 of the draws; the lower bound dt
  redraws 3.1% (excitatory) and 4.2% (inhibitory) of them, as the paper's
  truncation at dt does.
- External drive (--drive poisson, the default): the paper gives each neuron
  K_ext independent Poisson inputs of 8 Hz (K_ext = 1600, 1500, 2100, 1900,
  2000, 1900, 2900, 2100) with weight 87.8 pA and delay 1.5 ms. Their
  superposition is one Poisson process of K_ext x 8 Hz = 12.0 to 23.2 kHz,
  but engram-network/1 allows at most one spike per source per step
  (rate x dt <= 1, i.e. <= 10 kHz at dt = 0.1 ms). So each population gets
  m = ceil(K_ext x 8 Hz x dt / P) SpikeSourcePoisson populations of its own
  size (P = --poisson-max-p, default 1: the fewest sources; m = 2 for every
  population except L6e with m = 3), each at K_ext x 8 Hz / m and connected
  OneToOne with weight 0.0878 nA, delay 1.5 ms. The mean drive is exact;
  because each source is a Bernoulli process per step, the variance of the
  input count per step is (1 - p) of a Poisson process's, where p = rate x dt
  of one source (0.6 to 0.84 with P = 1). A smaller P brings the drive closer
  to Poisson at the price of more source neurons (P = 0.25 gives ~551,000).
  With P = 1 the full model has 168,733 source neurons and as many external
  synapses (OneToOne).
  --drive dc replaces the sources by the paper's DC alternative (as the NEST
  example's poisson_input = False): i_offset = K_ext x 8 Hz x 0.0878 nA x
  tau_syn = 0.527 to 1.018 nA per neuron, no source neurons.

The connectors are written as rules (FixedProbability, OneToOne), so the file
is a few tens of kB at any scale; the compiler draws the ~3e8 synapses.
Prints the expected synapse count.
"""

import argparse
import json
import math
import sys

POPULATIONS = ["L23e", "L23i", "L4e", "L4i", "L5e", "L5i", "L6e", "L6i"]
SIZES = [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948]
K_EXT = [1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100]
# Connection probabilities, Potjans & Diesmann 2014 Table 5: row = target, column = source.
CONN_PROBS = [
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
    [0.0077, 0.0059, 0.0497, 0.1350, 0.0067, 0.0003, 0.0453, 0.0],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.0600, 0.3158, 0.0086, 0.0],
    [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
    [0.0364, 0.0010, 0.0034, 0.0005, 0.0277, 0.0080, 0.0658, 0.1443],
]

DT = 0.1             # ms, as the paper
W_MEAN = 0.0878      # nA: 87.8 pA mean PSC amplitude
W_REL_SD = 0.1
G = 4.0              # inhibitory weights are g x w (g = -4; the sign goes to the receptor)
BG_RATE = 8.0        # Hz per external input
D_EXC, D_EXC_SD = 1.5, 0.75
D_INH, D_INH_SD = 0.75, 0.375
D_EXT = 1.5          # ms, delay of the external (Poisson) input
TAU_SYN = 0.5
NEURON_PARAMS = {
    "cm": 0.25, "tau_m": 10.0, "tau_syn_E": TAU_SYN, "tau_syn_I": TAU_SYN, "tau_refrac": 2.0,
    "v_rest": -65.0, "v_reset": -65.0, "v_thresh": -50.0, "i_offset": 0.0,
}
V0_MEAN, V0_SD = -58.0, 10.0


def r(x):
    """Round for JSON so that 0.0878 * 2 is written 0.1756, not 0.17560000000000001."""
    return float(f"{x:.10g}")


def weight_spec(mean):
    return {"distribution": "normal_clipped", "mean": r(mean), "sd": r(mean * W_REL_SD),
            "low": 0.0, "high": r(2.0 * mean)}


def delay_spec(mean, sd, max_delay_steps):
    return {"distribution": "normal_clipped", "mean": mean, "sd": sd,
            "low": DT, "high": r(max_delay_steps * DT)}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", help="output network JSON")
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies population sizes (default 1)")
    ap.add_argument("--seed", type=int, default=2014, help="network seed (default 2014)")
    ap.add_argument("--drive", choices=["poisson", "dc"], default="poisson",
                    help="external drive: Poisson sources (default) or the paper's DC alternative")
    ap.add_argument("--poisson-max-p", type=float, default=1.0,
                    help="largest spike probability per step of one Poisson source (default 1)")
    ap.add_argument("--max-delay-steps", type=int, default=62,
                    help="upper clip of the delay distributions, in steps of dt (default 62, loihi-like)")
    a = ap.parse_args(argv)
    if not a.scale > 0:
        ap.error("--scale must be > 0")
    if a.seed < 0:
        ap.error("--seed must be >= 0")
    if not 0 < a.poisson_max_p <= 1:
        ap.error("--poisson-max-p must be in (0, 1]")
    if a.max_delay_steps * DT <= D_EXC:
        ap.error("--max-delay-steps too small for the excitatory mean delay")

    sizes = [max(1, round(n * a.scale)) for n in SIZES]
    populations = []
    for name, size, k_ext in zip(POPULATIONS, sizes, K_EXT):
        params = dict(NEURON_PARAMS)
        if a.drive == "dc":
            params["i_offset"] = r(k_ext * BG_RATE * 1e-3 * W_MEAN * TAU_SYN)  # nA: Hz*ms*1e-3 = count
        populations.append({
            "name": name, "size": size, "model": "IF_curr_exp", "params": params,
            "initial": {"v": {"distribution": "normal_clipped", "mean": V0_MEAN, "sd": V0_SD,
                              "low": V0_MEAN - 4 * V0_SD, "high": V0_MEAN + 4 * V0_SD}},
        })

    projections = []
    expected = 0.0
    paper = 0.0
    for t, (post, n_post) in enumerate(zip(POPULATIONS, sizes)):
        for s, (pre, n_pre) in enumerate(zip(POPULATIONS, sizes)):
            p = CONN_PROBS[t][s]
            if p == 0.0:
                continue
            excitatory = pre.endswith("e")
            w = W_MEAN if excitatory else G * W_MEAN
            if pre == "L4e" and post == "L23e":
                w *= 2.0
            projections.append({
                "name": f"{pre}_to_{post}", "pre": pre, "post": post,
                "connector": {"type": "FixedProbability", "p": p},
                "receptor": "excitatory" if excitatory else "inhibitory",
                "weight": weight_spec(w),
                "delay": delay_spec(D_EXC, D_EXC_SD, a.max_delay_steps) if excitatory
                else delay_spec(D_INH, D_INH_SD, a.max_delay_steps),
            })
            pairs = float(n_pre) * n_post
            expected += p * pairs
            paper += math.log(1.0 - p) / math.log(1.0 - 1.0 / pairs)

    sources = 0
    if a.drive == "poisson":
        for name, size, k_ext in zip(POPULATIONS, sizes, K_EXT):
            total = k_ext * BG_RATE  # Hz, superposition of K_ext inputs of 8 Hz
            m = max(1, math.ceil(total * DT * 1e-3 / a.poisson_max_p - 1e-12))
            rate = r(total / m)
            for i in range(m):
                src = f"{name}_bg{i}"
                populations.append({
                    "name": src, "size": size, "model": "SpikeSourcePoisson", "params": {"rate": rate},
                    "description": f"background of {name}, part {i + 1} of {m}: {k_ext} inputs x "
                                   f"{BG_RATE:g} Hz = {total:g} Hz per neuron in all",
                })
                projections.append({
                    "name": f"{src}_to_{name}", "pre": src, "post": name,
                    "connector": {"type": "OneToOne"}, "receptor": "excitatory",
                    "weight": W_MEAN, "delay": D_EXT,
                })
                sources += size
                expected += size
                paper += size

    neurons = sum(sizes)
    net = {
        "format": "engram-network/1",
        "name": "potjans_diesmann_2014",
        "description": (
            "Potjans & Diesmann (2014, Cereb. Cortex 24:785) cortical microcircuit, "
            f"scale {a.scale:g}: {neurons} IF_curr_exp neurons in 8 populations, published connection "
            "probabilities (FixedProbability), 87.8 pA PSCs (L4e->L23e doubled, g = -4), normal delays "
            "1.5/0.75 ms; external drive "
            + ("K_ext x 8 Hz Poisson per neuron, split over OneToOne SpikeSourcePoisson populations "
               "(at most one spike per step each)" if a.drive == "poisson"
               else "DC (i_offset = K_ext x 8 Hz x w x tau_syn)")
            + ". Written by bench/networks/potjans_diesmann.py."),
        "dt": DT,
        "seed": a.seed,
        "populations": populations,
        "projections": projections,
        "recording": [{"population": name, "variables": ["spikes"]} for name in POPULATIONS],
    }
    with open(a.out, "w") as f:
        json.dump(net, f, indent=1)
        f.write("\n")
    recurrent = expected - sources
    print(f"wrote {a.out}: {neurons} neurons + {sources} Poisson sources, {len(projections)} projections")
    print(f"expected synapses: {expected:,.0f} ({recurrent:,.0f} recurrent FixedProbability + "
          f"{sources:,} external OneToOne)")
    print(f"paper's fixed total of recurrent synapses at these sizes: {paper - sources:,.0f} "
          f"(FixedProbability expects {recurrent / (paper - sources):.4f} of it)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
