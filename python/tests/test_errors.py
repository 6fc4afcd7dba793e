"""Every error path: checks made in Python before a pointer reaches the library (TypeError,
ValueError), and library statuses surfaced as HactError with hact_last_error()'s message."""

import numpy as np
import pytest

import hact
from hact import _api


def f32(*shape):
    return np.zeros(shape, np.float32)


# ---- dtypes -----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.int32, np.int16, np.uint8, np.complex64, np.bool_, object])
def test_wrong_dtype_is_a_type_error(dtype):
    with pytest.raises(TypeError, match="hact takes float32"):
        hact.silu(np.zeros(4, dtype))


def test_mismatched_dtypes():
    with pytest.raises(TypeError, match="out has dtype float16, x has float32"):
        hact.silu(f32(4), out=np.zeros(4, np.float16))
    with pytest.raises(TypeError, match="dy has dtype bfloat16, x has float32"):
        hact.silu_backward(f32(4), np.zeros(4, hact.bfloat16))
    with pytest.raises(TypeError, match="b has dtype"):
        hact.swiglu(f32(4), np.zeros(4, np.float16))
    with pytest.raises(TypeError, match="weight has dtype"):
        hact.prelu_per_channel(f32(2, 3), np.zeros(3, np.float16))


def test_not_an_array():
    with pytest.raises(TypeError, match="NumPy array or an object with __dlpack__"):
        hact.silu([1.0, 2.0])
    with pytest.raises(TypeError, match="NumPy array or an object with __dlpack__"):
        hact.silu(f32(2), out=[0.0, 0.0])
    with pytest.raises(TypeError):
        hact.silu(f32(2), out=np.float32(0))  # a scalar cannot be written


def test_float64_is_computed_in_float64():
    x = np.array([-1.0, 0.5, 3.0])
    y = hact.forward("relu", x)
    assert y.dtype == np.float64 and list(y) == [0.0, 0.5, 3.0]
    s = hact.silu(np.array([1e-300, 2.0]))  # 1e-300 / 2 is no float32
    assert s.dtype == np.float64 and s[0] == 5e-301
    assert np.abs(s[1] - 2.0 / (1.0 + np.exp(-2.0))) <= 4 * np.spacing(s[1])
    assert hact.swiglu(np.zeros(3), np.ones(3)).dtype == np.float64


# ---- shapes and sizes -------------------------------------------------------------------------

def test_shape_mismatch():
    with pytest.raises(ValueError, match=r"dy has shape \(5,\), x has \(4,\)"):
        hact.silu_backward(f32(4), f32(5))
    with pytest.raises(ValueError, match="out has shape"):
        hact.silu(f32(2, 3), out=f32(3, 2))  # same size, other shape
    with pytest.raises(ValueError):
        hact.backward_params("swish", f32(4), f32(4, 1))
    with pytest.raises(ValueError):
        hact.gated_backward("swiglu", f32(4), f32(4), f32(3))


@pytest.mark.parametrize("n_out", [0, 3, 5, 1000])
def test_wrong_size_out_is_an_exception_and_nothing_is_written(n_out):
    """out= of another size: an exception before any call; the memory around it is untouched."""
    guard = np.full(n_out + 16, 7.0, np.float32)
    out = guard[8:8 + n_out]
    for call in (lambda: hact.silu(np.ones(4, np.float32), out=out),
                 lambda: hact.forward("relu", np.ones(4, np.float32), out=out),
                 lambda: hact.silu_backward(np.ones(4, np.float32), np.ones(4, np.float32), out=out),
                 lambda: hact.swiglu(np.ones(4, np.float32), np.ones(4, np.float32), out=out),
                 lambda: hact.gated_split_forward("glu", np.ones(8, np.float32), out=out),
                 lambda: hact.prelu_per_channel(np.ones(4, np.float32), np.ones(1, np.float32), out=out)):
        with pytest.raises(ValueError, match="shape"):
            call()
    assert (guard == 7.0).all()


def test_read_only_out():
    x = f32(4)
    ro = f32(4)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        hact.silu(x, out=ro)
    with pytest.raises(ValueError, match="read-only"):
        hact.silu(ro, out=ro)  # in place on a read-only array
    with pytest.raises(ValueError, match="read-only"):
        hact.swiglu(x, x, out=ro)
    b = np.broadcast_to(np.float32(0), (4,))
    with pytest.raises(ValueError, match="read-only"):
        hact.silu(x, out=b)


def test_glu_split_shapes():
    with pytest.raises(ValueError, match="odd extent 5"):
        hact.gated_split_forward("glu", f32(3, 5))
    with pytest.raises(ValueError, match="0-d"):
        hact.gated_split_forward("glu", np.float32(1))
    with pytest.raises(ValueError, match="out of range"):
        hact.gated_split_forward("glu", f32(2, 4), dim=2)
    with pytest.raises(TypeError, match="dim must be an integer"):
        hact.gated_split_forward("glu", f32(2, 4), dim=1.0)
    with pytest.raises(ValueError, match=r"dy has shape \(2, 4\), expected \(2, 2\)"):
        hact.gated_split_backward("glu", f32(2, 4), f32(2, 4))
    with pytest.raises(ValueError, match="gated_half"):
        hact.gated_split_forward("glu", f32(2, 4), gated_half="third")


def test_prelu_per_channel_shapes():
    with pytest.raises(ValueError, match="channels"):
        hact.prelu_per_channel(f32(2, 3, 4), f32(4))
    with pytest.raises(ValueError, match="1-D"):
        hact.prelu_per_channel(f32(2, 3), f32(3, 1))


# ---- ops and parameters -----------------------------------------------------------------------

def test_unknown_op_name_carries_the_library_message():
    with pytest.raises(hact.HactError) as e:
        hact.forward("gelu_fast_but_wrong", f32(3))
    assert e.value.status == hact.Status.UNKNOWN_OP
    assert "gelu_fast_but_wrong" in e.value.message
    assert e.value.message == _api._LIB.hact_last_error().decode()
    with pytest.raises(hact.HactError):
        hact.forward("silu\0", f32(3))
    with pytest.raises(hact.HactError) as e:
        hact.gated_forward("siluglu", f32(3), f32(3))
    assert e.value.status == hact.Status.UNKNOWN_OP


def test_unknown_op_index():
    with pytest.raises(hact.HactError) as e:
        hact.forward(len(hact.ops), f32(3))
    assert e.value.status == hact.Status.UNKNOWN_OP
    with pytest.raises(hact.HactError):
        hact.forward(-1, f32(3))
    with pytest.raises(TypeError):
        hact.forward(1.5, f32(3))
    with pytest.raises(TypeError):
        hact.forward(True, f32(3))


def test_op_by_index_and_info():
    x = np.linspace(-2, 2, 7, dtype=np.float32)
    info = hact.ops["silu"]
    assert np.array_equal(hact.forward(info.index, x), hact.forward(info, x))
    assert np.array_equal(hact.forward("silu", x), hact.silu(x))


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_params_are_bad_params(bad):
    with pytest.raises(hact.HactError) as e:
        hact.swish(f32(3), beta=bad)
    assert e.value.status == hact.Status.BAD_PARAMS
    assert "beta" in e.value.message
    with pytest.raises(hact.HactError) as e:
        hact.hardtanh_backward(f32(3), f32(3), max_val=bad)
    assert e.value.status == hact.Status.BAD_PARAMS
    with pytest.raises(hact.HactError) as e:
        hact.backward_params("prelu", f32(3), f32(3), negative_slope=bad)
    assert e.value.status == hact.Status.BAD_PARAMS


def test_bad_param_names_and_values():
    with pytest.raises(TypeError, match="unexpected keyword argument 'betta'"):
        hact.swish(f32(3), betta=1.0)
    with pytest.raises(TypeError, match="does not take 'beta'"):
        hact.silu(f32(3), beta=2.0)
    with pytest.raises(TypeError, match="does not take 'beta'"):
        hact.swiglu(f32(3), f32(3), beta=2.0)  # swiglu's gate (silu) takes none
    with pytest.raises(TypeError, match="must be a real number"):
        hact.swish(f32(3), beta="large")
    with pytest.raises(TypeError):
        hact.swish(f32(3), beta=1j)


def test_misaligned_pointer_is_a_hact_error():
    buf = np.zeros(4 * 8 + 1, np.uint8)
    x = buf[1:].view(np.float32)  # 1 byte off 4-byte alignment
    assert not x.flags.aligned
    with pytest.raises(hact.HactError) as e:
        hact.silu(x)
    assert e.value.status == hact.Status.INVALID_ARGUMENT
    # the contiguous-only calls copy misaligned inputs to aligned buffers
    y = hact.swiglu(x, x)
    assert y.shape == x.shape


def test_isa_and_threads_errors():
    with pytest.raises(hact.HactError) as e:
        hact.set_max_isa("sse9")
    assert e.value.status == hact.Status.INVALID_ARGUMENT or e.value.status == hact.Status.UNSUPPORTED
    with pytest.raises(hact.HactError):
        hact.set_num_threads(-3)


def test_hact_error_fields():
    e = hact.HactError(4, "beta is NaN")
    assert e.status is hact.Status.BAD_PARAMS and e.message == "beta is NaN"
    assert "BAD_PARAMS" in str(e) and isinstance(e, RuntimeError)
    e = hact.HactError(99, "future code")
    assert e.status == 99


def test_status_names_match_the_library():
    for s in hact.Status:
        text = _api._LIB.hact_status_string(int(s))
        assert text, s


def test_errors_are_thread_local():
    """hact_last_error is per thread: a failure on another thread does not change ours."""
    import threading

    with pytest.raises(hact.HactError) as mine:
        hact.swish(f32(2), beta=float("nan"))
    other = []

    def work():
        try:
            hact.forward("nope", f32(2))
        except hact.HactError as err:
            other.append(err)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert other and other[0].status == hact.Status.UNKNOWN_OP
    assert "beta" in mine.value.message
    assert _api._LIB.hact_last_error().decode() == mine.value.message
