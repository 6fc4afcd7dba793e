"""Loading libhact.so and declaring its C ABI (include/hact/hact.h) for ctypes.

Where the library comes from, first match wins:
  1. $HACT_LIBRARY: a path to libhact.so (any file name);
  2. libhact.so inside this package (what `pip install ./python` puts there);
  3. a source checkout: <repo>/build/lib/libhact.so, or $HACT_BUILD_DIR/lib/libhact.so
     (what scripts/build.sh makes; for development and the test suite);
  4. the system's library path (ctypes.util.find_library("hact"), e.g. after `cmake --install`).
"""

import ctypes
import ctypes.util
import os
from pathlib import Path

# The ABI this package is written for: the library's major version must match and its minor
# version be at least this one (structures and entry points are only appended within a major).
ABI_MAJOR = 0
ABI_MINOR = 1


class hact_params(ctypes.Structure):
    """struct hact_params: seven floats, PyTorch's argument names."""

    _fields_ = [
        ("negative_slope", ctypes.c_float),
        ("alpha", ctypes.c_float),
        ("beta", ctypes.c_float),
        ("threshold", ctypes.c_float),
        ("scale", ctypes.c_float),
        ("min_val", ctypes.c_float),
        ("max_val", ctypes.c_float),
    ]


PARAM_FIELDS = tuple(name for name, _ in hact_params._fields_)
# HACT_P_* masks, in field order (HACT_P_NEGATIVE_SLOPE = 0x01, ..., HACT_P_MAX_VAL = 0x40).
PARAM_MASKS = {name: 1 << i for i, name in enumerate(PARAM_FIELDS)}


class hact_device(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class hact_dltype(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class hact_tensor(ctypes.Structure):
    """struct hact_tensor: DLPack's DLTensor, field for field."""

    _fields_ = [
        ("data", ctypes.c_void_p),
        ("device", hact_device),
        ("ndim", ctypes.c_int32),
        ("dtype", hact_dltype),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("strides", ctypes.POINTER(ctypes.c_int64)),
        ("byte_offset", ctypes.c_uint64),
    ]


assert ctypes.sizeof(hact_params) == 28 and ctypes.sizeof(hact_tensor) == 48

# hact_dtype values
F32, F16, BF16, F64 = 0, 1, 2, 3
# DLPack device types and type codes (hact.h's HACT_DEVICE_*, HACT_DL_*)
DEVICE_CPU, DEVICE_CUDA, DEVICE_CUDA_HOST = 1, 2, 3
DEVICE_ROCM, DEVICE_ROCM_HOST, DEVICE_CUDA_MANAGED = 10, 11, 13
DL_INT, DL_UINT, DL_FLOAT, DL_BFLOAT = 0, 1, 2, 4
GATE_DEFAULT, GATE_FIRST, GATE_SECOND = -1, 0, 1


def _candidates():
    env = os.environ.get("HACT_LIBRARY")
    if env:
        return [Path(env)], True
    here = Path(__file__).resolve().parent
    found = [here / "libhact.so", here / "libhact.so.0"]
    build = os.environ.get("HACT_BUILD_DIR")
    repo = here.parent.parent
    if build:
        found.append(Path(build) / "lib" / "libhact.so")
    elif (repo / "include" / "hact" / "hact.h").is_file():
        found.append(repo / "build" / "lib" / "libhact.so")
    system = ctypes.util.find_library("hact")
    if system:
        found.append(Path(system))
    return found, False


def load():
    """Load libhact.so; returns (CDLL, path). OSError with the places looked at if none."""
    candidates, explicit = _candidates()
    tried = []
    for path in candidates:
        if not explicit and not path.is_absolute():
            # find_library's answer is a soname for the dynamic linker's search path
            try:
                return ctypes.CDLL(str(path)), str(path)
            except OSError as e:
                tried.append(f"{path} ({e})")
                continue
        if path.exists():
            return ctypes.CDLL(str(path)), str(path)
        tried.append(f"{path} (not found)")
    raise OSError(
        "hact: cannot find libhact.so; tried: " + "; ".join(tried)
        + ". Build it (scripts/build.sh), install the package with `pip install ./python`, "
        "or set HACT_LIBRARY=/path/to/libhact.so"
    )


def declare(lib):
    """Give every entry point the package uses its C prototype."""
    c_int, c_uint, c_size_t, c_char_p, c_void_p = (
        ctypes.c_int, ctypes.c_uint, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_void_p)
    P = ctypes.POINTER
    params_p = P(hact_params)
    tensor_p = P(hact_tensor)
    protos = {
        # registry
        "hact_op_count": (c_int, []),
        "hact_op_from_name": (c_int, [c_char_p, P(c_int)]),
        "hact_op_name": (c_char_p, [c_int]),
        "hact_default_params": (hact_params, [c_int]),
        "hact_op_params": (c_uint, [c_int]),
        "hact_op_learnable_params": (c_uint, [c_int]),
        # flat compute
        "hact_forward": (c_int, [c_int, c_int, c_void_p, c_void_p, c_size_t, params_p]),
        "hact_backward": (c_int, [c_int, c_int, c_void_p, c_void_p, c_void_p, c_size_t, params_p]),
        "hact_backward_params": (c_int, [c_int, c_int, c_void_p, c_void_p, c_size_t, params_p,
                                         params_p]),
        # GLU
        "hact_glu_count": (c_int, []),
        "hact_glu_name": (c_char_p, [c_int]),
        "hact_glu_from_name": (c_int, [c_char_p, P(c_int)]),
        "hact_glu_gate": (c_int, [c_int]),
        "hact_glu_forward": (c_int, [c_int, c_int, c_void_p, c_void_p, c_void_p, c_size_t,
                                     params_p]),
        "hact_glu_backward": (c_int, [c_int, c_int, c_void_p, c_void_p, c_void_p, c_void_p,
                                      c_void_p, c_size_t, params_p]),
        "hact_glu_split_forward": (c_int, [c_int, c_int, c_void_p, c_void_p, c_size_t, c_size_t,
                                           c_size_t, c_int, params_p]),
        "hact_glu_split_backward": (c_int, [c_int, c_int, c_void_p, c_void_p, c_void_p, c_size_t,
                                            c_size_t, c_size_t, c_int, params_p]),
        # per-channel PReLU
        "hact_prelu_forward": (c_int, [c_int, c_void_p, c_void_p, c_void_p, c_size_t, c_size_t,
                                       c_size_t]),
        "hact_prelu_backward": (c_int, [c_int, c_void_p, c_void_p, c_void_p, c_void_p, c_void_p,
                                        c_size_t, c_size_t, c_size_t]),
        # strided tensors
        "hact_forward_tensor": (c_int, [c_int, tensor_p, tensor_p, params_p]),
        "hact_backward_tensor": (c_int, [c_int, tensor_p, tensor_p, tensor_p, params_p]),
        "hact_backward_params_tensor": (c_int, [c_int, tensor_p, tensor_p, params_p, params_p]),
        "hact_cuda_forward_tensor": (c_int, [c_int, tensor_p, tensor_p, params_p, c_void_p]),
        "hact_cuda_backward_tensor": (c_int, [c_int, tensor_p, tensor_p, tensor_p, params_p,
                                              c_void_p]),
        "hact_cuda_backward_params_tensor": (c_int, [c_int, tensor_p, tensor_p, params_p,
                                                     c_void_p, c_void_p]),
        # errors
        "hact_last_error": (c_char_p, []),
        "hact_status_string": (c_char_p, [c_int]),
        # CPU variants, threads
        "hact_get_isa": (c_int, []),
        "hact_isa_name": (c_char_p, [c_int]),
        "hact_isa_from_name": (c_int, [c_char_p, P(c_int)]),
        "hact_isa_available": (c_int, [c_int]),
        "hact_set_max_isa": (c_int, [c_int]),
        "hact_set_num_threads": (c_int, [c_int]),
        "hact_get_num_threads": (c_int, []),
        # CUDA
        "hact_cuda_available": (c_int, []),
        "hact_cuda_glu_forward": (c_int, [c_int, c_int, c_void_p, c_void_p, c_void_p, c_size_t,
                                          params_p, c_void_p]),
        "hact_cuda_glu_backward": (c_int, [c_int, c_int, c_void_p, c_void_p, c_void_p, c_void_p,
                                           c_void_p, c_size_t, params_p, c_void_p]),
        "hact_cuda_glu_split_forward": (c_int, [c_int, c_int, c_void_p, c_void_p, c_size_t,
                                                c_size_t, c_size_t, c_int, params_p, c_void_p]),
        "hact_cuda_glu_split_backward": (c_int, [c_int, c_int, c_void_p, c_void_p, c_void_p,
                                                 c_size_t, c_size_t, c_size_t, c_int, params_p,
                                                 c_void_p]),
        "hact_cuda_prelu_forward": (c_int, [c_int, c_void_p, c_void_p, c_void_p, c_size_t,
                                            c_size_t, c_size_t, c_void_p]),
        "hact_cuda_prelu_backward": (c_int, [c_int, c_void_p, c_void_p, c_void_p, c_void_p,
                                             c_void_p, c_size_t, c_size_t, c_size_t, c_void_p]),
        # version
        "hact_version_number": (c_uint, []),
        "hact_version_string": (c_char_p, []),
    }
    for name, (restype, argtypes) in protos.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return lib
