#!/usr/bin/env bash
# Peer benchmark: wirecopy vs datasketch and rensa (Python) on one synthetic corpus, in one run.
# See README.md beside this file. Usage:
#   benches/peers/run.sh [-n DOCS] [-r ROUNDS] [-t "1 2"] [-a ALGORITHM] [-p "datasketch rensa"]
#                        [-o OUTDIR] [-s PASSES] [--peers-only] [--no-truth]
#   -n DOCS       corpus size (default 20000, ~58 MB)
#   -r ROUNDS     interleaved rounds (default 3)
#   -t THREADS    wirecopy thread counts, one row each (default "1 2")
#   -a ALGORITHM  passed to the wirecopy example as --algorithm ALGORITHM (default: not passed)
#   -p PEERS      Python peers run through the harness's bench_py.py (default "datasketch rensa";
#                 also: gaoya, datasketch-auto); rensa is the reference for the ratio columns
#   -o OUTDIR     results folder (default target/peers/results/<date>-n<DOCS>)
#   -s PASSES     in-process scaling check per round: for each thread count T > 1 in -t, one
#                 process alternates PASSES passes at T threads with PASSES at 1 (default 15; 0: off)
#   --peers-only  skip wirecopy (no cargo build)
#   --no-truth    do not pass --truth to the wirecopy example
# Environment:
#   PERF_HARNESS  harness folder (default <repo>/../shared/perf); copied, never run in place
#   PEERS_CACHE   venv/corpus/results cache (default ${CARGO_TARGET_DIR:-<repo>/target}/peers)
#   WIRECOPY_BIN  run this binary instead of building `--example signatures` (same CLI contract)
#   PYTHON        interpreter used to create the venv (default python3)
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(git -C "$HERE" rev-parse --show-toplevel 2>/dev/null || (cd "$HERE/../.." && pwd))"
N_DOCS=20000; ROUNDS=3; THREADS="1 2"; ALGORITHM=""; PEERS="datasketch rensa"; OUTDIR=""
PEERS_ONLY=0; USE_TRUTH=1; SCALE_PASSES=15
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) N_DOCS="$2"; shift 2;;
    -r) ROUNDS="$2"; shift 2;;
    -t) THREADS="$2"; shift 2;;
    -a) ALGORITHM="$2"; shift 2;;
    -p) PEERS="$2"; shift 2;;
    -o) OUTDIR="$2"; shift 2;;
    -s) SCALE_PASSES="$2"; shift 2;;
    --peers-only) PEERS_ONLY=1; shift;;
    --no-truth) USE_TRUTH=0; shift;;
    -h|--help) sed -n 2,22p "$0"; exit 0;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2;;
  esac
done
[[ "$N_DOCS" =~ ^[0-9]+$ && "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: -n and -r take positive integers" >&2; exit 2; }
[[ "$SCALE_PASSES" =~ ^[0-9]+$ ]] || { echo "run.sh: -s takes a number of passes (0: off)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "run.sh: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }

HARNESS_SRC="${PERF_HARNESS:-$ROOT/../shared/perf}"
[[ -f "$HARNESS_SRC/bench_py.py" && -f "$HARNESS_SRC/gen_corpus.py" ]] \
  || { echo "run.sh: no peer harness at $HARNESS_SRC (set PERF_HARNESS)" >&2; exit 1; }
CACHE="${PEERS_CACHE:-${CARGO_TARGET_DIR:-$ROOT/target}/peers}"
mkdir -p "$CACHE"; CACHE="$(cd "$CACHE" && pwd)"
log() { printf '[peers %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# 1. a writable copy of the harness (its README: copy first, it writes next to itself)
HARNESS="$CACHE/harness"
rm -rf "$HARNESS"; cp -r "$HARNESS_SRC" "$HARNESS"; chmod -R u+w "$HARNESS"

# 2. the Python environment, created once
VENV="$CACHE/venv"; PY="$VENV/bin/python"
if ! "$PY" -c 'import datasketch, rensa, numpy' 2>/dev/null; then
  log "creating $VENV (datasketch, rensa, numpy)"
  rm -rf "$VENV"
  "${PYTHON:-python3}" -m venv "$VENV"
  "$PY" -m pip install -q --disable-pip-version-check datasketch rensa numpy
fi
if [[ " $PEERS " == *" gaoya "* ]] && ! "$PY" -c 'import gaoya' 2>/dev/null; then
  "$PY" -m pip install -q --disable-pip-version-check gaoya \
    || { log "gaoya does not install here; dropping it"; PEERS="$(echo " $PEERS " | sed 's/ gaoya / /g')"; }
fi
PEER_VERSIONS="$("$PY" -m pip list --disable-pip-version-check 2>/dev/null \
  | awk 'tolower($1) ~ /^(datasketch|rensa|gaoya|numpy)$/ {printf "%s%s %s", sep, $1, $2; sep=", "}')"

# 3. the corpus, regenerated when N or the generator changes
CORPUS="$CACHE/corpus/n$N_DOCS"
GEN_HASH="$(sha256sum "$HARNESS/gen_corpus.py" | cut -c1-16)"
if [[ ! -f "$CORPUS/meta.json" || "$(cat "$CORPUS/.gen_hash" 2>/dev/null)" != "$GEN_HASH" ]]; then
  log "generating corpus of $N_DOCS docs in $CORPUS"
  rm -rf "$CORPUS"; mkdir -p "$(dirname "$CORPUS")"
  "$PY" "$HARNESS/gen_corpus.py" "$N_DOCS" "$CORPUS" 2>/dev/null
  echo "$GEN_HASH" > "$CORPUS/.gen_hash"
fi

# 4. the wirecopy binary: built once here, then timed without cargo in the way
WC_ARGS=()
if [[ $PEERS_ONLY == 0 ]]; then
  if [[ -n "${WIRECOPY_BIN:-}" ]]; then
    BIN="$WIRECOPY_BIN"
  else
    log "cargo build --release --example signatures"
    BIN="$(cd "$ROOT" && cargo build --release --example signatures --message-format=json-render-diagnostics \
      | python3 -c '
import json, sys
exe = None
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "signatures" and m.get("executable"):
        exe = m["executable"]
print(exe or "")')" || BIN=""
    [[ -n "$BIN" ]] || { echo "run.sh: building the signatures example failed (or use --peers-only)" >&2; exit 1; }
  fi
  HELP="$("$BIN" --help 2>&1 || true)"
  if [[ $USE_TRUTH == 1 ]]; then
    if grep -q -- '--truth' <<<"$HELP"; then WC_ARGS+=(--truth "$CORPUS/truth_pairs.jsonl")
    else log "the signatures example has no --truth option: its error column will be n/a"; fi
  fi
  if [[ -n "$ALGORITHM" ]]; then WC_ARGS+=(--algorithm "$ALGORITHM"); fi
  if [[ $SCALE_PASSES -gt 0 ]] && ! grep -q -- '--baseline-threads' <<<"$HELP"; then
    log "the signatures example has no --baseline-threads option: no in-process scaling check"; SCALE_PASSES=0
  fi
fi

# 5. results folder and run facts
OUTDIR="${OUTDIR:-$CACHE/results/$(date +%Y%m%d-%H%M%S)-n$N_DOCS}"
mkdir -p "$OUTDIR"; OUTDIR="$(cd "$OUTDIR" && pwd)"
SYSTEMS=($PEERS)
if [[ $PEERS_ONLY == 0 ]]; then for t in $THREADS; do SYSTEMS+=("wirecopy-t$t"); done; fi
"$PY" - "$OUTDIR/run.json" "$CORPUS" "$ROUNDS" "$PEER_VERSIONS" "${ALGORITHM:-default}" \
  "$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)" "$(nproc)" \
  "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)" "${SYSTEMS[@]}" <<'PY'
import json, sys, datetime
out, corpus, rounds, versions, algo, cpu, nproc, commit, *systems = sys.argv[1:]
meta = json.load(open(corpus + "/meta.json"))
json.dump({"corpus": corpus, "corpus_docs": meta["n_docs"], "corpus_bytes": meta["total_bytes"],
           "truth_pairs": meta["n_truth_pairs"], "rounds": int(rounds), "systems": systems,
           "peer_versions": versions, "wirecopy_algorithm": algo, "cpu": cpu, "nproc": int(nproc),
           "wirecopy_commit": commit, "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds")},
          open(out, "w"), indent=1)
PY

# 6. estimate error of the Python peers over the planted pairs (deterministic, untimed, once)
ACC_LIBS=()
for p in $PEERS; do case "$p" in rensa|datasketch) ACC_LIBS+=("$p");; esac; done
if [[ ${#ACC_LIBS[@]} -gt 0 ]]; then
  log "estimate error over planted pairs: ${ACC_LIBS[*]}"
  "$PY" "$HERE/peer_accuracy.py" "$CORPUS" --libs "${ACC_LIBS[@]}" --json "$OUTDIR/accuracy.json" > "$OUTDIR/accuracy.stdout"
fi

# 7. interleaved rounds, each run its own process under /usr/bin/time -v; the order rotates per round
FAILED=0
for r in $(seq 1 "$ROUNDS"); do
  n=${#SYSTEMS[@]}
  for ((i = 0; i < n; i++)); do
    s="${SYSTEMS[$(( (i + r - 1) % n ))]}"
    base="$OUTDIR/${s}_r$r"
    set +e
    case "$s" in
      wirecopy-t*)
        t="${s#wirecopy-t}"
        RAYON_NUM_THREADS="$t" /usr/bin/time -v -o "$base.time" \
          "$BIN" "$CORPUS/corpus.jsonl" --threads "$t" ${WC_ARGS[@]+"${WC_ARGS[@]}"} > "$base.stdout" 2> "$base.stderr";;
      *)
        RAYON_NUM_THREADS=1 /usr/bin/time -v -o "$base.time" \
          "$PY" "$HARNESS/bench_py.py" "$s" "$CORPUS" "$base" > "$base.stdout" 2> "$base.stderr";;
    esac
    rc=$?
    set -e
    if [[ $rc != 0 ]]; then
      FAILED=1; log "round $r $s: FAILED (exit $rc), see $base.stderr"; tail -n 5 "$base.stderr" >&2 || true
    else
      log "round $r $s: done, peak RSS $(sed -n 's/.*Maximum resident set size (kbytes): //p' "$base.time") kB"
    fi
  done
  # In-process scaling: T threads against one, passes alternated inside one process.
  if [[ $PEERS_ONLY == 0 && $SCALE_PASSES -gt 0 ]]; then
    for t in $THREADS; do
      [[ "$t" -gt 1 ]] || continue
      base="$OUTDIR/scaling-t${t}_r$r"
      if RAYON_NUM_THREADS="$t" "$BIN" "$CORPUS/corpus.jsonl" --threads "$t" --baseline-threads 1 \
          --repeat "$SCALE_PASSES" --no-lsh ${ALGORITHM:+--algorithm "$ALGORITHM"} > "$base.stdout" 2> "$base.stderr"; then
        log "round $r scaling t$t: $(tail -n 2 "$base.stderr" | head -n 1)"
      else
        FAILED=1; log "round $r scaling t$t: FAILED, see $base.stderr"
      fi
    done
  fi
done

# 8. the table
echo
set +e
"$PY" "$HERE/summarize.py" "$OUTDIR"; SUM_RC=$?
set -e
echo
echo "results: $OUTDIR (summary.md, summary.json, per-run .time/.stdout/.stderr)"
[[ $FAILED == 0 && $SUM_RC == 0 ]]
