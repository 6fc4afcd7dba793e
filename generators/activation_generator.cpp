// The three kernel shapes of every activation (runtime/kernel_abi.h has the contract):
//   hact_forward     y(i)  = f(x(i))
//   hact_backward    dx(i) = dy(i) f'(x(i))
//   hact_param_grad  partial(lane, j) = sum_i dy(i) df/dparam_j(x(i)), per lane, in double
//   hact_param_grad_total  grad(k) = sum_i dy(i) df/dparam_k(x(i)), finished (device kernels)
// GeneratorParam op names the activation (its math: generators/ops/<op>.h); schedule() hands
// the result to schedules/, which picks the schedule for the target.
#include <cstdlib>
#include <functional>
#include <limits>
#include <iostream>

#include "Halide.h"
#include "exact_bits.h"
#include "kernel_abi.h"
#include "op_math.h"
#include "schedules/schedules.h"

namespace hact {
namespace {

using namespace Halide;

// A build-time error: say what is wrong and stop the build.
[[noreturn]] void fail(const std::string &msg) {
    std::cerr << "hact generator: " << msg << "\n";
    std::exit(1);
}

// Halide's compile-time warnings, less one: "(b)float16 type operation is emulated" comes for
// every bf16/f16 kernel of a target without native conversions, which is by design
// (docs/targets.md) and buried the build logs (two lines per kernel). Every other warning is
// printed; errors are printed and stop the program, as Halide's own reporter does.
class QuietReporter : public CompileTimeErrorReporter {
public:
    void warning(const char *msg) override {
        if (std::string(msg).find("type operation is emulated") == std::string::npos) std::cerr << msg;
    }
    [[noreturn]] void error(const char *msg) override {
        std::cerr << msg;
        std::exit(1);
    }
};
const bool quiet_reporter_installed = [] {
    static QuietReporter reporter;
    set_custom_compile_time_error_reporter(&reporter);
    return true;
}();

const OpMath &op_math_or_fail(const std::string &op) {
    const OpMath *m = find_op_math(op);
    if (!m) fail("op '" + op + "' is not this program's (hact_generator_<op> generates the op it is named after; "
                 "the ops are in include/hact/activations.def)");
    return *m;
}

Params make_params(const GeneratorInput<float[HACT_NUM_PARAMS]> &p) {
    // Declaration order of hact_params.
    return Params{p[0], p[1], p[2], p[3], p[4], p[5], p[6]};
}

// Elements of a 2-D output (rows x row length), as a 64-bit count for the schedule's choices.
template <class Out>
Expr rows_extent(const Out &out) {
    return cast<int64_t>(out.dim(0).extent()) * out.dim(1).extent();
}

// Storage types (GeneratorParam dtype): f32, f16 and bf16 kernels compute in float32 and round
// once, to nearest even, into the storage type (f16, bf16 keep NaN as NaN and overflow to inf);
// f64 kernels compute in float64 (the ops' forward64/backward64, generators/float64.h).
// bf16 on a GPU target is stored as its bits (UInt(16)) with the conversions written out below:
// Halide 21's CUDA backend aborts on bfloat16 casts.
Type storage_type(const std::string &dtype, const Target &target) {
    if (dtype == "f32") return Float(32);
    if (dtype == "f16") return Float(16);
    if (dtype == "bf16") return target.has_gpu_feature() ? UInt(16) : BFloat(16);
    if (dtype == "f64") return Float(64);
    fail("dtype '" + dtype + "' is not generated (f32, f16, bf16, f64)");
}
// The type the math runs in: float64 for f64 storage, else float32.
Type compute_type(const std::string &dtype) { return dtype == "f64" ? Float(64) : Float(32); }
// A loaded element, as the float32 the math takes (float64 elements as they are).
Expr load(const Expr &e) {
    if (e.type() == Float(32) || e.type() == Float(64)) return e;
    // bf16 from its bits (as bits on GPUs): a cast of BFloat(16) let Halide's simplifier move the
    // ops' first clamp inside it (min(float(b), 87) -> float(min(b, bf16(87)))), computed as a
    // float min rounded back to bf16: 10 more instructions per 32 elements, on the critical path.
    if (e.type() == UInt(16)) return reinterpret<float>(cast<uint32_t>(e) << 16);
    if (e.type().is_bfloat()) return reinterpret<float>(cast<uint32_t>(reinterpret<uint16_t>(e)) << 16);
    // Strict: under fast-math the conversion would be assumed NaN-free, and the ops' NaN checks
    // folded away (a float16 NaN came out as a number).
    return strict_float(cast<float>(e));
}
// A float32 value rounded to bf16 on the bits, as a 32-bit word with the bf16 in its high half
// (the low half is garbage): round to nearest even; a NaN stays a NaN, made quiet, its payload
// kept. The value is bound once (a Let: its two uses were not merged, and the math was computed
// twice), and the NaN select is on 32-bit lanes with a value from the bits. Halide's own bfloat16
// cast put the select after the narrowing, as a merge-masked 16-bit load of the NaN constant, and
// the loop ran 7-40x slower than the float16 one on AMD Zen 4 (relu bf16: 15 us per 2048
// elements, f16: 0.2 us). Used by store() and by the paired kernels (bf16_pairs).
// quiet_nan = false drops the NaN test: for values whose NaNs have the low 16 bits zero (the
// paired kernels' math on CPUs, see bf16_pairs), the rounding cannot carry out of the low half,
// so a NaN comes back as itself. Not on GPUs: CUDA's NaN is 0x7fffffff.
// The rounding increment, 0x7fff plus the kept bit: on AVX-512 a select on that bit, a test and
// a blend (vptestnmd, vpblendmd), one operation per vector fewer than a shift and a mask (3.5-4.5%
// on silu and sigmoid bf16 in cache, stop 26, AMD EPYC Zen 4); elsewhere the shift (the select form
// measured 0-5% slower on AVX2: the same count, one more register).
Expr bf16_high(const Expr &e, bool quiet_nan = true) {
    using Halide::Internal::Let;
    using Halide::Internal::Variable;
    auto u32 = [](uint32_t c) { return Halide::Internal::make_const(UInt(32), c); };
    const std::string name = Halide::Internal::unique_name("bf16_value");
    Expr v = Variable::make(Float(32), name), u = reinterpret<uint32_t>(v);
    Expr rounded = u + (num::target_has_avx512()
                            ? select((u & u32(0x10000u)) != u32(0), u32(0x8000u), u32(0x7fffu))
                            : u32(0x7fffu) + ((u >> u32(16)) & u32(1)));
    return Let::make(name, e, quiet_nan ? select(num::nan_test(v), u | u32(0x00400000u), rounded) : rounded);
}
// A float32 result, rounded once into the storage type t.
Expr store(const Type &t, const Expr &e) {
    if (t == e.type()) return e;
    if (t == UInt(16) || t.is_bfloat()) {
        // bf16: as its bits on GPUs, where Halide 21 aborts on bfloat16 casts; as BFloat(16) on CPUs.
        Expr b = cast<uint16_t>(bf16_high(e) >> 16);
        return t == UInt(16) ? b : reinterpret(t, b);
    }
    // A NaN becomes the type's quiet NaN: converting its payload (Halide's software float16
    // conversion on baseline x86 and on AArch64 without arm_fp16 truncates it) could turn a
    // signaling NaN into inf. The hardware conversions (x86 F16C, AArch64 arm_fp16) quiet a NaN
    // and keep it NaN themselves (the exhaustive float16 tests check every NaN pattern of x and
    // dy, on every variant): no test and select on each vector there.
    if (num::target_has_f16_conversions()) return strict_float(cast(t, e));
    return strict_float(select(num::nan_test(e), cast(t, Expr(std::numeric_limits<float>::quiet_NaN())), cast(t, e)));
}
// Whether a narrow stored element is NaN, from its bits. The ops test their float32 argument for
// NaN, but after a float16 -> float32 conversion fast-math may assume no NaN and drop the test
// (measured: NaN in, 0 out on AVX2/AVX-512); the bits cannot be assumed away.
Expr narrow_nan(const Expr &e) {
    if (e.type() == Float(32) || e.type() == Float(64)) return Halide::Internal::const_false();
    const exact_bits::Format f{e.type() != Float(16)};  // bf16 as BFloat(16) or bits
    return f.is_nan(e.type() == UInt(16) ? e : reinterpret<uint16_t>(e));
}
// store(), with NaN out wherever a narrow input was NaN. bf16: the output is the first NaN
// input's bits, made quiet (its payload kept, as PyTorch does), selected on 16-bit lanes after the
// rounding: a NaN constant selected there became a merge-masked load of it (see store()).
Expr store_nan(const Type &t, const Expr &e, const std::vector<Expr> &inputs) {
    Expr any = Halide::Internal::const_false();
    for (const Expr &in : inputs) any = any || narrow_nan(in);
    if (Halide::Internal::is_const_zero(Halide::Internal::simplify(any))) return store(t, e);
    if (t == UInt(16) || t.is_bfloat()) {
        Expr nan_bits;
        for (auto it = inputs.rbegin(); it != inputs.rend(); ++it) {
            if (!it->type().is_bfloat() && it->type() != UInt(16)) continue;
            Expr bits = it->type() == UInt(16) ? *it : reinterpret<uint16_t>(*it);
            bits = exact_bits::Format{true}.quiet(bits);
            nan_bits = nan_bits.defined() ? select(narrow_nan(*it), bits, nan_bits) : bits;
        }
        if (nan_bits.defined()) {
            Expr b = store(t, e);
            Expr b_bits = t == UInt(16) ? b : reinterpret<uint16_t>(b);
            Expr out = select(any, nan_bits, b_bits);
            return t == UInt(16) ? out : reinterpret(t, out);
        }
    }
    return store(t, select(any, Halide::Internal::make_const(e.type(), std::numeric_limits<double>::quiet_NaN()), e));
}
// Sets the storage type of every listed buffer (from configure()).
template <class... B>
void set_storage(const std::string &dtype, const Target &target, B &...buffers) {
    (buffers.set_type(storage_type(dtype, target)), ...);
}

// ---- bf16 in pairs (the flat forward and backward kernels on CPUs) ----------------------------
// These kernels take bf16 data as 32-bit words, two elements each (element 2j in the low half,
// 2j+1 in the high half; runtime/api.c passes n/2 words and runs an odd last element alone).
// Widening is then a shift (low) or a mask (high), and narrowing a shift and a merge: no 16 <->
// 32-bit lane shuffles (vpmovzxwd, vpmovdw, vinserti64x4), which took 30% of relu's time and
// ~10% of silu's on AMD Zen 4 (experiments/bf16_pairs.c). Elementwise math does not care which
// elements share a vector.
// The exact ops (kernel_abi.h HACT_EXACT_OPS) are not paired: they compute on 16-bit lanes.
bool exact_op(const std::string &op) {
#define HACTI_EXACT_OP(name) \
    if (op == #name) return true;
    HACT_EXACT_OPS(HACTI_EXACT_OP)
#undef HACTI_EXACT_OP
    return false;
}
// Whether the flat kernel of op computes on the bf16/f16 storage bits (exact_bits.h). CPUs only:
// the CUDA kernels keep the float32 path.
bool on_bits(const std::string &op, const std::string &dtype, const Target &target) {
    return exact_op(op) && (dtype == "bf16" || dtype == "f16") && !target.has_gpu_feature();
}
bool paired_bf16(const std::string &op, const std::string &dtype, const Target &target) {
    return dtype == "bf16" && !target.has_gpu_feature() && !exact_op(op);
}
template <class... B>
void set_paired_storage(const std::string &op, const std::string &dtype, const Target &target, B &...buffers) {
    if (paired_bf16(op, dtype, target)) (buffers.set_type(UInt(32)), ...);
    else set_storage(dtype, target, buffers...);
}
// The flat kernels' buffers: 1-D and dense (stride 1: the vector loads) on CPUs; on GPUs 4-D
// with every stride free, so that one kernel takes dense arrays ([n, 1, 1, 1]) and strided N-d
// tensors, their dimensions merged to four or fewer by the runtime (runtime/cuda.c).
constexpr int kDeviceDims = HACT_DEVICE_DIMS;
int flat_dims(const Target &target) { return target.has_gpu_feature() ? kDeviceDims : 1; }
template <class... B>
void set_flat_dims(const Target &target, B &...buffers) {
    (buffers.set_dimensions(flat_dims(target)), ...);
}
template <class... B>
void dense_on_cpu(const Target &target, B &...buffers) {
    if (!target.has_gpu_feature()) (buffers.dim(0).set_stride(1), ...);
}
// The element's coordinates: i (contiguous on CPUs), then j, k, l on GPUs.
std::vector<Var> flat_vars(const Target &target) {
    static const char *names[kDeviceDims] = {"i", "j", "k", "l"};
    std::vector<Var> v;
    for (int d = 0; d < flat_dims(target); ++d) v.emplace_back(names[d]);
    return v;
}
std::vector<Expr> as_exprs(const std::vector<Var> &v) { return std::vector<Expr>(v.begin(), v.end()); }

// How the schedule counts a flat kernel's elements: values of the math per element (2 for bf16
// pairs) and the width of the math's lanes (16 on the bits).
schedules::Lanes flat_lanes(const std::string &op, const std::string &dtype, const Target &target) {
    return {paired_bf16(op, dtype, target) ? 2 : 1, on_bits(op, dtype, target) ? 16 : 32};
}
// math (the op's float32 formula) on the bits of the narrow inputs, as an element of type t.
Expr exact_on_bits(const Type &t, const std::vector<Expr> &inputs,
                   const std::function<Expr(const std::vector<Expr> &)> &math) {
    std::vector<Expr> bits;
    for (const Expr &in : inputs) bits.push_back(reinterpret<uint16_t>(in));
    return reinterpret(t, exact_bits::on_bits(exact_bits::Format{t.is_bfloat()}, bits, math));
}
// The word of results: math (on the float32 values of the inputs' elements) for each half,
// rounded once into that half (bf16_high).
// Unlike store_nan there is no select of the NaN inputs: the elements are widened with integer
// shifts and masks, so fast-math cannot assume them NaN-free (it did after the float16
// conversion), and the ops' math carries a NaN input through as it does for float32 (x's,
// else dy's: what store_nan picks). The select cost 25-35% of relu's and silu's time; the
// exhaustive bf16 tests (every NaN pattern in x and in dy) check the result.
// Nor is a NaN tested in the rounding: a NaN here is a widened input (low half zero) or one that
// x86 / AArch64 arithmetic made from it (its high bits kept) or from nothing (0x7fc00000), so it
// comes back as itself (signaling included, as in the float32 kernels): 2-10% of silu's,
// sigmoid's and gelu's time on an Intel Xeon.
Expr bf16_pairs(const std::vector<Expr> &words, const std::function<Expr(const std::vector<Expr> &)> &math) {
    auto u32 = [](uint32_t v) { return Halide::Internal::make_const(UInt(32), v); };
    Expr packed;
    for (int half = 0; half < 2; ++half) {
        std::vector<Expr> values;
        for (const Expr &w : words) values.push_back(reinterpret<float>(half == 0 ? w << u32(16) : w & u32(0xffff0000u)));
        Expr r = bf16_high(math(values), false);
        Expr part = half == 0 ? r >> u32(16) : r & u32(0xffff0000u);
        packed = packed.defined() ? (packed | part) : part;
    }
    return packed;
}

// A flat kernel's element (forward or backward): math on the inputs' elements, in the form the
// dtype and target take: on the storage bits (the exact ops' bf16/f16), in bf16 pairs, or loaded
// as float32 (float64) and rounded once into the output's type.
Expr flat_element(const std::string &op, const std::string &dtype, const Target &target, const Type &out,
                  const std::vector<Expr> &inputs, const std::function<Expr(const std::vector<Expr> &)> &math) {
    if (on_bits(op, dtype, target)) return exact_on_bits(out, inputs, math);
    if (paired_bf16(op, dtype, target)) return bf16_pairs(inputs, math);
    std::vector<Expr> values;
    for (const Expr &in : inputs) values.push_back(load(in));
    return store_nan(out, math(values), inputs);
}
// The flat kernels' schedule: elementwise over the output's dimension 0 (schedules/).
template <class Out>
void schedule_flat(const Target &target, Out &out, const std::string &op, const std::string &dtype, const Params &p) {
    schedules::elementwise(target, out, out.dim(0).extent(), op_math_or_fail(op).specs(compute_type(dtype), p),
                           flat_lanes(op, dtype, target));
}

// Every kernel's generator: its pipeline (generate() and schedule(), the loops from schedules/),
// with the target family's passes over the lowered code (schedules::add_lowering_passes: software
// prefetch on x86).
template <class T>
class Kernel : public Generator<T> {
protected:
    Pipeline build_pipeline() override {
        Pipeline p = Generator<T>::build_pipeline();
        schedules::add_lowering_passes(this->get_target(), p);
        return p;
    }
};

class Forward : public Kernel<Forward> {
public:
    GeneratorParam<std::string> op{"op", ""};
    GeneratorParam<std::string> dtype{"dtype", "f32"};
    Input<Buffer<>> x{"x"};
    Input<float[HACT_NUM_PARAMS]> params{"params"};
    Output<Buffer<>> y{"y"};

    void configure() {
        set_paired_storage(op, dtype, get_target(), x, y);
        set_flat_dims(get_target(), x, y);
    }
    void generate() {
        num::TargetScope target_scope(get_target());
        num::ResultScope result_scope(dtype);  // narrow results: shorter math (numerics.h)
        const OpMath &m = op_math_or_fail(op);
        const Params p = make_params(params);
        const std::vector<Var> i = flat_vars(get_target());
        y(i) = flat_element(op, dtype, get_target(), y.type(), {x(as_exprs(i))},
                            [&](const std::vector<Expr> &v) { return m.fwd(v[0], p); });
        dense_on_cpu(get_target(), x, y);
    }
    void schedule() { schedule_flat(get_target(), y, op, dtype, make_params(params)); }
};

class Backward : public Kernel<Backward> {
public:
    GeneratorParam<std::string> op{"op", ""};
    GeneratorParam<std::string> dtype{"dtype", "f32"};
    Input<Buffer<>> x{"x"};
    Input<Buffer<>> dy{"dy"};
    Input<float[HACT_NUM_PARAMS]> params{"params"};
    Output<Buffer<>> dx{"dx"};

    void configure() {
        set_paired_storage(op, dtype, get_target(), x, dy, dx);
        set_flat_dims(get_target(), x, dy, dx);
    }
    void generate() {
        num::TargetScope target_scope(get_target());
        num::ResultScope result_scope(dtype);  // narrow results: shorter math (numerics.h)
        const OpMath &m = op_math_or_fail(op);
        const Params p = make_params(params);
        const std::vector<Var> i = flat_vars(get_target());
        dx(i) = flat_element(op, dtype, get_target(), dx.type(), {x(as_exprs(i)), dy(as_exprs(i))},
                             [&](const std::vector<Expr> &v) { return m.bwd(v[0], v[1], p); });
        dense_on_cpu(get_target(), x, dy, dx);
    }
    void schedule() { schedule_flat(get_target(), dx, op, dtype, make_params(params)); }
};

class ParamGrad : public Kernel<ParamGrad> {
public:
    GeneratorParam<std::string> op{"op", ""};
    GeneratorParam<std::string> dtype{"dtype", "f32"};
    Input<Buffer<void, 1>> x{"x"};
    Input<Buffer<void, 1>> dy{"dy"};
    Input<float[HACT_NUM_PARAMS]> params{"params"};
    Output<Buffer<double, 2>> partial{"partial"};

    void configure() { set_storage(dtype, get_target(), x, dy); }
    void generate() {
        num::TargetScope target_scope(get_target());
        const OpMath &math = op_math_or_fail(op);
        // Whole lane-vectors only; the runtime passes the remainder zero-padded.
        r = RDom(0, x.dim(0).extent() / HACT_PGRAD_LANES, "r");
        Expr i = r * HACT_PGRAD_LANES + lane;
        std::vector<Expr> terms = math.pgrads(load(x(i)), load(dy(i)), make_params(params));
        num_params = static_cast<int>(terms.size());
        if (num_params == 0) fail("op '" + std::string(op) + "' has no learnable parameter");
        partial(lane, j) = cast<double>(0);
        partial(lane, j) += cast<double>(num_params == 1 ? terms[0] : mux(j, terms));
        x.dim(0).set_stride(1);
        dy.dim(0).set_stride(1);
        partial.dim(0).set_bounds(0, HACT_PGRAD_LANES).set_stride(1);
        partial.dim(1).set_bounds(0, num_params).set_stride(HACT_PGRAD_LANES);
    }
    void schedule() {
        schedules::lane_reduction(get_target(), partial, r, num_params,
                                  op_math_or_fail(op).specs(compute_type(dtype), make_params(params)));
    }

private:
    Var lane{"lane"}, j{"j"};
    RDom r;
    int num_params = 0;
};

// The GLU family (include/hact/glu.def): a gate op g applied to a, times b, over rows r of
// contiguous elements i. The rows' stride is free, so one kernel serves two tensors (one row) and
// a split input (its halves are rows, each twice its length from the next).
//   hact_glu_forward   out(i, r) = g(a) b
//   hact_glu_backward  (da, db)(i, r) = (g'(a) (dy b), dy g(a)), one loop, two outputs
// Each product is rounded once, strictly (documented bounds: the gate's, plus one rounding).
class GluForward : public Kernel<GluForward> {
public:
    GeneratorParam<std::string> op{"op", ""};  // the gate
    GeneratorParam<std::string> dtype{"dtype", "f32"};
    Input<Buffer<void, 2>> a{"a"};
    Input<Buffer<void, 2>> b{"b"};
    Input<float[HACT_NUM_PARAMS]> params{"params"};
    Output<Buffer<void, 2>> out{"out"};

    void configure() { set_storage(dtype, get_target(), a, b, out); }
    void generate() {
        num::TargetScope target_scope(get_target());
        num::ResultScope result_scope(dtype);  // narrow results: shorter math (numerics.h)
        Expr g = op_math_or_fail(op).fwd(load(a(i, r)), make_params(params));
        out(i, r) = store_nan(out.type(), num::strict_apply({g, load(b(i, r))}, [](auto v) { return v[0] * v[1]; }),
                              {a(i, r), b(i, r)});
        for (auto *buf : {&a, &b}) buf->dim(0).set_stride(1);
        out.dim(0).set_stride(1);
    }
    void schedule() {
        schedules::elementwise(get_target(), out, rows_extent(out),
                               op_math_or_fail(op).specs(compute_type(dtype), make_params(params)));
    }

private:
    Var i{"i"}, r{"r"};
};

class GluBackward : public Kernel<GluBackward> {
public:
    GeneratorParam<std::string> op{"op", ""};
    GeneratorParam<std::string> dtype{"dtype", "f32"};
    Input<Buffer<void, 2>> a{"a"};
    Input<Buffer<void, 2>> b{"b"};
    Input<Buffer<void, 2>> dy{"dy"};
    Input<float[HACT_NUM_PARAMS]> params{"params"};
    Output<Func> grads{"grads", 2};  // (da, db): two buffers, one loop

    void configure() {
        set_storage(dtype, get_target(), a, b, dy);
        grads.set_type({storage_type(dtype, get_target()), storage_type(dtype, get_target())});
    }
    void generate() {
        num::TargetScope target_scope(get_target());
        num::ResultScope result_scope(dtype);  // narrow results: shorter math (numerics.h)
        const OpMath &g = op_math_or_fail(op);
        const Params p = make_params(params);
        Expr av = load(a(i, r)), bv = load(b(i, r)), dyv = load(dy(i, r));
        Expr dy_b = num::strict_apply({dyv, bv}, [](auto v) { return v[0] * v[1]; });
        Expr db = num::strict_apply({dyv, g.fwd(av, p)}, [](auto v) { return v[0] * v[1]; });
        const Type t = storage_type(dtype, get_target());
        const std::vector<Expr> in = {a(i, r), b(i, r), dy(i, r)};
        grads(i, r) = Tuple(store_nan(t, g.bwd(av, dy_b, p), in), store_nan(t, db, in));
        for (auto *buf : {&a, &b, &dy}) buf->dim(0).set_stride(1);
        for (auto &o : Func(grads).output_buffers()) o.dim(0).set_stride(1);
    }
    void schedule() {
        schedules::elementwise(get_target(), grads, rows_extent(Func(grads).output_buffers()[0]),
                               op_math_or_fail(op).specs(compute_type(dtype), make_params(params)));
    }

private:
    Var i{"i"}, r{"r"};
};

// Per-channel parameters (prelu's weight[c]): the op's math with hact_params.negative_slope =
// the element's weight. The input [outer, channels, inner] is run in one of two layouts
// (runtime/prelu.c picks):
//   WeightOf::Row     rows r of inner contiguous elements, one row per (n, c); row r of a call
//                     has channel (first_row + r) % channels (the runtime calls over blocks of
//                     rows). For long rows (conv-like, inner large).
//   WeightOf::Column  rows of L contiguous elements, L a multiple of channels x inner, with one
//                     weight per column i (the runtime expands weight[c] to each column): short
//                     rows (linear-like, inner = 1) are vectorized across channels instead of
//                     being one call row each. channels and first_row are unused.
// The other parameter fields are 0.
//   hact_channel_forward      y(i, r) = f(x(i, r); w)
//   hact_channel_backward     dx(i, r) = dy f'(x; w)
//   hact_channel_weight_grad  Row: row_sum(r) = sum_i dy df/dw; Column: col_sum(i) = sum_r
//                             dy df/dw; in double (the runtime adds them per channel); the
//                             terms of param_grads_fast unless the input exact is non-zero
enum class WeightOf { Row, Column };

Params channel_params(const Expr &w) {
    Expr z = 0.0f;
    return Params{w, z, z, z, z, z, z};
}

// The weight of element (i, r) in layout W.
template <WeightOf W, class Weight>
Expr channel_weight(const Weight &weight, const Expr &channels, const Expr &first_row, const Expr &i,
                    const Expr &r) {
    return load(W == WeightOf::Row ? weight((first_row + r) % channels) : weight(i));
}

template <WeightOf W>
class ChannelForward : public Kernel<ChannelForward<W>> {
public:
    GeneratorParam<std::string> op{"op", ""};
    GeneratorParam<std::string> dtype{"dtype", "f32"};
    GeneratorInput<Buffer<void, 2>> x{"x"};
    GeneratorInput<Buffer<void, 1>> weight{"weight"};
    GeneratorInput<int> channels{"channels"};
    GeneratorInput<int> first_row{"first_row"};
    GeneratorOutput<Buffer<void, 2>> y{"y"};

    void configure() { set_storage(dtype, this->get_target(), x, weight, y); }
    void generate() {
        num::TargetScope target_scope(this->get_target());
        Expr w = channel_weight<W>(weight, channels, first_row, i, r);
        y(i, r) = store_nan(y.type(), op_math_or_fail(op).fwd(load(x(i, r)), channel_params(w)), {x(i, r)});
        x.dim(0).set_stride(1);
        y.dim(0).set_stride(1);
    }
    void schedule() { schedules::elementwise(this->get_target(), y, rows_extent(y), {}); }

private:
    Var i{"i"}, r{"r"};
};

// dx(i, r) = dy f'(x; the weight of (i, r) in layout W), rounded once into dx's storage type; x,
// dy and dx dense along i. Shared by the backward and the backward with the weight gradient.
template <WeightOf W, class In, class Weight, class Out>
void define_channel_dx(Out &dx, const In &x, const In &dy, const Weight &weight, const Expr &channels,
                       const Expr &first_row, const std::string &op, const Var &i, const Var &r) {
    Expr w = channel_weight<W>(weight, channels, first_row, i, r);
    dx(i, r) = store_nan(dx.type(), op_math_or_fail(op).bwd(load(x(i, r)), load(dy(i, r)), channel_params(w)),
                         {x(i, r), dy(i, r)});
    x.dim(0).set_stride(1);
    dy.dim(0).set_stride(1);
    dx.dim(0).set_stride(1);
}

template <WeightOf W>
class ChannelBackward : public Kernel<ChannelBackward<W>> {
public:
    GeneratorParam<std::string> op{"op", ""};
    GeneratorParam<std::string> dtype{"dtype", "f32"};
    GeneratorInput<Buffer<void, 2>> x{"x"};
    GeneratorInput<Buffer<void, 2>> dy{"dy"};
    GeneratorInput<Buffer<void, 1>> weight{"weight"};
    GeneratorInput<int> channels{"channels"};
    GeneratorInput<int> first_row{"first_row"};
    GeneratorOutput<Buffer<void, 2>> dx{"dx"};

    void configure() { set_storage(dtype, this->get_target(), x, dy, weight, dx); }
    void generate() {
        num::TargetScope target_scope(this->get_target());
        define_channel_dx<W>(dx, x, dy, weight, channels, first_row, op, i, r);
    }
    void schedule() { schedules::elementwise(this->get_target(), dx, rows_extent(dx), {}); }

private:
    Var i{"i"}, r{"r"};
};

// dy df/dw at element (i, r) of layout W, in double: the op's param_grads_fast where it has one
// and exact is zero, else its param_grads. Where both exist the term is a select on exact, and
// exact != 0 is added to *cases (a loop each: the select is gone from both).
template <WeightOf W, class In, class Weight>
Expr weight_grad_term(const OpMath &math, const std::string &op, const In &x, const In &dy, const Weight &weight,
                      const Expr &channels, const Expr &first_row, const Expr &i, const Expr &r, const Expr &exact,
                      std::vector<Expr> *cases) {
    Expr w = channel_weight<W>(weight, channels, first_row, i, r);
    std::vector<Expr> terms = math.pgrads(load(x(i, r)), load(dy(i, r)), channel_params(w));
    std::vector<Expr> fast = math.pgrads_fast(load(x(i, r)), load(dy(i, r)), channel_params(w));
    if (terms.size() != 1) fail("op '" + op + "' needs exactly one learnable parameter");
    if (fast.empty()) return cast<double>(terms[0]);
    if (Halide::Internal::is_const_zero(exact)) return cast<double>(fast[0]);
    if (cases && cases->empty()) cases->push_back(exact != 0);  // once for every term
    return select(exact != 0, cast<double>(terms[0]), cast<double>(fast[0]));
}

// The row layout's sums, row_sum(r) = sum over i < n of term(i, r), as kRowLanes lane sums
// lanes(lane, r) over the row's whole lane-vectors, plus its last n % kRowLanes terms (one lane
// each), then the lanes added. Written out rather than left to rfactor: rfactor's guarded last
// vector stored the lane sums with a masked store, which kept them in memory for the whole loop
// (a store and a reload per vector: ~8 cycles per 16 elements on AMD Zen 4, against ~3).
// 32 lanes: four AVX-512 (eight AVX2) double accumulators, two float vectors per iteration, so
// the adds' latency is not the bound (16 lanes: prelu dx with the sums, [64, 64, 256], 1 thread,
// AMD Zen 4: 226-250 -> 212-213 us avx512, 334 -> 309-314 us avx2; 2 threads 129 -> 112-120 us).
constexpr int kRowLanes = 32;
void define_row_sums(Func row_sum, Func lanes, const Var &r, const Expr &n,
                     const std::function<Expr(const Expr &)> &term) {
    Var lane("lane");
    RDom rv(0, n / kRowLanes, "rv"), rt(0, n % kRowLanes, "rt"), rl(0, kRowLanes, "rl");
    lanes(lane, r) = cast<double>(0);
    lanes(lane, r) += term(rv * kRowLanes + lane);
    lanes(rt, r) += term(n / kRowLanes * kRowLanes + rt);
    row_sum(r) = cast<double>(0);
    row_sum(r) += lanes(rl, r);
}

template <WeightOf W>
class ChannelWeightGrad : public Kernel<ChannelWeightGrad<W>> {
public:
    GeneratorParam<std::string> op{"op", ""};
    GeneratorParam<std::string> dtype{"dtype", "f32"};
    GeneratorInput<Buffer<void, 2>> x{"x"};
    GeneratorInput<Buffer<void, 2>> dy{"dy"};
    GeneratorInput<Buffer<void, 1>> weight{"weight"};
    GeneratorInput<int> channels{"channels"};
    GeneratorInput<int> first_row{"first_row"};
    // Non-zero: the terms of the op's param_grads; zero: of its param_grads_fast where it has
    // one (the runtime calls again with exact = 1 where a sum came out inf or NaN).
    GeneratorInput<int> exact{"exact"};
    GeneratorOutput<Buffer<double, 1>> sum{"sum"};  // per row (Row) or per column (Column)

    void configure() { set_storage(dtype, this->get_target(), x, dy, weight); }
    void generate() {
        num::TargetScope target_scope(this->get_target());
        const OpMath &math = op_math_or_fail(op);
        auto term = [&](const Expr &i, const Expr &r) {
            return weight_grad_term<W>(math, op, x, dy, weight, channels, first_row, i, r, exact, &cases);
        };
        if (W == WeightOf::Row) {
            // along each row
            define_row_sums(sum, lanes, k, x.dim(0).extent(), [&](const Expr &i) { return term(i, k); });
        } else {
            // down each column
            red = RDom(0, x.dim(1).extent(), "rr");
            sum(k) = cast<double>(0);
            sum(k) += term(k, red);
        }
        x.dim(0).set_stride(1);
        dy.dim(0).set_stride(1);
    }
    void schedule() {
        if (W == WeightOf::Row) schedules::row_reduction(this->get_target(), sum, lanes, x.dim(0).extent(), cases);
        else schedules::column_reduction(this->get_target(), sum, red, cases);
    }

private:
    Var k{"k"};  // the row (Row) or the column (Column) of the sum
    RDom red;
    Func lanes{"lanes"};
    std::vector<Expr> cases;
};

// The row layout's backward with the weight gradient in one pass: dx as RowBackward's and the
// row sums as RowWeightGrad's with exact = 0 (param_grads_fast where the op has it), each row
// summed and then its dx written while the row is in L1 (schedules::row_reduction_with; prelu
// [4096 x 256], Halide JIT, one thread: ~294 us as two loops, ~203 fused,
// experiments/prelu_row_sums.py). The runtime calls it
// only where dx is apart from x and dy: it may sum a block again from them (exact = 1).
//   hact_channel_backward_weight_grad  (x, dy, weight, channels, first_row) -> dx, row_sum
class RowBackwardWeightGrad : public Kernel<RowBackwardWeightGrad> {
public:
    GeneratorParam<std::string> op{"op", ""};
    GeneratorParam<std::string> dtype{"dtype", "f32"};
    GeneratorInput<Buffer<void, 2>> x{"x"};
    GeneratorInput<Buffer<void, 2>> dy{"dy"};
    GeneratorInput<Buffer<void, 1>> weight{"weight"};
    GeneratorInput<int> channels{"channels"};
    GeneratorInput<int> first_row{"first_row"};
    GeneratorOutput<Buffer<void, 2>> dx{"dx"};
    GeneratorOutput<Buffer<double, 1>> sum{"sum"};

    void configure() { set_storage(dtype, get_target(), x, dy, weight, dx); }
    void generate() {
        num::TargetScope target_scope(get_target());
        const OpMath &math = op_math_or_fail(op);
        define_channel_dx<WeightOf::Row>(dx, x, dy, weight, channels, first_row, op, i, r);
        define_row_sums(sum, lanes, r, x.dim(0).extent(), [&](const Expr &e) {
            return weight_grad_term<WeightOf::Row>(math, op, x, dy, weight, channels, first_row, e, r, Expr(0), nullptr);
        });
    }
    void schedule() { schedules::row_reduction_with(get_target(), sum, lanes, dx); }

private:
    Var i{"i"}, r{"r"};
    Func lanes{"lanes"};
};

// The device reductions' blocks (kernel_abi.h): over rows of e0 elements, block b sums up to
// B = HACT_DEVICE_REDUCE_BLOCK elements, a chunk of a long row or max(1, B / e0) whole short
// rows, so that the partial sums stay ~n / B however the tensor is shaped. runtime/cuda.c
// (reduction_blocks) counts them by the same formulas.
struct RowBlocks {
    RDom ri;       // the elements of one block (ri.x along the row, ri.y across rows)
    Expr i, row;   // block b's element at ri: its index in its row, and the row
    Expr count;    // blocks in all
};
RowBlocks row_blocks(const Expr &e0, const Expr &rows, const Var &b) {
    const int B = HACT_DEVICE_REDUCE_BLOCK;
    Expr chunks = (e0 + (B - 1)) / B, rpb = max(1, B / e0);
    RowBlocks r;
    r.ri = RDom(0, min(e0, B), 0, rpb, "ri");
    r.i = (b % chunks) * B + r.ri.x;
    r.row = (b / chunks) * rpb + r.ri.y;
    r.ri.where(r.i < e0 && r.row < rows);
    r.count = chunks * ((rows + rpb - 1) / rpb);
    return r;
}

// The per-channel weight gradient on a device (hact_cuda_prelu_backward), reduced there:
//   dweight(c) = (accumulate ? prior(c) : 0) + sum over the call's elements of channel c of
//   dy df/dw, the terms and sums in double (the op's param_grads).
// x and dy are [inner, channels, outer] (dimension 0 contiguous, any other strides); partial(c, b)
// is block b of channel c's rows (each row inner elements, one per outer index) as
// ParamGradTotal's blocks: a chunk of B elements of a long row or whole short rows. An output, so
// that the runtime provides it as stream-ordered scratch (runtime/cuda.c sizes it).
//   hact_channel_weight_grad_total  (x, dy, weight, prior, accumulate) -> partial, dweight
class ChannelWeightGradTotal : public Kernel<ChannelWeightGradTotal> {
public:
    GeneratorParam<std::string> op{"op", ""};
    GeneratorParam<std::string> dtype{"dtype", "f32"};
    Input<Buffer<void, 3>> x{"x"};
    Input<Buffer<void, 3>> dy{"dy"};
    Input<Buffer<void, 1>> weight{"weight"};
    Input<Buffer<float, 1>> prior{"prior"};
    Input<int> accumulate{"accumulate"};
    Output<Buffer<double, 2>> partial{"partial"};
    Output<Buffer<float, 1>> dweight{"dweight"};

    void configure() { set_storage(dtype, get_target(), x, dy, weight); }
    void generate() {
        num::TargetScope target_scope(get_target());
        const OpMath &math = op_math_or_fail(op);
        const RowBlocks blocks = row_blocks(x.dim(0).extent(), x.dim(2).extent(), b);
        ri = blocks.ri;
        Expr i = blocks.i, o = blocks.row;
        std::vector<Expr> terms = math.pgrads(load(x(i, c, o)), load(dy(i, c, o)), channel_params(load(weight(c))));
        if (terms.size() != 1) fail("op '" + std::string(op) + "' needs exactly one learnable parameter");
        partial(c, b) = cast<double>(0);
        partial(c, b) += cast<double>(terms[0]);
        rb = RDom(0, blocks.count, "rb");
        total(c) = cast<double>(0);
        total(c) += partial(c, rb);
        dweight(c) = select(accumulate != 0, prior(c), 0.0f) + cast<float>(total(c));
        x.dim(0).set_stride(1);
        dy.dim(0).set_stride(1);
    }
    void schedule() { schedules::channel_reduction(get_target(), partial, ri, total, rb, dweight); }

private:
    Var c{"c"}, b{"b"};
    RDom ri, rb;
    Func total{"total"};
};

using RowForward = ChannelForward<WeightOf::Row>;
using RowBackward = ChannelBackward<WeightOf::Row>;
using RowWeightGrad = ChannelWeightGrad<WeightOf::Row>;
using ColumnForward = ChannelForward<WeightOf::Column>;
using ColumnBackward = ChannelBackward<WeightOf::Column>;
using ColumnWeightGrad = ChannelWeightGrad<WeightOf::Column>;

// The device contract of parameter gradients (runtime/kernel_abi.h): the finished hact_params
// (7 floats, zero in the fields that are not learnable), reduced on the device. partial(k, b) is
// the sum over block b (up to HACT_DEVICE_REDUCE_BLOCK elements of a row), in double; it is an output so that
// the runtime provides it with stream-ordered memory (no allocation inside the kernel that a
// call on another stream could reuse too early). accumulate != 0 adds the total to prior (the
// runtime passes the output itself for the chunks after the first of a call over 2^31 elements).
class ParamGradTotal : public Kernel<ParamGradTotal> {
public:
    GeneratorParam<std::string> op{"op", ""};
    GeneratorParam<std::string> dtype{"dtype", "f32"};
    Input<Buffer<void, kDeviceDims>> x{"x"};
    Input<Buffer<void, kDeviceDims>> dy{"dy"};
    Input<float[HACT_NUM_PARAMS]> params{"params"};
    Input<Buffer<float, 1>> prior{"prior"};
    Input<int> accumulate{"accumulate"};
    Output<Buffer<double, 2>> partial{"partial"};
    Output<Buffer<float, 1>> grad{"grad"};

    void configure() { set_storage(dtype, get_target(), x, dy); }
    void generate() {
        num::TargetScope target_scope(get_target());
        const OpMath &math = op_math_or_fail(op);
        // x and dy as the flat kernels take them on a GPU: 4-D, strides free. A row is dimension
        // 0, the rows the other three (row r1 + e1 (r2 + e2 r3)), summed in blocks (row_blocks).
        // Row indices are divided out per row, not per element; a dense array ([n, 1, 1, 1]) is
        // one row.
        Expr e1 = x.dim(1).extent(), e2 = x.dim(2).extent();
        const RowBlocks blocks = row_blocks(x.dim(0).extent(), e1 * e2 * x.dim(3).extent(), b);
        ri = blocks.ri;
        Expr i = blocks.i, row = blocks.row;
        std::vector<Expr> at = {i, row % e1, (row / e1) % e2, row / (e1 * e2)};
        std::vector<Expr> terms = math.pgrads(load(x(at)), load(dy(at)), make_params(params));
        if (terms.empty()) fail("op '" + std::string(op) + "' has no learnable parameter");
        // Field k's term, or 0 for a field that is not learnable.
        std::vector<Expr> by_field;
        for (int f = 0, j = 0; f < HACT_NUM_PARAMS; ++f)
            by_field.push_back(math.learnable >> f & 1u ? cast<double>(terms.at(j++)) : cast<double>(0));
        partial(k, b) = cast<double>(0);
        partial(k, b) += mux(k, by_field);
        rb = RDom(0, blocks.count, "rb");
        total(k) = cast<double>(0);
        total(k) += partial(k, rb);
        grad(k) = select(accumulate != 0, prior(k), 0.0f) + cast<float>(total(k));
        prior.dim(0).set_bounds(0, HACT_NUM_PARAMS).set_stride(1);
        partial.dim(0).set_bounds(0, HACT_NUM_PARAMS).set_stride(1);
        partial.dim(1).set_stride(HACT_NUM_PARAMS);
        grad.dim(0).set_bounds(0, HACT_NUM_PARAMS).set_stride(1);
    }
    void schedule() {
        schedules::block_reduction(get_target(), partial, ri, total, rb, grad,
                                   op_math_or_fail(op).specs(compute_type(dtype), make_params(params)));
    }

private:
    Var k{"k"}, b{"b"};
    RDom ri, rb;
    Func total{"total"};
};

}  // namespace
}  // namespace hact

HALIDE_REGISTER_GENERATOR(hact::Forward, hact_forward)
HALIDE_REGISTER_GENERATOR(hact::Backward, hact_backward)
HALIDE_REGISTER_GENERATOR(hact::ParamGrad, hact_param_grad)
HALIDE_REGISTER_GENERATOR(hact::ParamGradTotal, hact_param_grad_total)
HALIDE_REGISTER_GENERATOR(hact::GluForward, hact_glu_forward)
HALIDE_REGISTER_GENERATOR(hact::GluBackward, hact_glu_backward)
HALIDE_REGISTER_GENERATOR(hact::ChannelWeightGradTotal, hact_channel_weight_grad_total)
HALIDE_REGISTER_GENERATOR(hact::RowForward, hact_channel_forward)
HALIDE_REGISTER_GENERATOR(hact::RowBackward, hact_channel_backward)
HALIDE_REGISTER_GENERATOR(hact::RowWeightGrad, hact_channel_weight_grad)
HALIDE_REGISTER_GENERATOR(hact::RowBackwardWeightGrad, hact_channel_backward_weight_grad)
HALIDE_REGISTER_GENERATOR(hact::ColumnForward, hact_column_forward)
HALIDE_REGISTER_GENERATOR(hact::ColumnBackward, hact_column_backward)
HALIDE_REGISTER_GENERATOR(hact::ColumnWeightGrad, hact_column_weight_grad)
