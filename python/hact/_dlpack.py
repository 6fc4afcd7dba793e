"""Reading the DLTensor out of an object's __dlpack__() capsule (DLPack 1.x or the legacy 0.x).

hact_tensor has DLTensor's layout, so the descriptor is copied field for field and handed to the
library as it is. The capsule is kept alive (referenced) for as long as its memory is used and is
never renamed "used_...": it keeps owning the tensor, and its destructor (the producer's) calls
the deleter when the last reference goes. That is the protocol's fallback for a consumer that
does not take ownership, and it frees nothing early.
"""

import ctypes

from . import _lib

_READ_ONLY = 1 << 0  # DLPACK_FLAG_BITMASK_READ_ONLY
_IS_COPIED = 1 << 1  # DLPACK_FLAG_BITMASK_IS_COPIED


class _DLPackVersion(ctypes.Structure):
    _fields_ = [("major", ctypes.c_uint32), ("minor", ctypes.c_uint32)]


class _DLManagedTensor(ctypes.Structure):
    _fields_ = [("dl_tensor", _lib.hact_tensor), ("manager_ctx", ctypes.c_void_p),
                ("deleter", ctypes.c_void_p)]


class _DLManagedTensorVersioned(ctypes.Structure):
    _fields_ = [("version", _DLPackVersion), ("manager_ctx", ctypes.c_void_p),
                ("deleter", ctypes.c_void_p), ("flags", ctypes.c_uint64),
                ("dl_tensor", _lib.hact_tensor)]


_capsule_is_valid = ctypes.pythonapi.PyCapsule_IsValid
_capsule_is_valid.restype = ctypes.c_int
_capsule_is_valid.argtypes = [ctypes.py_object, ctypes.c_char_p]
_capsule_get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_get_pointer.restype = ctypes.c_void_p
_capsule_get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


class Exported:
    """A DLPack export: the DLTensor (a copy of the descriptor; shape and strides still point
    into the producer's memory, kept alive by the capsule), its flags, and the capsule."""

    __slots__ = ("capsule", "tensor", "readonly", "copied", "shape", "strides")

    def __init__(self, capsule, tensor, readonly, copied):
        self.capsule = capsule
        self.tensor = tensor
        self.readonly = readonly
        self.copied = copied
        n = tensor.ndim
        if n < 0:
            raise ValueError(f"DLPack tensor with ndim {n}")
        self.shape = tuple(tensor.shape[i] for i in range(n)) if n else ()
        self.strides = (tuple(tensor.strides[i] for i in range(n))
                        if n and tensor.strides else None)


# DLPack device types whose producers take the consumer's stream (CUDA, CUDA managed).
_STREAM_DEVICES = (2, 13)


def export(obj, name, stream=None):
    """Call obj.__dlpack__ (asking for DLPack 1.x, falling back to the legacy protocol) and read
    the capsule. For a CUDA tensor (__dlpack_device__), stream is the consumer's: the DLPack
    value the producer makes the data ready on (1: the legacy default stream)."""
    kwargs = {}
    if stream is not None and hasattr(obj, "__dlpack_device__"):
        if int(obj.__dlpack_device__()[0]) in _STREAM_DEVICES:
            kwargs["stream"] = stream
    try:
        capsule = obj.__dlpack__(max_version=(1, 0), **kwargs)
    except TypeError:  # a producer that predates max_version
        capsule = obj.__dlpack__(**kwargs)
    if _capsule_is_valid(capsule, b"dltensor_versioned"):
        ptr = _capsule_get_pointer(capsule, b"dltensor_versioned")
        managed = _DLManagedTensorVersioned.from_address(ptr)
        if managed.version.major != 1:
            raise TypeError(f"{name}: DLPack version {managed.version.major}."
                            f"{managed.version.minor} is not supported (1.x is)")
        tensor = _lib.hact_tensor.from_buffer_copy(managed.dl_tensor)
        flags = managed.flags
        return Exported(capsule, tensor, bool(flags & _READ_ONLY), bool(flags & _IS_COPIED))
    if _capsule_is_valid(capsule, b"dltensor"):
        ptr = _capsule_get_pointer(capsule, b"dltensor")
        managed = _DLManagedTensor.from_address(ptr)
        tensor = _lib.hact_tensor.from_buffer_copy(managed.dl_tensor)
        return Exported(capsule, tensor, False, False)
    raise TypeError(f"{name}: __dlpack__() did not return a DLPack capsule "
                    "('dltensor' or 'dltensor_versioned', not yet consumed)")
