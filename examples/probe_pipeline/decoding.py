"""Decoding the probe's vectors with hypervec.probe.Decoder and scoring them."""
import numpy as np

from hypervec import probe


def decode(codebook, labels, vectors, docs):
    """Decoder results (one dict per document) for ±1 vectors (N, D): context
    (a, b, c), target d, k = 5 answers with cos >= 0.1, context atoms excluded."""
    decoder = probe.Decoder(codebook, labels, k=5, min_cosine=0.1)
    return decoder.decode(vectors, [list(d.context) for d in docs], [d.target for d in docs])


def sign_agreement(vectors, targets):
    """Per-document fraction of components where the probe's vector equals the true encoding."""
    return (vectors == targets).mean(1)


def lm_error_cases(decodings, docs, lm_answers):
    """For the documents the LM answers wrongly: counts of what the probe's top answer
    shows: 'right' (the target), 'lm_wrong' (the LM's wrong answer), 'other', 'nothing'."""
    counts = {"right": 0, "lm_wrong": 0, "other": 0, "nothing": 0}
    for r, d, lm in zip(decodings, docs, lm_answers):
        if lm == d.target:
            continue
        top = r["answers"][0]["label"] if r["answers"] else None
        key = ("nothing" if top is None else "right" if top == d.target
               else "lm_wrong" if top == lm else "other")
        counts[key] += 1
    return counts


def task_rows(decodings, docs, agreement, lm_answers, tasks):
    """One dict per task (and 'all'): n, chance (mean 1/candidates), LM accuracy,
    precision@1/3/5, mean sign agreement, LM-error cases."""
    rows = []
    for task in list(tasks) + ["all"]:
        idx = [i for i, d in enumerate(docs) if task in ("all", d.task)]
        sub = [decodings[i] for i in idx]
        s = probe.summarize(sub)
        rows.append({
            "task": task, "n": len(idx),
            "chance@1": float(np.mean([1 / docs[i].candidates for i in idx])),
            "lm_accuracy": float(np.mean([lm_answers[i] == docs[i].target for i in idx])),
            "p@1": s["precision@1"], "p@3": s["precision@3"], "p@5": s["precision@5"],
            "agreement": float(np.mean(agreement[idx])),
            "lm_errors": lm_error_cases(sub, [docs[i] for i in idx], [lm_answers[i] for i in idx]),
        })
    return rows
