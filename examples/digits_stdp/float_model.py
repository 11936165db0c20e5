"""The digits network of digits.py in floating point.

The same neurons, connections, delays, input spikes, initial weights and
learning rules as the chip run, integrated the same way step by step
(numerics.md §6: v(s) = v(s-1)·e^(-dt/τm) + u_exc + u_inh, inputs entering in
the step after their emission with the 1 ms delays; §8: the rules run at the
end of every epoch of E steps on the epoch's spike flags and the traces and
weights of that moment), but with exact exponentials, real-valued weights
and traces, and no rounding or saturation. The rules are the ones digits.py
writes for the chip, in physical units: on the chip dw is in 1/256 of a
weight mantissa step and traces count 4096 per spike, so with
L = 256 / weight_lsb_nA, traces in spikes (1 per spike) and w in nA:

  instar:    dw = y0·(2^a·4096·x1 / L − 2^d·w)
  oja:       dw = y0·(2^a·4096·x1 / L − 2^b·4096·y1·w)        w in [0, w_max]
  threshold: dθ = 2^g·y0 / L_θ − 2^h·θ                         θ in [0, θ_max]

θ is the weight of the inhibitory synapse from the source that fires every
step, so it subtracts θ from the neuron's input current in every step.
"""

import json
import os

import numpy as np


def read_spike_file(path, period_steps, n_pres):
    data = np.loadtxt(path, delimiter=",", comments="#", ndmin=2)
    neurons, steps = data[:, 0].astype(np.int64), np.rint(data[:, 1]).astype(np.int64)
    per_step = [[] for _ in range(period_steps * n_pres)]
    for n, s in zip(neurons, steps):
        per_step[s].append(n)
    return [np.asarray(x, dtype=np.int64) for x in per_step]


class Network:
    def __init__(self, p, weights, theta, lsb_na, theta_lsb_na):
        self.p = p
        self.w = weights.astype(np.float64)          # [64, N] nA
        self.theta = theta.astype(np.float64)        # [N] nA
        n = p["neurons"]
        dt = 1.0
        self.a_m = np.exp(-dt / p["tau_m"])
        self.a_e = np.exp(-dt / p["tau_syn_E"])
        self.a_i = np.exp(-dt / p["tau_syn_I"])
        self.a_x1 = np.exp(-dt / p["tau_x1"])
        self.a_y1 = np.exp(-dt / p["tau_y1"])
        self.epoch = int(round(p["epoch_ms"] / dt))
        self.gain = dt / 1.0                         # dt / cm: mV per nA per step
        self.v_thresh = p["v_thresh"] - p["v_reset"] # v is relative to v_ref = v_reset = v_rest
        self.refractory_steps = int(round(p["tau_refrac"] / dt))
        self.u_e = np.zeros(n)
        self.u_i = np.zeros(n)
        self.v = np.zeros(n)
        self.refractory = np.zeros(n, dtype=np.int64)
        self.x1 = np.zeros(64)
        self.y1 = np.zeros(n)
        self.x0e = np.zeros(64, dtype=bool)
        self.y0e = np.zeros(n, dtype=bool)
        self.steps = 0
        self.last_spikes = np.zeros(0, dtype=np.int64)
        self.eta = 2.0 ** p["rate_exp"] * 4096 * lsb_na / 256
        self.instar = p["learning"] == "instar"
        self.beta = 2.0 ** p["decay_exp"] if self.instar else 2.0 ** p["oja_exp"] * 4096
        self.theta_step = 2.0 ** p["theta_exp"] * theta_lsb_na / 256
        self.theta_decay = 2.0 ** p["theta_decay_exp"]

    def learn(self):
        """The rules at an epoch's end; every term sees the values before it."""
        p, w = self.p, self.w
        post = np.nonzero(self.y0e)[0]
        if len(post):
            shrink = self.beta if self.instar else self.beta * self.y1[post]
            w[:, post] += self.eta * self.x1[:, None] - shrink * w[:, post]
            np.clip(w, 0.0, p["w_max"], out=w)
        self.theta += self.theta_step * self.y0e - self.theta_decay * self.theta
        np.clip(self.theta, 0.0, p["theta_max"], out=self.theta)

    def step(self, pre, learn):
        """One step; pre: input neurons whose spikes (emitted last step) arrive now."""
        p = self.p
        in_e = self.w[pre].sum(axis=0) * self.gain
        n_inh = len(self.last_spikes)
        in_i = np.full_like(self.v, -p["w_inh"] * n_inh * self.gain)
        if n_inh:
            in_i[self.last_spikes] += p["w_inh"] * self.gain   # no self-inhibition
        if self.steps > 0:
            in_i -= self.theta * self.gain                       # the source fires every step
        self.u_e = self.u_e * self.a_e + in_e
        self.u_i = self.u_i * self.a_i + in_i
        hold = self.refractory > 0
        self.refractory[hold] -= 1
        v = self.v * self.a_m + self.u_e + self.u_i
        self.v = np.where(hold, 0.0, v)
        spiked = (~hold) & (self.v >= self.v_thresh)
        self.v[spiked] = 0.0
        self.refractory[spiked] = self.refractory_steps
        self.x1 *= self.a_x1
        self.x1[pre] += 1.0
        self.y1 *= self.a_y1
        self.y1[spiked] += 1.0
        self.x0e[pre] = True
        self.y0e[spiked] = True
        post = np.nonzero(spiked)[0]
        self.steps += 1
        if self.steps % self.epoch == 0:
            if learn:
                self.learn()
            self.x0e[:] = False
            self.y0e[:] = False
        self.last_spikes = post
        return post


def simulate(net, spikes, learn):
    out_neurons, out_steps = [], []
    for s in range(len(spikes)):
        pre = spikes[s - 1] if s > 0 else spikes[0][:0]    # 1-step delay
        post = net.step(pre, learn)
        if len(post):
            out_neurons.append(post)
            out_steps.append(np.full(len(post), s))
    if not out_neurons:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(out_neurons), np.concatenate(out_steps)


WEIGHT_RECORD = [(n, "<i4") for n in ("step", "projection", "pre", "post",
                                      "weight", "weight_frac", "tag", "delay")]


def weight_records(out):
    """The training run's weights.bin (docs/run-output.md)."""
    return np.fromfile(os.path.join(out, "chip_train", "weights.bin"), dtype=WEIGHT_RECORD)


def initial_state(out, p):
    """The chip run's initial weights (the first record of weights.bin) and
    the weight steps of both plastic projections."""
    with open(os.path.join(out, "chip_train", "run.json")) as f:
        run = json.load(f)
    names = [q["name"] for q in run["projections"]]
    lsb = {q["name"]: q["weight_lsb_na"] for q in run["projections"]}
    rec = weight_records(out)
    first = rec[rec["step"] == rec["step"].min()]
    inputs = first[first["projection"] == names.index("input_synapses")]
    w = np.zeros((64, p["neurons"]))
    w[inputs["pre"], inputs["post"]] = inputs["weight"] * lsb["input_synapses"]
    theta = np.zeros(p["neurons"])
    th = first[first["projection"] == names.index("threshold")]
    theta[th["post"]] = np.abs(th["weight"]) * lsb["threshold"]
    return w, theta, lsb["input_synapses"], lsb["threshold"]


def train_and_score(out, p, schedule, responses, score):
    """Train on the chip run's input spikes, then label and test as digits.py does."""
    w0, theta0, lsb, theta_lsb = initial_state(out, p)
    net = Network(p, w0, theta0, lsb, theta_lsb)
    train = read_spike_file(os.path.join(out, "train_spikes.txt"), schedule["train_period_ms"],
                            len(schedule["train_order"]))
    simulate(net, train, learn=True)
    np.save(os.path.join(out, "float_weights.npy"), net.w)
    np.save(os.path.join(out, "float_theta.npy"), net.theta)
    evaluation = Network(p, net.w, net.theta, lsb, theta_lsb)
    period = schedule["eval_period_ms"]
    spikes = read_spike_file(os.path.join(out, "eval_spikes.txt"), period,
                             len(schedule["eval_order"]))
    neurons, steps = simulate(evaluation, spikes, learn=False)
    resp = responses(neurons, steps, len(schedule["eval_order"]), period, p["neurons"])
    return score(resp, schedule)
