#!/usr/bin/env python3
"""G1's young pauses in logs written with -Xlog:gc*,gc+phases=debug:file=LOG (bench/ab-builds.sh --before-java and
--after-java): per log, the number of young pauses and, over those of the last S seconds before its last pause (the
measured load's, when the server stops right after it: 20 s by default), the medians of the pause, of its Scan Heap
Roots and Object Copy phases (the slowest worker's) and of the old generation's cards it scanned.

    bench/lib/gc-summary.py [--window 20] LOG...
"""
import re
import statistics
import sys

PAUSE = re.compile(r"^\[([\d.]+)s\].*GC\((\d+)\) Pause Young \([^)]*\).* ([\d.]+)ms$")
PHASE = re.compile(r"GC\((\d+)\)\s+(Scan Heap Roots|Object Copy) \(ms\):.*Max:\s*([\d.]+)")
CARDS = re.compile(r"GC\((\d+)\)\s+Scanned Cards:.*Sum:\s*(\d+)")


def summary(path, window):
    pauses = []  # (uptime s, pause ms, gc id)
    scan, copy, cards = {}, {}, {}
    with open(path, errors="replace") as log:
        for line in log:
            m = PAUSE.search(line)
            if m:
                pauses.append((float(m.group(1)), float(m.group(3)), m.group(2)))
                continue
            m = PHASE.search(line)
            if m:
                (scan if m.group(2) == "Scan Heap Roots" else copy)[m.group(1)] = float(m.group(3))
                continue
            m = CARDS.search(line)
            if m:
                cards[m.group(1)] = int(m.group(2))
    if not pauses:
        return f"{path}: no young pause"
    end = pauses[-1][0]
    last = [p for p in pauses if p[0] >= end - window]

    def median(values):
        return statistics.median(values) if values else float("nan")

    return (f"{path}: {len(pauses)} young pauses; the {len(last)} of the last {window:g} s: pause "
            f"{median([p[1] for p in last]):.1f} ms (max {max(p[1] for p in last):.1f}), scan heap roots "
            f"{median([scan[p[2]] for p in last if p[2] in scan]):.1f} ms, object copy "
            f"{median([copy[p[2]] for p in last if p[2] in copy]):.1f} ms, cards scanned "
            f"{median([cards[p[2]] for p in last if p[2] in cards]):,.0f}")


def main(args):
    window = 20.0
    if len(args) >= 2 and args[0] == "--window":
        window = float(args[1])
        args = args[2:]
    if not args:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for path in args:
        print(summary(path, window))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
