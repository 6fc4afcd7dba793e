//! Rust binding of hact's C ABI (`include/hact/hact.h`): activation functions and their
//! derivatives over slices, with errors as `Result<_, Error>` carrying `hact_last_error()`.
//!
//! ```no_run
//! let silu = hact::Op::from_name("silu").unwrap();
//! let x = [-1.0f32, 0.0, 2.0];
//! let mut y = [0.0f32; 3];
//! hact::forward(silu, &x, &mut y, None).unwrap();
//! ```
//!
//! `sys` holds the raw declarations; the functions at the top level check slice lengths before
//! any pointer is passed and turn every status into an `Error`.

use std::ffi::{CStr, CString};
use std::fmt;
use std::os::raw::{c_char, c_int, c_void};

/// `struct hact_params`: the parameters of every op (PyTorch's names); each op reads the fields
/// its registry line names (`Op::params`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Params {
    pub negative_slope: f32,
    pub alpha: f32,
    pub beta: f32,
    pub threshold: f32,
    pub scale: f32,
    pub min_val: f32,
    pub max_val: f32,
}

/// The raw C ABI (a subset: what the safe layer uses).
pub mod sys {
    use super::Params;
    use std::os::raw::{c_char, c_int, c_uint, c_void};

    pub const HACT_F32: c_int = 0;
    pub const HACT_F16: c_int = 1;
    pub const HACT_BF16: c_int = 2;
    pub const HACT_F64: c_int = 3;

    extern "C" {
        pub fn hact_op_count() -> c_int;
        pub fn hact_op_from_name(name: *const c_char, op: *mut c_int) -> c_int;
        pub fn hact_op_name(op: c_int) -> *const c_char;
        pub fn hact_default_params(op: c_int) -> Params;
        pub fn hact_op_params(op: c_int) -> c_uint;
        pub fn hact_op_learnable_params(op: c_int) -> c_uint;
        pub fn hact_forward(op: c_int, dtype: c_int, x: *const c_void, y: *mut c_void, n: usize,
                            params: *const Params) -> c_int;
        pub fn hact_backward(op: c_int, dtype: c_int, x: *const c_void, dy: *const c_void,
                             dx: *mut c_void, n: usize, params: *const Params) -> c_int;
        pub fn hact_backward_params(op: c_int, dtype: c_int, x: *const c_void, dy: *const c_void,
                                    n: usize, params: *const Params, grad: *mut Params) -> c_int;
        pub fn hact_glu_count() -> c_int;
        pub fn hact_glu_name(kind: c_int) -> *const c_char;
        pub fn hact_glu_from_name(name: *const c_char, kind: *mut c_int) -> c_int;
        pub fn hact_glu_gate(kind: c_int) -> c_int;
        pub fn hact_glu_forward(kind: c_int, dtype: c_int, a: *const c_void, b: *const c_void,
                                out: *mut c_void, n: usize, params: *const Params) -> c_int;
        pub fn hact_glu_backward(kind: c_int, dtype: c_int, a: *const c_void, b: *const c_void,
                                 dy: *const c_void, da: *mut c_void, db: *mut c_void, n: usize,
                                 params: *const Params) -> c_int;
        pub fn hact_last_error() -> *const c_char;
        pub fn hact_status_string(status: c_int) -> *const c_char;
        pub fn hact_get_isa() -> c_int;
        pub fn hact_isa_name(isa: c_int) -> *const c_char;
        pub fn hact_version_number() -> c_uint;
        pub fn hact_version_string() -> *const c_char;
    }
}

/// A `hact_status` other than `HACT_OK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    InvalidArgument,
    UnknownOp,
    Unsupported,
    BadParams,
    Kernel,
    OutOfMemory,
    Internal,
    DeviceUnavailable,
    /// A code this binding does not know yet (codes are only ever appended).
    Other(i32),
}

impl Status {
    fn from_code(code: c_int) -> Status {
        match code {
            1 => Status::InvalidArgument,
            2 => Status::UnknownOp,
            3 => Status::Unsupported,
            4 => Status::BadParams,
            5 => Status::Kernel,
            6 => Status::OutOfMemory,
            7 => Status::Internal,
            8 => Status::DeviceUnavailable,
            c => Status::Other(c),
        }
    }
}

/// A failed call: the status and what was wrong (`hact_last_error()`, or the binding's own
/// message for a check made before calling).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub status: Status,
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "hact {:?}: {}", self.status, self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

fn text(p: *const c_char) -> &'static str {
    if p.is_null() {
        return "";
    }
    // The library's names and messages are static or thread-local NUL-terminated ASCII.
    unsafe { CStr::from_ptr(p) }.to_str().unwrap_or("<non-UTF-8 text>")
}

/// The calling thread's last error message.
pub fn last_error() -> String {
    text(unsafe { sys::hact_last_error() }).to_string()
}

fn check(status: c_int) -> Result<()> {
    if status == 0 {
        Ok(())
    } else {
        Err(Error { status: Status::from_code(status), message: last_error() })
    }
}

fn invalid(message: String) -> Error {
    Error { status: Status::InvalidArgument, message }
}

/// The library's version ("0.1.0").
pub fn version() -> &'static str {
    text(unsafe { sys::hact_version_string() })
}

/// The instruction-set variant calls run on ("avx512", "avx2", "x86_64").
pub fn isa() -> &'static str {
    text(unsafe { sys::hact_isa_name(sys::hact_get_isa()) })
}

/// An op of the library's registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Op(c_int);

impl Op {
    /// The op named `name` ("silu", "swish", ...).
    pub fn from_name(name: &str) -> Result<Op> {
        let c = CString::new(name).map_err(|_| invalid(format!("op name {name:?} contains NUL")))?;
        let mut op: c_int = 0;
        check(unsafe { sys::hact_op_from_name(c.as_ptr(), &mut op) })?;
        Ok(Op(op))
    }
    /// Every op, in registry order.
    pub fn all() -> Vec<Op> {
        (0..unsafe { sys::hact_op_count() }).map(Op).collect()
    }
    pub fn index(self) -> i32 {
        self.0
    }
    pub fn name(self) -> &'static str {
        text(unsafe { sys::hact_op_name(self.0) })
    }
    /// PyTorch's defaults for the op.
    pub fn default_params(self) -> Params {
        unsafe { sys::hact_default_params(self.0) }
    }
    /// HACT_P_* mask of the fields the op reads.
    pub fn params(self) -> u32 {
        unsafe { sys::hact_op_params(self.0) as u32 }
    }
    /// HACT_P_* mask of the fields `backward_params` differentiates.
    pub fn learnable_params(self) -> u32 {
        unsafe { sys::hact_op_learnable_params(self.0) as u32 }
    }
}

/// A kind of the GLU family (out = g(a) * b).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Glu(c_int);

impl Glu {
    pub fn from_name(name: &str) -> Result<Glu> {
        let c = CString::new(name).map_err(|_| invalid(format!("GLU name {name:?} contains NUL")))?;
        let mut kind: c_int = 0;
        check(unsafe { sys::hact_glu_from_name(c.as_ptr(), &mut kind) })?;
        Ok(Glu(kind))
    }
    pub fn all() -> Vec<Glu> {
        (0..unsafe { sys::hact_glu_count() }).map(Glu).collect()
    }
    pub fn name(self) -> &'static str {
        text(unsafe { sys::hact_glu_name(self.0) })
    }
    /// The gate op g.
    pub fn gate(self) -> Op {
        Op(unsafe { sys::hact_glu_gate(self.0) })
    }
}

/// Element types the calls take: `f32`, `f64` (computed in double), and the 16-bit storage types
/// as their bits (`Bf16`, `F16`).
pub trait Element: Copy {
    const DTYPE: c_int;
}
impl Element for f32 {
    const DTYPE: c_int = sys::HACT_F32;
}
impl Element for f64 {
    const DTYPE: c_int = sys::HACT_F64;
}
/// bfloat16, as its bits.
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bf16(pub u16);
impl Element for Bf16 {
    const DTYPE: c_int = sys::HACT_BF16;
}
impl Bf16 {
    /// Round to nearest even (NaN stays NaN).
    pub fn from_f32(v: f32) -> Bf16 {
        let b = v.to_bits();
        if v.is_nan() {
            return Bf16(((b >> 16) as u16) | 0x40);
        }
        Bf16(((b + 0x7fff + ((b >> 16) & 1)) >> 16) as u16)
    }
    pub fn to_f32(self) -> f32 {
        f32::from_bits((self.0 as u32) << 16)
    }
}
/// IEEE float16, as its bits.
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct F16(pub u16);
impl Element for F16 {
    const DTYPE: c_int = sys::HACT_F16;
}

fn same_len(what: &str, n: usize, other: &str, m: usize) -> Result<()> {
    if n == m {
        Ok(())
    } else {
        Err(invalid(format!("{other} has {m} elements, {what} has {n}")))
    }
}

fn pp(params: Option<&Params>) -> *const Params {
    params.map_or(std::ptr::null(), |p| p as *const Params)
}

/// y[i] = f(x[i]). `params` None: the op's defaults.
pub fn forward<T: Element>(op: Op, x: &[T], y: &mut [T], params: Option<&Params>) -> Result<()> {
    same_len("x", x.len(), "y", y.len())?;
    check(unsafe {
        sys::hact_forward(op.0, T::DTYPE, x.as_ptr() as *const c_void,
                          y.as_mut_ptr() as *mut c_void, x.len(), pp(params))
    })
}

/// x[i] = f(x[i]) in place.
pub fn forward_in_place<T: Element>(op: Op, x: &mut [T], params: Option<&Params>) -> Result<()> {
    let p = x.as_mut_ptr() as *mut c_void;
    check(unsafe { sys::hact_forward(op.0, T::DTYPE, p, p, x.len(), pp(params)) })
}

/// dx[i] = dy[i] * f'(x[i]).
pub fn backward<T: Element>(op: Op, x: &[T], dy: &[T], dx: &mut [T],
                            params: Option<&Params>) -> Result<()> {
    same_len("x", x.len(), "dy", dy.len())?;
    same_len("x", x.len(), "dx", dx.len())?;
    check(unsafe {
        sys::hact_backward(op.0, T::DTYPE, x.as_ptr() as *const c_void,
                           dy.as_ptr() as *const c_void, dx.as_mut_ptr() as *mut c_void, x.len(),
                           pp(params))
    })
}

/// dy[i] = dy[i] * f'(x[i]) in place (dx = dy).
pub fn backward_in_place<T: Element>(op: Op, x: &[T], dy: &mut [T],
                                     params: Option<&Params>) -> Result<()> {
    same_len("x", x.len(), "dy", dy.len())?;
    let p = dy.as_mut_ptr() as *mut c_void;
    check(unsafe {
        sys::hact_backward(op.0, T::DTYPE, x.as_ptr() as *const c_void, p, p, x.len(), pp(params))
    })
}

/// Gradients of the learnable parameters summed over the elements (other fields 0).
pub fn backward_params<T: Element>(op: Op, x: &[T], dy: &[T],
                                   params: Option<&Params>) -> Result<Params> {
    same_len("x", x.len(), "dy", dy.len())?;
    let mut grad = Params::default();
    check(unsafe {
        sys::hact_backward_params(op.0, T::DTYPE, x.as_ptr() as *const c_void,
                                  dy.as_ptr() as *const c_void, x.len(), pp(params), &mut grad)
    })?;
    Ok(grad)
}

/// out[i] = g(a[i]) * b[i].
pub fn glu_forward<T: Element>(kind: Glu, a: &[T], b: &[T], out: &mut [T],
                               params: Option<&Params>) -> Result<()> {
    same_len("a", a.len(), "b", b.len())?;
    same_len("a", a.len(), "out", out.len())?;
    check(unsafe {
        sys::hact_glu_forward(kind.0, T::DTYPE, a.as_ptr() as *const c_void,
                              b.as_ptr() as *const c_void, out.as_mut_ptr() as *mut c_void,
                              a.len(), pp(params))
    })
}

/// (da, db) = (dy * b * g'(a), dy * g(a)) in one pass.
pub fn glu_backward<T: Element>(kind: Glu, a: &[T], b: &[T], dy: &[T], da: &mut [T], db: &mut [T],
                                params: Option<&Params>) -> Result<()> {
    for (name, n) in [("b", b.len()), ("dy", dy.len()), ("da", da.len()), ("db", db.len())] {
        same_len("a", a.len(), name, n)?;
    }
    check(unsafe {
        sys::hact_glu_backward(kind.0, T::DTYPE, a.as_ptr() as *const c_void,
                               b.as_ptr() as *const c_void, dy.as_ptr() as *const c_void,
                               da.as_mut_ptr() as *mut c_void, db.as_mut_ptr() as *mut c_void,
                               a.len(), pp(params))
    })
}

/// The name of a status code (the library's text).
pub fn status_string(code: i32) -> &'static str {
    text(unsafe { sys::hact_status_string(code) })
}
