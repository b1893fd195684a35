"""Decode the bundled probe sample (data/probe/) from Python, as `hypervec decode` does.
Run: PYTHONPATH=build/release/src/python /usr/bin/python3 examples/python/decode_probe.py [noisy|clean]"""
import os, sys
import numpy as np
import hypervec as hv
from hypervec import probe

data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "probe")
memory = hv.Memory.load(f"{data}/codebook.npy", f"{data}/labels.txt", dim=4096)
bits = np.load(f"{data}/{sys.argv[1] if len(sys.argv) > 1 else 'noisy'}.npy")
vectors = hv.Packed.from_packbits(bits, 4096, one="negative")  # np.packbits(x < 0): bit 1 = -1
docs = probe.read_documents(f"{data}/analogies.jsonl")
results = probe.Decoder(memory, k=5, min_cosine=0.1).decode(vectors, docs["context"], docs["target"])
for d in (0, 250):
    best = results[d]["answers"][0]
    print(f"{docs['text'][d]}: {best['label']} (cos {best['cosine']:.3f}, z {best['z']:.1f})")
s = probe.summarize(results)
print(f"precision@1 {s['precision@1']:.4f}  precision@3 {s['precision@3']:.4f}  "
      f"precision@5 {s['precision@5']:.4f}  ({s['evaluated']} documents, {s['abstained']} abstained)")
