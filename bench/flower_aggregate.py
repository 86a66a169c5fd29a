"""Flower's own FedAvg `aggregate` (flwr.server.strategy.aggregate) on the bench's update files.

Usage: flower_aggregate.py <manifest.json> <n> <repeat> [ours_result_file]
Prints one JSON line: seconds (best of `repeat` aggregate() calls, inputs already in memory),
load seconds, peak RSS and the aggregation's own memory (peak minus the RSS after imports),
and the max |flower - ours| difference when our result file is given.
"""
import json
import sys
import time

import numpy as np
from flwr.server.strategy.aggregate import aggregate


def rss_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def main():
    manifest = json.load(open(sys.argv[1]))
    n = int(sys.argv[2])
    repeat = int(sys.argv[3])
    ours = sys.argv[4] if len(sys.argv) > 4 else None
    files = manifest["files"][:n]
    reset_peak()
    base = rss_kb("VmRSS")
    t0 = time.perf_counter()
    results = [
        ([np.fromfile(f["path"], dtype="<f4", offset=manifest["dataOffset"], count=manifest["p"])], f["numSamples"])
        for f in files
    ]
    load = time.perf_counter() - t0
    best = float("inf")
    out = None
    for _ in range(repeat):
        out = None
        t0 = time.perf_counter()
        out = aggregate(results)
        best = min(best, time.perf_counter() - t0)
    peak = rss_kb("VmHWM")
    diff = None
    identical = None
    if ours:
        mine = np.fromfile(ours, dtype="<f4")
        diff = float(np.max(np.abs(mine - out[0])))
        identical = bool(np.array_equal(mine.view(np.uint32), out[0].astype(np.float32).view(np.uint32)))
    print(json.dumps({
        "seconds": best, "loadSeconds": load, "peakRssMB": peak / 1024, "baseRssMB": base / 1024,
        "aggMemMB": (peak - base) / 1024, "maxAbsDiffVsOurs": diff, "bitIdenticalToOurs": identical, "outDtype": str(out[0].dtype), "flwr": __import__("flwr").__version__,
        "numpy": np.__version__,
    }))


main()
