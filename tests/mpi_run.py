"""Runs one program under `mpirun --oversubscribe -np N` for N = 1, 2, 3, 4.

Usage: mpi_run.py MPIRUN PROGRAM [ARGS...]. Each run is bounded (a hang fails
the test instead of stalling CI); the test fails if any run fails. Open MPI
runs on the shared-memory and loopback transports only (tests/meson.build
sets OMPI_MCA_* and, since CI runs as root, OMPI_ALLOW_RUN_AS_ROOT*).
"""
import os
import signal
import subprocess
import sys

TIMEOUT = 300  # seconds per rank count

mpirun, program = sys.argv[1], sys.argv[2:]
failed = []
for n in (1, 2, 3, 4):
    cmd = [mpirun, "--oversubscribe", "-np", str(n)] + program
    print("$", " ".join(cmd), flush=True)
    p = subprocess.Popen(cmd, start_new_session=True)
    try:
        if p.wait(timeout=TIMEOUT) != 0:
            failed.append(f"-np {n}: exit code {p.returncode}")
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)  # mpirun and every rank
        p.wait()
        failed.append(f"-np {n}: no result within {TIMEOUT} s (hang?)")
for f in failed:
    print("FAIL:", f, file=sys.stderr)
sys.exit(1 if failed else 0)
