"""The Hyperdimensional Probe's decoder stage from Python (docs/probe.md).

    import numpy as np, hypervec
    from hypervec import probe

    memory = hypervec.Memory.load("data/probe/codebook.npy", "data/probe/labels.txt", dim=4096)
    vectors = hypervec.Packed.from_packbits(np.load("data/probe/noisy.npy"), 4096, one="negative")
    docs = probe.read_documents("data/probe/analogies.jsonl")
    results = probe.Decoder(memory).decode(vectors, docs["context"], docs["target"])
    probe.summarize(results)["precision@1"]

Decoder is the C++ probe::Decoder (the one `hypervec decode` runs), so the answers are
the CLI's; cli_record(result) gives a result in the CLI's JSON Lines form.
"""

import json
import math

from ._hypervec import probe as _probe

Decoder = _probe.Decoder

__all__ = ["Decoder", "summarize", "read_documents", "cli_record"]


def summarize(decodings):
    """The CLI's summary of decoded documents (dicts from Decoder.decode).

    Returns a dict: documents, evaluated (with a target), abstained (no answer),
    greedy (answered through a greedy key), inverted_polarity (abstained with a
    strongly negative match), polarity_suspect (more than half of the documents are
    such: the codebook's sign convention is most likely flipped), and with a target
    precision@1, precision@3, precision@5 (target within the first 1/3/5 answers).
    """
    s = {"documents": 0, "evaluated": 0, "abstained": 0, "greedy": 0, "inverted_polarity": 0}
    hits = [0, 0, 0]
    for d in decodings:
        s["documents"] += 1
        s["abstained"] += not d["answers"]
        s["greedy"] += d["greedy_key_id"] is not None
        s["inverted_polarity"] += d["inverted_cosine"] < 0
        if d["target_id"] is None:
            continue
        s["evaluated"] += 1
        rank = d["rank"]
        if rank is not None:
            for i, k in enumerate((1, 3, 5)):
                hits[i] += rank <= k
    s["polarity_suspect"] = s["documents"] > 0 and 2 * s["inverted_polarity"] > s["documents"]
    if s["evaluated"]:
        for i, k in enumerate((1, 3, 5)):
            s[f"precision@{k}"] = hits[i] / s["evaluated"]
    return s


def read_documents(path):
    """A documents file as `hypervec decode --documents` reads it (JSON Lines, one
    object per line with "context" (list of labels) and optionally "target").

    Returns a dict of lists, one entry per document: "context", "target" (None when
    absent), "text" (or None). Blank lines and lines starting with '#' are skipped,
    as the CLI does.
    """
    out = {"context": [], "target": [], "text": []}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            try:
                doc = json.loads(line)
                context = doc["context"]
            except (ValueError, KeyError, TypeError) as e:
                raise ValueError(f"probe.read_documents: {path}:{number}: {e}") from None
            out["context"].append(list(context))
            out["target"].append(doc.get("target"))
            out["text"].append(doc.get("text"))
    return out


def _round6(x):
    # std::round(x * 1e6) / 1e6, as the CLI writes cosines and z (half away from zero).
    y = x * 1e6
    return math.copysign(math.floor(abs(y) + 0.5), y) / 1e6


def cli_record(decoding):
    """One Decoder.decode result in the form of a line of `hypervec decode -o`:
    doc, query (labels), answers [{label, id, cosine, z}] rounded to 1e-6, reason,
    greedy_key when there is one, target/rank/role with a target; per_query and
    query_index when the decoder reported queries."""
    def answers(xs):
        return [{"label": a["label"], "id": a["id"], "cosine": _round6(a["cosine"]),
                 "z": _round6(a["z"])} for a in xs]

    r = {"doc": decoding["doc"], "query": list(decoding["query"]),
         "answers": answers(decoding["answers"]), "reason": decoding["reason"]}
    if decoding["greedy_key"] is not None:
        r["greedy_key"] = decoding["greedy_key"]
    if "per_query" in decoding:
        r["query_index"] = decoding["query_index"]
        r["per_query"] = [
            {"atoms": list(q["atoms"]),
             "artefact": None if q["artefact"] is None else
             {"atom": q["artefact"]["atom"], "cosine": _round6(q["artefact"]["cosine"])},
             "answers": answers(q["answers"])}
            for q in decoding["per_query"]]
    if decoding["target"] is not None:
        r["target"] = decoding["target"]
        r["rank"] = decoding["rank"]
        r["role"] = decoding["role"]
    return r
