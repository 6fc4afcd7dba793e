"""Test setup: import hact from this source tree (python/) unless HACT_TEST_INSTALLED=1 asks for
the installed package. The library comes from $HACT_LIBRARY (ctest sets it to the freshly built
libhact.so) or the package's own search (hact/_lib.py)."""

import os
import sys
from pathlib import Path

if os.environ.get("HACT_TEST_INSTALLED") != "1":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import hact  # noqa: E402

if os.environ.get("HACT_TEST_INSTALLED") == "1":
    # the installed package, with the libhact.so it carries
    assert Path(hact.__file__).resolve().parents[1] != Path(__file__).resolve().parents[1], hact.__file__
    assert Path(hact.library_path).parent == Path(hact.__file__).parent, hact.library_path


@pytest.fixture
def rng():
    return np.random.default_rng(20261122)


def pytest_report_header(config):
    return (f"hact {hact.version} from {hact.library_path} (package {Path(hact.__file__).parent}); "
            f"ISA {hact.get_isa()}; ops: {', '.join(hact.ops)}; GLU: {', '.join(hact.glu_kinds)}")
