#!/usr/bin/env bash
# Builds the robustness probes from ../shared/eval/dev into target/probes/ and scores the default
# pipeline on each with the `evaluate` example (recall to base by transformation included).
# usage: benches/probes/run.sh [bases|ocr|ocr_chars|ocr_pages|markup|thesaurus|templates|templates_head|templates_inside|wrapped|samples ...]   (all by default)
# `samples` scores twelve smaller collections drawn from dev (5-50% of its clusters), one line each, and their mean.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
export PYTHONDONTWRITEBYTECODE=1
dev="${DEV:-../shared/eval/dev}"
[ -d "$dev/docs" ] || { echo "no dev corpus at $dev (set DEV=...)" >&2; exit 2; }
probes=("$@")
[ ${#probes[@]} -gt 0 ] || probes=(bases ocr ocr_chars ocr_pages markup thesaurus templates templates_head templates_inside wrapped samples)
cargo build --release --quiet --example evaluate
for p in "${probes[@]}"; do
    out="target/probes/$p"
    mkdir -p "$out"
    if [ "$p" = samples ]; then
        echo "== samples (twelve smaller collections drawn from dev)"
        python3 benches/probes/samples.py "$dev" "$out"
        python3 benches/probes/samples.py --score target/release/examples/evaluate "$out"
        continue
    fi
    python3 "benches/probes/$p.py" "$dev" "$out" > /dev/null
    echo "== $p ($(ls "$out/docs" | wc -l) documents)"
    target/release/examples/evaluate "$out/docs" "$out/truth.jsonl" --manifest "$out/manifest.jsonl" 2>/dev/null
done
