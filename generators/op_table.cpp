// The one op of a generator program. The build compiles this file once per registry line, with
// HACT_GENERATOR_OP=<op>, and links it with the generators and schedules (compiled once) into
// hact_generator_<op>: an edit to generators/ops/<op>.h then regenerates only the kernels of that
// op and of the ops whose headers include it, not the whole library.
#include "op_math.h"

#define HACTI_STR2(x) #x
#define HACTI_STR(x) HACTI_STR2(x)
#include HACTI_STR(ops/HACT_GENERATOR_OP.h)

namespace hact {
namespace {
// The op's learnable-parameter mask, from its registry line.
constexpr unsigned learnable_mask(const char *name) {
    auto same = [](const char *a, const char *b) {
        while (*a && *a == *b) ++a, ++b;
        return *a == *b;
    };
#define HACT_OP(op, learnable, reads, defaults) \
    if (same(name, #op)) return learnable;
#include "hact/activations.def"
#undef HACT_OP
    return 0;
}
}  // namespace

const OpMath *find_op_math(const std::string &name) {
    using Op = ops::HACT_GENERATOR_OP;
    static const OpMath math = {HACTI_STR(HACT_GENERATOR_OP), learnable_mask(HACTI_STR(HACT_GENERATOR_OP)),
                                &Op::forward, &Op::backward, &Op::param_grads, &Op::specializations,
                                &Op::forward64, &Op::backward64, &Op::param_grads64, &Op::param_grads_fast};
    return name == math.name ? &math : nullptr;
}

}  // namespace hact
