#!/usr/bin/env python3
"""A closed loop over `engram serve`, using only the Python standard library.

Each chunk of steps the client injects random sensor spikes (timestamped),
runs the chunk, reads the motor neurons' spikes and answers each with a
reward a few steps later. It writes what it saw and an offline network with
the same inputs, so that `engram run` can check the live run bit for bit.
See README.md and docs/protocol.md.
"""
import argparse
import json
import random
import socket
import struct
import sys

MAGIC, VERSION, INJECT, SPIKES = 0xEB, 1, 1, 2
HEADER = struct.Struct("<BBBBIQ")  # magic, version, type, reserved, length, step
EVENT = struct.Struct("<HBBI")     # population, payload, reserved, neuron


class Client:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.next_id = 1
        self.frames = []  # (step, [(population, payload, neuron)])

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection")
        self.buf += data

    def _next(self):
        """The next message: a reply (dict) or a spike frame (tuple)."""
        while True:
            if self.buf[:1] == bytes([MAGIC]):
                if len(self.buf) < HEADER.size:
                    self._fill()
                    continue
                magic, version, kind, _, length, step = HEADER.unpack_from(self.buf)
                if len(self.buf) < HEADER.size + length:
                    self._fill()
                    continue
                body = self.buf[HEADER.size:HEADER.size + length]
                self.buf = self.buf[HEADER.size + length:]
                events = [(p, a, n) for p, a, _, n in EVENT.iter_unpack(body)]
                return (step, events)
            nl = self.buf.find(b"\n")
            if nl < 0:
                self._fill()
                continue
            line, self.buf = self.buf[:nl], self.buf[nl + 1:]
            return json.loads(line)

    def request(self, cmd, **fields):
        ident = self.next_id
        self.next_id += 1
        message = dict(cmd=cmd, id=ident, **fields)
        self.sock.sendall((json.dumps(message) + "\n").encode())
        while True:
            m = self._next()
            if isinstance(m, tuple):
                self.frames.append(m)
            elif m.get("id") == ident:
                if not m.get("ok"):
                    raise RuntimeError(f"{cmd}: {m.get('error')}: {m.get('message')}")
                return m

    def inject(self, step, events):
        body = b"".join(EVENT.pack(p, a, 0, n) for p, a, n in events)
        self.sock.sendall(HEADER.pack(MAGIC, VERSION, INJECT, 0, len(body), step) + body)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--chunks", type=int, default=25, help="chunks of --chunk steps (default 25)")
    ap.add_argument("--chunk", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--network", default="network.json", help="the network the server runs")
    ap.add_argument("--prefix", default="live", help="output files: PREFIX_motor.csv, PREFIX_offline.json")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    c = Client(args.host, args.port)
    status = c.request("status")
    index = {p["name"]: p["index"] for p in status["populations"]}
    names = {p["index"]: p["name"] for p in status["populations"]}
    dt = status["dt_ms"]
    c.request("subscribe", populations=["motor"])
    start = status["step"]
    sensor_times = [[] for _ in range(8)]
    rewards = {}  # step -> largest payload
    motor = []
    for k in range(args.chunks):
        now = start + k * args.chunk
        for s in range(now, now + args.chunk):
            events = [(index["sensor"], 0, n) for n in range(8) if rng.random() < 0.12]
            for _, _, n in events:
                sensor_times[n].append(s * dt)
            if events:
                c.inject(s, events)
        c.request("run", steps=args.chunk)
        fresh = [(step, n) for step, events in c.frames for _, _, n in events]
        c.frames.clear()
        for i, (step, n) in enumerate(fresh):
            at = now + args.chunk + 5
            payload = 255 if n == 0 else 51
            if i % 2 == 0:
                c.request("reward", population="reward", amplitude=payload / 255, step=at)
            else:
                c.inject(at, [(index["reward"], payload, 0)])
            rewards[at] = max(rewards.get(at, 0), payload)
        motor += fresh
    counters = c.request("counters")
    end = start + args.chunks * args.chunk

    with open(f"{args.prefix}_motor.csv", "w") as f:
        f.write("step,population,neuron\n")
        for step, n in sorted(motor):
            f.write(f"{step},motor,{n}\n")
    with open(args.network) as f:
        net = json.load(f)
    for p in net["populations"]:
        if p["name"] == "sensor":
            p["params"] = {"spike_times": sensor_times}
        elif p["name"] == "reward":
            times = sorted(rewards)
            p["params"] = {"times": [t * dt for t in times], "amplitudes": [rewards[t] / 255 for t in times]}
    with open(f"{args.prefix}_offline.json", "w") as f:
        json.dump(net, f, indent=1)
    print(f"ran steps {start}..{end}: {sum(map(len, sensor_times))} sensor spikes injected, "
          f"{len(motor)} motor spikes, {len(rewards)} rewards; late {counters['events_late']}, "
          f"dropped {counters['events_dropped']}")
    print(f"wrote {args.prefix}_motor.csv and {args.prefix}_offline.json "
          f"(check: engram run {args.prefix}_offline.json --steps {end} -o offline --quiet)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
