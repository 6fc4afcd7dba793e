// libFuzzer target over hact's C ABI (issue 6). One input is one call of one entry point:
//
//   flat:    hact_forward, hact_backward, hact_backward_params
//   tensor:  hact_forward_tensor, hact_backward_tensor, hact_backward_params_tensor
//   GLU:     hact_glu_forward, hact_glu_backward, hact_glu_split_forward, hact_glu_split_backward
//   PReLU:   hact_prelu_forward, hact_prelu_backward (per-channel weights)
//   names:   hact_op_from_name, hact_glu_from_name, hact_isa_from_name, hact_op_name, ...
//
// with a fuzzed op (valid or not), dtype (valid or not), ISA cap, parameters (NULL, defaults, 0,
// -0, negative, subnormal, huge, NaN, +-inf, random bits), lengths (0, small, above the thread
// pool's threshold, absurd), strides (any sign, 0, extents 0/1, ndim up to 65), byte offsets,
// aliasing (in place, partial overlap, a view overlapping itself), NULL and misaligned pointers,
// mismatched shapes, dtypes and devices.
//
// Every buffer the library may touch is allocated by guarded_alloc(): its last byte sits against
// a PROT_NONE page (and a PROT_NONE page sits before it), so a read or write past either end
// faults at once, even inside the (uninstrumented) Halide kernels.
//
// Besides "does not crash", each call is checked (a failed check aborts with a message):
// - a call the harness knows is invalid (NULL with elements, misaligned, partial overlap, a
//   non-finite parameter the op reads, an unknown op or dtype, an absurd length) fails;
// - a failed call leaves a non-empty hact_last_error() and every output byte unchanged;
// - a successful call's outputs equal, bit for bit, those of the same call out of place on
//   fresh contiguous buffers (the tensor calls: the flat call on contiguous copies), and bytes of
//   an output allocation outside its view are unchanged.
#include <fuzzer/FuzzedDataProvider.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cfloat>
#include <cinttypes>
#include <climits>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "hact/hact.h"

namespace {

[[noreturn]] void fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::fprintf(stderr, "hact fuzz check failed: ");
    std::vfprintf(stderr, fmt, ap);
    std::fprintf(stderr, "\n  hact_last_error(): %s\n", hact_last_error());
    va_end(ap);
    std::abort();
}

const size_t kPage = (size_t)sysconf(_SC_PAGESIZE);

// ---- guarded memory ---------------------------------------------------------------------------
// bytes of memory whose last byte is followed by a PROT_NONE page (and whose mapping starts with
// one); data is page-aligned minus bytes + slack, so aligned to any element size dividing both.
// slack shifts the data down (room for a pointer moved up by a byte to misalign it).
struct Guarded {
    uint8_t *map = nullptr;
    size_t map_len = 0;
    uint8_t *data = nullptr;
    size_t bytes = 0;
    Guarded() = default;
    Guarded(size_t n_bytes, size_t slack = 0) : bytes(n_bytes) {
        const size_t body = (n_bytes + slack + kPage - 1) / kPage * kPage;
        map_len = body + 2 * kPage;
        void *m = mmap(nullptr, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) fail("mmap of %zu bytes", map_len);
        map = (uint8_t *)m;
        if (mprotect(map, kPage, PROT_NONE) != 0 || mprotect(map + kPage + body, kPage, PROT_NONE) != 0)
            fail("mprotect");
        data = map + kPage + body - n_bytes - slack;
    }
    ~Guarded() {
        if (map) munmap(map, map_len);
    }
    Guarded(const Guarded &) = delete;
    Guarded &operator=(const Guarded &) = delete;
    Guarded(Guarded &&o) noexcept { *this = std::move(o); }
    Guarded &operator=(Guarded &&o) noexcept {
        std::swap(map, o.map);
        std::swap(map_len, o.map_len);
        std::swap(data, o.data);
        std::swap(bytes, o.bytes);
        return *this;
    }
    // The whole readable part of the mapping (for "nothing else changed" checks).
    uint8_t *begin() const { return map + kPage; }
    size_t readable() const { return map_len - 2 * kPage; }
};

// ---- values -----------------------------------------------------------------------------------
size_t elem_size(int dtype) { return dtype == HACT_F32 ? 4 : dtype == HACT_F64 ? 8 : 2; }
bool valid_dtype(int dtype) { return dtype >= 0 && dtype <= HACT_F64; }

float special_float(FuzzedDataProvider &fdp) {
    static const float specials[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, 2.0f, -2.5f, 20.0f, -20.0f, 6.0f,
                                     3.0f, -3.0f, 1.702f, 1e-30f, -1e-30f, FLT_MIN, FLT_TRUE_MIN,
                                     -FLT_TRUE_MIN, FLT_MIN / 4, FLT_MAX, -FLT_MAX, 1e30f, -100.0f,
                                     100.0f, 88.7f, -88.7f, NAN, -NAN, INFINITY, -INFINITY};
    const uint8_t k = fdp.ConsumeIntegral<uint8_t>();
    if (k < 200) return specials[k % (sizeof specials / sizeof specials[0])];
    const uint32_t u = fdp.ConsumeIntegral<uint32_t>();
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

// Fills n elements of dtype at p from the input: special values or raw bits.
void fill(FuzzedDataProvider &fdp, void *p, size_t n, int dtype) {
    const size_t es = elem_size(dtype);
    const bool raw = fdp.ConsumeBool();
    for (size_t i = 0; i < n; ++i) {
        uint8_t *e = (uint8_t *)p + i * es;
        if (fdp.remaining_bytes() == 0) {  // deterministic filler once the input is used up
            const float f = (float)((int)(i % 23) - 11) * 0.37f;
            uint32_t u;
            std::memcpy(&u, &f, 4);
            if (es == 4) std::memcpy(e, &u, 4);
            else if (es == 2) { const uint16_t h = (uint16_t)(u >> 16); std::memcpy(e, &h, 2); }
            else { const double d = f; std::memcpy(e, &d, 8); }
            continue;
        }
        if (raw) {
            for (size_t b = 0; b < es; ++b) e[b] = fdp.ConsumeIntegral<uint8_t>();
        } else {
            const float f = special_float(fdp);
            uint32_t u;
            std::memcpy(&u, &f, 4);
            if (es == 4) std::memcpy(e, &u, 4);
            else if (es == 8) { const double d = f; std::memcpy(e, &d, 8); }
            else if (dtype == HACT_BF16) { const uint16_t h = (uint16_t)(u >> 16); std::memcpy(e, &h, 2); }
            else {  // float16 from a small table of patterns
                static const uint16_t h16[] = {0x0000, 0x8000, 0x3C00, 0xBC00, 0x7C00, 0xFC00, 0x7E00,
                                               0x0001, 0x8001, 0x03FF, 0x7BFF, 0xFBFF, 0x4200, 0xC200};
                const uint16_t h = h16[u % (sizeof h16 / sizeof h16[0])];
                std::memcpy(e, &h, 2);
            }
        }
    }
}

int pick_op(FuzzedDataProvider &fdp) {
    const uint8_t k = fdp.ConsumeIntegral<uint8_t>();
    if (k < 244) return k % hact_op_count();
    static const int bad[] = {-1, hact_op_count(), hact_op_count() + 1, INT_MAX, INT_MIN, 1000};
    return bad[k % 6];
}
int pick_glu(FuzzedDataProvider &fdp) {
    const uint8_t k = fdp.ConsumeIntegral<uint8_t>();
    if (k < 244) return k % hact_glu_count();
    static const int bad[] = {-1, hact_glu_count(), INT_MAX, INT_MIN};
    return bad[k % 4];
}
int pick_dtype(FuzzedDataProvider &fdp) {
    const uint8_t k = fdp.ConsumeIntegral<uint8_t>();
    if (k < 240) return k % 4;  // the built ones: f32, f16, bf16, f64
    static const int other[] = {-1, 4, 99, INT_MIN};
    return other[k % 4];
}

struct Params {
    bool null = true;
    hact_params p{};
};
Params pick_params(FuzzedDataProvider &fdp, int op) {
    Params r;
    const uint8_t mode = fdp.ConsumeIntegral<uint8_t>();
    if (mode < 64) return r;  // NULL: the defaults
    r.null = false;
    r.p = hact_default_params((hact_op)op);
    const int changes = mode < 128 ? 1 : mode < 200 ? 2 : 7;
    for (int c = 0; c < changes; ++c) {
        const int k = fdp.ConsumeIntegralInRange<int>(0, 6);
        float *f = &r.p.negative_slope + k;
        *f = special_float(fdp);
    }
    return r;
}
// 1 if some parameter op reads is NaN or infinite.
bool params_nonfinite(int op, const Params &pr) {
    if (pr.null || op < 0 || op >= hact_op_count()) return false;
    const unsigned reads = hact_op_params((hact_op)op);
    const float *f = &pr.p.negative_slope;
    for (int k = 0; k < 7; ++k)
        if ((reads >> k & 1u) && !std::isfinite(f[k])) return true;
    return false;
}

size_t pick_n(FuzzedDataProvider &fdp) {
    const uint8_t k = fdp.ConsumeIntegral<uint8_t>();
    if (k < 16) return 0;
    if (k < 200) return fdp.ConsumeIntegralInRange<size_t>(1, 300);
    if (k < 248) return fdp.ConsumeIntegralInRange<size_t>(301, 5000);
    if (k < 252) return fdp.ConsumeIntegralInRange<size_t>(65536, 70000);  // the thread pool
    return 0;                                                               // absurd: see caller
}
const size_t kAbsurd[] = {SIZE_MAX, SIZE_MAX / 2, SIZE_MAX / 8 + 1, (size_t)1 << 62};

void set_isa(FuzzedDataProvider &fdp) {
    const int isa = fdp.ConsumeIntegralInRange<int>(1, 3);
    if (hact_isa_available((hact_isa)isa)) (void)hact_set_max_isa((hact_isa)isa);
    else (void)hact_set_max_isa(HACT_ISA_AVX512);
}

// A failed call: a message, and outputs untouched.
void expect_failure_clean(hact_status s, const char *what, const std::vector<std::pair<const Guarded *, std::vector<uint8_t>>> &before) {
    if (s == HACT_OK) return;
    if (s < HACT_ERR_INVALID_ARGUMENT || s > HACT_ERR_DEVICE_UNAVAILABLE) fail("%s: status %d out of range", what, (int)s);
    const char *m = hact_last_error();
    if (!m || !*m) fail("%s: failed (%d) without a message", what, (int)s);
    for (const auto &b : before)
        if (!b.second.empty() && std::memcmp(b.first->begin(), b.second.data(), b.second.size()) != 0)
            fail("%s: failed (%s) but wrote to an output", what, hact_status_string(s));
}
std::vector<uint8_t> snapshot(const Guarded &g) { return std::vector<uint8_t>(g.begin(), g.begin() + g.readable()); }

// ---- flat entry points ------------------------------------------------------------------------
// Pointer placement of one operand: 0 own buffer, 1 NULL, 2 misaligned, 3 same as an input,
// 4 partial overlap with an input.
struct Ptr {
    void *p;
    bool null = false, misaligned = false;
};

void fuzz_flat(FuzzedDataProvider &fdp, int which) {
    const int op = pick_op(fdp), dtype = pick_dtype(fdp);
    const Params pr = pick_params(fdp, op);
    size_t n = pick_n(fdp);
    bool absurd = false;
    if (n == 0 && fdp.ConsumeIntegral<uint8_t>() < 32) {
        n = kAbsurd[fdp.ConsumeIntegralInRange<int>(0, 3)];
        absurd = true;
    }
    const size_t es = elem_size(valid_dtype(dtype) ? dtype : HACT_F32);
    const size_t alloc_n = absurd ? 64 : n;
    // Inputs x, dy in their own guarded buffers; one output (y / dx) placed by mode.
    const uint8_t mode = fdp.ConsumeIntegral<uint8_t>();
    const int out_mode = mode % 8;           // 0..3 own, 4 = x, 5 = dy, 6 partial x, 7 partial dy
    const bool null_x = (mode >> 3) % 16 == 1, null_dy = (mode >> 3) % 16 == 2, null_out = (mode >> 3) % 16 == 3;
    const bool mis = (mode >> 7) && fdp.ConsumeBool() && es > 1;
    const size_t shift = fdp.ConsumeIntegralInRange<size_t>(1, 40);  // partial overlap distance
    Guarded gx(alloc_n * es + (out_mode == 6 ? shift * es : 0), mis ? es : 0);  // mis: data + 1 ends inside
    Guarded gdy(alloc_n * es + (out_mode == 7 ? shift * es : 0));
    Guarded gout(alloc_n * es);
    fill(fdp, gx.data, alloc_n + (out_mode == 6 ? shift : 0), valid_dtype(dtype) ? dtype : HACT_F32);
    fill(fdp, gdy.data, alloc_n + (out_mode == 7 ? shift : 0), valid_dtype(dtype) ? dtype : HACT_F32);
    std::memset(gout.data, 0xA5, gout.bytes);
    uint8_t *x = gx.data + (out_mode == 6 ? shift * es : 0), *dy = gdy.data + (out_mode == 7 ? shift * es : 0);
    uint8_t *out = gout.data;
    bool partial = false;
    if (which == 0 && (out_mode == 5 || out_mode == 7)) { /* forward has no dy: own buffer */ }
    else if (out_mode == 4) out = x;
    else if (out_mode == 5) out = dy;
    else if (out_mode == 6) { out = gx.data; partial = n > shift; }
    else if (out_mode == 7) { out = gdy.data; partial = n > shift; }
    if (mis) x = gx.data + 1;  // misaligned (the slack keeps it inside the mapping)
    const void *px = null_x ? nullptr : x, *pdy = null_dy ? nullptr : dy;
    void *pout = null_out ? nullptr : out;
    if (which == 2) partial = false;  // backward_params has no output array
    if (out == x && mis) partial = false;
    const bool grad_null = which == 2 && fdp.ConsumeIntegral<uint8_t>() == 7;
    const bool op_ok = op >= 0 && op < hact_op_count();
    const bool must_fail = !op_ok || !valid_dtype(dtype) || params_nonfinite(op, pr) || grad_null ||
                           (n > 0 && (absurd || null_x || (which != 0 && null_dy) || (which != 2 && null_out) ||
                                      (mis && es > 1) || partial));
    // Keep copies of the inputs (the call may overwrite them in place).
    std::vector<uint8_t> cx(x, x + (absurd ? 0 : n * es)), cdy(dy, dy + (absurd ? 0 : n * es));
    std::vector<std::pair<const Guarded *, std::vector<uint8_t>>> before;
    before.emplace_back(&gout, snapshot(gout));
    if (which != 2) {
        before.emplace_back(&gx, snapshot(gx));
        if (which == 1) before.emplace_back(&gdy, snapshot(gdy));
    }
    const hact_params *pp = pr.null ? nullptr : &pr.p;
    hact_params grad;
    std::memset(&grad, 0x5A, sizeof grad);
    hact_status s;
    if (which == 0) s = hact_forward((hact_op)op, (hact_dtype)dtype, px, pout, n, pp);
    else if (which == 1) s = hact_backward((hact_op)op, (hact_dtype)dtype, px, pdy, pout, n, pp);
    else s = hact_backward_params((hact_op)op, (hact_dtype)dtype, px, pdy, n, pp, grad_null ? nullptr : &grad);
    static const char *names[] = {"hact_forward", "hact_backward", "hact_backward_params"};
    if (must_fail && s == HACT_OK)
        fail("%s(op %d, dtype %d, n %zu, out_mode %d) succeeded on invalid input (params %s%s, absurd %d, NULL x/dy/out %d%d%d, "
             "misaligned %d, partial %d, grad NULL %d)", names[which], op, dtype, n, out_mode, pr.null ? "NULL" : "set",
             params_nonfinite(op, pr) ? " non-finite" : "", absurd, null_x, null_dy, null_out, mis, partial, grad_null);
    expect_failure_clean(s, names[which], before);
    if (s != HACT_OK || n == 0 || which == 2) return;
    // Out of place on fresh buffers: the same bits.
    std::vector<uint8_t> ref(n * es, 0);
    hact_status r = which == 0 ? hact_forward((hact_op)op, (hact_dtype)dtype, cx.data(), ref.data(), n, pp)
                               : hact_backward((hact_op)op, (hact_dtype)dtype, cx.data(), cdy.data(), ref.data(), n, pp);
    if (r != HACT_OK) fail("%s: the out-of-place repeat failed: %s", names[which], hact_last_error());
    if (std::memcmp(ref.data(), out, n * es) != 0)
        fail("%s(op %s, dtype %d, n %zu, out_mode %d): result differs from the out-of-place call", names[which],
             hact_op_name((hact_op)op), dtype, n, out_mode);
    // Nothing outside [out, out + n) changed in the output's own buffer.
    if (out == gout.data) {
        const std::vector<uint8_t> &b = before[0].second;
        const size_t off = (size_t)(gout.data - gout.begin());
        if (std::memcmp(gout.begin(), b.data(), off) != 0) fail("%s wrote before its output", names[which]);
    }
}

// ---- strided tensors ---------------------------------------------------------------------------
struct View {
    std::vector<int64_t> shape, strides;
    bool null_strides = true;
    int64_t lo = 0, hi = 0;  // element offsets of the lowest and highest element
};
int64_t numel_of(const std::vector<int64_t> &shape) {
    int64_t n = 1;
    for (int64_t e : shape) n *= e;
    return n;
}
void span_of(View &v) {
    v.lo = v.hi = 0;
    if (numel_of(v.shape) == 0) return;
    int64_t s = 1;
    for (int d = (int)v.shape.size() - 1; d >= 0; --d) {
        const int64_t st = v.null_strides ? s : v.strides[d];
        if (v.null_strides) s *= v.shape[d];
        if (st > 0) v.hi += st * (v.shape[d] - 1);
        else v.lo += st * (v.shape[d] - 1);
    }
}
int64_t stride_of(const View &v, int d) {
    if (!v.null_strides) return v.strides[d];
    int64_t s = 1;
    for (int k = (int)v.shape.size() - 1; k > d; --k) s *= v.shape[k];
    return s;
}
// Offsets of every element in row-major index order.
std::vector<int64_t> offsets_of(const View &v) {
    std::vector<int64_t> out;
    const int nd = (int)v.shape.size();
    const int64_t n = numel_of(v.shape);
    out.reserve((size_t)n);
    std::vector<int64_t> idx(nd, 0);
    for (int64_t i = 0; i < n; ++i) {
        int64_t off = 0;
        for (int d = 0; d < nd; ++d) off += idx[d] * stride_of(v, d);
        out.push_back(off);
        for (int d = nd - 1; d >= 0; --d) {
            if (++idx[d] < v.shape[d]) break;
            idx[d] = 0;
        }
    }
    return out;
}

void fuzz_tensor(FuzzedDataProvider &fdp, int which) {
    const int op = pick_op(fdp), dtype = pick_dtype(fdp);
    const Params pr = pick_params(fdp, op);
    const int dt = valid_dtype(dtype) ? dtype : HACT_F32;
    const size_t es = elem_size(dt);
    int ndim = fdp.ConsumeIntegralInRange<int>(0, 4);
    const uint8_t special = fdp.ConsumeIntegral<uint8_t>();
    if (special == 1) ndim = 65;  // over HACT_TENSOR_MAX_NDIM
    std::vector<int64_t> shape(ndim);
    int64_t total = 1;
    for (int d = 0; d < ndim; ++d) {
        const int64_t cap = d < 4 ? 12 : 1;
        shape[d] = fdp.ConsumeIntegralInRange<int64_t>(0, cap);
        if (fdp.ConsumeIntegral<uint8_t>() < 8 && d < 4) shape[d] = fdp.ConsumeIntegralInRange<int64_t>(13, 300);
        if (total * (shape[d] ? shape[d] : 1) > 20000) shape[d] = 1;
        total *= shape[d] ? shape[d] : 1;
    }
    const int nops = which == 0 ? 2 : which == 1 ? 3 : 2;  // [0] output (fwd/bwd); inputs after
    const bool has_out = which != 2;
    static const char *const roles[3][3] = {{"y", "x", ""}, {"dx", "x", "dy"}, {"x", "dy", ""}};
    View v[3];
    for (int k = 0; k < nops; ++k) {
        v[k].shape = shape;
        v[k].null_strides = fdp.ConsumeIntegral<uint8_t>() < 80;
        if (!v[k].null_strides) {
            v[k].strides.resize(ndim);
            for (int d = 0; d < ndim; ++d) v[k].strides[d] = fdp.ConsumeIntegralInRange<int64_t>(-14, 14);
        }
    }
    // Aliasing: the output the same view as an input (in place), or in an input's memory.
    const uint8_t alias = has_out ? fdp.ConsumeIntegral<uint8_t>() % 8 : 0;
    const int alias_in = which == 1 && fdp.ConsumeBool() ? 2 : 1;
    if (alias == 1) v[0] = v[alias_in];
    // A mismatched shape, dtype or device now and then.
    const uint8_t mismatch = fdp.ConsumeIntegral<uint8_t>();
    int mm_op = fdp.ConsumeIntegralInRange<int>(0, nops - 1);
    const bool shape_mismatch = mismatch == 2 && ndim > 0 && ndim <= 4;
    if (shape_mismatch) v[mm_op].shape[0] += 1;
    for (int k = 0; k < nops; ++k) span_of(v[k]);

    // Memory: one guarded buffer per operand; the aliased output lives in its input's buffer.
    Guarded g[3];
    char *base[3] = {nullptr, nullptr, nullptr};
    int64_t shift = fdp.ConsumeIntegralInRange<int64_t>(-8, 8);
    for (int k = nops - 1; k >= 0; --k) {
        if (k == 0 && alias != 0 && has_out) {
            // alias 1: same view (base equal); 2..3: shifted by `shift` elements in the input's buffer.
            if (alias == 1 || alias == 2 || alias == 3) {
                const int64_t need_lo = std::min(v[alias_in].lo, v[0].lo + (alias == 1 ? 0 : shift));
                const int64_t need_hi = std::max(v[alias_in].hi, v[0].hi + (alias == 1 ? 0 : shift));
                const size_t elems = (size_t)(need_hi - need_lo + 1);
                Guarded big(elems * es);
                fill(fdp, big.data, elems, dt);
                base[alias_in] = (char *)big.data + (-need_lo) * (int64_t)es;
                base[0] = base[alias_in] + (alias == 1 ? 0 : shift) * (int64_t)es;
                g[alias_in] = std::move(big);
                continue;
            }
        }
        if (base[k]) continue;
        const size_t elems = (size_t)(v[k].hi - v[k].lo + 1);
        g[k] = Guarded(elems * es);
        if (k == 0 && has_out) std::memset(g[k].data, 0xA5, g[k].bytes);
        else fill(fdp, g[k].data, elems, dt);
        base[k] = (char *)g[k].data + (-v[k].lo) * (int64_t)es;
    }
    hact_tensor t[3];
    for (int k = 0; k < nops; ++k) {
        t[k] = hact_tensor_make(base[k], (hact_dtype)dtype, ndim, ndim ? v[k].shape.data() : nullptr,
                                v[k].null_strides ? nullptr : v[k].strides.data());
        const uint8_t bo = fdp.ConsumeIntegral<uint8_t>();
        if (bo < 32 && base[k]) {  // data + byte_offset
            t[k].byte_offset = (uint64_t)(bo % 4 + 1) * es;
            t[k].data = base[k] - t[k].byte_offset;
        }
    }
    bool misaligned = false, null_data = false, bad_device = false;
    if (mismatch == 3 && es > 1) { t[mm_op].data = (char *)t[mm_op].data + 1; misaligned = true; }
    if (mismatch == 4) { t[mm_op].data = nullptr; t[mm_op].byte_offset = 0; null_data = true; }
    if (mismatch == 5) { t[mm_op].device.device_type = fdp.ConsumeIntegralInRange<int32_t>(-2, 20); bad_device = t[mm_op].device.device_type != HACT_DEVICE_CPU && t[mm_op].device.device_type != HACT_DEVICE_CUDA_HOST && t[mm_op].device.device_type != HACT_DEVICE_ROCM_HOST; }
    bool dtype_changed = false;
    if (mismatch == 6) { const hact_dltype old = t[mm_op].dtype; t[mm_op].dtype.code = fdp.ConsumeIntegral<uint8_t>() % 6; t[mm_op].dtype.bits = fdp.ConsumeIntegral<uint8_t>() % 66; t[mm_op].dtype.lanes = fdp.ConsumeIntegralInRange<uint16_t>(0, 2);
        dtype_changed = std::memcmp(&old, &t[mm_op].dtype, sizeof old) != 0; }
    const bool null_desc = mismatch == 7;

    const int64_t n = ndim <= 64 ? numel_of(v[0].shape) : 0;
    // What must fail: an invalid op/dtype/param, ndim > 64, a shape mismatch, NULL/misaligned data
    // with elements, a non-host device, a self-overlapping output, an output overlapping an input
    // other than exactly.
    bool self_overlap = false, cross_overlap = false;
    std::vector<int64_t> out_offsets;
    if (has_out && ndim <= 4 && !shape_mismatch) {
        out_offsets = offsets_of(v[0]);
        std::vector<int64_t> sorted = out_offsets;
        std::sort(sorted.begin(), sorted.end());
        for (size_t i = 1; i < sorted.size(); ++i) if (sorted[i] == sorted[i - 1]) self_overlap = true;
        if (alias == 2 || alias == 3) {
            // Shares memory with the input unless disjoint; equal views (shift 0, same strides) are in place.
            const std::vector<int64_t> in = offsets_of(v[alias_in]);
            std::vector<int64_t> a = in;
            std::sort(a.begin(), a.end());
            // The library's in place: same element 0, same strides where the extent exceeds 1.
            bool same_view = shift == 0;
            for (int d = 0; d < ndim && same_view; ++d)
                if (v[0].shape[d] > 1 && stride_of(v[0], d) != stride_of(v[alias_in], d)) same_view = false;
            if (!same_view)
                for (int64_t o : out_offsets)
                    if (std::binary_search(a.begin(), a.end(), o + shift)) { cross_overlap = true; break; }
        }
    }
    const bool op_ok = op >= 0 && op < hact_op_count();
    const bool must_fail = !op_ok || !valid_dtype(dtype) || params_nonfinite(op, pr) || ndim > 64 ||
                           shape_mismatch || null_desc || bad_device || dtype_changed ||
                           (n > 0 && (misaligned || null_data || self_overlap || cross_overlap));
    // Inputs, gathered before the call (in place overwrites them).
    std::vector<std::vector<uint8_t>> gathered(3);
    {
        for (int k = has_out ? 1 : 0; k < nops; ++k) {
            if (ndim > 4 || shape_mismatch || !t[k].data || misaligned) continue;
            const std::vector<int64_t> offs = offsets_of(v[k]);
            const char *b = (const char *)t[k].data + t[k].byte_offset;
            gathered[k].resize(offs.size() * es);
            for (size_t i = 0; i < offs.size(); ++i) std::memcpy(&gathered[k][i * es], b + offs[i] * (int64_t)es, es);
        }
    }
    std::vector<std::pair<const Guarded *, std::vector<uint8_t>>> before;
    for (int k = 0; k < 3; ++k)
        if (g[k].map) before.emplace_back(&g[k], snapshot(g[k]));
    const hact_params *pp = pr.null ? nullptr : &pr.p;
    hact_params grad;
    hact_status s;
    const hact_tensor *T0 = null_desc && mm_op == 0 ? nullptr : &t[0];
    const hact_tensor *T1 = null_desc && mm_op == 1 ? nullptr : &t[1];
    const hact_tensor *T2 = null_desc && mm_op == 2 ? nullptr : &t[2];
    static const char *names[] = {"hact_forward_tensor", "hact_backward_tensor", "hact_backward_params_tensor"};
    if (which == 0) s = hact_forward_tensor((hact_op)op, T1, T0, pp);
    else if (which == 1) s = hact_backward_tensor((hact_op)op, T1, T2, T0, pp);
    else s = hact_backward_params_tensor((hact_op)op, T0, T1, pp, &grad);
    if (must_fail && s == HACT_OK)
        fail("%s(op %d, dtype %d, ndim %d, alias %d, mismatch %d) succeeded on invalid input (%s%s)", names[which], op, dtype, ndim, alias, mismatch,
             self_overlap ? "self-overlap " : "", cross_overlap ? "overlap" : "");
    expect_failure_clean(s, names[which], before);
    (void)roles;
    if (s != HACT_OK || n == 0 || ndim > 4) return;
    // The flat call on contiguous copies.
    const size_t nn = (size_t)n;
    if (which == 2) {
        hact_params ref;
        const hact_status r = hact_backward_params((hact_op)op, (hact_dtype)dtype, gathered[0].data(), gathered[1].data(), nn, pp, &ref);
        if (r != HACT_OK) fail("%s: the flat call failed: %s", names[which], hact_last_error());
        // The terms are grouped differently (per row, block, task): finite sums may differ by the
        // rounding of a double sum with cancellation; NaN and infinities do not depend on grouping.
        const float *a = &grad.negative_slope, *b = &ref.negative_slope;
        for (int k = 0; k < 7; ++k) {
            if (std::isnan(a[k]) != std::isnan(b[k]) || std::isinf(a[k]) != std::isinf(b[k]))
                fail("%s: grad field %d = %g, the flat call %g", names[which], k, a[k], b[k]);
        }
        return;
    }
    std::vector<uint8_t> ref(nn * es);
    const hact_status r = which == 0 ? hact_forward((hact_op)op, (hact_dtype)dtype, gathered[1].data(), ref.data(), nn, pp)
                                     : hact_backward((hact_op)op, (hact_dtype)dtype, gathered[1].data(), gathered[2].data(), ref.data(), nn, pp);
    if (r != HACT_OK) fail("%s: the flat call failed: %s", names[which], hact_last_error());
    const char *ob = (const char *)t[0].data + t[0].byte_offset;
    for (size_t i = 0; i < nn; ++i)
        if (std::memcmp(ob + out_offsets[i] * (int64_t)es, &ref[i * es], es) != 0)
            fail("%s(op %s, dtype %d, ndim %d, alias %d): element %zu differs from the flat call", names[which],
                 hact_op_name((hact_op)op), dtype, ndim, alias, i);
    // Bytes of the output's buffer outside its view: unchanged (only when it has its own buffer).
    if (alias == 0) {
        std::vector<uint8_t> mask(g[0].readable(), 0);
        const size_t view0 = (size_t)(ob - (const char *)g[0].begin());
        for (int64_t o : out_offsets) std::memset(&mask[view0 + o * (int64_t)es], 1, es);
        const std::vector<uint8_t> &b = before[0].second;
        for (size_t i = 0; i < mask.size(); ++i)
            if (!mask[i] && g[0].begin()[i] != b[i]) fail("%s wrote outside its output view (byte %zu)", names[which], i);
    }
}

// ---- GLU ----------------------------------------------------------------------------------------
void fuzz_glu(FuzzedDataProvider &fdp, int which) {
    const int kind = pick_glu(fdp), dtype = pick_dtype(fdp);
    const int gate = kind >= 0 && kind < hact_glu_count() ? (int)hact_glu_gate((hact_glu)kind) : -1;
    const Params pr = pick_params(fdp, gate >= 0 ? gate : 0);
    const int dt = valid_dtype(dtype) ? dtype : HACT_F32;
    const size_t es = elem_size(dt);
    const bool kind_ok = gate >= 0;
    const uint8_t mode = fdp.ConsumeIntegral<uint8_t>();
    const hact_params *pp = pr.null ? nullptr : &pr.p;
    const bool bad_common = !kind_ok || !valid_dtype(dtype) || (gate >= 0 && params_nonfinite(gate, pr));
    if (which < 2) {  // two tensors
        const size_t n = pick_n(fdp) % 3000;
        Guarded ga(n * es), gb(n * es), gdy(n * es), go1(n * es + 8 * es), go2(n * es + 8 * es);
        fill(fdp, ga.data, n, dt);
        fill(fdp, gb.data, n, dt);
        fill(fdp, gdy.data, n, dt);
        std::memset(go1.data, 0xA5, go1.bytes);
        std::memset(go2.data, 0xA5, go2.bytes);
        uint8_t *a = ga.data, *b = gb.data, *dy = gdy.data, *o1 = go1.data + 8 * es, *o2 = go2.data + 8 * es;
        // mode: 0-3 own; 4 o1 = a; 5 o1 = b (forward) / dy; 6 o2 = b; 7 o1 partially over o2's buffer;
        // 8 a NULL; 9 o1 = o2 (backward: must fail)
        const int m = mode % 10;
        bool must_fail = bad_common;
        if (m == 4) o1 = a;
        if (m == 5) o1 = which == 0 ? b : dy;
        if (m == 6 && which == 1) o2 = b;
        if (m == 7 && n > 1) { o1 = go2.data + 8 * es - es; o2 = go2.data + 8 * es; if (which == 1) must_fail = true; }
        const void *pa = m == 8 ? nullptr : a;
        if (m == 8 && n > 0) must_fail = true;
        if (m == 9 && which == 1) { o1 = o2; if (n > 0) must_fail = true; }
        if (n == 0) must_fail = bad_common;
        std::vector<uint8_t> ca(a, a + n * es), cb(b, b + n * es), cdy(dy, dy + n * es);
        std::vector<std::pair<const Guarded *, std::vector<uint8_t>>> before = {
            {&ga, snapshot(ga)}, {&gb, snapshot(gb)}, {&gdy, snapshot(gdy)}, {&go1, snapshot(go1)}, {&go2, snapshot(go2)}};
        hact_status s = which == 0 ? hact_glu_forward((hact_glu)kind, (hact_dtype)dtype, pa, b, o1, n, pp)
                                   : hact_glu_backward((hact_glu)kind, (hact_dtype)dtype, pa, b, dy, o1, o2, n, pp);
        const char *name = which == 0 ? "hact_glu_forward" : "hact_glu_backward";
        if (must_fail && s == HACT_OK) fail("%s(kind %d, dtype %d, n %zu, mode %d) succeeded on invalid input", name, kind, dtype, n, m);
        expect_failure_clean(s, name, before);
        if (s != HACT_OK || n == 0) return;
        std::vector<uint8_t> r1(n * es), r2(n * es);
        const hact_status r = which == 0 ? hact_glu_forward((hact_glu)kind, (hact_dtype)dtype, ca.data(), cb.data(), r1.data(), n, pp)
                                         : hact_glu_backward((hact_glu)kind, (hact_dtype)dtype, ca.data(), cb.data(), cdy.data(), r1.data(), r2.data(), n, pp);
        if (r != HACT_OK) fail("%s: the out-of-place repeat failed", name);
        if (std::memcmp(r1.data(), o1, n * es) != 0 || (which == 1 && std::memcmp(r2.data(), o2, n * es) != 0))
            fail("%s(%s, dtype %d, n %zu, mode %d): differs from the out-of-place call", name, hact_glu_name((hact_glu)kind), dtype, n, m);
        return;
    }
    // Split: x [outer, 2 half, inner].
    size_t outer = fdp.ConsumeIntegralInRange<size_t>(0, 9), half = fdp.ConsumeIntegralInRange<size_t>(0, 40),
           inner = fdp.ConsumeIntegralInRange<size_t>(0, 9);
    bool absurd = false;
    if ((mode & 0xF0) == 0xF0) { half = SIZE_MAX / 4; absurd = outer * inner != 0; }
    const int gated = mode & 1 ? fdp.ConsumeIntegralInRange<int>(-3, 3) : HACT_GATE_DEFAULT;
    const bool gated_ok = gated >= -1 && gated <= 1;
    const size_t total = absurd ? 1 : outer * half * inner;
    Guarded gx(2 * total * es), gdy(total * es), gout(2 * total * es + 16 * es);
    fill(fdp, gx.data, 2 * total, dt);
    fill(fdp, gdy.data, total, dt);
    std::memset(gout.data, 0xA5, gout.bytes);
    const int m = (mode >> 1) % 6;  // 0-2 own; 3 out = x (backward: in place; forward: overlap); 4 out overlaps x; 5 NULL x
    uint8_t *x = gx.data, *out = gout.data + 16 * es;
    bool must_fail = bad_common || !gated_ok || absurd;
    if (m == 3) { out = x; if (which == 2 && total) must_fail = true; }
    if (m == 4 && total >= 1) { out = x + es; must_fail = true; }
    const void *px = m == 5 ? nullptr : x;
    if (m == 5 && total) must_fail = true;
    if (total == 0 && !absurd) must_fail = bad_common || !gated_ok;
    std::vector<uint8_t> cx(x, x + 2 * total * es), cdy(gdy.data, gdy.data + total * es);
    std::vector<std::pair<const Guarded *, std::vector<uint8_t>>> before = {{&gx, snapshot(gx)}, {&gdy, snapshot(gdy)}, {&gout, snapshot(gout)}};
    hact_status s = which == 2 ? hact_glu_split_forward((hact_glu)kind, (hact_dtype)dtype, px, out, outer, half, inner, gated, pp)
                               : hact_glu_split_backward((hact_glu)kind, (hact_dtype)dtype, px, gdy.data, out, outer, half, inner, gated, pp);
    const char *name = which == 2 ? "hact_glu_split_forward" : "hact_glu_split_backward";
    if (must_fail && s == HACT_OK) fail("%s(kind %d, dtype %d, [%zu, 2x%zu, %zu], gated %d, mode %d) succeeded on invalid input", name, kind, dtype, outer, half, inner, gated, m);
    expect_failure_clean(s, name, before);
    if (s != HACT_OK || total == 0 || absurd) return;
    const size_t out_elems = which == 2 ? total : 2 * total;
    std::vector<uint8_t> r(out_elems * es);
    const hact_status rs = which == 2 ? hact_glu_split_forward((hact_glu)kind, (hact_dtype)dtype, cx.data(), r.data(), outer, half, inner, gated, pp)
                                      : hact_glu_split_backward((hact_glu)kind, (hact_dtype)dtype, cx.data(), cdy.data(), r.data(), outer, half, inner, gated, pp);
    if (rs != HACT_OK) fail("%s: the out-of-place repeat failed", name);
    if (std::memcmp(r.data(), out, out_elems * es) != 0) fail("%s(%s): differs from the out-of-place call (mode %d)", name, hact_glu_name((hact_glu)kind), m);
}

// ---- PReLU per channel ------------------------------------------------------------------------------
void fuzz_prelu(FuzzedDataProvider &fdp, int which) {
    const int dtype = pick_dtype(fdp);
    const int dt = valid_dtype(dtype) ? dtype : HACT_F32;
    const size_t es = elem_size(dt);
    size_t outer = fdp.ConsumeIntegralInRange<size_t>(0, 6), channels = fdp.ConsumeIntegralInRange<size_t>(0, 20),
           inner = fdp.ConsumeIntegralInRange<size_t>(0, 70);
    const uint8_t mode = fdp.ConsumeIntegral<uint8_t>();
    bool absurd = false;
    if ((mode & 0xF0) == 0xF0 && outer && channels) { inner = SIZE_MAX / 2; absurd = true; }
    const size_t n = absurd ? 1 : outer * channels * inner;
    Guarded gx(n * es), gw(channels * es), gdy(n * es), gout(n * es), gdw(channels * 4 + 4);
    fill(fdp, gx.data, n, dt);
    fill(fdp, gw.data, channels, dt);
    fill(fdp, gdy.data, n, dt);
    std::memset(gout.data, 0xA5, gout.bytes);
    std::memset(gdw.data, 0xA5, gdw.bytes);
    bool w_bad = false;
    for (size_t c = 0; c < channels; ++c) {
        uint64_t u = 0;
        std::memcpy(&u, gw.data + c * es, es);
        if (es == 8 && ((u >> 52) & 0x7FF) == 0x7FF) w_bad = true;
        if (es == 4 && ((u >> 23) & 0xFF) == 0xFF) w_bad = true;
        if (es == 2 && dt == HACT_BF16 && (u & 0x7F80u) == 0x7F80u) w_bad = true;
        if (es == 2 && dt == HACT_F16 && (u & 0x7C00u) == 0x7C00u) w_bad = true;
    }
    const int m = (mode >> 1) % 8;  // 0-2 own; 3 out = x; 4 out = dy; 5 out overlaps x; 6 dweight NULL; 7 dweight misaligned
    uint8_t *x = gx.data, *dy = gdy.data, *out = gout.data;
    uint8_t *dw = gdw.data + 4;  // float aligned
    bool must_fail = !valid_dtype(dtype) || absurd || (n > 0 && w_bad);
    if (m == 3) out = x;
    if (m == 4 && which == 1) out = dy;
    if (m == 5 && n > 1) { out = x + es; must_fail = true; }
    if (m == 6) dw = nullptr;
    if (m == 7 && which == 1) { dw = gdw.data + 2; if (n > 0) must_fail = true; }  // 2-byte aligned only
    if (mode & 1 && n > 0) { must_fail = true; }  // weight NULL
    const void *pw = mode & 1 ? nullptr : gw.data;
    std::vector<uint8_t> cx(x, x + n * es), cdy(dy, dy + n * es);
    std::vector<std::pair<const Guarded *, std::vector<uint8_t>>> before = {
        {&gx, snapshot(gx)}, {&gdy, snapshot(gdy)}, {&gout, snapshot(gout)}, {&gw, snapshot(gw)}};
    if (!(n == 0 && which == 1)) before.emplace_back(&gdw, snapshot(gdw));  // n = 0 zeroes dweight
    hact_status s = which == 0 ? hact_prelu_forward((hact_dtype)dtype, x, pw, out, outer, channels, inner)
                               : hact_prelu_backward((hact_dtype)dtype, x, pw, dy, out, dw, outer, channels, inner);
    const char *name = which == 0 ? "hact_prelu_forward" : "hact_prelu_backward";
    if (must_fail && s == HACT_OK) fail("%s(dtype %d, [%zu, %zu, %zu], mode %d) succeeded on invalid input", name, dtype, outer, channels, inner, m);
    expect_failure_clean(s, name, before);
    if (s != HACT_OK || n == 0 || absurd) return;
    std::vector<uint8_t> r(n * es);
    std::vector<float> rdw(channels + 1);
    const hact_status rs = which == 0 ? hact_prelu_forward((hact_dtype)dtype, cx.data(), gw.data, r.data(), outer, channels, inner)
                                      : hact_prelu_backward((hact_dtype)dtype, cx.data(), gw.data, cdy.data(), r.data(), dw ? rdw.data() : nullptr, outer, channels, inner);
    if (rs != HACT_OK) fail("%s: the out-of-place repeat failed", name);
    if (std::memcmp(r.data(), out, n * es) != 0) fail("%s: differs from the out-of-place call (mode %d)", name, m);
    if (which == 1 && dw && std::memcmp(rdw.data(), dw, channels * 4) != 0) fail("%s: dweight differs from the out-of-place call", name);
}

// ---- names and queries -----------------------------------------------------------------------------
void fuzz_names(FuzzedDataProvider &fdp) {
    const std::string s = fdp.ConsumeRandomLengthString(64);
    hact_op op;
    hact_glu g;
    hact_isa isa;
    if (hact_op_from_name(s.c_str(), &op) == HACT_OK && std::strcmp(hact_op_name(op), s.c_str()) != 0) fail("op name round trip");
    if (hact_glu_from_name(s.c_str(), &g) == HACT_OK && std::strcmp(hact_glu_name(g), s.c_str()) != 0) fail("glu name round trip");
    (void)hact_isa_from_name(s.c_str(), &isa);
    if (hact_op_from_name(nullptr, &op) == HACT_OK || hact_op_from_name(s.c_str(), nullptr) == HACT_OK) fail("NULL name accepted");
    const int v = fdp.ConsumeIntegral<int>();
    (void)hact_op_name((hact_op)v);
    (void)hact_glu_name((hact_glu)v);
    (void)hact_isa_name((hact_isa)v);
    (void)hact_status_string((hact_status)v);
    (void)hact_default_params((hact_op)v);
    (void)hact_op_params((hact_op)v);
    (void)hact_op_learnable_params((hact_op)v);
    (void)hact_glu_gate((hact_glu)v);
    (void)hact_isa_available((hact_isa)v);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    FuzzedDataProvider fdp(data, size);
    set_isa(fdp);
    const int entry = fdp.ConsumeIntegralInRange<int>(0, 12);
    switch (entry) {
    case 0: case 1: case 2: fuzz_flat(fdp, entry); break;
    case 3: case 4: case 5: fuzz_tensor(fdp, entry - 3); break;
    case 6: case 7: case 8: case 9: fuzz_glu(fdp, entry - 6); break;
    case 10: case 11: fuzz_prelu(fdp, entry - 10); break;
    default: fuzz_names(fdp); break;
    }
    return 0;
}
