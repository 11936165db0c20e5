#!/usr/bin/python3
"""Vogels-Abbott CUBA in Brian 2 beside Engram: firing rates and speed.

The same network as examples/vogels_abbott_cuba/network.json (PyNN's
IF_curr_exp: exponential current synapses, refractory clamp at v_reset),
simulated by Brian 2 in floating point, and by `engram run` in fixed point on
the Loihi-like chip. The two are independent implementations with different
random connectivity, so they agree statistically (mean rates, ISI CV), not
spike for spike.

Usage: /usr/bin/python3 validation/cuba_brian2.py [ENGRAM] [SECONDS]
  ENGRAM   path of the engram program (default build/apps/engram/engram)
  SECONDS  network time to simulate (default 1.0)
Needs Debian's python3-brian and python3-numpy.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENGRAM = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/apps/engram/engram")
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
NETWORK = os.path.join(ROOT, "examples/vogels_abbott_cuba/network.json")


def stats(steps, neurons, population, sizes, dt_ms, seconds):
    out = {}
    for p, size in sizes.items():
        mask = population == p
        s, n = steps[mask], neurons[mask]
        rate = mask.sum() / size / seconds
        cvs = []
        order = np.lexsort((s, n))
        s, n = s[order], n[order]
        for i in np.unique(n):
            isi = np.diff(s[n == i]) * dt_ms
            if len(isi) >= 3:
                cvs.append(isi.std() / isi.mean())
        out[p] = (rate, float(np.mean(cvs)) if cvs else float("nan"))
    return out


def run_engram(steps):
    with tempfile.TemporaryDirectory() as d:
        image = os.path.join(d, "cuba.engram")
        subprocess.run([ENGRAM, "compile", NETWORK, "-o", image], check=True, stdout=subprocess.DEVNULL)
        t0 = time.perf_counter()
        subprocess.run([ENGRAM, "run", image, "--steps", str(steps), "-o", d, "--quiet", "--no-csv",
                        "--no-counters", "--record-spikes", "exc,inh"], check=True)
        wall = time.perf_counter() - t0
        rec = np.fromfile(os.path.join(d, "spikes.bin"),
                          dtype=[("step", "<u4"), ("population", "<u4"), ("neuron", "<u4")])
        with open(os.path.join(d, "run.json")) as f:
            run = json.load(f)
    synops = sum(c["counters"]["synaptic_ops"] for c in run["activity"]["cores"])
    return rec, wall, synops


def run_brian(net, seconds):
    import brian2 as b2
    b2.prefs.codegen.target = "cython"
    b2.seed(net["seed"])
    b2.defaultclock.dt = net["dt"] * b2.ms
    pops = {}
    groups = []
    for pop in net["populations"]:
        p = pop["params"]
        eqs = """
        dv/dt = (v_rest - v)/tau_m + (ie + ii)/c_m : volt (unless refractory)
        die/dt = -ie/tau_e : amp
        dii/dt = -ii/tau_i : amp
        """
        g = b2.NeuronGroup(pop["size"], eqs, threshold="v > v_thresh", reset="v = v_reset",
                           refractory=p["tau_refrac"] * b2.ms, method="exact",
                           namespace={"v_rest": p["v_rest"] * b2.mV, "tau_m": p["tau_m"] * b2.ms,
                                      "c_m": p["cm"] * b2.nF, "tau_e": p["tau_syn_E"] * b2.ms,
                                      "tau_i": p["tau_syn_I"] * b2.ms, "v_thresh": p["v_thresh"] * b2.mV,
                                      "v_reset": p["v_reset"] * b2.mV})
        init = pop["initial"]["v"]
        g.v = "{} * mV + rand() * {} * mV".format(init["low"], init["high"] - init["low"])
        pops[pop["name"]] = g
        groups.append(g)
    syns = []
    for proj in net["projections"]:
        target = "ie" if proj["receptor"] == "excitatory" else "ii"
        sign = "" if proj["receptor"] == "excitatory" else "-"
        s = b2.Synapses(pops[proj["pre"]], pops[proj["post"]],
                        on_pre="{} += {}{} * nA".format(target, sign, proj["weight"]), delay=proj["delay"] * b2.ms)
        if proj["pre"] == proj["post"] and not proj["connector"].get("allow_self_connections", True):
            s.connect(condition="i != j", p=proj["connector"]["p"])
        else:
            s.connect(p=proj["connector"]["p"])
        syns.append(s)
    monitors = [b2.SpikeMonitor(g) for g in groups]
    network = b2.Network(*groups, *syns, *monitors)
    network.run(0 * b2.ms)  # compile the code before timing
    t0 = time.perf_counter()
    network.run(seconds * b2.second)
    wall = time.perf_counter() - t0
    steps, neurons, population = [], [], []
    for k, m in enumerate(monitors):
        steps.append(np.round(np.asarray(m.t / b2.ms) / net["dt"]).astype(np.int64))
        neurons.append(np.asarray(m.i))
        population.append(np.full(len(m.i), k))
    synapses = sum(len(s) for s in syns)
    events = sum(int(m.num_spikes) * len(s) / max(1, len(s.source)) for m, s in zip(monitors, syns[::2]))
    return np.concatenate(steps), np.concatenate(neurons), np.concatenate(population), wall, synapses


def main():
    with open(NETWORK) as f:
        net = json.load(f)
    dt = net["dt"]
    steps = int(round(SECONDS * 1000 / dt))
    sizes = {k: p["size"] for k, p in enumerate(net["populations"])}
    names = [p["name"] for p in net["populations"]]

    rec, e_wall, e_synops = run_engram(steps)
    e = stats(rec["step"].astype(np.int64), rec["neuron"], rec["population"], sizes, dt, SECONDS)
    b_steps, b_neurons, b_pop, b_wall, b_synapses = run_brian(net, SECONDS)
    b = stats(b_steps, b_neurons, b_pop, sizes, dt, SECONDS)

    print("Vogels-Abbott CUBA, {:.3g} s of network time at dt {} ms".format(SECONDS, dt))
    print("{:<10} {:>14} {:>14} {:>10} {:>10}".format("population", "engram Hz", "brian2 Hz", "engram CV", "brian2 CV"))
    for k in sizes:
        print("{:<10} {:>14.3f} {:>14.3f} {:>10.3f} {:>10.3f}".format(names[k], e[k][0], b[k][0], e[k][1], b[k][1]))
    print("wall clock: engram run IMAGE (whole program: load, run, write) {:.3f} s; "
          "brian2 (cython runtime, run only) {:.3f} s".format(e_wall, b_wall))
    print("engram synaptic events {:,} ({:.3g} M/s of wall clock)".format(e_synops, e_synops / e_wall / 1e6))


if __name__ == "__main__":
    main()
