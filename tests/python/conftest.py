"""Shared pytest fixtures for hypervec's Python tests.

Random tests draw from a seeded numpy Generator; the seed is printed with every
failure (the `rng` fixture reports it through the test's name in the report).
"""

import os

import numpy as np
import pytest

#: Seed of every random test; HYPERVEC_TEST_SEED overrides it to rerun a failure.
SEED = int(os.environ.get("HYPERVEC_TEST_SEED", "20261202"))


@pytest.fixture
def rng(request):
    """A numpy Generator seeded from SEED and the test's name."""
    seed = (SEED * 1000003 + sum(map(ord, request.node.name))) % (2**63)
    request.node.user_properties.append(("seed", seed))
    return np.random.default_rng(seed)


def pytest_runtest_makereport(item, call):
    if call.excinfo is not None:
        for name, value in item.user_properties:
            if name == "seed":
                print(f"\n[{item.nodeid}] random seed {value} (HYPERVEC_TEST_SEED={SEED})")


@pytest.fixture(scope="session")
def source_root():
    return os.environ.get("HYPERVEC_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))


@pytest.fixture(scope="session")
def build_root():
    return os.environ.get("HYPERVEC_BUILD_ROOT", "")


#: Set by tests/python/meson.build in a sanitized build (ASan+UBSan): the
#: same tests run there, except that bounds on resident memory (ASan keeps
#: freed blocks in quarantine) are left to the optimised build and the
#: CLI-comparison cases that take minutes there run on fewer documents.
SANITIZED = bool(os.environ.get("HYPERVEC_SANITIZED"))


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "rss: bounds resident memory; skipped in sanitized builds (ASan quarantine)")


def pytest_collection_modifyitems(config, items):
    if not SANITIZED:
        return
    skip = pytest.mark.skip(reason="resident-memory bound: checked in the optimised build "
                                   "(ASan quarantines freed memory)")
    for item in items:
        if "rss" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def sanitized():
    """True in a sanitized build (HYPERVEC_SANITIZED)."""
    return SANITIZED
