#!/usr/bin/env python3
"""Inclusive time per method from `perf script` output of the --spin driver (docs/benchmarks.md).

usage: perf script -i wikimedia.data | python3 perf_inclusive.py MICROSECONDS_PER_CALL [SUBSTRING ...]

For every method, the share of the thread-pool workers' samples with the method on the stack (counted once per sample),
and that share of MICROSECONDS_PER_CALL (the CPU per call that --spin prints). JIT tier suffixes and assembly names are
dropped, so that a method's tiers count as one. With SUBSTRINGs, only methods whose name contains one are printed.
"""
import collections
import re
import sys

TIER = re.compile(r"\[(OptimizedTier1|OptimizedTier1OSR|QuickJitted|InstrumentedTierOptimized|InstrumentedTier|Optimized|Tier0|Tier1|PreJIT)\]")
ASSEMBLY = re.compile(r"\[[A-Za-z0-9_.]+\] ")
HEADER = re.compile(r"^(.*?)\s+\d+\s+[\d.]+:")


def main():
    per_call = float(sys.argv[1])
    patterns = sys.argv[2:]
    samples = 0
    inclusive = collections.Counter()
    thread, stack = None, []

    def flush():
        nonlocal samples
        if thread is not None and thread.startswith(".NET TP Worker"):
            samples += 1
            for frame in set(stack):
                inclusive[frame] += 1

    for line in sys.stdin:
        if not line.strip():
            flush()
            thread, stack = None, []
        elif not line[0].isspace():
            match = HEADER.match(line)
            thread = match.group(1).strip() if match else line.split()[0]
        else:
            parts = line.strip().split(" ", 1)
            frame = parts[1] if len(parts) > 1 else parts[0]
            frame = re.sub(r"\s+\(\S+\)$", "", frame)
            frame = ASSEMBLY.sub("", TIER.sub("", frame))
            stack.append(re.sub(r"\+0x[0-9a-f]+$", "", frame))
    flush()

    print(f"worker samples: {samples}")
    for frame, count in inclusive.most_common():
        if not patterns or any(p in frame for p in patterns):
            print(f"{count / samples * 100:6.2f}% {count / samples * per_call:7.2f} us  {frame[:200]}")


if __name__ == "__main__":
    main()
