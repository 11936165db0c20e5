#!/usr/bin/python3
"""Unsupervised STDP digit learning on the chip, after Diehl & Cook (2015).

The 8x8 handwritten digits that ship with Debian's python3-sklearn (1,797
images) become Poisson spike trains on 64 input neurons. A layer of LIF
neurons learns from them with an on-chip rule, without labels; all-to-all
lateral inhibition makes them compete. Afterwards each neuron is labelled
with the digit it answers most on the training split, and the held-out split
is classified by the labelled neurons' votes. The same network is also run
in floating point (numpy, exact exponentials, no rounding) for comparison.

Commands (see README.md):
  digits.py prepare OUT            spike files, schedules and networks
  digits.py chip OUT --engram BIN  train, label and test on the emulator
  digits.py float OUT              the same in floating point
  digits.py plot OUT               figure of the learned weights
  digits.py all OUT --engram BIN   the first three in one go
Use /usr/bin/python3: it sees Debian's numpy.
"""

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

DIGITS_CSV = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"

# Everything the experiment depends on; `prepare` writes it to params.json
# and the other commands read it back from there.
DEFAULTS = {
    "seed": 1,
    "test_fraction": 0.3,       # held-out share of the 1,797 images
    "train_images": 0,          # 0: the whole training split
    "epochs": 2,                # passes over the training images while learning
    "present_ms": 100,          # one image while learning
    "eval_present_ms": 200,     # one image while labelling and testing
    "rest_ms": 50,              # silence after it (traces and membranes decay)
    "total_rate_hz": 2000.0,    # summed input rate of every image
    "max_rate_hz": 250.0,       # cap per pixel
    "neurons": 200,             # learning layer
    "tau_m": 20.0, "tau_syn_E": 5.0, "tau_syn_I": 20.0,
    "v_rest": -65.0, "v_reset": -65.0, "v_thresh": -50.0, "tau_refrac": 2.0,
    "w_init_low": 0.05, "w_init_high": 0.25,   # nA
    "w_max": 0.4,               # nA, the input rule's upper bound
    "w_inh": 0.5,               # nA, lateral inhibition
    "epoch_ms": 10.0,           # the learning engine runs every 10 steps
    "learning": "instar",       # input rule: instar or oja
    "rate_exp": -6,             # dw += 2^rate_exp * x1 * y0
    "decay_exp": -5,            # instar: dw -= 2^decay_exp * w * y0
    "oja_exp": -20,             # oja:    dw -= 2^oja_exp * y1 * w * y0
    "tau_x1": 100.0,            # ms, pre trace: the input rate over a presentation
    "tau_y1": 50.0,             # ms, post trace (oja)
    "theta_exp": 8,             # adaptive threshold: dw += 2^theta_exp * y0 ...
    "theta_decay_exp": -12,     # ... - 2^theta_decay_exp * w (4,096 epochs: 41 s)
    "theta_max": 0.05,          # nA
}


def load_digits():
    with gzip.open(DIGITS_CSV, "rt") as f:
        data = np.loadtxt(f, delimiter=",")
    return data[:, :64], data[:, 64].astype(int)


def split(labels, p):
    rng = np.random.default_rng(p["seed"])
    order = rng.permutation(len(labels))
    n_test = int(round(p["test_fraction"] * len(labels)))
    test, train = np.sort(order[:n_test]), np.sort(order[n_test:])
    if p["train_images"]:
        train = train[: p["train_images"]]
    return train, test


def rates(images, p):
    """Pixel rates in Hz: every image sums to total_rate_hz, capped per pixel."""
    r = images / images.sum(axis=1, keepdims=True) * p["total_rate_hz"]
    return np.minimum(r, p["max_rate_hz"])


def spike_trains(image_rates, present_ms, rest_ms, rng):
    """Bernoulli spikes per 1 ms step, each image for present_ms then silence."""
    period = present_ms + rest_ms
    times, neurons = [], []
    for k, r in enumerate(image_rates):
        draw = rng.random((present_ms, 64)) < r / 1000.0
        step, pixel = np.nonzero(draw)
        times.append(k * period + step)
        neurons.append(pixel)
    return np.concatenate(neurons), np.concatenate(times)


def write_spikes(path, neurons, times):
    order = np.lexsort((times, neurons))
    with open(path, "w") as f:
        f.write("# neuron,time_ms\n")
        for n, t in zip(neurons[order], times[order]):
            f.write(f"{n},{t}.0\n")


def input_rule(p):
    """The input synapses' rule, a Loihi-style sum of products evaluated every
    epoch on the epoch's spike flags.

    instar: dw = y0·(2^a·x1 − 2^d·w): on a post spike the weight vector moves
    toward a multiple of the pre traces, so each neuron's weights become a
    running average of the inputs it answers to, their sum fixed by the total
    input rate (the role of Diehl & Cook's weight normalization).
    oja: dw = y0·(2^a·x1 − 2^b·y1·w): the same, normalized by the neuron's
    own rate trace (Oja's rule)."""
    if p["learning"] == "instar":
        dw = f"2^{p['rate_exp']}*x1*y0 - 2^{p['decay_exp']}*w*y0"
    elif p["learning"] == "oja":
        dw = f"2^{p['rate_exp']}*x1*y0 - 2^{p['oja_exp']}*y1*w*y0"
    else:
        sys.exit(f"digits.py: learning must be instar or oja, not '{p['learning']}'")
    return {"name": "input_rule", "rule": "sum_of_products", "epoch": p["epoch_ms"],
            "params": {"dw": dw, "tau_x1": p["tau_x1"], "tau_y1": p["tau_y1"],
                       "w_min": 0.0, "w_max": p["w_max"]}}


def threshold_rule(p):
    """Adaptive thresholds as a plastic inhibitory synapse from a source that
    fires every step: its magnitude (the threshold's rise) grows by a fixed
    step in every epoch in which the neuron spiked and decays by 2^-12 per
    epoch, as Diehl & Cook's theta grows per spike and decays slowly. The
    neuron model has no threshold adaptation; the learning engine gives it."""
    return {"name": "threshold_rule", "rule": "sum_of_products", "epoch": p["epoch_ms"],
            "params": {"dw": f"2^{p['theta_exp']}*y0 - 2^{p['theta_decay_exp']}*w",
                       "tau_y1": p["tau_y1"], "w_min": 0.0, "w_max": p["theta_max"]}}


def network(p, spike_file, plastic):
    exc = {k: p[k] for k in ("tau_m", "tau_syn_E", "tau_syn_I", "v_rest",
                             "v_reset", "v_thresh", "tau_refrac")}
    exc["cm"] = 1.0
    inputs = {"name": "input_synapses", "pre": "pixels", "post": "exc",
              "connector": {"type": "AllToAll"}, "delay": 1.0,
              "weight": {"distribution": "uniform", "low": p["w_init_low"],
                         "high": p["w_init_high"]}}
    if plastic:
        inputs["plasticity"] = "input_rule"
    net = {
        "format": "engram-network/1",
        "name": "digits_stdp",
        "description": "Unsupervised digit learning after Diehl & Cook (2015): "
                       "64 Poisson pixels, a layer of LIF neurons with an on-chip "
                       "instar STDP rule and all-to-all lateral inhibition.",
        "dt": 1.0,
        "seed": p["seed"],
        "populations": [
            {"name": "pixels", "size": 64, "model": "SpikeSourceArray",
             "params": {"spike_times_file": spike_file}},
            {"name": "exc", "size": p["neurons"], "model": "IF_curr_exp", "params": exc},
            {"name": "always", "size": 1, "model": "SpikeSourcePoisson", "params": {"rate": 1000.0}},
        ],
        "projections": [
            inputs,
            {"name": "lateral_inhibition", "pre": "exc", "post": "exc",
             "connector": {"type": "AllToAll", "allow_self_connections": False},
             "receptor": "inhibitory", "weight": p["w_inh"], "delay": 1.0},
            {"name": "threshold", "pre": "always", "post": "exc",
             "connector": {"type": "AllToAll"}, "receptor": "inhibitory",
             "weight": 0.0, "delay": 1.0, "plasticity": "threshold_rule"},
        ],
        "recording": [{"population": "exc", "variables": ["spikes"]}],
    }
    if plastic:
        net["plasticity"] = [input_rule(p), threshold_rule(p)]
    return net


def write_json(path, obj):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def cmd_prepare(args):
    p = dict(DEFAULTS)
    for kv in args.set or []:
        key, value = kv.split("=", 1)
        if key not in p:
            sys.exit(f"digits.py: unknown parameter '{key}' (known: {', '.join(sorted(p))})")
        p[key] = type(p[key])(value)
    os.makedirs(args.out, exist_ok=True)
    images, labels = load_digits()
    train, test = split(labels, p)
    rng = np.random.default_rng(p["seed"] + 1)
    order = np.concatenate([rng.permutation(train) for _ in range(p["epochs"])])
    evaluation = np.concatenate([train, test])
    spike_rng = np.random.default_rng(p["seed"] + 2)
    for name, idx, present in (("train", order, p["present_ms"]),
                               ("eval", evaluation, p["eval_present_ms"])):
        n, t = spike_trains(rates(images[idx], p), present, p["rest_ms"], spike_rng)
        write_spikes(os.path.join(args.out, f"{name}_spikes.txt"), n, t)
    schedule = {"train_period_ms": p["present_ms"] + p["rest_ms"],
                "eval_period_ms": p["eval_present_ms"] + p["rest_ms"],
                "train_order": order.tolist(),
                "eval_order": evaluation.tolist(), "n_train": len(train),
                "labels": labels.tolist()}
    write_json(os.path.join(args.out, "schedule.json"), schedule)
    write_json(os.path.join(args.out, "params.json"), p)
    write_json(os.path.join(args.out, "train.json"), network(p, "train_spikes.txt", True))
    print(f"prepared {len(order)} training presentations ({len(train)} images x "
          f"{p['epochs']}), {len(evaluation)} evaluation presentations "
          f"({len(train)} train + {len(test)} test) in {args.out}")


def read_json(out, name):
    with open(os.path.join(out, name)) as f:
        return json.load(f)


def responses(spike_neurons, spike_steps, n_pres, period, n_neurons):
    """Spike counts per presentation and neuron (a presentation's window is its
    period shifted by the 1-step input delay)."""
    r = np.zeros((n_pres, n_neurons))
    k = (spike_steps - 1) // period
    ok = (spike_steps >= 1) & (k < n_pres)
    np.add.at(r, (k[ok], spike_neurons[ok]), 1)
    return r


def score(resp, schedule):
    """Label neurons on the training presentations, classify the test ones."""
    labels = np.asarray(schedule["labels"])[schedule["eval_order"]]
    n_train = schedule["n_train"]
    r_train, r_test = resp[:n_train], resp[n_train:]
    per_class = np.stack([r_train[labels[:n_train] == c].mean(axis=0) for c in range(10)])
    assigned = np.where(r_train.sum(axis=0) > 0, per_class.argmax(axis=0), -1)
    votes = np.stack([r_test[:, assigned == c].mean(axis=1) if np.any(assigned == c)
                      else np.zeros(len(r_test)) for c in range(10)], axis=1)
    silent = r_test.sum(axis=1) == 0
    predicted = np.where(silent, -1, votes.argmax(axis=1))
    truth = labels[n_train:]
    return {
        "accuracy": float(np.mean(predicted == truth)),
        "test_images": int(len(truth)),
        "correct": int(np.sum(predicted == truth)),
        "silent_test_images": int(silent.sum()),
        "neurons_labelled": int(np.sum(assigned >= 0)),
        "neurons_per_digit": [int(np.sum(assigned == c)) for c in range(10)],
        "confusion": [[int(np.sum((truth == a) & (predicted == b))) for b in range(10)]
                      for a in range(10)],
    }


def run(cmd):
    subprocess.run(cmd, check=True)


def cmd_chip(args):
    out, engram = args.out, args.engram
    p, schedule = read_json(out, "params.json"), read_json(out, "schedule.json")
    train_steps = len(schedule["train_order"]) * schedule["train_period_ms"]
    run([engram, "run", os.path.join(out, "train.json"), "--chip", args.chip,
         "--steps", str(train_steps), "-o", os.path.join(out, "chip_train"),
         "--record-spikes", "exc", "--no-counters", "--quiet",
         "--record-weights", "input_synapses,threshold", "--weights-every", str(train_steps),
         "--write-network", os.path.join(out, "learned.json")])
    learned = read_json(out, "learned.json")
    learned["populations"][0]["params"]["spike_times_file"] = "eval_spikes.txt"
    write_json(os.path.join(out, "eval.json"), learned)
    period = schedule["eval_period_ms"]
    eval_steps = len(schedule["eval_order"]) * period
    run([engram, "run", os.path.join(out, "eval.json"), "--chip", args.chip,
         "--steps", str(eval_steps), "-o", os.path.join(out, "chip_eval"),
         "--record-spikes", "exc", "--no-counters", "--quiet"])
    spikes = np.fromfile(os.path.join(out, "chip_eval", "spikes.bin"),
                         dtype=[("step", "<u4"), ("population", "<u4"), ("neuron", "<u4")])
    resp = responses(spikes["neuron"].astype(np.int64), spikes["step"].astype(np.int64),
                     len(schedule["eval_order"]), period, p["neurons"])
    result = score(resp, schedule)
    write_json(os.path.join(out, "chip_result.json"), result)
    print(f"chip: accuracy {result['accuracy']:.3f} ({result['correct']}/{result['test_images']}), "
          f"{result['neurons_labelled']} neurons labelled, {result['silent_test_images']} silent test images")


def cmd_float(args):
    import float_model
    out = args.out
    p, schedule = read_json(out, "params.json"), read_json(out, "schedule.json")
    result = float_model.train_and_score(out, p, schedule, responses, score)
    write_json(os.path.join(out, "float_result.json"), result)
    print(f"float: accuracy {result['accuracy']:.3f} ({result['correct']}/{result['test_images']}), "
          f"{result['neurons_labelled']} neurons labelled, {result['silent_test_images']} silent test images")


def chip_weights(out, p):
    import float_model
    rec = float_model.weight_records(out)
    last = rec[(rec["step"] == rec["step"].max()) & (rec["projection"] == 0)]
    w = np.zeros((64, p["neurons"]))
    w[last["pre"], last["post"]] = last["weight"] + last["weight_frac"] / 256.0
    return w


def cmd_plot(args):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    out = args.out
    p = read_json(out, "params.json")
    panels = [("chip (fixed point)", chip_weights(out, p), read_json(out, "chip_result.json"))]
    if os.path.exists(os.path.join(out, "float_result.json")):
        panels.append(("float", np.load(os.path.join(out, "float_weights.npy")),
                       read_json(out, "float_result.json")))
    side = int(np.ceil(np.sqrt(p["neurons"])))
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 6.4))
    axes = np.atleast_1d(axes)
    for ax, (title, w, result) in zip(axes, panels):
        mosaic = np.full((side * 9, side * 9), np.nan)
        for n in range(p["neurons"]):
            r, c = divmod(n, side)
            tile = w[:, n].reshape(8, 8)
            mosaic[r * 9:r * 9 + 8, c * 9:c * 9 + 8] = tile / max(tile.max(), 1e-12)
        ax.imshow(mosaic, cmap="gray_r", interpolation="nearest")
        ax.set_title(f"{title}: learned input weights, test accuracy {100 * result['accuracy']:.1f} %")
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(args.output, dpi=80)
    print(f"wrote {args.output}")


def cmd_all(args):
    """prepare, chip, float (and with --min-accuracy, check the results)."""
    cmd_prepare(args)
    cmd_chip(args)
    cmd_float(args)
    chip = read_json(args.out, "chip_result.json")["accuracy"]
    flt = read_json(args.out, "float_result.json")["accuracy"]
    failed = []
    if args.min_accuracy is not None and chip < args.min_accuracy:
        failed.append(f"chip accuracy {chip:.3f} is below {args.min_accuracy}")
    if args.min_float_accuracy is not None and flt < args.min_float_accuracy:
        failed.append(f"float accuracy {flt:.3f} is below {args.min_float_accuracy}")
    if failed:
        sys.exit("digits.py: " + "; ".join(failed))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    a = sub.add_parser("prepare", help="spike files, schedules and the training network")
    a.add_argument("out")
    a.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a parameter")
    a.set_defaults(func=cmd_prepare)
    a = sub.add_parser("chip", help="train, label and test on the emulator")
    a.add_argument("out")
    a.add_argument("--engram", default="engram")
    a.add_argument("--chip", default="loihi-like")
    a.set_defaults(func=cmd_chip)
    a = sub.add_parser("float", help="the same network in floating point")
    a.add_argument("out")
    a.set_defaults(func=cmd_float)
    a = sub.add_parser("all", help="prepare, chip and float in one go")
    a.add_argument("out")
    a.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a parameter")
    a.add_argument("--engram", default="engram")
    a.add_argument("--chip", default="loihi-like")
    a.add_argument("--min-accuracy", type=float, help="fail below this chip accuracy")
    a.add_argument("--min-float-accuracy", type=float, help="fail below this float accuracy")
    a.set_defaults(func=cmd_all)
    a = sub.add_parser("plot", help="figure of the learned weights")
    a.add_argument("out")
    a.add_argument("-o", "--output", default="weights.png")
    a.set_defaults(func=cmd_plot)
    args = ap.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    args.func(args)


if __name__ == "__main__":
    main()
