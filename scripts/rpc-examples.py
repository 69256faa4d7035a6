#!/usr/bin/env python3
"""Refresh docs/rpc.md's JSON-RPC examples from a recording.

    cd tests && MEDCHAIN_RPC_EXAMPLES=/tmp/rpc-examples.jsonl \
        node --test integration/records.test.js
    scripts/rpc-examples.py docs/rpc.md /tmp/rpc-examples.jsonl

Each example in the document is a `curl` request followed by its answer. The
script finds, for each, the first recorded request with the same method and
the same parameters (block hashes match any block hash, since every run has
its own), and writes that request and its recorded answer in place. A
heading that says "(the first of its N items shown)" shows only the first
item of the answer's `items`, with N updated. Block hashes named in the text
by their first four hex digits (`0x4aed…`) are renamed to the new run's.
An example with no recorded match is an error: the test no longer makes
that call, and the document must change by hand.
"""

import json
import re
import sys

HASH = re.compile(r"^0x[0-9a-f]{64}$")
CURL = re.compile(
    r"```sh\ncurl -s -H 'content-type: application/json' http://127\.0\.0\.1:9944 \\\n"
    r"  -d '(?P<request>[^\n]*)'\n```\n\n```json\n(?P<answer>.*?)\n```",
    re.S,
)
FIRST_OF = re.compile(r"\(the first of its \d+ items shown\)")


def same_shape(documented, recorded):
    """Whether two parameter lists are the same call, block hashes aside."""
    if len(documented) != len(recorded):
        return False
    for a, b in zip(documented, recorded):
        if isinstance(a, str) and isinstance(b, str) and HASH.match(a) and HASH.match(b):
            continue
        if a != b:
            return False
    return True


def dumps_answer(answer, one_line):
    answer = {k: v for k, v in answer.items() if k != "id"}
    if one_line:
        return json.dumps(answer, ensure_ascii=False)
    return json.dumps(answer, indent=2, ensure_ascii=False)


def main(doc_path, recording_path):
    with open(recording_path) as f:
        recorded = [json.loads(line) for line in f if line.strip()]
    with open(doc_path) as f:
        doc = f.read()
    renamed = {}  # old block hash -> new one
    out, pos = [], 0
    for m in CURL.finditer(doc):
        documented = json.loads(m.group("request"))
        found = next(
            (
                r
                for r in recorded
                if r["request"]["method"] == documented["method"]
                and same_shape(documented["params"], r["request"]["params"])
            ),
            None,
        )
        if found is None:
            sys.exit(f"no recorded call matches {m.group('request')}")
        for old, new in zip(documented["params"], found["request"]["params"]):
            if isinstance(old, str) and HASH.match(old):
                renamed[old] = new
        answer = dict(found["response"])
        heading = doc.rfind("\n### ", 0, m.start())
        heading_line = doc[heading : doc.index("\n", heading + 1)]
        before = doc[pos : m.start()]
        if FIRST_OF.search(heading_line) and "result" in answer:
            items = answer["result"]["items"]
            shown = f"(the first of its {len(items)} items shown)"
            before = before.replace(FIRST_OF.search(heading_line).group(0), shown)
            answer["result"] = dict(answer["result"], items=items[:1])
        request = {"jsonrpc": "2.0", "id": 1, "method": found["request"]["method"],
                   "params": found["request"]["params"]}
        one_line = "\n" not in m.group("answer")
        out.append(before)
        out.append(
            "```sh\ncurl -s -H 'content-type: application/json' http://127.0.0.1:9944 \\\n"
            f"  -d '{json.dumps(request, ensure_ascii=False)}'\n```\n\n"
            f"```json\n{dumps_answer(answer, one_line)}\n```"
        )
        pos = m.end()
    out.append(doc[pos:])
    doc = "".join(out)
    for old, new in renamed.items():
        doc = doc.replace(f"`{old[:6]}…`", f"`{new[:6]}…`")
    with open(doc_path, "w") as f:
        f.write(doc)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
