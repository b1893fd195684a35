"""A check shared by the Python tests: does this thread keep running Python
while `call` runs in another thread (the GIL released)?"""

import sys
import threading
import time


def assert_python_runs_during(call, what):
    """Runs call() in a worker thread and spins here meanwhile. With the GIL held
    through the call this thread could run at most about one switch interval of
    it; released, it runs throughout: the span of this thread's progress inside
    the call must exceed 30% of the call."""
    window = {}

    def work():
        window["start"] = time.perf_counter()
        call()
        window["end"] = time.perf_counter()

    worker = threading.Thread(target=work)
    first = last = None
    worker.start()
    while worker.is_alive():
        t = time.perf_counter()
        if "start" in window and "end" not in window:
            first = t if first is None else first
            last = t
    worker.join()
    duration = window["end"] - window["start"]
    assert duration > 4 * sys.getswitchinterval(), f"{what} too short to tell"
    assert first is not None and last - first > 0.3 * duration
