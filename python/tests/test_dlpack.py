"""Objects with __dlpack__ (not NumPy arrays): NumPy's own exports through a wrapper (DLPack 1.x
and the legacy protocol), and a hand-made producer for what NumPy cannot export (bfloat16, CUDA
memory, copied or read-only exports, odd dtypes)."""

import ctypes

import numpy as np
import pytest

import hact
from hact import _dlpack, _lib


class Wrapped:
    """Only the DLPack protocol of a NumPy array (so hact cannot see the ndarray)."""

    def __init__(self, a, legacy=False):
        self.a = a
        self.legacy = legacy

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        if self.legacy:
            if max_version is not None:
                raise TypeError("legacy producer: no max_version")
            return self.a.__dlpack__()
        return self.a.__dlpack__(max_version=max_version) if max_version else self.a.__dlpack__()

    def __dlpack_device__(self):
        return self.a.__dlpack_device__()


_capsule_new = ctypes.pythonapi.PyCapsule_New
_capsule_new.restype = ctypes.py_object
_capsule_new.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
_NAME = b"dltensor_versioned"  # the capsule keeps a pointer into this (immortal) constant


class Fake:
    """A DLPack 1.x producer over a NumPy buffer with any descriptor: device, dtype code/bits,
    flags. No deleter (the producer keeps the memory)."""

    def __init__(self, buf, shape, strides=None, device=(1, 0), code=2, bits=None, flags=0,
                 lanes=1):
        self.buf = buf
        self.shape = (ctypes.c_int64 * max(len(shape), 1))(*shape)
        self.strides = None if strides is None else (ctypes.c_int64 * max(len(shape), 1))(*strides)
        m = _dlpack._DLManagedTensorVersioned()
        m.version.major, m.version.minor = 1, 0
        m.flags = flags
        t = m.dl_tensor
        t.data = buf.__array_interface__["data"][0]
        t.device.device_type, t.device.device_id = device
        t.ndim = len(shape)
        t.dtype.code, t.dtype.bits, t.dtype.lanes = code, bits or buf.dtype.itemsize * 8, lanes
        t.shape = ctypes.cast(self.shape, ctypes.POINTER(ctypes.c_int64))
        t.strides = (ctypes.cast(self.strides, ctypes.POINTER(ctypes.c_int64))
                     if self.strides is not None else None)
        self.managed = m
        self.device = device
        self.streams = []  # the stream arguments __dlpack__ was called with

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        if stream is not None:
            self.streams.append(stream)
        return _capsule_new(ctypes.addressof(self.managed), _NAME, None)

    def __dlpack_device__(self):
        return self.device


@pytest.mark.parametrize("legacy", [False, True], ids=["v1", "legacy"])
def test_numpy_exports(legacy, rng):
    x = rng.uniform(-4, 4, (6, 8)).astype(np.float32)
    want = hact.silu(x)
    assert np.array_equal(hact.silu(Wrapped(x, legacy)), want)
    # strided: a transpose and a step slice
    assert np.array_equal(hact.silu(Wrapped(x.T, legacy)), want.T)
    assert np.array_equal(hact.silu(Wrapped(x[::2, 1::3], legacy)), want[::2, 1::3])
    assert np.array_equal(hact.silu(Wrapped(x[::-1, ::-2], legacy)), want[::-1, ::-2])
    if not legacy:  # a broadcast view is read-only: only DLPack 1.x can export it
        row = np.broadcast_to(x[0], (3, 8))
        assert np.array_equal(hact.silu(Wrapped(row)), np.broadcast_to(want[0], (3, 8)))
    # out= as a DLPack object; the call returns that object
    out = np.zeros_like(x)
    w = Wrapped(out, legacy)
    assert hact.silu(x, out=w) is w and np.array_equal(out, want)
    # in place through DLPack
    y = x.copy()
    wy = Wrapped(y, legacy)
    hact.forward("silu", wy, out=wy)
    assert np.array_equal(y, want)
    # backward and parameter gradients
    dy = rng.uniform(-1, 1, x.shape).astype(np.float32)
    assert np.array_equal(hact.swish_backward(Wrapped(x, legacy), Wrapped(dy, legacy), beta=1.3),
                          hact.swish_backward(x, dy, beta=1.3))
    assert hact.backward_params("swish", Wrapped(x, legacy), Wrapped(dy, legacy)) == \
        hact.backward_params("swish", x, dy)
    # the contiguous-only calls take host DLPack tensors too
    assert np.array_equal(hact.swiglu(Wrapped(x, legacy), Wrapped(dy, legacy)), hact.swiglu(x, dy))


def test_results_round_trip_through_from_dlpack(rng):
    x = rng.uniform(-4, 4, 100).astype(np.float32)
    y = np.from_dlpack(Wrapped(hact.relu(Wrapped(x))))
    assert np.array_equal(y, np.maximum(x, 0))


def test_read_only_export_cannot_be_out():
    ro = np.zeros(4, np.float32)
    ro.flags.writeable = False
    assert np.array_equal(hact.silu(Wrapped(ro)), np.zeros(4, np.float32))  # fine as an input
    with pytest.raises(ValueError, match="read-only"):
        hact.silu(np.ones(4, np.float32), out=Wrapped(ro))
    with pytest.raises(ValueError, match="read-only"):
        hact.silu(np.ones(4, np.float32), out=Fake(np.zeros(4, np.float32), (4,), flags=1))


def test_copied_export_cannot_be_out():
    with pytest.raises(ValueError, match="copy"):
        hact.silu(np.ones(4, np.float32), out=Fake(np.zeros(4, np.float32), (4,), flags=2))


def test_bfloat16_and_float16_exports(rng):
    x32 = rng.uniform(-4, 4, (5, 6)).astype(np.float32)
    for dt, code in ((hact.bfloat16, _lib.DL_BFLOAT), (np.dtype(np.float16), _lib.DL_FLOAT)):
        x = x32.astype(dt)
        fx = Fake(x, x.shape, code=code)
        assert np.array_equal(hact.silu(fx).view(np.uint16), hact.silu(x).view(np.uint16))
        # strided (transposed descriptor over the same buffer) and written through out=
        out = np.zeros((6, 5), dt)
        fo = Fake(out, (6, 5), code=code)
        hact.silu(Fake(x, (6, 5), strides=(1, 6), code=code), out=fo)
        assert np.array_equal(out.view(np.uint16), hact.silu(x.T).view(np.uint16))


def test_negative_strides_and_byte_offset(rng):
    x = rng.uniform(-4, 4, 10).astype(np.float32)
    f = Fake(x, (10,))
    f.managed.dl_tensor.byte_offset = 9 * 4
    f.strides = (ctypes.c_int64 * 1)(-1)
    f.managed.dl_tensor.strides = ctypes.cast(f.strides, ctypes.POINTER(ctypes.c_int64))
    assert np.array_equal(hact.silu(f), hact.silu(x[::-1]))


def test_unsupported_dtypes_are_type_errors():
    with pytest.raises(TypeError, match="DLPack dtype"):
        hact.silu(Fake(np.zeros(4, np.int32), (4,), code=0))
    with pytest.raises(TypeError, match="vector elements"):
        hact.silu(Fake(np.zeros(8, np.float32), (4,), lanes=2))
    with pytest.raises(TypeError, match="DLPack dtype"):
        hact.silu(Fake(np.zeros(4, np.float32), (4,), code=_lib.DL_BFLOAT, bits=32))


def test_cuda_memory_goes_to_the_cuda_tensor_calls():
    """CUDA memory is passed to the library's CUDA tensor calls as the descriptor it is, with the
    consumer's stream given to __dlpack__; without a GPU (CI) they report the device missing
    before touching the memory. The package allocates on the host only, so outputs (the
    parameter gradient's 7 floats too) are given (GLU and PReLU: the next test)."""
    buf = np.zeros(4, np.float32)  # never dereferenced without a device
    x = Fake(buf, (4,), device=(2, 0))
    out = Fake(np.zeros(4, np.float32), (4,), device=(2, 0))
    # Without a GPU the device is reported missing; with one, these host buffers posing as CUDA
    # memory are refused as not device memory. Either way the CUDA call is the one named.
    want = (hact.Status.INVALID_ARGUMENT if hact.cuda_available()[0]
            else hact.Status.DEVICE_UNAVAILABLE)
    with pytest.raises(hact.HactError) as e:
        hact.silu(x, out=out)
    assert e.value.status == want and "hact_cuda_forward_tensor(silu)" in e.value.message
    with pytest.raises(hact.HactError) as e:
        hact.gelu_backward(x, x, out=out, stream=7)
    assert e.value.status == want and "hact_cuda_backward_tensor(gelu)" in e.value.message
    assert sorted(set(x.streams)) == [1, 7]  # the legacy default stream's DLPack value, and 7
    with pytest.raises(hact.HactError) as e:
        hact.silu(x)  # no out=: the package allocates on the host only
    assert e.value.status == hact.Status.UNSUPPORTED and "cuda:0" in e.value.message
    with pytest.raises(hact.HactError) as e:
        hact.backward_params("swish", x, x)  # the gradient needs a device out=
    assert e.value.status == hact.Status.UNSUPPORTED and "pass out=" in e.value.message
    grad = Fake(np.zeros(7, np.float32), (7,), device=(2, 0))
    with pytest.raises(hact.HactError) as e:
        hact.backward_params("swish", x, x, out=grad, stream=9)
    assert e.value.status == want and "hact_cuda_backward_params_tensor(swish)" in e.value.message
    assert grad.streams == [9]
    with pytest.raises(ValueError, match="shape"):
        hact.backward_params("swish", x, x, out=Fake(np.zeros(6, np.float32), (6,), device=(2, 0)))
    with pytest.raises(TypeError, match="expected float32"):
        hact.backward_params("swish", x, x, out=Fake(np.zeros(7, np.float64), (7,), device=(2, 0)))
    with pytest.raises(TypeError, match="CUDA tensors"):
        hact.backward_params("swish", np.ones(4, np.float32), np.ones(4, np.float32),
                             out=np.zeros(7, np.float32))
    with pytest.raises(hact.HactError) as e:
        hact.silu(np.zeros(4, np.float32), out=out)  # host x, device out: the CPU call refuses
    assert e.value.status == hact.Status.UNSUPPORTED and "hact_cuda_forward_tensor" in e.value.message
    with pytest.raises(TypeError, match="stream"):
        hact.silu(x, out=out, stream="default")


def test_cuda_glu_and_prelu_go_to_the_cuda_calls():
    """The GLU and per-channel PReLU functions hand contiguous CUDA tensors to hact_cuda_glu_* /
    hact_cuda_prelu_* (the call named in the error without a GPU; host buffers posing as CUDA
    memory refused with one), with the stream given to __dlpack__; strided views, mixed devices,
    missing outputs and a dweight that is not float32 are refused before the library."""
    want = (hact.Status.INVALID_ARGUMENT if hact.cuda_available()[0]
            else hact.Status.DEVICE_UNAVAILABLE)

    def cuda(shape, dtype=np.float32, strides=None, device=(2, 0)):
        return Fake(np.zeros(int(np.prod(shape)), dtype), shape, strides=strides, device=device)

    def expect(call, status, fragment):
        with pytest.raises(hact.HactError) as e:
            call()
        assert e.value.status == status and fragment in e.value.message, e.value.message

    a, b, o = cuda((4, 6)), cuda((4, 6)), cuda((4, 6))
    expect(lambda: hact.swiglu(a, b, out=o, stream=5), want, "hact_cuda_glu_forward(swiglu)")
    assert a.streams == [5] and b.streams == [5] and o.streams == [5]
    expect(lambda: hact.swiglu_backward(a, b, o, da=cuda((4, 6)), db=cuda((4, 6))), want,
           "hact_cuda_glu_backward(swiglu)")
    expect(lambda: hact.glu(a, dim=1, out=cuda((4, 3))), want, "hact_cuda_glu_split_forward(glu)")
    expect(lambda: hact.gated_split_backward("geglu", a, cuda((2, 6)), dim=0, out=cuda((4, 6))), want,
           "hact_cuda_glu_split_backward(geglu)")
    w = cuda((6,))
    x = cuda((2, 6, 5))
    expect(lambda: hact.prelu_per_channel(x, w, out=cuda((2, 6, 5))), want, "hact_cuda_prelu_forward")
    expect(lambda: hact.prelu_per_channel_backward(x, w, x, out=cuda((2, 6, 5)), dweight=cuda((6,))),
           want, "hact_cuda_prelu_backward")
    expect(lambda: hact.prelu_per_channel_backward(x, w, x, out=cuda((2, 6, 5))), want,
           "hact_cuda_prelu_backward")  # dweight not asked for
    # refused in the package
    expect(lambda: hact.swiglu(a, b), hact.Status.UNSUPPORTED, "pass out=")
    expect(lambda: hact.swiglu(cuda((4, 6), strides=(1, 4)), b, out=o), hact.Status.UNSUPPORTED,
           "strided view")
    expect(lambda: hact.swiglu(a, np.zeros((4, 6), np.float32), out=o), hact.Status.INVALID_ARGUMENT,
           "one device per call")
    expect(lambda: hact.swiglu(a, cuda((4, 6), device=(2, 1)), out=o), hact.Status.INVALID_ARGUMENT,
           "one device per call")
    expect(lambda: hact.swiglu(np.zeros((4, 6), np.float32), b), hact.Status.INVALID_ARGUMENT,
           "one device per call")
    expect(lambda: hact.prelu_per_channel_backward(np.zeros((2, 6, 5), np.float32), w,
                                                   np.zeros((2, 6, 5), np.float32)),
           hact.Status.INVALID_ARGUMENT, "one device per call")
    with pytest.raises(TypeError, match="expected float32"):
        hact.prelu_per_channel_backward(x, w, x, out=cuda((2, 6, 5)), dweight=cuda((6,), np.float64))
    # extent-1 dimensions may have any stride: still contiguous
    expect(lambda: hact.swiglu(cuda((4, 1), strides=(1, 99)), cuda((4, 1)), out=cuda((4, 1))), want,
           "hact_cuda_glu_forward(swiglu)")


def test_prelu_backward_dweight_out(rng):
    x = rng.uniform(-4, 4, (3, 5, 7)).astype(np.float32)
    w = rng.uniform(-1, 1, 5).astype(np.float32)
    dy = rng.uniform(-1, 1, x.shape).astype(np.float32)
    dx, dw = hact.prelu_per_channel_backward(x, w, dy)
    into = np.zeros(5, np.float32)
    dx2, dw2 = hact.prelu_per_channel_backward(x, w, dy, dweight=into)
    assert dw2 is into and np.array_equal(into, dw) and np.array_equal(dx2, dx)
    strided = np.zeros(10, np.float32)[::2]  # through a contiguous buffer
    hact.prelu_per_channel_backward(x, w, dy, dweight=strided)
    assert np.array_equal(strided, dw)
    with pytest.raises(TypeError, match="expected float32"):
        hact.prelu_per_channel_backward(x, w, dy, dweight=np.zeros(5, np.float64))
    with pytest.raises(ValueError, match="shape"):
        hact.prelu_per_channel_backward(x, w, dy, dweight=np.zeros(4, np.float32))


def test_not_a_capsule():
    class Bad:
        def __dlpack__(self, **kw):
            return object()

    with pytest.raises(TypeError, match="capsule"):
        hact.silu(Bad())


def test_shape_checks_apply_to_dlpack_out():
    guard = np.full(10, 5.0, np.float32)
    with pytest.raises(ValueError, match="shape"):
        hact.silu(np.ones(12, np.float32), out=Fake(guard, (10,)))
    assert (guard == 5.0).all()


def test_stream_arguments():
    """stream= as the library and DLPack take it: None and 0 are the legacy default stream (NULL
    to the library, 1 to DLPack), 2 the per-thread default stream, other ints and the handles of
    torch/CuPy stream objects as they are."""
    from hact import _api
    assert _api._cuda_stream(None) == (1, None)
    assert _api._cuda_stream(0) == (1, None)
    assert _api._cuda_stream(1) == (1, None)
    assert _api._cuda_stream(2) == (2, 2)
    assert _api._cuda_stream(0x7f00dead) == (0x7f00dead, 0x7f00dead)

    class TorchLike:
        cuda_stream = 1234

    class CupyLike:
        ptr = 5678

    assert _api._cuda_stream(TorchLike()) == (1234, 1234)
    assert _api._cuda_stream(CupyLike()) == (5678, 5678)
    for bad in (-1, True, 1.5, "default", object()):
        with pytest.raises(TypeError, match="stream"):
            _api._cuda_stream(bad)
