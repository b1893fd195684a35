"""The results table (markdown) and the plots, written atomically into the output folder."""
import os
import tempfile

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def write_atomic(path, write):
    """Calls write(file object opened binary) on a temp file in path's folder, then
    os.replace onto path, so a reader never sees a partial file."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would make the output private
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def table(results):
    """Markdown table: one line per (LM variant, task)."""
    lines = ["| LM | task | n | LM acc | chance@1 | p@1 | p@3 | p@5 | sign agr. | LM wrong: probe right / LM's / other / none |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for variant, res in results.items():
        for r in res["rows"]:
            e = r["lm_errors"]
            lines.append(f"| {variant} | {r['task']} | {r['n']} | {r['lm_accuracy']:.3f} | "
                         f"{r['chance@1']:.3f} | {r['p@1']:.3f} | {r['p@3']:.3f} | {r['p@5']:.3f} | "
                         f"{r['agreement']:.4f} | {e['right']} / {e['lm_wrong']} / {e['other']} / {e['nothing']} |")
    first = next(iter(results.values()))
    lines.append("")
    lines.append(f"features: last-token states of layers {first['layers'][0]}..{first['layers'][1]}, "
                 f"k-means K={first['k']} over layers, centroids summed; "
                 f"{first['train_docs']} training documents")
    return "\n".join(lines) + "\n"


def plot_precision(results, path):
    """Bar chart: precision@1 per task, one bar group per LM variant."""
    variants = list(results)
    tasks = [r["task"] for r in results[variants[0]]["rows"]]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    width = 0.8 / len(variants)
    for j, v in enumerate(variants):
        p = [r["p@1"] for r in results[v]["rows"]]
        ax.bar(np.arange(len(tasks)) + j * width, p, width, label=v)
    chance = [r["chance@1"] for r in results[variants[0]]["rows"]]
    ax.scatter(np.arange(len(tasks)) + 0.4 - width / 2, chance, color="k", marker="_", s=300,
               label="chance", zorder=3)
    ax.set_xticks(np.arange(len(tasks)) + 0.4 - width / 2, tasks)
    ax.set_ylabel("probe precision@1 (test)")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8)
    fig.tight_layout()
    _save(fig, path)


def plot_agreement(results, path):
    """Scatter: per-task precision@1 against the mean sign agreement of the encoder."""
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for v, res in results.items():
        rows = [r for r in res["rows"] if r["task"] != "all"]
        ax.scatter([r["agreement"] for r in rows], [r["p@1"] for r in rows], label=v)
        for r in rows:
            ax.annotate(r["task"], (r["agreement"], r["p@1"]), fontsize=7)
    ax.set_xlabel("sign agreement with the true encoding")
    ax.set_ylabel("precision@1")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    fig.tight_layout()
    _save(fig, path)


def _save(fig, path):
    """PNG written atomically (fixed metadata so reruns give identical bytes)."""
    write_atomic(path, lambda f: fig.savefig(f, format="png", dpi=80, metadata={"Software": None}))
    plt.close(fig)
