#!/usr/bin/python3
"""hypervec vs NumPy vs torchhd from Python, in one run (docs/performance.md,
"Python (hypervec vs NumPy vs torchhd)").

For each model and operation the three peers get the same data (NumPy arrays;
torch tensors made with torch.from_numpy, no copy) and the best of --repeat
timings is reported as items/s with the ratios hypervec / NumPy and
hypervec / torchhd (> 1: hypervec is faster):

  bind      N pairs (N, D) x (N, D) -> (N, D);          items = pairs bound
  bundle    G groups of n vectors (G, n, D) -> (G, D);  items = vectors bundled
  similarity  Q queries (Q, D) against a codebook (K, D) -> (Q, K) cosines (BSC:
            hypervec's packed cosine, the peers' ±1 matmul); items = query-row pairs
  call      one packed bind at D = 4096 (1 vector): the per-call overhead, µs

The NumPy peers are what a NumPy user would write: a * b, x.sum(-2), the
normalised matmul, XOR of the packed uint64 words, irfft(rfft(a) * rfft(b)).
torchhd is imported from a checkout (--torchhd PATH, or the TORCHHD_PATH
environment variable); without one its column is skipped and the report says so.

Usage: /usr/bin/python3 bench/python/bench_python.py [--torchhd PATH] [--repeat 5]
(with the module on PYTHONPATH, e.g. PYTHONPATH=build/release/src/python).
"""

import argparse
import os
import platform
import sys
import time
import types

import numpy as np

import hypervec as hv


def load_torchhd(path):
    """torchhd from the checkout at `path`, or None. Its package __init__ imports
    scipy and tqdm for its classifiers and datasets only; when they are missing
    (Debian here has neither), empty stand-ins let the functional API load."""
    if not path:
        return None, "no torchhd checkout given (--torchhd PATH or TORCHHD_PATH)"
    sys.path.insert(0, os.path.abspath(path))
    stubbed = []
    for name in ["scipy", "scipy.linalg", "scipy.stats", "tqdm"]:
        try:
            __import__(name)
        except ImportError:
            module = types.ModuleType(name)
            module.__path__ = []
            module.__getattr__ = lambda attr, name=name: None
            sys.modules[name] = module
            stubbed.append(name)
    try:
        import torchhd
    except Exception as e:  # noqa: BLE001 - report any failure and run without it
        return None, f"torchhd at {path} failed to import: {e!r}"
    note = f"torchhd {torchhd.__version__} from {path}"
    if stubbed:
        note += f" (stand-ins for missing {', '.join(stubbed)}: unused by these ops)"
    return torchhd, note


def seconds_per_call(call, repeat, min_seconds=0.2):
    """Best of `repeat` timings, each running `call` enough times to last min_seconds."""
    call()  # warm-up: plans, caches, page faults
    t = time.perf_counter()
    call()
    once = max(time.perf_counter() - t, 1e-7)
    number = max(1, int(min_seconds / once))
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(number):
            call()
        best = min(best, (time.perf_counter() - t) / number)
    return best


def cases(th, rng):
    """(model, op, D, items, {peer: call}) for every row of the report."""
    torch = sys.modules.get("torch")
    out = []

    def bipolar(*shape):
        return rng.choice(np.array([-1.0, 1.0], np.float32), size=shape)

    def tensor(x, vsa):
        return th.ensure_vsa_tensor(torch.from_numpy(x), vsa) if th else None

    N, G, n, Q, K = 2000, 200, 10, 100, 10000
    for d in [4096, 8192]:
        a, b = bipolar(N, d), bipolar(N, d)
        ta, tb = tensor(a, "MAP"), tensor(b, "MAP")
        out.append(("MAP", "bind", d, N, {
            "hypervec": lambda a=a, b=b: hv.map.bind(a, b),
            "numpy": lambda a=a, b=b: np.multiply(a, b),
            "torchhd": th and (lambda ta=ta, tb=tb: th.bind(ta, tb)),
        }))
        x = bipolar(G, n, d)
        tx = tensor(x, "MAP")
        out.append(("MAP", "bundle", d, G * n, {
            "hypervec": lambda x=x: hv.map.multiset(x),
            "numpy": lambda x=x: x.sum(axis=-2),
            "torchhd": th and (lambda tx=tx: th.multiset(tx)),
        }))
        q, book = bipolar(Q, d), bipolar(K, d)
        tq, tbook = tensor(q, "MAP"), tensor(book, "MAP")

        def np_cosine(q=q, book=book):
            return (q @ book.T) / np.outer(np.linalg.norm(q, axis=1), np.linalg.norm(book, axis=1))

        out.append(("MAP", "similarity", d, Q * K, {
            "hypervec": lambda q=q, book=book: hv.map.cosine_similarity(q, book),
            "numpy": np_cosine,
            "torchhd": th and (lambda tq=tq, tbook=tbook: th.cosine_similarity(tq, tbook)),
        }))
        del a, b, ta, tb, x, tx, q, book, tq, tbook

    d = 8192
    a, b = bipolar(N, d), bipolar(N, d)
    pa, pb = hv.Packed.from_bipolar(a), hv.Packed.from_bipolar(b)
    wa, wb = pa.words.copy(), pb.words.copy()
    ta, tb = tensor(a < 0, "BSC"), tensor(b < 0, "BSC")
    out.append(("BSC", "bind", d, N, {
        "hypervec": lambda: hv.bsc.bind(pa, pb),
        "numpy": lambda: np.bitwise_xor(wa, wb),
        "torchhd": th and (lambda: th.bind(ta, tb)),
    }))
    x = bipolar(G, n + 1, d)  # odd n: no ties in the majority
    px, bx = hv.Packed.from_bipolar(x), x < 0
    tx = tensor(bx, "BSC")
    out.append(("BSC", "bundle", d, G * (n + 1), {
        "hypervec": lambda: hv.bsc.multiset(px),
        "numpy": lambda: bx.sum(axis=-2) > (n + 1) // 2,
        "torchhd": th and (lambda: th.multiset(tx)),
    }))
    q, book = bipolar(Q, d), bipolar(K, d)
    pq, pbook = hv.Packed.from_bipolar(q), hv.Packed.from_bipolar(book)
    tq, tbook = tensor(q < 0, "BSC"), tensor(book < 0, "BSC")
    out.append(("BSC", "similarity", d, Q * K, {
        "hypervec": lambda: hv.bsc.cosine_similarity(pq, pbook),
        "numpy": lambda: (q @ book.T) / d,  # the ±1 matmul a NumPy user writes
        "torchhd": th and (lambda: th.cosine_similarity(tq, tbook)),
    }))

    d = 4096
    h1, h2 = hv.hrr.random(N, d, seed=1), hv.hrr.random(N, d, seed=2)
    h1, h2 = np.ascontiguousarray(h1), np.ascontiguousarray(h2)
    t1, t2 = tensor(h1, "HRR"), tensor(h2, "HRR")
    out.append(("HRR", "bind", d, N, {
        "hypervec": lambda: hv.hrr.bind(h1, h2),
        "numpy": lambda: np.fft.irfft(np.fft.rfft(h1) * np.fft.rfft(h2), n=d),
        "torchhd": th and (lambda: th.bind(t1, t2)),
    }))
    hq, hbook = np.ascontiguousarray(hv.hrr.random(Q, d, seed=3)), np.ascontiguousarray(
        hv.hrr.random(K, d, seed=4))
    tq2, tbook2 = tensor(hq, "HRR"), tensor(hbook, "HRR")

    def np_hrr_cosine():
        return (hq @ hbook.T) / np.outer(np.linalg.norm(hq, axis=1), np.linalg.norm(hbook, axis=1))

    out.append(("HRR", "similarity", d, Q * K, {
        "hypervec": lambda: hv.hrr.cosine_similarity(hq, hbook),
        "numpy": np_hrr_cosine,
        "torchhd": th and (lambda: th.cosine_similarity(tq2, tbook2)),
    }))

    d = 4096
    one_a, one_b = hv.bsc.random(1, d, seed=1), hv.bsc.random(1, d, seed=2)
    w1, w2 = one_a.words.copy(), one_b.words.copy()
    s1 = tensor(one_a.to_bipolar() < 0, "BSC")
    s2 = tensor(one_b.to_bipolar() < 0, "BSC")
    out.append(("BSC", "call", d, 1, {
        "hypervec": lambda: hv.bsc.bind(one_a, one_b),
        "numpy": lambda: np.bitwise_xor(w1, w2),
        "torchhd": th and (lambda: th.bind(s1, s2)),
    }))
    return out


def overhead_rows():
    """hypervec alone, the ops Google Benchmark times in C++ (bench/*_bench.cpp,
    one vector per call): (op, D, items per call, the C++ benchmark, call)."""
    d, n = 4096, 1000
    p1, p2 = hv.bsc.random(1, d, seed=1), hv.bsc.random(1, d, seed=2)
    pa, pb = hv.bsc.random(n, d, seed=3), hv.bsc.random(n, d, seed=4)
    fa, fb = (np.ascontiguousarray(hv.map.random(n, d, seed=s)) for s in (5, 6))
    ha, hb = (np.ascontiguousarray(hv.hrr.random(n, d, seed=s)) for s in (7, 8))
    # Batches small enough to stay in L2 (2 MiB here), as the C++ operands do,
    # and N = 1000 batches (16 MiB per float operand: from memory).
    ps, qs = pa[:64], pb[:64]
    fs, gs = fa[:16], fb[:16]
    hs, ks = ha[:16], hb[:16]
    return [
        ("bsc.bind, 1 vector", d, 1, "bipolar_bench BM_Bind/AVX3_DL/4096",
         lambda: hv.bsc.bind(p1, p2)),
        ("bsc.bind, N=64", d, 64, "bipolar_bench BM_Bind/AVX3_DL/4096",
         lambda: hv.bsc.bind(ps, qs)),
        ("map.bind, N=16", d, 16, "dense_bench BM_BindF32/AVX3_DL/4096",
         lambda: hv.map.bind(fs, gs)),
        ("map.cosine_similarity, 1 x 16", d, 16, "dense_bench BM_CosineF32/AVX3_DL/4096",
         lambda: hv.map.cosine_similarity(fs[:1], gs)),
        ("hrr.bind, N=16", d, 16, "hrr_bench BM_Bind<float>/4096",
         lambda: hv.hrr.bind(hs, ks)),
        (f"bsc.bind, N={n}", d, n, "bipolar_bench BM_Bind/AVX3_DL/4096",
         lambda: hv.bsc.bind(pa, pb)),
        (f"bsc.cosine_similarity, 1 x {n}", d, n, "bipolar_bench BM_Cosine/AVX3_DL/4096",
         lambda: hv.bsc.cosine_similarity(p1, pb)),
        (f"map.bind, N={n}", d, n, "dense_bench BM_BindF32/AVX3_DL/4096",
         lambda: hv.map.bind(fa, fb)),
        (f"map.cosine_similarity, 1 x {n}", d, n, "dense_bench BM_CosineF32/AVX3_DL/4096",
         lambda: hv.map.cosine_similarity(fa[:1], fb)),
        (f"hrr.bind, N={n}", d, n, "hrr_bench BM_Bind<float>/4096",
         lambda: hv.hrr.bind(ha, hb)),
    ]


def cpu_and_wall_per_call(call, repeat, min_seconds=0.2):
    """(CPU seconds of all threads, wall seconds) per call, best of `repeat`."""
    call()
    t = time.perf_counter()
    call()
    number = max(1, int(min_seconds / max(time.perf_counter() - t, 1e-7)))
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        c, t = time.process_time(), time.perf_counter()
        for _ in range(number):
            call()
        best = min(best, ((time.process_time() - c) / number, (time.perf_counter() - t) / number))
    return best


def environment(th_note):
    lines = [
        f"python {platform.python_version()} ({sys.executable}), numpy {np.__version__}, "
        f"hypervec {hv.__version__} ({os.path.dirname(hv.__file__)})",
        f"cpus: {os.cpu_count()}, load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}",
        th_note,
    ]
    torch = sys.modules.get("torch")
    if torch is not None:
        config = torch.__config__.show()
        blas = [w.rstrip(",") for w in config.split() if w.startswith(("BLAS_INFO", "LAPACK_INFO"))]
        lines.append(f"torch {torch.__version__}, {torch.get_num_threads()} threads "
                     f"(--torch-threads), {' '.join(blas)}")
    blas_lib = "/usr/lib/x86_64-linux-gnu/libblas.so.3"
    if os.path.exists(blas_lib):
        lines.append(f"libblas.so.3 (NumPy's and torch's generic BLAS) -> {os.path.realpath(blas_lib)}")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--torchhd", default=os.environ.get("TORCHHD_PATH"),
                        help="a torchhd checkout (the folder holding torchhd/); default $TORCHHD_PATH")
    parser.add_argument("--repeat", type=int, default=5, help="timings per cell (best is kept)")
    parser.add_argument("--only", default="", help="run rows whose 'MODEL op' contains this")
    parser.add_argument("--torch-threads", type=int, default=os.cpu_count(),
                        help="torch.set_num_threads (Debian's torch starts with 1 here); default all cpus")
    args = parser.parse_args()

    th, th_note = load_torchhd(args.torchhd)
    if not th:
        th_note += ": the torchhd column is skipped"
    if th:
        sys.modules["torch"].set_num_threads(args.torch_threads)
    for line in environment(th_note):
        print("#", line)
    rng = np.random.default_rng(2026)
    peers = ["hypervec", "numpy"] + (["torchhd"] if th else [])
    head = "| model | op | D | " + " | ".join(f"{p} items/s" for p in peers)
    head += " | × numpy" + (" | × torchhd" if th else "") + " |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for model, op, d, items, calls in cases(th, rng):
        if args.only and args.only not in f"{model} {op}":
            continue
        t = {p: seconds_per_call(calls[p], args.repeat) for p in peers}
        if op == "call":
            cells = [f"{t[p] * 1e6:.2f} µs/call" for p in peers]
        else:
            cells = [f"{items / t[p]:.3g}" for p in peers]
        ratios = [f"{t['numpy'] / t['hypervec']:.2f}"]
        if th:
            ratios.append(f"{t['torchhd'] / t['hypervec']:.2f}")
        print(f"| {model} | {op} | {d} | " + " | ".join(cells + ratios) + " |", flush=True)

    if args.only:
        return
    print("\n# hypervec per item from Python: CPU (all threads) and wall time, to set")
    print("# against the C++ benchmark's CPU time per call (one vector, one thread)")
    print("| call | D | CPU ns/item | wall ns/item | C++ benchmark |")
    print("|---|---|---|---|---|")
    for name, d, items, cpp, call in overhead_rows():
        cpu, wall = cpu_and_wall_per_call(call, args.repeat)
        print(f"| {name} | {d} | {cpu / items * 1e9:.4g} | {wall / items * 1e9:.4g} | {cpp} |",
              flush=True)


if __name__ == "__main__":
    main()
