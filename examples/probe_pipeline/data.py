"""The three completion tasks of the probe pipeline, generated from committed data.

Every document is "a b c" context words plus a target d, with the probe's analogy
shape: the VSA encoding is normalize(a⊙b + c⊙d) (docs/probe.md), so one decoder
setting (context (a, b, c), target d) serves all three tasks.
- analogy: "rome : italy = dublin :" -> ireland (data/facts/*.tsv, same relation)
- keyvalue: "k3 = v7 , k5 = v1 ; k5 ->" -> v1 (context (k3, v7, k5))
- pattern: "p1 p2 p3 p4 p1 p2 p3" -> p4 (a period-4 sequence; context (p1, p2, p3))
Test documents are (a, b, c, d) combinations never used in training."""
import glob
import os
import random
from dataclasses import dataclass

TASKS = ("analogy", "keyvalue", "pattern")
KEYS = [f"key{i}" for i in range(16)]
VALUES = [f"val{i}" for i in range(16)]
SYMBOLS = [f"sym{i}" for i in range(12)]
PUNCTUATION = [":", "=", ",", ";", "->"]


@dataclass(frozen=True)
class Document:
    """One prompt: its tokens (without the answer), the probe context (a, b, c),
    the target d, the task name and the answer's candidate set size (for chance)."""
    task: str
    tokens: tuple
    context: tuple
    target: str
    candidates: int


def read_relations(facts_dir):
    """{relation name: [(A, B), ...]} from every facts_dir/*.tsv, sorted by name."""
    relations = {}
    for path in sorted(glob.glob(os.path.join(facts_dir, "*.tsv"))):
        with open(path, encoding="utf-8") as f:
            pairs = [tuple(line.rstrip("\n").split("\t")) for line in f if line.strip()]
        relations[os.path.basename(path)[:-4]] = pairs
    return relations


def analogy_documents(relations):
    """Every ordered pair of distinct facts of one relation, as an analogy document."""
    docs = []
    for pairs in relations.values():
        values = len({b for _, b in pairs})
        for i, (a, b) in enumerate(pairs):
            for j, (c, d) in enumerate(pairs):
                if i != j and len({a, b, c, d}) == 4:
                    docs.append(Document("analogy", (a, ":", b, "=", c, ":"), (a, b, c), d, values))
    return docs


def keyvalue_document(rng):
    """Two key = value pairs (distinct keys and values), then the second key -> its value."""
    k1, k2 = rng.sample(KEYS, 2)
    v1, v2 = rng.sample(VALUES, 2)
    tokens = (k1, "=", v1, ",", k2, "=", v2, ";", k2, "->")
    return Document("keyvalue", tokens, (k1, v1, k2), v2, len(VALUES))


def pattern_document(rng):
    """Four distinct symbols repeated: p1 p2 p3 p4 p1 p2 p3 -> p4."""
    p = rng.sample(SYMBOLS, 4)
    return Document("pattern", tuple(p + p[:3]), tuple(p[:3]), p[3], len(SYMBOLS))


def split_documents(docs, test_fraction, rng):
    """Shuffle the distinct (context, target) combinations and hold out a fraction:
    no test combination appears in training. Returns (train, test)."""
    unique = sorted(set(docs), key=lambda d: (d.task, d.tokens, d.target))
    rng.shuffle(unique)
    n_test = int(round(len(unique) * test_fraction))
    return unique[n_test:], unique[:n_test]


def make_dataset(facts_dir, per_task, seed, test_fraction=0.2):
    """(train, test) document lists, per_task distinct documents per task (at most),
    deterministic for a seed."""
    rng = random.Random(seed)
    analogies = analogy_documents(read_relations(facts_dir))
    rng.shuffle(analogies)
    by_task = {"analogy": analogies[:per_task]}
    for name, make in (("keyvalue", keyvalue_document), ("pattern", pattern_document)):
        seen = {}
        for _ in range(per_task * 20):
            if len(seen) == per_task:
                break
            d = make(rng)
            seen.setdefault((d.tokens, d.target), d)
        by_task[name] = list(seen.values())
    train, test = [], []
    for name in TASKS:
        tr, te = split_documents(by_task[name], test_fraction, rng)
        train += tr
        test += te
    return train, test


def vocabulary(relations):
    """Sorted token list: punctuation first, then every concept word (the codebook labels)."""
    return PUNCTUATION + concept_labels(relations)


def concept_labels(relations):
    """Every concept word of the three tasks, sorted: the codebook's labels."""
    words = {w for pairs in relations.values() for pair in pairs for w in pair}
    return sorted(words | set(KEYS) | set(VALUES) | set(SYMBOLS))
