"""Setup shared by the end-to-end tests of the `hypervec` command.

Each test runs as SCRIPT HYPERVEC_BINARY SOURCE_DIR; importing this module
reads those two arguments. `check` records a failure in `failures` (and prints
it) so a test reports every problem, then exits 1 if the list is not empty.
"""
import os
import sys

HV, SRC = sys.argv[1], sys.argv[2]
DATA = os.path.join(SRC, "data", "probe")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)
