#!/usr/bin/env python3
"""Print the Markdown table of docs/performance.md for one pallet's weights.

Usage: scripts/weights-table.py pallets/access/src/weights.rs
       scripts/weights-table.py runtime/src/weights/frame_system_extensions.rs

Reads the `SubstrateWeight` implementation that `scripts/benchmark.sh`
generates and writes one row per call: ref time, reads, writes and proof
size, each as a base plus a slope per component (`k`, `r`, `v`).
"""

import re
import sys


def number(text):
    return int(text.replace("_", ""))


def micros(picos):
    return f"{round(picos / 1_000_000):,} µs"


def with_slopes(base, slopes, unit):
    parts = [base] if base or not slopes else []
    parts += [f"{value}{unit} per {param}" for param, value in slopes]
    return " + ".join(parts) if parts else "0"


def rows(source):
    # A pallet's `SubstrateWeight<T>`, or a runtime file's `WeightInfo<T>`.
    body = re.split(r"impl<T: frame_system::Config> [\w:]+ for (?:SubstrateWeight|WeightInfo)<T> \{", source, maxsplit=1)[1]
    body = body.split("\nimpl WeightInfo for () {", 1)[0]
    for match in re.finditer(r"fn (\w+)\(([^)]*)\) -> Weight \{(.*?)\n\t\}", body, re.S):
        name, params, code = match.groups()
        params = [p.split(":")[0].strip() for p in params.split(",") if p.strip()]
        base = re.search(r"Weight::from_parts\(([\d_]+), ([\d_]+)\)", code)
        ref_base, proof_base = number(base.group(1)), number(base.group(2))
        ref_slopes, proof_slopes, read_slopes, write_slopes = [], [], [], []
        for value, param in re.findall(r"Weight::from_parts\(([\d_]+), 0\)\.saturating_mul\((\w+)\.into\(\)\)", code):
            ref_slopes.append((param, micros(number(value)).replace(" µs", "")))
        for value, param in re.findall(r"Weight::from_parts\(0, ([\d_]+)\)\.saturating_mul\((\w+)\.into\(\)\)", code):
            proof_slopes.append((param, f"{number(value):,}"))
        reads = sum(number(n) for n in re.findall(r"reads\(([\d_]+)_u64\)", code))
        writes = sum(number(n) for n in re.findall(r"writes\(([\d_]+)_u64\)", code))
        for kind, slopes in (("reads", read_slopes), ("writes", write_slopes)):
            for value, param in re.findall(kind + r"\(\(([\d_]+)_u64\)\.saturating_mul\((\w+)\.into\(\)\)\)", code):
                slopes.append((param, number(value)))
        call = f"`{name}({', '.join(params)})`" if params else f"`{name}`"
        ref = micros(ref_base)
        if ref_slopes:
            ref += " + " + " + ".join(f"{v} µs per {p}" for p, v in ref_slopes)
        reads_text = " + ".join([str(reads)] + [f"{v}{p}" for p, v in read_slopes])
        writes_text = " + ".join([str(writes)] + [f"{v}{p}" for p, v in write_slopes])
        proof = f"{proof_base:,} B"
        if proof_slopes:
            proof += " + " + " + ".join(f"{v} B per {p}" for p, v in proof_slopes)
        yield f"| {call} | {ref} | {reads_text} | {writes_text} | {proof} |"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        source = f.read()
    print("| call | ref time | reads | writes | proof size |")
    print("|---|---|---|---|---|")
    for row in rows(source):
        print(row)


if __name__ == "__main__":
    main()
