// The three kernel shapes of every activation (runtime/kernel_abi.h has the contract):
//   hact_forward     y(i)  = f(x(i))
//   hact_backward    dx(i) = dy(i) f'(x(i))
//   hact_param_grad  partial(lane, j) = sum_i dy(i) df/dparam_j(x(i)), per lane, in double
//   hact_param_grad_total  grad(k) = sum_i dy(i) df/dparam_k(x(i)), finished (device kernels)
// GeneratorParam op names the activation (its math: generators/ops/<op>.h); schedule() hands
// the result to schedules/, which picks the schedule for the target.
#include <cstdlib>
#include <iostream>

#include "Halide.h"
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

const OpMath &op_math_or_fail(const std::string &op) {
    const OpMath *m = find_op_math(op);
    if (!m) fail("unknown op '" + op + "' (see include/hact/activations.def)");
    return *m;
}

Params make_params(const GeneratorInput<float[HACT_NUM_PARAMS]> &p) {
    // Declaration order of hact_params.
    return Params{p[0], p[1], p[2], p[3], p[4], p[5], p[6]};
}

// Storage types: float32 now; the dtype parameter names the kernel's storage type.
void check_dtype(const std::string &dtype) {
    if (dtype != "f32") fail("dtype '" + dtype + "' is not generated yet");
}

class Forward : public Generator<Forward> {
public:
    GeneratorParam<std::string> op{"op", ""};
    GeneratorParam<std::string> dtype{"dtype", "f32"};
    Input<Buffer<float, 1>> x{"x"};
    Input<float[HACT_NUM_PARAMS]> params{"params"};
    Output<Buffer<float, 1>> y{"y"};

    void generate() {
        num::TargetScope target_scope(get_target());
        check_dtype(dtype);
        y(i) = op_math_or_fail(op).forward(x(i), make_params(params));
        x.dim(0).set_stride(1);
        y.dim(0).set_stride(1);
    }
    void schedule() {
        schedules::elementwise(get_target(), y, y.dim(0).extent(),
                               op_math_or_fail(op).specializations(make_params(params)));
    }

private:
    Var i{"i"};
};

class Backward : public Generator<Backward> {
public:
    GeneratorParam<std::string> op{"op", ""};
    GeneratorParam<std::string> dtype{"dtype", "f32"};
    Input<Buffer<float, 1>> x{"x"};
    Input<Buffer<float, 1>> dy{"dy"};
    Input<float[HACT_NUM_PARAMS]> params{"params"};
    Output<Buffer<float, 1>> dx{"dx"};

    void generate() {
        num::TargetScope target_scope(get_target());
        check_dtype(dtype);
        dx(i) = op_math_or_fail(op).backward(x(i), dy(i), make_params(params));
        x.dim(0).set_stride(1);
        dy.dim(0).set_stride(1);
        dx.dim(0).set_stride(1);
    }
    void schedule() {
        schedules::elementwise(get_target(), dx, dx.dim(0).extent(),
                               op_math_or_fail(op).specializations(make_params(params)));
    }

private:
    Var i{"i"};
};

class ParamGrad : public Generator<ParamGrad> {
public:
    GeneratorParam<std::string> op{"op", ""};
    GeneratorParam<std::string> dtype{"dtype", "f32"};
    Input<Buffer<float, 1>> x{"x"};
    Input<Buffer<float, 1>> dy{"dy"};
    Input<float[HACT_NUM_PARAMS]> params{"params"};
    Output<Buffer<double, 2>> partial{"partial"};

    void generate() {
        num::TargetScope target_scope(get_target());
        check_dtype(dtype);
        const OpMath &math = op_math_or_fail(op);
        // Whole lane-vectors only; the runtime passes the remainder zero-padded.
        r = RDom(0, x.dim(0).extent() / HACT_PGRAD_LANES, "r");
        Expr i = r * HACT_PGRAD_LANES + lane;
        std::vector<Expr> terms = math.param_grads(x(i), dy(i), make_params(params));
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
                                  op_math_or_fail(op).specializations(make_params(params)));
    }

private:
    Var lane{"lane"}, j{"j"};
    RDom r;
    int num_params = 0;
};

// The device contract of parameter gradients (runtime/kernel_abi.h): the finished hact_params
// (7 floats, zero in the fields that are not learnable), reduced on the device. partial(k, b) is
// the sum over block b of HACT_DEVICE_REDUCE_BLOCK elements, in double; it is an output so that
// the runtime provides it with stream-ordered memory (no allocation inside the kernel that a
// call on another stream could reuse too early). accumulate != 0 adds the total to prior (the
// runtime passes the output itself for the chunks after the first of a call over 2^31 elements).
class ParamGradTotal : public Generator<ParamGradTotal> {
public:
    GeneratorParam<std::string> op{"op", ""};
    GeneratorParam<std::string> dtype{"dtype", "f32"};
    Input<Buffer<float, 1>> x{"x"};
    Input<Buffer<float, 1>> dy{"dy"};
    Input<float[HACT_NUM_PARAMS]> params{"params"};
    Input<Buffer<float, 1>> prior{"prior"};
    Input<int> accumulate{"accumulate"};
    Output<Buffer<double, 2>> partial{"partial"};
    Output<Buffer<float, 1>> grad{"grad"};

    void generate() {
        num::TargetScope target_scope(get_target());
        check_dtype(dtype);
        const OpMath &math = op_math_or_fail(op);
        Expr n = x.dim(0).extent();
        ri = RDom(0, HACT_DEVICE_REDUCE_BLOCK, "ri");
        Expr i = b * HACT_DEVICE_REDUCE_BLOCK + ri;
        ri.where(i < n);
        std::vector<Expr> terms = math.param_grads(x(i), dy(i), make_params(params));
        if (terms.empty()) fail("op '" + std::string(op) + "' has no learnable parameter");
        // Field k's term, or 0 for a field that is not learnable.
        std::vector<Expr> by_field;
        for (int f = 0, j = 0; f < HACT_NUM_PARAMS; ++f)
            by_field.push_back(math.learnable >> f & 1u ? cast<double>(terms.at(j++)) : cast<double>(0));
        partial(k, b) = cast<double>(0);
        partial(k, b) += mux(k, by_field);
        rb = RDom(0, (n + HACT_DEVICE_REDUCE_BLOCK - 1) / HACT_DEVICE_REDUCE_BLOCK, "rb");
        total(k) = cast<double>(0);
        total(k) += partial(k, rb);
        grad(k) = select(accumulate != 0, prior(k), 0.0f) + cast<float>(total(k));
        x.dim(0).set_stride(1);
        dy.dim(0).set_stride(1);
        prior.dim(0).set_bounds(0, HACT_NUM_PARAMS).set_stride(1);
        partial.dim(0).set_bounds(0, HACT_NUM_PARAMS).set_stride(1);
        partial.dim(1).set_stride(HACT_NUM_PARAMS);
        grad.dim(0).set_bounds(0, HACT_NUM_PARAMS).set_stride(1);
    }
    void schedule() {
        schedules::block_reduction(get_target(), partial, ri, total, rb, grad,
                                   op_math_or_fail(op).specializations(make_params(params)));
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
