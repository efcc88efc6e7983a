#!/usr/bin/env python3
"""How many flagged fakes three cheap edits clear, per engine (issue 11, item 5).

For every fake of a labelled file that an engine flags (`review` or `fake`), three edited
copies are scored: eight older positions copied from the file's genuine profiles put before
its career ("padded"), its messages deleted ("no message"), and typical counts of a genuine
profile set ("typical counts": 500 connections, 800 followers, 120 posts, 40 endorsements,
6 recommendations: the counts the profile's owner controls; account age and mutual connections,
which the platform sets, are left as they are). Prints, per engine and edit,
how many flagged fakes the edit turned `genuine`. Usage:

    scripts/attacks.py [--bin target/release/linkscreen] [--model DIR] [FILE] [--engines ensemble,linear,model]
"""
import argparse, json, subprocess, tempfile

p = argparse.ArgumentParser()
p.add_argument("file", nargs="?", default="datasets/holdout/profiles.jsonl")
p.add_argument("--bin", default="target/release/linkscreen")
p.add_argument("--engines", default="ensemble,linear,model,rules,hybrid")
p.add_argument("--model", help="a model directory instead of the one in the binary")
a = p.parse_args()

rows = [json.loads(l) for l in open(a.file, encoding="utf-8") if l.strip()]
fakes = [r for r in rows if r.get("label") == "fake"]
donors = [x for r in rows if r.get("label") == "genuine" for x in r.get("experience") or [] if x.get("title")]


def ym(i):
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def index(s):
    y, m = s.split("-")[:2]
    return int(y) * 12 + int(m) - 1


def padded(r, k0):
    q = json.loads(json.dumps(r))
    starts = [index(x["start"]) for x in q.get("experience") or [] if x.get("start")]
    first = min(starts) if starts else 2026 * 12
    old = []
    for k in range(8):
        x = dict(donors[(k * 7 + k0) % len(donors)])
        end = first - 1 - 30 * k
        x["end"], x["start"] = ym(end), ym(end - 28)
        old.append(x)
    q["experience"] = old[::-1] + (q.get("experience") or [])
    return q


def no_message(r):
    q = dict(r)
    q.pop("messages", None)
    return q


def typical(r):
    return dict(r, connections=500, followers=800, posts=120, endorsements=40, recommendations=6)


def verdicts(engine, profiles):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8") as f:
        for q in profiles:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")
        f.flush()
        model = ["--model", a.model] if a.model else []
        out = subprocess.run([a.bin, "score", f.name, "--engine", engine, *model],
                             capture_output=True, text=True, check=True).stdout
    return [json.loads(l)["verdict"] for l in out.splitlines()]


edits = [("padded", lambda r, i: padded(r, i)), ("no message", lambda r, i: no_message(r)),
         ("typical counts", lambda r, i: typical(r))]
print(f"{a.file}: {len(fakes)} fakes")
print("| engine | flagged fakes | " + " | ".join(f"cleared by {n}" for n, _ in edits) + " |")
print("|---|---:|" + "---:|" * len(edits))
for engine in a.engines.split(","):
    before = verdicts(engine, fakes)
    flagged = [i for i, v in enumerate(before) if v in ("review", "fake")]
    cells = []
    for _, edit in edits:
        after = verdicts(engine, [edit(fakes[i], i) for i in flagged])
        cleared = sum(v == "genuine" for v in after)
        cells.append(f"{cleared} ({100 * cleared / max(1, len(flagged)):.0f} %)")
    print(f"| {engine} | {len(flagged)} | " + " | ".join(cells) + " |")
