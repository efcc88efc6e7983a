#!/usr/bin/env bash
# Regenerates benches/RESULTS.md: the criterion benches (benches/pipeline.rs, benches/model.rs),
# end-to-end scoring speed and cold start of the release binary on synthetic files, an
# evaluation of the four engines, and the scikit-learn comparison (when scikit-learn is
# installed). Usage, from anywhere:
#
#   scripts/bench.sh              # full run (about 5 minutes on 2 cores once built)
#   N_SCORE=5000 scripts/bench.sh # a smaller end-to-end file
#
# Uses $CARGO_TARGET_DIR (default: target). Writes benches/RESULTS.md and nothing else in the
# repository; generated data goes to a temporary directory that is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
N_TRAIN=${N_TRAIN:-5000}
N_SCORE=${N_SCORE:-20000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "bench.sh: building the release binary" >&2
cargo build --release --quiet
BIN=$TARGET/release/linkscreen

echo "bench.sh: criterion benches" >&2
rm -rf "$TARGET/criterion"
cargo bench --quiet --bench pipeline --bench model >"$TMP/criterion.log" 2>&1 || {
  tail -40 "$TMP/criterion.log" >&2
  exit 1
}

echo "bench.sh: synthetic files ($N_TRAIN to fit, $N_SCORE to score)" >&2
"$BIN" synth --n "$N_TRAIN" --seed 101 --out "$TMP/train.jsonl" 2>/dev/null
"$BIN" synth --n "$N_SCORE" --seed 202 --out "$TMP/score.jsonl" --meta "$TMP/score.meta.jsonl" 2>/dev/null
head -1 "$TMP/score.jsonl" >"$TMP/one.jsonl"

# Median wall time of 5 runs of a command, in seconds.
median() {
  python3 - "$@" <<'PY'
import statistics, subprocess, sys, time
ts = []
for _ in range(5):
    t = time.perf_counter()
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    ts.append(time.perf_counter() - t)
print(f"{statistics.median(ts):.4f}")
PY
}

# The hand-written examples cycled to the same count: shorter, more typical profiles.
python3 - "$N_SCORE" datasets/examples/profiles.jsonl >"$TMP/examples.jsonl" <<'PY'
import itertools, sys
lines = [l for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
sys.stdout.writelines(itertools.islice(itertools.cycle(lines), int(sys.argv[1])))
PY

echo "bench.sh: end-to-end scoring" >&2
E2E="| engine | file | seconds ($N_SCORE profiles, median of 5) | profiles/s |
|---|---|---:|---:|"
for file in score examples; do
  for engine in ensemble linear model rules hybrid; do
    s=$(median "$BIN" score "$TMP/$file.jsonl" --engine "$engine")
    E2E="$E2E
| $engine | $file ($(($(wc -c <"$TMP/$file.jsonl") / N_SCORE)) bytes/profile) | $s | $(python3 -c "print(f'{$N_SCORE / $s:,.0f}')") |"
  done
done
COLD_ENSEMBLE=$(median "$BIN" score "$TMP/one.jsonl" --engine ensemble)
COLD_LINEAR=$(median "$BIN" score "$TMP/one.jsonl" --engine linear)
COLD_MODEL=$(median "$BIN" score "$TMP/one.jsonl" --engine model)
COLD_RULES=$(median "$BIN" score "$TMP/one.jsonl" --engine rules)

echo "bench.sh: training the default configuration (speed only; the artifact is discarded)" >&2
if [ -d ../shared/datasets/public ]; then
  "$BIN" train --config training/default.toml --out "$TMP/model" --device cpu 2>"$TMP/train.log" >/dev/null
  TRAIN=$(grep -E 'optimizer steps|trained in' "$TMP/train.log" | sed 's/^linkscreen: \(train: \)\{0,1\}/- /')
else
  TRAIN="- not measured: ../shared/datasets/public is absent on this machine."
fi

echo "bench.sh: evaluation" >&2
# The hybrid's coefficients are fitted on the other file (as on a validation file).
"$BIN" eval "$TMP/score.jsonl" --engines ensemble,linear,model,rules,hybrid --meta "$TMP/score.meta.jsonl" \
  --fit-hybrid "$TMP/train.jsonl" --bootstrap 200 >"$TMP/eval.txt" 2>"$TMP/eval.err" || true
grep 'hybrid fitted' "$TMP/eval.err" | sed 's/^linkscreen: //' >"$TMP/hybrid.txt" || true

echo "bench.sh: scikit-learn comparison" >&2
if python3 -c "import sklearn" 2>/dev/null; then
  python3 scripts/compare_sklearn.py --train "$TMP/train.jsonl" --score "$TMP/score.jsonl" \
    --linkscreen "$BIN" --engine "ensemble,linear,model,rules,ensemble --no-evidence" \
    --repeat 5 --markdown >"$TMP/sklearn.md"
else
  echo "scikit-learn is not installed on this machine: no comparison measured." >"$TMP/sklearn.md"
fi

python3 - "$TARGET/criterion" >"$TMP/criterion.md" <<'PY'
import json, pathlib, sys
root = pathlib.Path(sys.argv[1])
print("| group | bench | time per iteration | throughput |")
print("|---|---|---:|---:|")
for b in sorted(root.glob("*/**/new/benchmark.json")):
    meta = json.loads(b.read_text())
    est = json.loads((b.parent / "estimates.json").read_text())
    ns = est["mean"]["point_estimate"]
    t = f"{ns / 1e6:.3f} ms" if ns >= 1e5 else f"{ns / 1e3:.2f} µs"
    thr = meta.get("throughput") or {}
    n = thr.get("Elements")
    rate = f"{n / (ns / 1e9):,.0f} profiles/s" if n else "-"
    name = meta.get("function_id") or meta["group_id"].split("/")[-1]
    name += f"/{meta['value_str']}" if meta.get("value_str") else ""
    print(f"| {meta['group_id'].split('/')[0]} | {name} | {t} | {rate} |")
PY

CPU=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
{
  echo "# Benchmark results"
  echo
  echo "Regenerated by \`scripts/bench.sh\` (do not edit by hand)."
  echo
  echo "- Date: $(date -u +%Y-%m-%dT%H:%MZ); commit ${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}"
  echo "- Machine: $(nproc) cores ($CPU), $(free -g 2>/dev/null | awk '/^Mem:/ {print $2 " GiB"}') memory, $(uname -sr)"
  echo "- Model: the one in \`models/default/\` when this ran ($(python3 -c "import json;c=json.load(open('models/default/config.json'));print(f\"dim {c['dim']}, hidden {c['hidden']}, vocab {c['vocab']}\")" 2>/dev/null || echo unknown))"
  echo "- Bench input: \`datasets/examples/profiles.jsonl\` cycled to the batch size; end-to-end files from \`linkscreen synth\` (seeds 101 and 202) and the examples cycled to $N_SCORE profiles."
  echo
  echo "## Criterion benches (\`cargo bench --bench pipeline --bench model\`)"
  echo
  echo "Short runs (10 samples, 2 s): read the figures to about ±10%."
  echo
  cat "$TMP/criterion.md"
  echo
  echo "## End to end: \`linkscreen score FILE --engine E > /dev/null\`"
  echo
  echo "Whole process: start-up, model load and verification, parsing, scoring, writing JSON Lines."
  echo
  echo "$E2E"
  echo
  echo "Cold start (score a one-profile file, whole process, median of 5): ensemble $COLD_ENSEMBLE s, linear $COLD_LINEAR s, model $COLD_MODEL s, rules $COLD_RULES s."
  echo
  echo "## Training: \`linkscreen train --config training/default.toml --device cpu\`"
  echo
  echo "$TRAIN"
  echo
  echo "## scikit-learn TF-IDF + logistic regression on the same file"
  echo
  cat "$TMP/sklearn.md"
  echo
  echo "## Evaluation of the scored file (\`linkscreen eval --fit-hybrid TRAIN\`)"
  echo
  echo "The $(cat "$TMP/hybrid.txt" 2>/dev/null || echo "hybrid: not fitted")."
  echo
  echo '```text'
  cat "$TMP/eval.txt"
  echo '```'
} >benches/RESULTS.md
echo "bench.sh: wrote benches/RESULTS.md" >&2
