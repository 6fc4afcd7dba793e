// Someone else's Halide pipeline (tests/foreign_pipeline): generated independently of hact, with
// its own Halide runtime, and scheduled so that a call goes through the Halide runtime hooks its
// program installs: a heap-allocated intermediate (halide_malloc / halide_free), parallel loops
// (halide_do_par_for), a print (halide_print) and, with Halide's argument checks on, an error
// (halide_error) when the input does not cover the output.
//   output(x) = 3 * input(x) + 1
#include "Halide.h"

namespace {

class ForeignPipeline : public Halide::Generator<ForeignPipeline> {
public:
    Input<Buffer<int32_t, 1>> input{"input"};
    Input<int32_t> verbose{"verbose"};
    Output<Buffer<int32_t, 1>> output{"output"};

    void generate() {
        using namespace Halide;
        Var x{"x"}, xo{"xo"}, xi{"xi"};
        Func tripled{"tripled"};
        tripled(x) = input(x) * 3;
        output(x) = print_when(verbose != 0 && x == 0, tripled(x) + 1, "foreign pipeline: output(0) =");
        // One task per 4096 elements, in both stages; tripled is a heap buffer of the output's size.
        output.split(x, xo, xi, 4096, TailStrategy::GuardWithIf).parallel(xo);
        tripled.compute_root().split(x, xo, xi, 4096, TailStrategy::GuardWithIf).parallel(xo);
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(ForeignPipeline, foreign_pipeline)
