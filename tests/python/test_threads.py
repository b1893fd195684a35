"""The GIL is released during real work, concurrent calls agree with serial ones,
and repeated calls leak neither references nor memory (docs/python.md, "Threads
and the GIL").

How the GIL check can fail: a counter thread stamps the time while the main
thread is inside one long call. While a C call holds the GIL no Python code runs
in any other thread, so no stamp can fall in the middle of that call (a thread
switch just before the call lets the counter run for at most one switch
interval, 0.1 ms here; the window we look at starts 10% of the call later). A
control call that holds the GIL (list.sort of floats) shows the zero."""

import functools
import gc
import sys
import threading
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import psutil
import pytest

import hypervec as hv

#: Each GIL probe call should take at least this long (s); sizes double until it does.
MIN_CALL_SECONDS = 0.08


@pytest.fixture
def short_switch_interval():
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    yield
    sys.setswitchinterval(old)


def stamped_call(call, every):
    """Runs call() while another thread appends the time to a list every
    `every` loop turns; returns (the stamps, call start, call end)."""
    stamps = [time.perf_counter()]
    stop = threading.Event()

    def count():
        i = 0
        while not stop.is_set():
            i += 1
            if i % every == 0:
                stamps.append(time.perf_counter())

    counter = threading.Thread(target=count)
    counter.start()
    while len(stamps) < 3:  # the counter is running
        time.sleep(0.001)
    gc.disable()  # no finalizer may run Python code in this thread during the call
    try:
        t0 = time.perf_counter()
        call()
        t1 = time.perf_counter()
    finally:
        gc.enable()
        stop.set()
        counter.join()
    return stamps, t0, t1


def stamps_inside(call):
    """(stamps, one per 64 counter turns, in the middle 80% of call(), the call's duration)."""
    stamps, t0, t1 = stamped_call(call, 64)
    margin = 0.1 * (t1 - t0)
    inside = sum(1 for s in stamps if t0 + margin < s < t1 - margin)
    return inside, t1 - t0


def longest_stamp_gap(call):
    """(the longest time without a stamp, the call's duration), stamping every
    turn. A call that holds the GIL leaves one gap of about its whole length,
    wherever the scheduler puts the switches at its edges on a loaded machine."""
    stamps, t0, t1 = stamped_call(call, 1)
    return max(b - a for a, b in zip(stamps, stamps[1:])), t1 - t0


def long_call(make_call, start):
    """make_call(n) at the first n (doubling from `start`) that takes MIN_CALL_SECONDS."""
    n = start
    while True:
        call = make_call(n)
        t = time.perf_counter()
        call()
        if time.perf_counter() - t >= MIN_CALL_SECONDS or n >= start * 2**8:
            return call
        n *= 2


def test_the_probe_sees_a_call_that_holds_the_gil(short_switch_interval):
    # The control: sorted() of a prebuilt list holds the GIL from start to end
    # (functools.partial: no bytecode, so no switch point, inside the call).
    values = np.random.default_rng(1).random(1 << 19).tolist()
    call = long_call(lambda n: functools.partial(sorted, values * (n // 16)), 16)
    gap, seconds = longest_stamp_gap(call)
    assert seconds >= MIN_CALL_SECONDS * 0.5
    assert gap >= 0.8 * seconds, f"the counter ran during a GIL-holding call ({gap:.3f} of {seconds:.3f} s)"


def _map(n, d=8192):
    return hv.map.random(n, d, seed=1), hv.map.random(n, d, seed=2)


GIL_CALLS = {
    # name: (make_call(n), first n)
    "map.cosine_similarity": (lambda n: (lambda a, b: lambda: hv.map.cosine_similarity(a, b))(
        *_map(n)), 64),
    "map.bind": (lambda n: (lambda a, b: lambda: hv.map.bind(a, b))(*_map(n)), 256),
    "bsc.multiset": (lambda n: (lambda p: lambda: hv.bsc.multiset(p))(
        hv.Packed(hv.bsc.random(n, 8192, seed=1).words.reshape(-1, 64, 128), 8192)), 1024),
    "map.random": (lambda n: lambda: hv.map.random(n, 8192, seed=3), 256),
    "hrr.bind": (lambda n: (lambda a: lambda: hv.hrr.bind(a, a))(hv.hrr.random(n, 4096, seed=1)),
                 256),
    "bsc.hamming_similarity": (
        lambda n: (lambda p: lambda: hv.bsc.hamming_similarity(p, p))(
            hv.bsc.random(n, 8192, seed=1)), 256),
    "Packed.to_bipolar": (lambda n: (lambda p: lambda: p.to_bipolar())(
        hv.bsc.random(n, 8192, seed=1)), 256),
}


@pytest.mark.parametrize("name", list(GIL_CALLS))
def test_the_gil_is_released_during_the_call(short_switch_interval, name):
    make_call, start = GIL_CALLS[name]
    call = long_call(make_call, start)
    inside, seconds = stamps_inside(call)
    assert inside > 0, f"{name}: no Python progress during a {seconds:.3f} s call"


def _tasks():
    """(function, args) pairs over every model; the HRR sizes are new to this
    process so that their FFT plans are made concurrently."""
    rng = np.random.default_rng(42)
    tasks = []
    for k, d in enumerate([1031, 2053, 3079, 4099, 1031, 2053]):
        a = rng.standard_normal((16, d)).astype(np.float32)
        b = rng.standard_normal((16, d)).astype(np.float32)
        p = hv.bsc.random(16, d, seed=k)
        z = hv.fhrr.random(16, d, seed=k)
        tasks += [
            (hv.map.bind, (a, b)),
            (hv.map.multiset, (a.reshape(4, 4, d),)),
            (hv.map.cosine_similarity, (a, b)),
            (hv.hrr.bind, (a, b)),
            (hv.hrr.unbind, (a.astype(np.float64), b.astype(np.float64))),
            (hv.bsc.bind, (p, p[::-1])),
            (hv.bsc.multiset, (p.copy()[None],)),
            (hv.bsc.hamming_similarity, (p, p)),
            (hv.fhrr.bind, (z, z)),
            (hv.map.random, (64, d, k)),
        ]
    return tasks


def _same(x, y):
    if isinstance(x, hv.Packed):
        return x == y
    return x.dtype == y.dtype and np.array_equal(x, y)


def test_concurrent_calls_agree_with_serial_calls():
    tasks = _tasks() * 3
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(lambda t: t[0](*t[1]), tasks))
    serial = [f(*args) for f, args in tasks]
    for (f, _), c, s in zip(tasks, concurrent, serial):
        assert _same(c, s), f.__name__


def test_calls_keep_no_references_to_their_arguments():
    a = np.ones((4, 64), np.float32)
    f64 = np.ones((4, 64))
    p = hv.bsc.random(4, 64, seed=1)
    before = [sys.getrefcount(x) for x in (a, f64, p)]
    for _ in range(1000):
        hv.map.bind(a, f64)
        hv.map.cosine_similarity(a, a)
        hv.hrr.bind(f64, a)
        hv.bsc.bind(p, p)
        p.to_bipolar()
        with pytest.raises(ValueError):
            hv.map.bind(a, f64[:, :63])
        with pytest.raises(ValueError):
            hv.bsc.bind(p, a)
    assert [sys.getrefcount(x) for x in (a, f64, p)] == before


def _mixed_calls(a, f64, p, key):
    hv.map.bind(a, f64)
    hv.map.cosine_similarity(a, key)
    hv.hrr.bind(a, key)
    hv.bsc.bind(p, p)
    hv.bsc.random(2, 256, seed=1)  # owns a hypervec buffer (untraced: RSS checks it)
    hv.map.random(2, 256, seed=1)
    hv.Packed.from_bipolar(a[:1])
    try:
        hv.map.bind(a, key[:-1])
    except ValueError:
        pass


def _warm_operands():
    """Operands for _mixed_calls, after 2000 warm-up rounds (caches, plans, arenas)."""
    a = np.ones((2, 256), np.float32)
    f64 = np.ones((2, 256))
    key = hv.map.random(1, 256, seed=2)[0]
    p = hv.bsc.random(2, 256, seed=1)
    for _ in range(2000):
        _mixed_calls(a, f64, p, key)
    gc.collect()
    return a, f64, p, key


def test_many_calls_leak_no_traced_memory():
    a, f64, p, key = _warm_operands()

    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for _ in range(10_000):
            _mixed_calls(a, f64, p, key)
        gc.collect()
        traced_growth = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    # 10^4 x 8 calls; a leak of even one small object per call is > 1 MB.
    print(f"traced growth {traced_growth} B")
    assert traced_growth < 200_000


@pytest.mark.rss
def test_many_calls_leave_the_resident_size_flat():
    a, f64, p, key = _warm_operands()
    process = psutil.Process()
    rss = process.memory_info().rss
    for _ in range(100_000 // 8):  # 10^5 calls
        _mixed_calls(a, f64, p, key)
    gc.collect()
    growth = process.memory_info().rss - rss
    print(f"RSS growth {growth / 2**20:.2f} MiB")
    # Every call allocates >= 1 KB; leaking it would grow RSS by > 100 MB.
    assert growth < 16 * 2**20, f"RSS grew by {growth / 2**20:.1f} MiB over 10^5 calls"
