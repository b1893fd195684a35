"""Cleanup memories (item memories): labelled codebooks searched exactly (docs/python.md,
"Cleanup memories and the probe decoder"; C++: include/hypervec/cleanup.hpp).

Memory(codebook, labels=None, *, metric="cosine") holds Packed (BSC), float32 (MAP/HRR),
int8 (MAP-B/I) or complex64 (FHRR) rows; search() returns a SearchResult namedtuple
(ids, cosines, z, p, scores, labels) of shape (..., k). explain_away() and
greedy_factor_search() decode further; resonate() factorises bound products
(include/hypervec/resonator.hpp).
"""

from ._hypervec import Explained, FactorMatch, Memory, Resonance, SearchResult, resonate

__all__ = ["Memory", "SearchResult", "Explained", "FactorMatch", "Resonance", "resonate"]
