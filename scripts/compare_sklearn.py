#!/usr/bin/env python3
"""End-to-end scoring speed: linkscreen against a scikit-learn TF-IDF + logistic regression
pipeline, the usual alternative, on the same JSON Lines profile file.

The sklearn pipeline is trained on --train, pickled, and then timed end to end on --score:
load the pickled pipeline, read and parse every JSON line, build the text, vectorise,
predict, and write one JSON score record per profile (to /dev/null), as `linkscreen score`
does. The interpreter's own start-up is not counted (in favour of sklearn). linkscreen is
timed as a whole process, `linkscreen score FILE --engine E > /dev/null`, start-up and model
load included. Each timing is the median of --repeat runs. Both engines' ROC-AUC on the
scored file is printed as a sanity check (the comparison is about speed).

Usage:
  python3 scripts/compare_sklearn.py --train train.jsonl --score test.jsonl \
      --linkscreen target/release/linkscreen [--engine model] [--repeat 3] [--markdown]
"""

import argparse
import json
import os
import pickle
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


def median_time(fn, repeat):
    times = []
    result = None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


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
    ap.add_argument("--engine", default="model")
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

    with tempfile.TemporaryDirectory() as tmp:
        model_path = os.path.join(tmp, "tfidf_lr.pkl")
        n_train, fit_s = train(a.train, model_path)
        with open(os.devnull, "w") as devnull:
            sk_s, sk_scores = median_time(lambda: sklearn_score(model_path, a.score, devnull), a.repeat)

        def run_linkscreen():
            out = os.path.join(tmp, "scores.jsonl")
            with open(out, "w") as f:
                subprocess.run(
                    [a.linkscreen, "score", a.score, "--engine", a.engine],
                    stdout=f, stderr=subprocess.DEVNULL, check=False,
                )
            return out

        ls_s, out = median_time(run_linkscreen, a.repeat)
        ls_scores = {}
        with open(out, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                ls_scores[r["id"]] = r["score"]

    ids = [i for i in labelled if i in ls_scores and i in sk_scores]
    y = [labelled[i] for i in ids]
    sk_auc = auc([sk_scores[i] for i in ids], y)
    ls_auc = auc([ls_scores[i] for i in ids], y)
    ratio = sk_s / ls_s
    if a.markdown:
        print(f"| pipeline | profiles/s | seconds ({n} profiles) | ROC-AUC on the scored file |")
        print("|---|---:|---:|---:|")
        print(f"| linkscreen score --engine {a.engine} | {n / ls_s:,.0f} | {ls_s:.2f} | {ls_auc:.3f} |")
        print(f"| scikit-learn {sklearn.__version__} TF-IDF (1-2 grams) + logistic regression | {n / sk_s:,.0f} | {sk_s:.2f} | {sk_auc:.3f} |")
        print()
        verdict = f"**{ratio:.1f}x faster**" if ratio >= 1 else f"**{1 / ratio:.1f}x slower**"
        print(f"linkscreen is {verdict} than scikit-learn end to end "
              f"(sklearn trained on {n_train} profiles in {fit_s:.1f} s; median of {a.repeat} runs).")
    else:
        print(f"profiles: {n} (train {n_train}, sklearn fit {fit_s:.1f} s)")
        print(f"linkscreen --engine {a.engine}: {ls_s:.3f} s, {n / ls_s:,.0f} profiles/s, ROC-AUC {ls_auc:.3f}")
        print(f"sklearn tfidf+lr: {sk_s:.3f} s, {n / sk_s:,.0f} profiles/s, ROC-AUC {sk_auc:.3f}")
        print(f"ratio (sklearn time / linkscreen time): {ratio:.2f}")


if __name__ == "__main__":
    main()
