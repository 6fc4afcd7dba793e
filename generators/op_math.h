// The math of every op, looked up by name. Each op is a struct in generators/ops/<name>.h with
//   static Expr forward(x, p)                       f(x)
//   static Expr backward(x, dy, p)                  dy * f'(x)
//   static std::vector<Expr> param_grads(x, dy, p)  dy * df/dparam, one per learnable field
//                                                   (in HACT_P_* bit order)
//   static std::vector<Expr> specializations(p)     conditions on the parameters worth a loop of
//                                                   their own (e.g. beta > 0), so that selects on
//                                                   them vanish from the vector loop; the schedule
//                                                   applies them. Results must not depend on them.
// Ops inherit OpBase, which provides "none" for the last two.
// written once, for every target: no scheduling here.
#pragma once

#include <string>
#include <vector>

#include "Halide.h"
#include "hact/hact.h"  // HACT_P_* masks in the registry lines
#include "numerics.h"

namespace hact {

using Halide::Expr;

// hact_params as Halide scalars (field names as in include/hact/hact.h).
struct Params {
    Expr negative_slope, alpha, beta, threshold, scale, min_val, max_val;
};

struct OpBase {
    static std::vector<Expr> param_grads(const Expr &, const Expr &, const Params &) { return {}; }
    static std::vector<Expr> specializations(const Params &) { return {}; }
};

struct OpMath {
    std::string name;
    unsigned learnable;  // HACT_P_* mask from the registry: param_grads()[j] is its j-th set bit
    Expr (*forward)(const Expr &x, const Params &p);
    Expr (*backward)(const Expr &x, const Expr &dy, const Params &p);
    std::vector<Expr> (*param_grads)(const Expr &x, const Expr &dy, const Params &p);
    std::vector<Expr> (*specializations)(const Params &p);
};

}  // namespace hact

namespace hact {

// The math of the op named `name`, or nullptr. Each generator program is built for one op
// (generators/op_table.cpp, compiled once per registry line), so it knows that op only.
const OpMath *find_op_math(const std::string &name);

}  // namespace hact
