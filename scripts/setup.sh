#!/usr/bin/env bash
# Set up everything hact needs to build, test and benchmark; idempotent and quick when nothing is
# missing. Python tools go into the project virtualenv (.venv, pinned versions below); Debian
# packages are installed with apt-get only when missing.
#   HACT_VENV   where the virtualenv lives (default: <repo>/.venv)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${HACT_VENV:-$repo/.venv}

# Pinned Python tools. halide: the wheel ships libHalide, the headers and the CMake package.
# oneDNN (benchmark anchor): the CPU-only GNU-OpenMP build; the plain "onednn" wheel is built
# for SYCL and cannot create a CPU engine without a SYCL CPU device.
# The Python package (python/) and its tests: numpy, ml_dtypes (bfloat16), pytest, mpmath
# (references), setuptools >= 70.1 (builds the wheel offline in the pip-install test).
# The seed experiment and the plots (experiments/, scripts/plot_activations.py, their test):
# scikit-learn (the 8x8 digits set, shipped in the wheel) and matplotlib.
pip_pins=(halide==21.0.0 cmake==3.31.6 ninja==1.13.0 mpmath==1.3.0
          onednn-cpu-gomp==2023.2.0 onednn-devel-cpu-gomp==2023.2.0
          numpy==2.4.6 ml-dtypes==0.6.0 pytest==9.2.0 setuptools==84.2.1
          scikit-learn==1.9.1 matplotlib==3.11.2)
# Debian packages: compilers, GoogleTest, Google Benchmark, pkg-config; the AArch64 cross
# toolchain and qemu-user, which build and run the NEON variants and their tests
# (scripts/cross_build.sh); clang and its compiler-rt (libFuzzer, ASan, UBSan) for the fuzzer
# (ctest hact_fuzz_abi; gcc's sanitizers come with build-essential).
apt_pkgs=(build-essential python3-venv googletest libgtest-dev libbenchmark-dev pkgconf)
apt_pkgs+=(g++-aarch64-linux-gnu qemu-user clang-14 libclang-rt-14-dev)

say() { printf '[setup] %s\n' "$*"; }

missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

stamp="$venv/.hact-pins"
want=$(printf '%s\n' "${pip_pins[@]}")
if [ ! -x "$venv/bin/python" ]; then
  say "creating virtualenv $venv"
  python3 -m venv "$venv"
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "installing pinned Python tools: ${pip_pins[*]}"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "${pip_pins[@]}"
  printf '%s\n' "$want" > "$stamp"
fi
say "ready: $("$venv/bin/cmake" --version | sed -n 1p), halide $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("halide"))')"
