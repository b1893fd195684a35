"""The Hyperdimensional Probe, offline and small (docs/probe-pipeline.md).

Run: PYTHONPATH=build/release/src/python /usr/bin/python3 examples/probe_pipeline/run.py \
         [--quick] [--no-layernorm | --compare-layernorm] --out DIR
Prints the results table and writes DIR/results.md, DIR/precision_per_task.png,
DIR/precision_vs_agreement.png."""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pipeline  # noqa: E402
import report  # noqa: E402

CONFIGS = {
    "quick": dict(per_task=500, d_model=48, layers=4, lm_steps=300, lm_lr=4e-3,
                  hidden=512, enc_epochs=15, enc_lr=1e-3, dropout=0.1),
    "full": dict(per_task=1200, d_model=64, layers=6, lm_steps=800, lm_lr=3e-3,
                 hidden=512, enc_epochs=20, enc_lr=1e-3, dropout=0.1),
}
SOURCE_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def main(argv=None):
    """Parses the options, runs the chosen LM variants, prints and writes the results."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small configuration (< 60 s)")
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--no-layernorm", action="store_true", help="LM without LayerNorm")
    group.add_argument("--compare-layernorm", action="store_true",
                       help="run with and without LayerNorm (the default for the plots)")
    ap.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    ap.add_argument("--out", required=True, help="output folder")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    os.makedirs(args.out, exist_ok=True)
    config = CONFIGS["quick" if args.quick else "full"]
    variants = ([("layernorm", True), ("no-layernorm", False)] if args.compare_layernorm
                else [("no-layernorm", False)] if args.no_layernorm else [("layernorm", True)])
    start = time.time()
    results = {name: pipeline.run_config(config, ln, SOURCE_ROOT) for name, ln in variants}
    text = report.table(results)
    print(text, end="")
    report.write_atomic(os.path.join(args.out, "results.md"), lambda f: f.write(text.encode()))
    report.plot_precision(results, os.path.join(args.out, "precision_per_task.png"))
    report.plot_agreement(results, os.path.join(args.out, "precision_vs_agreement.png"))
    print(f"({time.time() - start:.1f} s; outputs in {args.out})", file=sys.stderr)


if __name__ == "__main__":
    main()
