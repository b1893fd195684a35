"""A torchhd-style key-value record: bundle key⊗value pairs, unbind with a key, clean up.
Run: PYTHONPATH=build/release/src/python /usr/bin/python3 examples/python/key_value_record.py"""
import sys
import hypervec as hv

names = ["country", "capital", "currency"]
labels = ["Mexico", "MexicoCity", "peso"]
ok = True
for vsa in ("MAP", "BSC", "HRR", "FHRR"):
    keys = hv.random(3, 4096, vsa, seed=1)                # one random key per field
    values = hv.random(3, 4096, vsa, seed=2)              # and one per filler
    record = hv.hash_table(keys, values)                  # ⊕_i keys_i ⊗ values_i
    memory = hv.Memory(values, labels)                    # the cleanup memory of fillers
    found = memory.search(hv.unbind(record, keys), k=1)   # every field at once: (3, 1)
    answers = [str(found.labels[i][0]) for i in range(3)]
    print(f"{vsa}: " + ", ".join(f"{n}={a}" for n, a in zip(names, answers)))
    ok = ok and answers == labels
sys.exit(0 if ok else 1)
