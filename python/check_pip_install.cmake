# `pip install` of the Python package, as a user would run it, into a scratch directory: a copy
# of python/ (so the build leaves nothing in the source tree), HACT_LIBRARY naming the freshly
# built libhact.so, offline (--no-index, --no-build-isolation: setuptools from the environment).
# Then, with HACT_LIBRARY unset, the installed package must load the libhact.so it carries and
# compute, and pass the pytest suite. Usage: cmake -DPYTHON=... -DSOURCE_DIR=<repo>/python -DLIBRARY=... -DWORK_DIR=... -P
cmake_minimum_required(VERSION 3.20)
function(run)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if (NOT rc EQUAL 0)
        list(JOIN ARGN " " cmd)
        message(FATAL_ERROR "failed (${rc}): ${cmd}\n${out}\n${err}")
    endif ()
    set(run_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/src" "${WORK_DIR}/site")
file(COPY "${SOURCE_DIR}/hact" "${SOURCE_DIR}/pyproject.toml" "${SOURCE_DIR}/setup.py"
          "${SOURCE_DIR}/README.md" DESTINATION "${WORK_DIR}/src"
     PATTERN "__pycache__" EXCLUDE PATTERN "*.so*" EXCLUDE)

set(ENV{HACT_LIBRARY} "${LIBRARY}")
set(ENV{PIP_DISABLE_PIP_VERSION_CHECK} 1)
run("${PYTHON}" -m pip install --no-deps --no-index --no-build-isolation --no-cache-dir
    --target "${WORK_DIR}/site" "${WORK_DIR}/src")
if (NOT EXISTS "${WORK_DIR}/site/hact/libhact.so")
    message(FATAL_ERROR "the installed package has no hact/libhact.so:\n${run_output}")
endif ()
file(GLOB wheel_info "${WORK_DIR}/site/hact-*.dist-info/WHEEL")
if (NOT wheel_info)
    message(FATAL_ERROR "no hact-*.dist-info/WHEEL in ${WORK_DIR}/site")
endif ()
file(READ "${wheel_info}" wheel)
if (NOT wheel MATCHES "Root-Is-Purelib: false" OR NOT wheel MATCHES "Tag: py3-none-linux")
    message(FATAL_ERROR "the wheel should be platform-specific (py3-none-<platform>):\n${wheel}")
endif ()

unset(ENV{HACT_LIBRARY})
set(ENV{PYTHONPATH} "${WORK_DIR}/site")
set(ENV{PYTHONDONTWRITEBYTECODE} 1)
run("${PYTHON}" -c [=[
import os, sys
import numpy as np
import hact
here = os.path.dirname(hact.__file__)
assert hact.library_path == os.path.join(here, "libhact.so"), (hact.library_path, here)
x = np.linspace(-3, 3, 7, dtype=np.float32)
y = hact.silu(x)
want = x.astype(np.float64) / (1 + np.exp(-x.astype(np.float64)))
assert np.allclose(y, want, rtol=1e-6, atol=1e-7), (y, want)
print(f"installed hact {hact.version} at {here} ({hact.get_isa()}): silu(3) = {y[-1]}, "
      f"{len(hact.generated_functions)} generated functions")
]=])
message(STATUS "${run_output}")

# The whole pytest suite against the installed package (tests/conftest.py: HACT_TEST_INSTALLED).
set(ENV{HACT_TEST_INSTALLED} 1)
run("${PYTHON}" -m pytest -q -p no:cacheprovider "${SOURCE_DIR}/tests")
string(REGEX MATCH "[0-9]+ passed[^\n]*" summary "${run_output}")
message(STATUS "pytest on the installed package: ${summary}")
