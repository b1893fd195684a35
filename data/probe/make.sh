#!/usr/bin/env bash
# Regenerates the probe sample data set with hypervec's own commands.
# Usage: data/probe/make.sh HYPERVEC_BINARY OUT_DIR
# (scripts/dev sample-data runs it with the release build into data/probe/.)
# Deterministic: the same binary inputs give byte-identical files, which
# tests/cli_test.py checks against the committed copies.
set -euo pipefail
hv="$1"
out="$2"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
facts=("$here"/../facts/capital_country.tsv "$here"/../facts/country_currency.tsv
       "$here"/../facts/male_female.tsv "$here"/../facts/singular_plural.tsv
       "$here"/../facts/verb_past.tsv)
mkdir -p "$out"
# 1. Labels: every word of the facts, filled up to 3,000 with a seeded sample
#    of plain lowercase words from Debian's wamerican list.
"$hv" labels "${facts[@]}" --words /usr/share/dict/american-english --count 3000 --seed 1 \
  -o "$out/labels.txt"
# 2. 100 analogy documents per relation, "A : B = C : D" over four distinct words.
"$hv" analogies "${facts[@]}" --per-relation 100 --seed 1 -o "$out/analogies.jsonl"
# 3. The concept codebook: row i = bipolar::random(4096, 2025, i), packbits.
"$hv" codebook "$out/labels.txt" --dim 4096 --seed 2025 -o "$out/codebook.npy"
# 4. The probe's encoding, normalize(A⊙B + C⊙D) with ties → -1, clean ...
"$hv" encode "$out/analogies.jsonl" --codebook "$out/codebook.npy" --labels "$out/labels.txt" \
  --dim 4096 -o "$out/clean.npy"
# 5. ... and with 6% of the signs flipped, as the probe's encoders deliver.
"$hv" encode "$out/analogies.jsonl" --codebook "$out/codebook.npy" --labels "$out/labels.txt" \
  --dim 4096 --noise 0.06 --seed 6 -o "$out/noisy.npy"
