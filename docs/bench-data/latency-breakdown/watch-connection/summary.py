#!/usr/bin/env python3
"""Pooled p50s, the per-round ratios and a bootstrap 95% interval of the ratio (2,000
resamples of each kind, fixed seed) of the `ab-ping` sessions: python3 summary.py [MODE...]."""
import random
import re
import statistics as st
import sys

for mode in sys.argv[1:] or ["pv", "pvh"]:
    for v in ["old", "new"]:
        rounds = []
        for r in range(1, 11):
            s, t = [], []
            with open(f"{mode}/pair-{v}-{r}.out") as f:
                for line in f:
                    m = re.match(r"^(sysrq|testing) ([0-9.]+)", line)
                    if m:
                        (s if m.group(1) == "sysrq" else t).append(float(m.group(2)))
            rounds.append((s, t))
        S = [x for s, _ in rounds for x in s]
        T = [x for _, t in rounds for x in t]
        print(f"{mode} {v}: {len(S)} pairs, sysrq p50 {st.median(S) / 1000:.2f} ms, "
              f"testing p50 {st.median(T) / 1000:.2f} ms, ratio {st.median(T) / st.median(S):.3f}; "
              "per round: " + " ".join(f"{st.median(t) / st.median(s):.2f}" for s, t in rounds))
        rng = random.Random(1)
        boot = sorted(st.median(rng.choices(T, k=len(T))) / st.median(rng.choices(S, k=len(S)))
                      for _ in range(2000))
        print(f"  bootstrap 95% interval of the ratio: {boot[50]:.3f}-{boot[1949]:.3f}")
