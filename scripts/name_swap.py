#!/usr/bin/env python3
"""How much a person's name moves a score when it is written in their own texts too.

The engines never read the name and username fields (the tests check that changing them
changes no score), but a name a profile writes in its own texts, a signature under a message
above all, is read like any other word. For every profile of the given files whose texts
mention a part of its own name (a whole word of three letters or more), this renames the person to each of 12
names drawn from the synthetic generator's pools (12 origins), in the name field and in the
headline, about, career, education and message texts alike, scores the 13 versions, and prints
per engine the spread of the 13 scores (median, 90th percentile, maximum) and how many
profiles change verdict with the name. Usage, from the repository root:

    scripts/name_swap.py [--bin target/release/linkscreen] [--model DIR] [--engines ensemble,linear,model] [FILE ...]

With no FILE, it reads the four hand-written sets in ../shared/datasets/handwritten.
"""
import argparse, json, re, statistics, subprocess, tempfile

NAMES = ["Charlotte Thomas", "Kevin Wang", "Dmitry Lebedev", "Hossein Kazemi", "Fatima Kanaan",
         "Deepak Sharma", "Babajide Obi", "Mateus Oliveira", "Manon Fournier", "Lukas Müller",
         "Yuki Sato", "Magdalena Johansson"]
TITLES = {"dr", "prof", "phd", "mba", "msc", "bsc", "mrs", "dipl", "ing", "cissp", "pmp"}
TEXT = {"headline", "about", "text", "title", "company", "description", "school", "degree", "field"}

p = argparse.ArgumentParser()
p.add_argument("files", nargs="*",
               default=[f"../shared/datasets/handwritten/{s}/profiles.jsonl" for s in "abcd"])
p.add_argument("--bin", default="target/release/linkscreen")
p.add_argument("--model", help="a model directory instead of the one in the binary")
p.add_argument("--engines", default="ensemble,linear,model")
a = p.parse_args()

signing = []
for f in a.files:
    for line in open(f, encoding="utf-8"):
        if not line.strip():
            continue
        prof = json.loads(line)
        # Name words, not the punctuation around them ("Evans," in "Rebecca Evans, PhD") nor
        # titles and degrees, which the engines read like any word.
        parts = [w for w in re.split(r"\W+", prof.get("name") or "")
                 if len(w) > 2 and w.lower() not in TITLES]
        texts = " ".join(m.get("text", "") for m in prof.get("messages") or [])
        if parts and any(re.search(rf"\b{re.escape(w)}\b", texts, flags=re.I) for w in parts):
            signing.append((prof, parts))


def renamed(prof, parts, new):
    first, last = new.split(" ", 1)

    def rep(t):
        for i, w in enumerate(parts):
            # Whole words only: "Min" must not turn "Ministry" into another word.
            t = re.sub(rf"\b{re.escape(w)}\b", first if i == 0 else last, t, flags=re.I)
        return t

    def walk(x):
        if isinstance(x, list):
            return [walk(v) for v in x]
        if isinstance(x, dict):
            return {k: rep(v) if k in TEXT and isinstance(v, str) else walk(v) for k, v in x.items()}
        return x

    q = walk(prof)
    q["name"] = new
    return q


with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8") as tmp:
    for i, (prof, parts) in enumerate(signing):
        tmp.write(json.dumps({**prof, "id": f"{i}-0"}) + "\n")
        for j, n in enumerate(NAMES, 1):
            tmp.write(json.dumps({**renamed(prof, parts, n), "id": f"{i}-{j}"}) + "\n")
    tmp.flush()
    for engine in a.engines.split(","):
        model = ["--model", a.model] if a.model else []
        out = subprocess.run([a.bin, "score", tmp.name, "--engine", engine, *model],
                             capture_output=True, text=True, check=True).stdout
        recs = {r["id"]: r for r in map(json.loads, out.splitlines())}
        spreads, changed = [], 0
        for i in range(len(signing)):
            versions = [recs[f"{i}-{j}"] for j in range(len(NAMES) + 1)]
            scores = [r["score"] for r in versions]
            spreads.append(max(scores) - min(scores))
            changed += len({r["verdict"] for r in versions}) > 1
        spreads.sort()
        print(f"{engine}: {len(signing)} profiles write their own name; spread of the score over "
              f"{len(NAMES) + 1} names: median {statistics.median(spreads):.3f}, 90th percentile "
              f"{spreads[int(0.9 * len(spreads))]:.3f}, max {spreads[-1]:.3f}; "
              f"verdict changed for {changed}")
