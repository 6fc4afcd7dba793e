// The math of every op, looked up by name. Each op is a struct in generators/ops/<name>.h with
//   static Expr forward(x, p)                       f(x)
//   static Expr backward(x, dy, p)                  dy * f'(x)
//   static std::vector<Expr> param_grads(x, dy, p)  dy * df/dparam, one per learnable field
//                                                   (in HACT_P_* bit order; ops without learnable
//                                                   parameters inherit NoLearnable)
// written once, for every target: no scheduling here.
#pragma once

#include <string>
#include <vector>

#include "Halide.h"
#include "numerics.h"

namespace hact {

using Halide::Expr;

// hact_params as Halide scalars (field names as in include/hact/hact.h).
struct Params {
    Expr negative_slope, alpha, beta, threshold, scale, min_val, max_val;
};

struct NoLearnable {
    static std::vector<Expr> param_grads(const Expr &, const Expr &, const Params &) { return {}; }
};

struct OpMath {
    std::string name;
    Expr (*forward)(const Expr &x, const Params &p);
    Expr (*backward)(const Expr &x, const Expr &dy, const Params &p);
    std::vector<Expr> (*param_grads)(const Expr &x, const Expr &dy, const Params &p);
};

}  // namespace hact

// One header per op, generators/ops/<op>.h, listed by the build from the registry.
#include "hact_op_math_headers.inc"

namespace hact {

// Finds an op's math by its registry name; the list is the registry itself.
inline const OpMath *find_op_math(const std::string &name) {
    static const OpMath table[] = {
#define HACT_OP(op, learnable, reads, defaults) \
    {#op, &ops::op::forward, &ops::op::backward, &ops::op::param_grads},
#include "hact/activations.def"
#undef HACT_OP
    };
    for (const OpMath &m : table) {
        if (m.name == name) return &m;
    }
    return nullptr;
}

}  // namespace hact
