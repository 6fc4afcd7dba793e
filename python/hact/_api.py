"""The Python API over libhact's C ABI (include/hact/hact.h). See hact/__init__.py for the tour."""

import ctypes
import enum
import math
import operator

import numpy as np

from . import _dlpack, _lib

try:
    import ml_dtypes as _ml_dtypes

    bfloat16 = np.dtype(_ml_dtypes.bfloat16)
except ImportError:  # pragma: no cover - ml_dtypes is a dependency; bfloat16 is then refused
    _ml_dtypes = None
    bfloat16 = None

_LIB, library_path = _lib.load()
_lib.declare(_LIB)

version_number = int(_LIB.hact_version_number())
version = _LIB.hact_version_string().decode()
if version_number // 10000 != _lib.ABI_MAJOR or (version_number // 100) % 100 < _lib.ABI_MINOR:
    raise ImportError(f"hact: {library_path} is version {version}; this package needs "
                      f"{_lib.ABI_MAJOR}.{_lib.ABI_MINOR} or a later {_lib.ABI_MAJOR}.x")


# ---- errors ----------------------------------------------------------------------------------

class Status(enum.IntEnum):
    """hact_status values (stable: new codes are appended)."""

    OK = 0
    INVALID_ARGUMENT = 1
    UNKNOWN_OP = 2
    UNSUPPORTED = 3
    BAD_PARAMS = 4
    KERNEL = 5
    OUT_OF_MEMORY = 6
    INTERNAL = 7
    DEVICE_UNAVAILABLE = 8


class HactError(RuntimeError):
    """A hact call returned a status other than HACT_OK.

    status:  the hact_status (a Status where the code is known, else the int)
    message: hact_last_error() of the failed call (what was wrong)
    """

    def __init__(self, status, message):
        try:
            status = Status(status)
        except ValueError:
            pass
        self.status = status
        self.message = message
        name = status.name if isinstance(status, Status) else str(status)
        super().__init__(f"[{name}] {message}")


def _check(status):
    if status != 0:
        message = (_LIB.hact_last_error() or b"").decode("utf-8", "replace")
        raise HactError(status, message)


# ---- the registry (from the library, not from a list written here) -----------------------------

class OpInfo:
    """One op of the library's registry: name, index (the hact_op value), params (the
    hact_params fields it reads), learnable (those backward_params differentiates), defaults
    (PyTorch's, as float32 values)."""

    __slots__ = ("name", "index", "params", "learnable", "defaults")

    def __init__(self, index):
        self.index = index
        self.name = _LIB.hact_op_name(index).decode()
        reads = _LIB.hact_op_params(index)
        learn = _LIB.hact_op_learnable_params(index)
        self.params = tuple(f for f in _lib.PARAM_FIELDS if reads & _lib.PARAM_MASKS[f])
        self.learnable = tuple(f for f in _lib.PARAM_FIELDS if learn & _lib.PARAM_MASKS[f])
        d = _LIB.hact_default_params(index)
        self.defaults = {f: float(getattr(d, f)) for f in self.params}

    def __repr__(self):
        ps = ", ".join(f"{k}={v!r}" for k, v in self.defaults.items())
        return f"<hact op {self.name} ({ps}){' learnable: ' + ', '.join(self.learnable) if self.learnable else ''}>"


class GluInfo:
    """One kind of the GLU family (include/hact/glu.def): name, index (hact_glu value), gate
    (the OpInfo of the gate op g in out = g(a) * b; its parameters apply)."""

    __slots__ = ("name", "index", "gate")

    def __init__(self, index):
        self.index = index
        self.name = _LIB.hact_glu_name(index).decode()
        self.gate = _OPS_BY_INDEX[_LIB.hact_glu_gate(index)]

    def __repr__(self):
        return f"<hact glu {self.name}: {self.gate.name}(a) * b>"


_OPS_BY_INDEX = [OpInfo(i) for i in range(_LIB.hact_op_count())]
ops = {o.name: o for o in _OPS_BY_INDEX}
_GLUS_BY_INDEX = [GluInfo(i) for i in range(_LIB.hact_glu_count())]
glu_kinds = {g.name: g for g in _GLUS_BY_INDEX}


def _lookup(value, table, by_index, what, from_name, unknown_status):
    if isinstance(value, (OpInfo, GluInfo)):
        if by_index[value.index] is value:
            return value
        raise TypeError(f"{value!r} is not a hact {what}")
    if isinstance(value, str):
        info = table.get(value)
        if info is not None:
            return info
        idx = ctypes.c_int()
        _check(from_name(value.encode("utf-8", "replace"), ctypes.byref(idx)))
        raise HactError(unknown_status, f"unknown {what} name {value!r}")  # e.g. an embedded NUL
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if 0 <= value < len(by_index):
            return by_index[int(value)]
        raise HactError(unknown_status, f"{what} {int(value)} is not in the registry "
                                        f"(0 to {len(by_index) - 1})")
    raise TypeError(f"{what} must be a name (str), an index (int) or a registry entry, "
                    f"not {type(value).__name__}")


def _op(op):
    return _lookup(op, ops, _OPS_BY_INDEX, "op", _LIB.hact_op_from_name, Status.UNKNOWN_OP)


def _glu(kind):
    return _lookup(kind, glu_kinds, _GLUS_BY_INDEX, "GLU kind", _LIB.hact_glu_from_name,
                   Status.UNKNOWN_OP)


def _params(info, kwargs, fname):
    """hact_params for op `info`: its defaults, then the keyword arguments (fields it reads)."""
    p = _LIB.hact_default_params(info.index)
    for key, value in kwargs.items():
        if key not in _lib.PARAM_MASKS:
            raise TypeError(f"{fname}() got an unexpected keyword argument {key!r} "
                            f"(hact parameters: {', '.join(_lib.PARAM_FIELDS)})")
        if key not in info.params:
            takes = ", ".join(info.params) or "no parameters"
            raise TypeError(f"{fname}(): op {info.name!r} does not take {key!r} (it takes: {takes})")
        try:
            setattr(p, key, float(value))
        except (TypeError, ValueError) as e:
            raise TypeError(f"{fname}(): {key} must be a real number, not {value!r}") from e
    return p


# ---- operands: NumPy arrays and DLPack objects -> hact_tensor ---------------------------------

_DTYPE_CODES = {np.dtype(np.float32): (_lib.F32, _lib.DL_FLOAT, 32),
                np.dtype(np.float16): (_lib.F16, _lib.DL_FLOAT, 16),
                np.dtype(np.float64): (_lib.F64, _lib.DL_FLOAT, 64)}
if bfloat16 is not None:
    _DTYPE_CODES[bfloat16] = (_lib.BF16, _lib.DL_BFLOAT, 16)
_FROM_DL = {(code, bits): dt for dt, (_, code, bits) in _DTYPE_CODES.items()}
_HOST_DEVICES = (_lib.DEVICE_CPU, _lib.DEVICE_CUDA_HOST, _lib.DEVICE_ROCM_HOST)
_DEVICE_NAMES = {1: "cpu", 2: "cuda", 3: "cuda_host", 4: "opencl", 7: "vulkan", 8: "metal",
                 9: "vpi", 10: "rocm", 11: "rocm_host", 12: "ext_dev", 13: "cuda_managed",
                 14: "oneapi", 15: "webgpu", 16: "hexagon", 17: "maia"}
_SUPPORTED = "float32, float16, bfloat16 (ml_dtypes) or float64"


def _dtype_name(dt):
    return "bfloat16" if bfloat16 is not None and dt == bfloat16 else str(dt)


class _Operand:
    """One tensor of a call: the hact_tensor handed to the library, plus what keeps its memory
    and descriptor arrays alive. `array` is a NumPy view of the memory (host memory only)."""

    __slots__ = ("name", "obj", "array", "tensor", "shape", "dtype", "readonly", "device", "_keep")

    def __repr__(self):
        return f"{self.name}: {_dtype_name(self.dtype)}{list(self.shape)} on {self.device}"


def _from_array(arr, name, obj, readonly=False, keep=None):
    dt = arr.dtype
    if dt not in _DTYPE_CODES:
        if dt.name == "bfloat16" and bfloat16 is None:  # pragma: no cover
            raise TypeError(f"{name}: bfloat16 needs the ml_dtypes package")
        raise TypeError(f"{name} has dtype {dt}: hact takes {_SUPPORTED}")
    size = dt.itemsize
    for s in arr.strides:
        if s % size:
            raise ValueError(f"{name} has strides {arr.strides} (bytes): not multiples of its "
                             f"element size {size}")
    _, code, bits = _DTYPE_CODES[dt]
    o = _Operand()
    o.name, o.obj, o.array, o.dtype = name, obj, arr, dt
    o.shape = tuple(arr.shape)
    o.readonly = readonly or not arr.flags.writeable
    o.device = "cpu"
    t = _lib.hact_tensor()
    t.data = arr.__array_interface__["data"][0]
    t.device.device_type, t.device.device_id = _lib.DEVICE_CPU, 0
    t.ndim = arr.ndim
    t.dtype.code, t.dtype.bits, t.dtype.lanes = code, bits, 1
    n = arr.ndim
    shape = (ctypes.c_int64 * max(n, 1))(*arr.shape)
    strides = (ctypes.c_int64 * max(n, 1))(*(s // size for s in arr.strides))
    t.shape = ctypes.cast(shape, ctypes.POINTER(ctypes.c_int64)) if n else None
    t.strides = ctypes.cast(strides, ctypes.POINTER(ctypes.c_int64)) if n else None
    t.byte_offset = 0
    o.tensor = t
    o._keep = (shape, strides, keep)
    return o


def _host_view(ex, dt):
    """A NumPy view of a host DLPack tensor's memory (no copy)."""
    t = ex.tensor
    shape = ex.shape
    if ex.strides is None:  # compact row-major
        strides, acc = [], 1
        for n in reversed(shape):
            strides.append(acc)
            acc *= n
        strides = tuple(reversed(strides))
    else:
        strides = ex.strides
    if any(n == 0 for n in shape):
        return np.empty(shape, dt)
    size = dt.itemsize
    lo = sum(min(0, (n - 1) * s) for n, s in zip(shape, strides))
    hi = sum(max(0, (n - 1) * s) for n, s in zip(shape, strides))
    base = (t.data or 0) + t.byte_offset
    if not base:
        raise ValueError("DLPack tensor with elements and a NULL data pointer")
    buf = (ctypes.c_char * ((hi - lo + 1) * size)).from_address(base + lo * size)
    return np.ndarray(shape, dt, buffer=buf, offset=-lo * size,
                      strides=tuple(s * size for s in strides))


def _from_dlpack(obj, name, output, stream=None):
    ex = _dlpack.export(obj, name, stream)
    t = ex.tensor
    dev = t.device.device_type
    devname = f"{_DEVICE_NAMES.get(dev, f'device type {dev}')}:{t.device.device_id}"
    if t.dtype.lanes != 1:
        raise TypeError(f"{name} has vector elements (lanes {t.dtype.lanes}): hact takes {_SUPPORTED}")
    dt = _FROM_DL.get((t.dtype.code, t.dtype.bits))
    if dt is None:
        raise TypeError(f"{name} has DLPack dtype {{code {t.dtype.code}, bits {t.dtype.bits}}}: "
                        f"hact takes {_SUPPORTED}")
    if output and ex.copied:
        raise ValueError(f"{name}: the object's __dlpack__ export is a copy; results written "
                         "there would not reach it")
    if dev in _HOST_DEVICES:
        view = _host_view(ex, dt)
        o = _from_array(view, name, obj, readonly=ex.readonly, keep=ex)
        o.device = devname
        return o
    # Device memory: the descriptor goes to the library as it is (CUDA tensors to the
    # hact_cuda_*_tensor calls, which check it; other devices are refused there).
    o = _Operand()
    o.name, o.obj, o.array, o.dtype, o.shape = name, obj, None, dt, ex.shape
    o.readonly, o.device = ex.readonly, devname
    o.tensor = t
    o._keep = (ex,)
    return o


def _operand(obj, name, stream=None):
    if isinstance(obj, np.ndarray):
        return _from_array(obj, name, obj)
    if isinstance(obj, np.generic):
        return _from_array(np.asarray(obj), name, obj)
    if hasattr(obj, "__dlpack__"):
        return _from_dlpack(obj, name, False, stream)
    raise TypeError(f"{name} must be a NumPy array or an object with __dlpack__, "
                    f"not {type(obj).__name__}")


def _same(ref, other):
    if other.dtype != ref.dtype:
        raise TypeError(f"{other.name} has dtype {_dtype_name(other.dtype)}, "
                        f"{ref.name} has {_dtype_name(ref.dtype)}")
    if other.shape != ref.shape:
        raise ValueError(f"{other.name} has shape {other.shape}, {ref.name} has {ref.shape}")


def _cuda_stream(stream):
    """(the DLPack stream value for __dlpack__, the handle for the library) of a stream argument:
    None (the legacy default stream), a cudaStream_t as an int, or an object with the handle as
    .cuda_stream (PyTorch) or .ptr (CuPy)."""
    if stream is None:
        return 1, None
    handle = getattr(stream, "cuda_stream", getattr(stream, "ptr", stream))
    if not isinstance(handle, int) or isinstance(handle, bool) or handle < 0:
        raise TypeError(f"stream must be None, a cudaStream_t as an int, or an object with "
                        f".cuda_stream or .ptr, not {type(stream).__name__}")
    # 0 is the legacy default stream to CUDA, 1 its DLPack value (DLPack refuses 0): NULL to the
    # library; 2 is the per-thread default stream in both (CU_STREAM_PER_THREAD)
    return (handle or 1), (handle if handle > 1 else None)


def _on_cuda(*operands):
    """Whether the call goes to the CUDA tensor calls: its first operand is CUDA memory (the
    library then checks that the others are too)."""
    return operands[0].device.split(":")[0] in ("cuda", "cuda_managed")


def _output(out, name, shape, like, stream=None, dtype=None):
    """The output operand: `out` checked (writable, like's dtype or `dtype`, exactly `shape`), or
    a new C-contiguous NumPy array. Returns (operand, what the call returns)."""
    want = like.dtype if dtype is None else np.dtype(dtype)
    if out is None:
        if like.array is None:
            raise HactError(Status.UNSUPPORTED,
                            f"{like.name} is in {like.device} memory: pass {name}= (the Python "
                            "package allocates results in host memory only)")
        arr = np.empty(shape, want)
        return _from_array(arr, name, arr), arr
    if isinstance(out, np.generic) or not (isinstance(out, np.ndarray) or hasattr(out, "__dlpack__")):
        raise TypeError(f"{name} must be a NumPy array or an object with __dlpack__, "
                        f"not {type(out).__name__}")
    o = _from_array(out, name, out) if isinstance(out, np.ndarray) else _from_dlpack(out, name, True, stream)
    if o.readonly:
        raise ValueError(f"{name} is read-only")
    if o.dtype != want:
        raise TypeError(f"{name} has dtype {_dtype_name(o.dtype)}, " +
                        (f"{like.name} has {_dtype_name(like.dtype)}" if dtype is None
                         else f"expected {_dtype_name(want)}"))
    if o.shape != tuple(shape):
        raise ValueError(f"{name} has shape {o.shape}, expected {tuple(shape)}")
    return o, out


# ---- unary ops (the strided tensor entry points: any layout, in place) ------------------------

def forward(op, x, out=None, stream=None, **params):
    """y = f(x) elementwise for op `op` (a name such as "silu", an index, or hact.ops[name]).

    x: a NumPy array (float32, float16, bfloat16, float64) or a __dlpack__ object, any strides.
    out: where to write y (same shape and dtype; may be x itself: in place); default a new array.
    CUDA tensors (DLPack, e.g. PyTorch's or CuPy's) run on the GPU (hact_cuda_forward_tensor):
    out= is needed, and the work is queued on `stream` (None: the legacy default stream; a
    cudaStream_t int, or a torch/CuPy stream object), which the producers make the data ready on;
    nothing waits for it. The tensors must be memory of the current device (with
    torch.cuda.device(x.device): ...); another GPU's memory raises HactError.
    params: the op's parameters by hact_params field name (e.g. beta=1.5 for swish); others are
    a TypeError. Returns out (or the new array). Failures of the library raise HactError."""
    info = _op(op)
    p = _params(info, params, "forward")
    dl_stream, handle = _cuda_stream(stream)
    xo = _operand(x, "x", dl_stream)
    yo, result = _output(out, "out", xo.shape, xo, dl_stream)
    if _on_cuda(xo):
        _check(_LIB.hact_cuda_forward_tensor(info.index, ctypes.byref(xo.tensor),
                                             ctypes.byref(yo.tensor), ctypes.byref(p), handle))
    else:
        _check(_LIB.hact_forward_tensor(info.index, ctypes.byref(xo.tensor),
                                        ctypes.byref(yo.tensor), ctypes.byref(p)))
    return result


def backward(op, x, dy, out=None, stream=None, **params):
    """dx = dy * f'(x) elementwise. out (dx) may be x or dy itself (in place). CUDA tensors: as
    forward's (out= needed, work on `stream`)."""
    info = _op(op)
    p = _params(info, params, "backward")
    dl_stream, handle = _cuda_stream(stream)
    xo = _operand(x, "x", dl_stream)
    dyo = _operand(dy, "dy", dl_stream)
    _same(xo, dyo)
    dxo, result = _output(out, "out", xo.shape, xo, dl_stream)
    if _on_cuda(xo):
        _check(_LIB.hact_cuda_backward_tensor(info.index, ctypes.byref(xo.tensor),
                                              ctypes.byref(dyo.tensor), ctypes.byref(dxo.tensor),
                                              ctypes.byref(p), handle))
    else:
        _check(_LIB.hact_backward_tensor(info.index, ctypes.byref(xo.tensor),
                                         ctypes.byref(dyo.tensor), ctypes.byref(dxo.tensor),
                                         ctypes.byref(p)))
    return result


def backward_params(op, x, dy, out=None, stream=None, **params):
    """Gradients of the op's learnable parameters, summed over all elements:
    {field: sum(dy * df(x)/dfield)} for every learnable field ({} for an op without any).
    Summed in double by the library and rounded once to float32.
    CUDA tensors: the sums are reduced on the GPU into `out`, a float32 CUDA tensor of 7 elements
    laid out as hact_params (negative_slope, alpha, beta, threshold, scale, min_val, max_val;
    0 where a field is not learnable), queued on stream; returns out."""
    info = _op(op)
    p = _params(info, params, "backward_params")
    dl_stream, handle = _cuda_stream(stream)
    xo = _operand(x, "x", dl_stream)
    dyo = _operand(dy, "dy", dl_stream)
    _same(xo, dyo)
    if _on_cuda(xo):
        if out is None:
            raise HactError(Status.UNSUPPORTED, f"{xo.name} is in {xo.device} memory: pass out= (a "
                            "float32 CUDA tensor of 7 elements, hact_params' layout); the package "
                            "allocates host memory only")
        go, result = _output(out, "out", (len(_lib.PARAM_FIELDS),), xo, dl_stream,
                             dtype=np.float32)
        (pg,) = _device_addresses(go)
        _check(_LIB.hact_cuda_backward_params_tensor(info.index, ctypes.byref(xo.tensor),
                                                     ctypes.byref(dyo.tensor), ctypes.byref(p), pg,
                                                     handle))
        return result
    if out is not None:
        raise TypeError("out= is for CUDA tensors (the gradient in device memory); host calls "
                        "return a dict")
    grad = _lib.hact_params()
    _check(_LIB.hact_backward_params_tensor(info.index, ctypes.byref(xo.tensor),
                                            ctypes.byref(dyo.tensor), ctypes.byref(p),
                                            ctypes.byref(grad)))
    return {f: float(getattr(grad, f)) for f in info.learnable}


# ---- contiguous entry points (GLU, per-channel PReLU) ------------------------------------------
# The library's GLU and per-channel PReLU calls take contiguous memory. Host operands: strided
# inputs are copied to contiguous arrays first, and a strided `out` gets the result through a
# contiguous buffer. CUDA tensors (the first operand in CUDA memory) go to the hact_cuda_* calls
# on `stream`, every operand in the same device's memory and compact row-major (the package
# cannot copy device memory: make a view contiguous first), outputs given (out=, da=, db=).

def _host(o):
    if o.array is None:
        raise HactError(Status.INVALID_ARGUMENT, f"{o.name} is in {o.device} memory, the call's "
                        "first tensor in host memory: one device per call")
    return o.array


def _dense_in(o):
    return np.require(_host(o), requirements=["C", "A"])


def _ptr(arr):
    return arr.__array_interface__["data"][0]


class _DenseOut:
    """A contiguous buffer for an output operand; finish() copies it back when it is not the
    output's own memory."""

    def __init__(self, o):
        a = _host(o)
        self.target = a
        self.buf = a if a.flags.c_contiguous and a.flags.aligned else np.empty(a.shape, a.dtype)

    def finish(self):
        if self.buf is not self.target:
            self.target[...] = self.buf


def _compact(o):
    """Whether an operand's descriptor is compact row-major (strides of extent-1 dimensions
    do not matter)."""
    t = o.tensor
    if not t.strides:
        return True
    step = 1
    for d in reversed(range(len(o.shape))):
        if o.shape[d] != 1 and t.strides[d] != step:
            return False
        step *= o.shape[d]
    return True


def _device_addresses(*operands):
    """The device addresses of a CUDA call's operands: all in the first one's device memory, each
    compact (None operands stay None: optional outputs)."""
    first = operands[0]
    addresses = []
    for o in operands:
        if o is None:
            addresses.append(None)
            continue
        if o.device != first.device:
            raise HactError(Status.INVALID_ARGUMENT, f"{o.name} is in {o.device} memory, "
                            f"{first.name} in {first.device}: one device per call")
        if not _compact(o):
            raise HactError(Status.UNSUPPORTED, f"{o.name} is a strided view in {o.device} memory: "
                            "hact's GLU and per-channel PReLU calls take contiguous tensors there "
                            "(make it contiguous first)")
        addresses.append((o.tensor.data or 0) + o.tensor.byte_offset)
    return addresses


def _contiguous_call(cpu_fn, cuda_fn, head, inputs, outputs, tail, handle):
    """One of the library's contiguous calls, fn(*head, inputs..., outputs..., *tail): where the
    first input is CUDA memory, cuda_fn with device addresses and the stream handle last (an
    output may be None there: not computed); else cpu_fn with host pointers, strided operands
    through contiguous copies, outputs copied back after the call."""
    if _on_cuda(inputs[0]):
        _check(cuda_fn(*head, *_device_addresses(*inputs, *outputs), *tail, handle))
        return
    ins = [_dense_in(o) for o in inputs]  # kept alive for the call
    outs = [_DenseOut(o) for o in outputs]
    _check(cpu_fn(*head, *(_ptr(a) for a in ins), *(_ptr(d.buf) for d in outs), *tail))
    for d in outs:
        d.finish()


def _code(dt):
    return _DTYPE_CODES[dt][0]


def _gated(gated_half):
    if gated_half is None or gated_half == "default":
        return _lib.GATE_DEFAULT
    if gated_half in ("first", 0):
        return _lib.GATE_FIRST
    if gated_half in ("second", 1):
        return _lib.GATE_SECOND
    raise ValueError(f"gated_half must be 'first', 'second' or None (the default: second), "
                     f"not {gated_half!r}")


def gated_forward(kind, a, b, out=None, stream=None, **params):
    """out = g(a) * b for a GLU kind ("glu": sigmoid, "swiglu": silu, "reglu": relu, ...);
    params are the gate op's. a, b of the same shape and dtype; out may be a or b (in place).
    CUDA tensors: contiguous, out= given, queued on stream."""
    info = _glu(kind)
    p = _params(info.gate, params, "gated_forward")
    dl_stream, handle = _cuda_stream(stream)
    ao, bo = _operand(a, "a", dl_stream), _operand(b, "b", dl_stream)
    _same(ao, bo)
    oo, result = _output(out, "out", ao.shape, ao, dl_stream)
    _contiguous_call(_LIB.hact_glu_forward, _LIB.hact_cuda_glu_forward, (info.index, _code(ao.dtype)),
                     (ao, bo), (oo,), (math.prod(ao.shape), ctypes.byref(p)), handle)
    return result


def gated_backward(kind, a, b, dy, da=None, db=None, stream=None, **params):
    """(da, db) = (dy * b * g'(a), dy * g(a)) in one pass. da may be a or dy, db may be b or dy
    (da and db must differ). CUDA tensors: contiguous, da= and db= given, queued on stream."""
    info = _glu(kind)
    p = _params(info.gate, params, "gated_backward")
    dl_stream, handle = _cuda_stream(stream)
    ao, bo, dyo = (_operand(t, n, dl_stream) for t, n in ((a, "a"), (b, "b"), (dy, "dy")))
    _same(ao, bo)
    _same(ao, dyo)
    dao, da_result = _output(da, "da", ao.shape, ao, dl_stream)
    dbo, db_result = _output(db, "db", ao.shape, ao, dl_stream)
    _contiguous_call(_LIB.hact_glu_backward, _LIB.hact_cuda_glu_backward, (info.index, _code(ao.dtype)),
                     (ao, bo, dyo), (dao, dbo), (math.prod(ao.shape), ctypes.byref(p)), handle)
    return da_result, db_result


def _split_dims(shape, dim):
    if len(shape) == 0:
        raise ValueError("a GLU split needs at least one dimension (x is 0-d)")
    try:
        d = operator.index(dim)
    except TypeError:
        raise TypeError(f"dim must be an integer, not {type(dim).__name__}") from None
    if not -len(shape) <= d < len(shape):
        raise ValueError(f"dim {dim} is out of range for shape {tuple(shape)}")
    d %= len(shape)
    if shape[d] % 2:
        raise ValueError(f"x has an odd extent {shape[d]} in dimension {d}: it cannot be split "
                         "in halves")
    half = shape[d] // 2
    half_shape = tuple(shape[:d]) + (half,) + tuple(shape[d + 1:])
    return math.prod(shape[:d]), half, math.prod(shape[d + 1:]), half_shape


def gated_split_forward(kind, x, dim=-1, gated_half=None, out=None, stream=None, **params):
    """The GLU of x split in halves along `dim` (PyTorch's F.glu(x, dim) for kind "glu").
    gated_half: "second" (the default, F.glu's: first * g(second)) or "first" (vLLM's
    silu_and_mul: g(first) * second). out has x's shape with that dimension halved.
    CUDA tensors: contiguous, out= given, queued on stream."""
    info = _glu(kind)
    p = _params(info.gate, params, "gated_split_forward")
    g = _gated(gated_half)
    dl_stream, handle = _cuda_stream(stream)
    xo = _operand(x, "x", dl_stream)
    outer, half, inner, half_shape = _split_dims(xo.shape, dim)
    oo, result = _output(out, "out", half_shape, xo, dl_stream)
    _contiguous_call(_LIB.hact_glu_split_forward, _LIB.hact_cuda_glu_split_forward,
                     (info.index, _code(xo.dtype)), (xo,), (oo,),
                     (outer, half, inner, g, ctypes.byref(p)), handle)
    return result


def gated_split_backward(kind, x, dy, dim=-1, gated_half=None, out=None, stream=None, **params):
    """dx (x's shape) of gated_split_forward, given dy (the output's shape). CUDA tensors:
    contiguous, out= given, queued on stream."""
    info = _glu(kind)
    p = _params(info.gate, params, "gated_split_backward")
    g = _gated(gated_half)
    dl_stream, handle = _cuda_stream(stream)
    xo, dyo = _operand(x, "x", dl_stream), _operand(dy, "dy", dl_stream)
    outer, half, inner, half_shape = _split_dims(xo.shape, dim)
    if dyo.dtype != xo.dtype:
        raise TypeError(f"dy has dtype {_dtype_name(dyo.dtype)}, x has {_dtype_name(xo.dtype)}")
    if dyo.shape != half_shape:
        raise ValueError(f"dy has shape {dyo.shape}, expected {half_shape} (x {xo.shape} split "
                         f"along dimension {dim})")
    dxo, result = _output(out, "out", xo.shape, xo, dl_stream)
    _contiguous_call(_LIB.hact_glu_split_backward, _LIB.hact_cuda_glu_split_backward,
                     (info.index, _code(xo.dtype)), (xo, dyo), (dxo,),
                     (outer, half, inner, g, ctypes.byref(p)), handle)
    return result


def _prelu_layout(xo, wo):
    if wo.dtype != xo.dtype:
        raise TypeError(f"weight has dtype {_dtype_name(wo.dtype)}, x has {_dtype_name(xo.dtype)}")
    if len(wo.shape) > 1:
        raise ValueError(f"weight must be 1-D, it has shape {wo.shape}")
    nw = math.prod(wo.shape)
    s = xo.shape
    numel = math.prod(s)
    if nw == 1:  # one weight for every element (PyTorch's num_parameters=1)
        return 1, 1, numel
    if len(s) < 2 or s[1] != nw:
        raise ValueError(f"weight has {nw} elements: x must have that many channels "
                         f"(dimension 1), x has shape {s}")
    return s[0], s[1], math.prod(s[2:])


def prelu_per_channel(x, weight, out=None, stream=None):
    """PReLU with a weight per channel (PyTorch's F.prelu): y = x if x > 0 else weight[c] * x,
    c the index along dimension 1 of x; a weight of one element applies to every element.
    CUDA tensors (weight too): contiguous, out= given, queued on stream."""
    dl_stream, handle = _cuda_stream(stream)
    xo, wo = _operand(x, "x", dl_stream), _operand(weight, "weight", dl_stream)
    outer, channels, inner = _prelu_layout(xo, wo)
    yo, result = _output(out, "out", xo.shape, xo, dl_stream)
    _contiguous_call(_LIB.hact_prelu_forward, _LIB.hact_cuda_prelu_forward, (_code(xo.dtype),),
                     (xo, wo), (yo,), (outer, channels, inner), handle)
    return result


def prelu_per_channel_backward(x, weight, dy, out=None, dweight=None, stream=None):
    """(dx, dweight): dx = dy * (1 if x > 0 else weight[c]); dweight[c] = sum over x <= 0 of
    dy * x (float32 for every dtype, weight's shape; summed in double), written into `dweight`
    when given. CUDA tensors (weight too): contiguous, out= given, queued on stream; dweight
    (float32 CUDA memory) is reduced on the device when given, else not computed (None)."""
    dl_stream, handle = _cuda_stream(stream)
    xo, wo, dyo = (_operand(t, n, dl_stream) for t, n in ((x, "x"), (weight, "weight"), (dy, "dy")))
    outer, channels, inner = _prelu_layout(xo, wo)
    _same(xo, dyo)
    dxo, result = _output(out, "out", xo.shape, xo, dl_stream)
    # dweight: allocated like x (on the host; a device x needs it given, or it is not computed)
    dwo, dw_result = (None, None) if dweight is None and _on_cuda(xo) else _output(
        dweight, "dweight", wo.shape, xo, dl_stream, dtype=np.float32)
    _contiguous_call(_LIB.hact_prelu_backward, _LIB.hact_cuda_prelu_backward, (_code(xo.dtype),),
                     (xo, wo, dyo), (dxo, dwo), (outer, channels, inner), handle)
    return result, dw_result


# ---- CPU variants, threads, CUDA -----------------------------------------------------------------

def get_isa():
    """Name of the instruction-set variant calls run on ("avx512", "avx2", "x86_64")."""
    return _LIB.hact_isa_name(_LIB.hact_get_isa()).decode()


def _isa(name):
    v = ctypes.c_int()
    _check(_LIB.hact_isa_from_name(str(name).encode(), ctypes.byref(v)))
    return v.value


def isa_available(name):
    """Whether the variant is compiled in and this CPU runs it."""
    return bool(_LIB.hact_isa_available(_isa(name)))


def set_max_isa(name):
    """Cap the variant (process-wide), e.g. set_max_isa("avx2")."""
    _check(_LIB.hact_set_max_isa(_isa(name)))


def set_num_threads(n):
    """Threads used by large calls (0: one per core). Not while calls run on other threads."""
    _check(_LIB.hact_set_num_threads(int(n)))


def get_num_threads():
    return int(_LIB.hact_get_num_threads())


def cuda_available():
    """(True, "") if the library's CUDA calls can run here, else (False, the reason)."""
    status = _LIB.hact_cuda_available()
    if status == 0:
        return True, ""
    return False, (_LIB.hact_last_error() or b"").decode("utf-8", "replace")
