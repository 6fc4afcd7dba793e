"""Build of the `hact` wheel: the pure-Python package (ctypes) plus a prebuilt libhact.so.

libhact.so is not compiled here (its ~800 Halide kernels take minutes and need Halide): it is
taken from $HACT_LIBRARY, else from the repository's build directory (../build/lib, or
$HACT_BUILD_DIR/lib) that scripts/build.sh fills, and copied into the package as
hact/libhact.so. The wheel is therefore tagged for this platform (py3-none-<platform>).

    scripts/build.sh && pip install ./python
    HACT_LIBRARY=/opt/hact/lib/libhact.so pip install ./python
"""

import os
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def find_library():
    env = os.environ.get("HACT_LIBRARY")
    if env:
        path = Path(env)
        if not path.is_file():
            raise SystemExit(f"hact: HACT_LIBRARY={env} is not a file")
        return path
    build = Path(os.environ.get("HACT_BUILD_DIR", HERE.parent / "build"))
    path = build / "lib" / "libhact.so"
    if path.exists():
        return path
    raise SystemExit(
        f"hact: no libhact.so at {path}: build it first (scripts/build.sh from the repository "
        "root), or set HACT_LIBRARY=/path/to/libhact.so (or HACT_BUILD_DIR)")


class BuildPyWithLibrary(build_py):
    def run(self):
        super().run()
        src = find_library().resolve()  # the versioned file behind libhact.so's symlinks
        dst = Path(self.build_lib) / "hact" / "libhact.so"
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        os.chmod(dst, 0o755)
        print(f"hact: packaged {src} as {dst}")


class PlatformWheel(bdist_wheel):
    def finalize_options(self):
        super().finalize_options()
        self.root_is_pure = False  # carries a native library

    def get_tag(self):
        _, _, plat = super().get_tag()
        return "py3", "none", plat  # ctypes only: any CPython 3 / PyPy 3 of this platform


setup(cmdclass={"build_py": BuildPyWithLibrary, "bdist_wheel": PlatformWheel})
