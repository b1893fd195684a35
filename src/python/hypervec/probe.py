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

import numpy as np

from ._hypervec import Memory, Packed
from ._hypervec import probe as _probe

__all__ = ["Decoder", "summarize", "columns", "read_documents", "cli_record"]


class Decoder(_probe.Decoder):
    __doc__ = _probe.Decoder.__doc__ + """
codebook may also be given directly: a hypervec.Packed (M, D), or any +-1 array
(M, D) -- a torch tensor, a pandas DataFrame's .values, float or int8 -- which is
packed into a new Memory with `labels` (None or M str). Values other than +-1
raise ValueError (quantise first).
"""

    def __init__(self, codebook, labels=None, **options):
        if isinstance(codebook, Memory):
            if labels is not None:
                raise ValueError("probe.Decoder: labels are given with a Memory, which has its own")
            memory = codebook
        else:
            rows = codebook if isinstance(codebook, Packed) else Packed.from_bipolar(codebook)
            memory = Memory(rows, None if labels is None else list(labels))
        super().__init__(memory, **options)


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


def columns(decodings, k=None):
    """Decodings as per-document columns (NumPy arrays, ready for pandas.DataFrame):
    top_id (-1 = abstain), top_label (None), top_cosine, top_z (NaN), role, rank
    (0 = missed or no target), query (labels joined by " "), and the k answers as
    ids (N, k) int64 (-1 padded), labels (N, k) object, cosines and z (N, k) float64
    (NaN padded). k defaults to the longest answer list. Decoder.decode_columns gives the
    same arrays (k = the decoder's k) straight from the decoder, without the dicts."""
    n = len(decodings)
    if k is None:
        k = max((len(d["answers"]) for d in decodings), default=0)
    ids = np.full((n, k), -1, np.int64)
    labels = np.full((n, k), None, object)
    cosines = np.full((n, k), np.nan)
    z = np.full((n, k), np.nan)
    for i, d in enumerate(decodings):
        for j, a in enumerate(d["answers"][:k]):
            ids[i, j], labels[i, j], cosines[i, j], z[i, j] = a["id"], a["label"], a["cosine"], a["z"]
    top = [d["answers"][0] if d["answers"] else None for d in decodings]
    return {
        "top_id": np.array([-1 if a is None else a["id"] for a in top], np.int64),
        "top_label": np.array([None if a is None else a["label"] for a in top], object),
        "top_cosine": np.array([np.nan if a is None else a["cosine"] for a in top]),
        "top_z": np.array([np.nan if a is None else a["z"] for a in top]),
        "role": np.array([d["role"] for d in decodings], object),
        "rank": np.array([d["rank"] or 0 for d in decodings], np.int64),
        "query": np.array([" ".join(d["query"]) for d in decodings], object),
        "ids": ids, "labels": labels, "cosines": cosines, "z": z,
    }


def read_documents(path):
    """A documents file as `hypervec decode --documents` reads it: JSON Lines, one
    object per line with "context" (list of labels; absent = []), optionally
    "target" (a label) and "text"; lines of only spaces/tabs are skipped.

    Returns a dict of lists, one entry per document: "context", "target" (None when
    absent), "text" (None when absent). Malformed lines raise ValueError naming the
    file and line.
    """
    out = {"context": [], "target": [], "text": []}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip(" \t\r\n"):
                continue
            where = f"probe.read_documents: {path}:{number}"
            try:
                doc = json.loads(line)
            except ValueError as e:
                raise ValueError(f"{where}: not valid JSON ({e})") from None
            if not isinstance(doc, dict):
                raise ValueError(f"{where}: each line must be a JSON object")
            context = doc.get("context", [])
            if not isinstance(context, list) or not all(isinstance(c, str) for c in context):
                raise ValueError(f'{where}: "context" must be an array of labels')
            target = doc.get("target")
            if target is not None and not isinstance(target, str):
                raise ValueError(f'{where}: "target" must be a label')
            text = doc.get("text")
            out["context"].append(context)
            out["target"].append(target)
            out["text"].append(text if isinstance(text, str) else None)
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
