#!/usr/bin/env python3
"""End-to-end scoring speed: linkscreen against a scikit-learn TF-IDF + logistic regression
pipeline, the usual alternative, on the same JSON Lines profile file.

The sklearn pipeline is trained on --train, pickled, and then timed end to end on --score:
load the pickled pipeline, read and parse every JSON line, build the text, vectorise,
predict, and write one JSON score record per profile (to /dev/null), as `linkscreen score`
does. The interpreter's own start-up is not counted (in favour of sklearn). linkscreen is
timed as a whole process, `linkscreen score FILE --engine E > /dev/null`, start-up and model
load included. Every pipeline runs once per round, in turn, and each timing is the median of
--repeat rounds. Every engine's ROC-AUC on the scored file is printed as a sanity check (the
comparison is about speed).

Usage:
  python3 scripts/compare_sklearn.py --train train.jsonl --score test.jsonl \
      --linkscreen target/release/linkscreen [--engine 'ensemble,model,ensemble --no-evidence']
      [--repeat 3] [--markdown]
"""

import argparse
import json
import os
import pickle
import shlex
import statistics
import subprocess
import sys
import tempfile
import time


def profile_text(p):
    """Every text field linkscreen reads, joined (names and usernames left out as the model
    does)."""
    parts = [p.get("headline"), p.get("about"), p.get("location")]
    for e in p.get("experience") or []:
        parts += [e.get("title"), e.get("company"), e.get("location"), e.get("description")]
    for e in p.get("education") or []:
        parts += [e.get("school"), e.get("degree"), e.get("field")]
    parts += p.get("skills") or []
    parts += p.get("languages") or []
    parts += [m.get("text") for m in p.get("messages") or []]
    return " \n ".join(x for x in parts if isinstance(x, str))


def read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def train(path, model_path):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    rows = [p for p in read(path) if p.get("label") in ("fake", "genuine")]
    texts = [profile_text(p) for p in rows]
    labels = [1 if p["label"] == "fake" else 0 for p in rows]
    pipe = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=200_000),
        LogisticRegression(max_iter=1000, class_weight="balanced"),
    )
    t = time.perf_counter()
    pipe.fit(texts, labels)
    fit_s = time.perf_counter() - t
    with open(model_path, "wb") as f:
        pickle.dump(pipe, f)
    return len(rows), fit_s


def sklearn_score(model_path, path, out):
    """The timed sklearn run: load, read, parse, vectorise, predict, write."""
    with open(model_path, "rb") as f:
        pipe = pickle.load(f)
    ids, texts = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                p = json.loads(line)
                ids.append(p["id"])
                texts.append(profile_text(p))
    scores = pipe.predict_proba(texts)[:, 1]
    for i, s in zip(ids, scores):
        out.write(json.dumps({"id": i, "score": round(float(s), 4), "engine": "sklearn"}))
        out.write("\n")
    return dict(zip(ids, scores))


def auc(scores, labels):
    from sklearn.metrics import roc_auc_score

    if len(set(labels)) < 2:
        return float("nan")
    return roc_auc_score(labels, scores)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", required=True)
    ap.add_argument("--score", required=True)
    ap.add_argument("--linkscreen", default="target/release/linkscreen")
    ap.add_argument("--engine", default="model",
                    help="comma-separated engines, each with any further score flags "
                         "(e.g. 'ensemble,model,ensemble --no-evidence')")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--markdown", action="store_true", help="print a markdown table")
    a = ap.parse_args()

    try:
        import sklearn
    except ImportError:
        sys.exit("scikit-learn is not installed: no comparison measured (pip install scikit-learn)")

    rows = [p for p in read(a.score)]
    n = len(rows)
    labelled = {p["id"]: (1 if p["label"] == "fake" else 0) for p in rows if p.get("label") in ("fake", "genuine")}
    specs = [shlex.split(e) for e in a.engine.split(",") if e.strip()]

    with tempfile.TemporaryDirectory() as tmp:
        model_path = os.path.join(tmp, "tfidf_lr.pkl")
        n_train, fit_s = train(a.train, model_path)
        outs = [os.path.join(tmp, f"scores{i}.jsonl") for i in range(len(specs))]

        def run_sklearn():
            with open(os.devnull, "w") as devnull:
                return sklearn_score(model_path, a.score, devnull)

        def run_linkscreen(spec, out):
            engine, *flags = spec
            with open(out, "w") as f:
                subprocess.run(
                    [a.linkscreen, "score", a.score, "--engine", engine, *flags],
                    stdout=f, stderr=subprocess.DEVNULL, check=False,
                )

        # Every pipeline once per round, in turn, so that a drift in the machine's speed
        # reaches all of them alike; each figure is the median of its rounds.
        times = [[] for _ in range(len(specs) + 1)]
        sk_scores = None
        for _ in range(a.repeat):
            t = time.perf_counter()
            sk_scores = run_sklearn()
            times[0].append(time.perf_counter() - t)
            for i, (spec, out) in enumerate(zip(specs, outs)):
                t = time.perf_counter()
                run_linkscreen(spec, out)
                times[i + 1].append(time.perf_counter() - t)
        medians = [statistics.median(t) for t in times]
        ls_scores = []
        for out in outs:
            with open(out, encoding="utf-8") as f:
                ls_scores.append({r["id"]: r["score"] for r in map(json.loads, f)})

    sk_s = medians[0]
    ids = [i for i in labelled if i in sk_scores]
    sk_auc = auc([sk_scores[i] for i in ids], [labelled[i] for i in ids])
    results = []
    for spec, scores, s in zip(specs, ls_scores, medians[1:]):
        common = [i for i in ids if i in scores]
        results.append((" ".join(spec), s, auc([scores[i] for i in common], [labelled[i] for i in common])))
    if a.markdown:
        print(f"| pipeline | profiles/s | seconds ({n} profiles) | against scikit-learn | ROC-AUC on the scored file |")
        print("|---|---:|---:|---:|---:|")
        for name, s, roc in results:
            print(f"| linkscreen score --engine {name} | {n / s:,.0f} | {s:.2f} | **{sk_s / s:.1f}x** | {roc:.3f} |")
        print(f"| scikit-learn {sklearn.__version__} TF-IDF (1-2 grams) + logistic regression "
              f"| {n / sk_s:,.0f} | {sk_s:.2f} | 1.0x | {sk_auc:.3f} |")
        print()
        print(f"Each figure is the median of {a.repeat} rounds, every pipeline once per round in turn "
              f"(sklearn trained on {n_train} profiles in {fit_s:.1f} s).")
    else:
        print(f"profiles: {n} (train {n_train}, sklearn fit {fit_s:.1f} s)")
        print(f"sklearn tfidf+lr: {sk_s:.3f} s, {n / sk_s:,.0f} profiles/s, ROC-AUC {sk_auc:.3f}")
        for name, s, roc in results:
            print(f"linkscreen --engine {name}: {s:.3f} s, {n / s:,.0f} profiles/s, ROC-AUC {roc:.3f}, "
                  f"ratio (sklearn time / linkscreen time) {sk_s / s:.2f}")


if __name__ == "__main__":
    main()
