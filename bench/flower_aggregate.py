"""Flower's own FedAvg aggregation (flwr.server.strategy.aggregate) on the bench's update files.

Usage: flower_aggregate.py <manifest.json> <n> <repeat> [ours_result_file] [aggregate|inplace]
  aggregate: `aggregate(results)` on (ndarrays, num_examples) pairs (the function the issue names)
  inplace:   `aggregate_inplace(results)` on (None, FitRes) pairs holding serialized Parameters,
             which is what Flower's FedAvg strategy calls by default (inplace=True)
Prints one JSON line: seconds (best of `repeat` aggregate() calls, inputs already in memory),
load seconds, peak RSS and the aggregation's own memory (peak minus the RSS after imports),
and the max |flower - ours| difference when our result file is given.
"""
import json
import sys
import time

import numpy as np
from flwr.common import Code, FitRes, Status, ndarrays_to_parameters
from flwr.server.strategy.aggregate import aggregate, aggregate_inplace


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
    ours = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] != "-" else None
    mode = sys.argv[5] if len(sys.argv) > 5 else "aggregate"
    files = manifest["files"][:n]
    reset_peak()
    base = rss_kb("VmRSS")
    t0 = time.perf_counter()
    load_one = lambda f: np.fromfile(f["path"], dtype="<f4", offset=manifest["dataOffset"], count=manifest["p"])
    if mode == "inplace":
        ok = Status(code=Code.OK, message="")
        results = [
            (None, FitRes(status=ok, parameters=ndarrays_to_parameters([load_one(f)]), num_examples=f["numSamples"], metrics={}))
            for f in files
        ]
        fn = aggregate_inplace
    else:
        results = [([load_one(f)], f["numSamples"]) for f in files]
        fn = aggregate
    load = time.perf_counter() - t0
    best = float("inf")
    out = None
    for _ in range(repeat):
        out = None
        t0 = time.perf_counter()
        out = fn(results)
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
        "numpy": np.__version__, "mode": mode,
    }))


main()
