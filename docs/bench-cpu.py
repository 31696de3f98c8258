#!/usr/bin/env python3
"""CPU per benchmark round, for each registry, so that a comparison in which one side takes the
other's CPU shows it (docs/bench-fs.sh and docs/bench-s3.sh run it with BERTH_CPU=1).

  bench-cpu.py record OUT NAME=PID [NAME=PID ...]
      Samples the CPU time (user + system, in seconds) of each named process and all of its
      descendants every 20 ms, from the moment a `registry-bench compare` process appears until it
      exits, and writes the samples to OUT (JSON). The first sample's time is the harness's start.
  bench-cpu.py report OUT HARNESS_OUTPUT
      Reads the harness's progress lines ("[  12.3s] WORKLOAD round i/n on A: ..."), each of which
      ends a round that began with the line before it, and prints each process group's CPU seconds
      in every round, with the median over the rounds run on A and on B.
"""
import json
import os
import re
import statistics
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")
INTERVAL = 0.02


def stat_fields(pid):
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    # The command sits in parentheses and may hold spaces; the fields after it are fixed.
    return text[text.rindex(")") + 2:].split()


def children_map():
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(stat_fields(entry)[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    return children


def tree_cpu(root, children):
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        try:
            fields = stat_fields(pid)
            total += (int(fields[11]) + int(fields[12])) / TICK
        except (OSError, ValueError, IndexError):
            continue
        stack.extend(children.get(pid, []))
    return total


def harness_pid():
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    args = f.read().split(b"\0")
            except OSError:
                continue
            if any(a.endswith(b"registry-bench") for a in args) and b"compare" in args:
                return int(entry)
    return None


def record(out, groups):
    deadline = time.time() + 600
    harness = None
    while harness is None and time.time() < deadline:
        harness = harness_pid()
        time.sleep(INTERVAL)
    if harness is None:
        sys.exit("bench-cpu.py: no registry-bench compare process appeared within 10 minutes")
    samples, start = [], time.time()
    while os.path.exists(f"/proc/{harness}"):
        children = children_map()
        samples.append([time.time() - start] + [tree_cpu(pid, children) for pid in groups.values()])
        time.sleep(INTERVAL)
    with open(out, "w") as f:
        json.dump({"groups": list(groups), "samples": samples}, f)


def cpu_between(samples, column, t0, t1):
    def at(t):
        before = [s for s in samples if s[0] <= t]
        return (before[-1] if before else samples[0])[column]
    return at(t1) - at(t0)


def report(out, harness_output):
    with open(out) as f:
        data = json.load(f)
    groups, samples = data["groups"], data["samples"]
    line = re.compile(r"^\[\s*([0-9.]+)s\] (\S+) round (\d+)/(\d+) on ([AB]):")
    rounds, previous = [], 0.0
    with open(harness_output) as f:
        for text in f:
            match = line.match(text)
            if match:
                end = float(match.group(1))
                rounds.append((match.group(2), int(match.group(3)), match.group(5), previous, end))
                previous = end
            elif text.startswith("["):
                stamp = re.match(r"^\[\s*([0-9.]+)s\]", text)
                if stamp:
                    previous = float(stamp.group(1))
    print("workload            round side  wall s  " + "  ".join(f"{g:>10}" for g in groups))
    per = {}
    for workload, number, side, t0, t1 in rounds:
        cpu = [cpu_between(samples, i + 1, t0, t1) for i in range(len(groups))]
        per.setdefault((workload, side), []).append((t1 - t0, cpu))
        print(f"{workload:<20}{number:>5} {side:>4} {t1 - t0:>7.2f}  " + "  ".join(f"{c:>10.2f}" for c in cpu))
    print("\nmedians per round (CPU seconds; wall seconds)")
    for (workload, side), values in per.items():
        walls = statistics.median(v[0] for v in values)
        cpus = [statistics.median(v[1][i] for v in values) for i in range(len(groups))]
        print(f"{workload:<20} on {side}: wall {walls:.2f}  " + "  ".join(
            f"{g} {c:.2f}" for g, c in zip(groups, cpus)))


def main(argv):
    if len(argv) >= 4 and argv[1] == "record":
        record(argv[2], {name: int(pid) for name, pid in (arg.split("=", 1) for arg in argv[3:])})
    elif len(argv) == 4 and argv[1] == "report":
        report(argv[2], argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
