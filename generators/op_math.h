// The math of every op, looked up by name. Each op is a struct in generators/ops/<name>.h with
//   static Expr forward(x, p)                       f(x)
//   static Expr backward(x, dy, p)                  dy * f'(x)
//   static std::vector<Expr> param_grads(x, dy, p)  dy * df/dparam, one per learnable field
//                                                   (in HACT_P_* bit order)
//   static std::vector<Expr> param_grads_fast(x, dy, p)
//                                                   optional (float32 only): the same terms by a
//                                                   cheaper formula that may overflow where
//                                                   param_grads does not; a kernel computes a sum
//                                                   with it first and again with param_grads
//                                                   where the sum is not finite (prelu's
//                                                   per-channel weight gradient, runtime/prelu.c)
//   static std::vector<Expr> specializations(p)     conditions on the parameters worth a loop of
//                                                   their own (e.g. beta > 0), so that selects on
//                                                   them vanish from the vector loop; the schedule
//                                                   applies them. Results must not depend on them.
//   forward64, backward64, param_grads64            the same in float64 (HACT_F64 kernels): x, dy
//                                                   and the params are Float(64) there. Every op
//                                                   writes them (float64.h says why they are a
//                                                   formula of their own); ops whose float32 math
//                                                   is type-generic forward to it.
// Ops inherit OpBase, which provides "none" for param_grads, param_grads_fast, param_grads64 and
// specializations. Ops whose every result is exact (relu, relu6) are listed in
// runtime/kernel_abi.h (HACT_EXACT_OPS): their bf16/f16 kernels compute on the bits
// (exact_bits.h).
// written once, for every target: no scheduling here.
#pragma once

#include <string>
#include <vector>

#include "Halide.h"
#include "hact/hact.h"  // HACT_P_* masks in the registry lines
#include "float64.h"
#include "numerics.h"

namespace hact {

using Halide::Expr;

// hact_params as Halide scalars (field names as in include/hact/hact.h).
struct Params {
    Expr negative_slope, alpha, beta, threshold, scale, min_val, max_val;
};

struct OpBase {
    static std::vector<Expr> param_grads(const Expr &, const Expr &, const Params &) { return {}; }
    static std::vector<Expr> param_grads64(const Expr &, const Expr &, const Params &) { return {}; }
    static std::vector<Expr> param_grads_fast(const Expr &, const Expr &, const Params &) { return {}; }
    static std::vector<Expr> specializations(const Params &) { return {}; }
};

struct OpMath {
    std::string name;
    unsigned learnable;  // HACT_P_* mask from the registry: param_grads()[j] is its j-th set bit
    Expr (*forward)(const Expr &x, const Params &p);
    Expr (*backward)(const Expr &x, const Expr &dy, const Params &p);
    std::vector<Expr> (*param_grads)(const Expr &x, const Expr &dy, const Params &p);
    std::vector<Expr> (*specializations)(const Params &p);
    Expr (*forward64)(const Expr &x, const Params &p);
    Expr (*backward64)(const Expr &x, const Expr &dy, const Params &p);
    std::vector<Expr> (*param_grads64)(const Expr &x, const Expr &dy, const Params &p);
    std::vector<Expr> (*param_grads_fast)(const Expr &x, const Expr &dy, const Params &p);

    // The math for the compute type of x (Float(32), or Float(64) for HACT_F64 kernels); the
    // generators call these. params are the kernel's float32 inputs, widened for float64.
    Expr fwd(const Expr &x, const Params &p) const { return wide(x) ? forward64(x, widen(p)) : forward(x, p); }
    Expr bwd(const Expr &x, const Expr &dy, const Params &p) const {
        return wide(x) ? backward64(x, dy, widen(p)) : backward(x, dy, p);
    }
    std::vector<Expr> pgrads(const Expr &x, const Expr &dy, const Params &p) const {
        return wide(x) ? param_grads64(x, dy, widen(p)) : param_grads(x, dy, p);
    }
    // The fast form of pgrads, or none (empty) for float64 and for ops without one.
    std::vector<Expr> pgrads_fast(const Expr &x, const Expr &dy, const Params &p) const {
        return wide(x) ? std::vector<Expr>{} : param_grads_fast(x, dy, p);
    }
    // Loops specialized on parameters pay off in the float32 loops only.
    std::vector<Expr> specs(const Halide::Type &compute, const Params &p) const {
        return compute.bits() == 64 ? std::vector<Expr>{} : specializations(p);
    }

    static bool wide(const Expr &x) { return x.type().bits() == 64; }
    static Params widen(const Params &p) {
        auto d = [](const Expr &v) { return Halide::cast<double>(v); };
        return {d(p.negative_slope), d(p.alpha), d(p.beta), d(p.threshold), d(p.scale), d(p.min_val), d(p.max_val)};
    }
};

}  // namespace hact

namespace hact {

// The math of the op named `name`, or nullptr. Each generator program is built for one op
// (generators/op_table.cpp, compiled once per registry line), so it knows that op only.
const OpMath *find_op_math(const std::string &name);

}  // namespace hact
