"""hact: Halide-generated activation functions and their derivatives (libhact.so through ctypes).

    import numpy as np, hact
    x = np.linspace(-4, 4, 9, dtype=np.float32)
    y = hact.silu(x)                                   # = hact.forward("silu", x)
    dx = hact.swish_backward(x, np.ones_like(x), beta=1.5)
    g = hact.backward_params("swish", x, np.ones_like(x), beta=1.5)   # {"beta": ...}
    hact.forward("relu", x, out=x)                     # in place
    hact.swiglu(a, b); hact.swiglu(h, dim=-1)          # two tensors, or one split in halves

Arrays: NumPy float32, float16, bfloat16 (ml_dtypes.bfloat16) and float64 (computed in double),
or any object with __dlpack__. CUDA tensors (PyTorch, CuPy, ...) run on the GPU through the
library's CUDA calls: hact.silu(x, out=y, stream=s), outputs given (the package allocates host
memory only), the work queued on s (None: the legacy default stream); the GLU and per-channel
PReLU functions take contiguous CUDA tensors (hact.swiglu(a, b, out=o, stream=s)), and
backward_params reduces into out= (7 float32 on the device). Any strides
(slices, transposes, negative strides); a wrong dtype is a TypeError, a wrong shape or size a
ValueError, raised before any pointer reaches the library. Library failures raise HactError
(status, and hact_last_error()'s message).

The per-op functions (hact.silu, hact.silu_backward, ..., hact.swiglu, ...) are generated when
the package is imported, from the op and GLU tables the library reports (hact.ops,
hact.glu_kinds): a library with more ops gives more functions.
"""

import inspect as _inspect

from ._api import (  # noqa: F401
    GluInfo,
    HactError,
    OpInfo,
    Status,
    backward,
    backward_params,
    bfloat16,
    cuda_available,
    forward,
    get_isa,
    get_num_threads,
    gated_backward,
    gated_forward,
    glu_kinds,
    gated_split_backward,
    gated_split_forward,
    isa_available,
    library_path,
    ops,
    prelu_per_channel,
    prelu_per_channel_backward,
    set_max_isa,
    set_num_threads,
    version,
    version_number,
)

__version__ = version

__all__ = [
    "GluInfo", "HactError", "OpInfo", "Status", "backward", "backward_params", "bfloat16",
    "cuda_available", "forward", "get_isa", "get_num_threads", "gated_backward", "gated_forward",
    "glu_kinds", "gated_split_backward", "gated_split_forward", "isa_available", "library_path",
    "ops", "prelu_per_channel", "prelu_per_channel_backward", "set_max_isa", "set_num_threads",
    "version", "version_number",
]

_P = _inspect.Parameter


def _param_list(info):
    return [_P(f, _P.KEYWORD_ONLY, default=info.defaults[f]) for f in info.params]


def _describe(info):
    if not info.params:
        return "It takes no parameters."
    text = ", ".join(f"{f}={info.defaults[f]!r}" for f in info.params)
    learn = f"; learnable: {', '.join(info.learnable)}" if info.learnable else ""
    return f"Parameters (defaults): {text}{learn}."


def _make_op_functions(info):
    def fwd(x, out=None, *, stream=None, **params):
        return forward(info, x, out=out, stream=stream, **params)

    def bwd(x, dy, out=None, *, stream=None, **params):
        return backward(info, x, dy, out=out, stream=stream, **params)

    stream = [_P("stream", _P.KEYWORD_ONLY, default=None)]
    fwd.__name__ = fwd.__qualname__ = info.name
    fwd.__doc__ = (f"{info.name}(x): hact.forward({info.name!r}, x, out, stream, **params) "
                   f"(docs/activations.md). {_describe(info)}")
    fwd.__signature__ = _inspect.Signature(
        [_P("x", _P.POSITIONAL_OR_KEYWORD), _P("out", _P.POSITIONAL_OR_KEYWORD, default=None)]
        + stream + _param_list(info))
    bwd.__name__ = bwd.__qualname__ = f"{info.name}_backward"
    bwd.__doc__ = (f"dx = dy * {info.name}'(x): hact.backward({info.name!r}, x, dy, out, stream, "
                   f"**params). {_describe(info)}")
    bwd.__signature__ = _inspect.Signature(
        [_P("x", _P.POSITIONAL_OR_KEYWORD), _P("dy", _P.POSITIONAL_OR_KEYWORD),
         _P("out", _P.POSITIONAL_OR_KEYWORD, default=None)] + stream + _param_list(info))
    return fwd, bwd


def _make_glu_functions(info):
    def fwd(a, b=None, *, dim=-1, gated_half=None, out=None, stream=None, **params):
        if b is None:
            return gated_split_forward(info, a, dim=dim, gated_half=gated_half, out=out,
                                       stream=stream, **params)
        return gated_forward(info, a, b, out=out, stream=stream, **params)

    def bwd(a, b, dy, *, da=None, db=None, stream=None, **params):
        return gated_backward(info, a, b, dy, da=da, db=db, stream=stream, **params)

    gate = info.gate.name
    fwd.__name__ = fwd.__qualname__ = info.name
    fwd.__doc__ = (f"{info.name}(a, b) = {gate}(a) * b (hact.gated_forward), or {info.name}(x, "
                   f"dim=-1, gated_half=None): x split in halves along dim "
                   f"(hact.gated_split_forward; the gate on the second half by default). "
                   f"{_describe(info.gate)}")
    fwd.__signature__ = _inspect.Signature(
        [_P("a", _P.POSITIONAL_OR_KEYWORD), _P("b", _P.POSITIONAL_OR_KEYWORD, default=None),
         _P("dim", _P.KEYWORD_ONLY, default=-1), _P("gated_half", _P.KEYWORD_ONLY, default=None),
         _P("out", _P.KEYWORD_ONLY, default=None), _P("stream", _P.KEYWORD_ONLY, default=None)]
        + _param_list(info.gate))
    bwd.__name__ = bwd.__qualname__ = f"{info.name}_backward"
    bwd.__doc__ = (f"(da, db) = (dy * b * {gate}'(a), dy * {gate}(a)) (hact.gated_backward). "
                   f"{_describe(info.gate)}")
    bwd.__signature__ = _inspect.Signature(
        [_P("a", _P.POSITIONAL_OR_KEYWORD), _P("b", _P.POSITIONAL_OR_KEYWORD),
         _P("dy", _P.POSITIONAL_OR_KEYWORD), _P("da", _P.KEYWORD_ONLY, default=None),
         _P("db", _P.KEYWORD_ONLY, default=None), _P("stream", _P.KEYWORD_ONLY, default=None)]
        + _param_list(info.gate))
    return fwd, bwd


def _install(name, fn, generated):
    # A registry name that would shadow the package's own API is left out (reachable through
    # hact.forward(name, ...)); the test suite checks that none does.
    if name in globals():
        return
    globals()[name] = fn
    generated.append(name)
    __all__.append(name)


generated_functions = []
for _info in ops.values():
    for _fn in _make_op_functions(_info):
        _install(_fn.__name__, _fn, generated_functions)
for _info in glu_kinds.values():
    for _fn in _make_glu_functions(_info):
        _install(_fn.__name__, _fn, generated_functions)
del _info, _fn
generated_functions = tuple(generated_functions)
