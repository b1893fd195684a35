"""examples/python/: every script runs with this build's module (PYTHONPATH as the
tests have it), exits 0, prints the lines it promises, and stays within the
20 lines that issue 14 allows an example."""

import glob
import os
import subprocess
import sys

import pytest

import hypervec as hv

# For each example: its arguments and the lines its output must contain. A new
# example without an entry here fails test_every_example_is_listed.
EXPECTED = {
    "key_value_record.py": ([], [f"{vsa}: country=Mexico, capital=MexicoCity, currency=peso"
                                 for vsa in ("MAP", "BSC", "HRR", "FHRR")]),
    "decode_probe.py": (["noisy"], [
        "rome : italy = dublin : ireland: ireland (cos 0.437, z 27.9)",
        "precision@1 1.0000  precision@3 1.0000  precision@5 1.0000  "
        "(500 documents, 0 abstained)"]),
    # Without mpirun: one MPI rank (a singleton) holds the whole codebook.
    "sharded_search.py": ([], ["rank 0 of 1 (3000 of 3000 rows): ['ireland', None, None]"]),
}


def examples_dir(source_root):
    return os.path.join(source_root, "examples", "python")


def run(script, args):
    # The folder holding this build's `hypervec` package, ahead of anything else.
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(hv.__file__)))
    return subprocess.run([sys.executable, script, *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_every_example_is_listed(source_root):
    found = sorted(os.path.basename(p) for p in glob.glob(os.path.join(examples_dir(source_root), "*.py")))
    assert found == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs_and_prints_its_answer(source_root, name):
    args, lines = EXPECTED[name]
    done = run(os.path.join(examples_dir(source_root), name), args)
    assert done.returncode == 0, f"{name} exited {done.returncode}:\n{done.stderr}"
    out = done.stdout.splitlines()
    for line in lines:
        assert line in out, f"{name} did not print {line!r}; it printed:\n{done.stdout}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_is_at_most_20_lines(source_root, name):
    with open(os.path.join(examples_dir(source_root), name), encoding="utf-8") as f:
        assert len(f.read().splitlines()) <= 20
