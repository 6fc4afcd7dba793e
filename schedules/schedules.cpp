// The only place that maps a target to its schedule family.
#include "schedules.h"

#include <cstdlib>
#include <iostream>

namespace hact::schedules {

using Halide::Target;

namespace {
[[noreturn]] void no_schedule(const Target &target) {
    std::cerr << "hact: no schedule family for target " << target.to_string() << "\n";
    std::exit(1);
}
// The CPU family of a target, by its architecture; nullptr if hact has none.
const cpu::Tuning *cpu_family(const Target &target) {
    switch (target.arch) {
    case Target::X86: return target.bits == 64 ? &x86::tuning : nullptr;
    case Target::ARM: return target.bits == 64 ? &arm::tuning : nullptr;
    default: return nullptr;
    }
}
}  // namespace

void elementwise(const Target &target, Halide::Func out, const Halide::Expr &extent,
                 const std::vector<Halide::Expr> &cases, Lanes lanes) {
    if (target.has_feature(Target::CUDA)) return cuda::elementwise(target, out, extent, cases);
    if (const cpu::Tuning *t = cpu_family(target))
        return cpu::elementwise(target, *t, out, extent, cases, lanes);
    no_schedule(target);
}

void lane_reduction(const Target &target, Halide::Func partial, const Halide::RDom &r, int num_params,
                    const std::vector<Halide::Expr> &cases) {
    if (target.has_gpu_feature()) no_schedule(target);
    if (const cpu::Tuning *t = cpu_family(target))
        return cpu::lane_reduction(target, *t, partial, r, num_params, cases);
    no_schedule(target);
}

void row_reduction(const Target &target, Halide::Func row_sum, Halide::Func lanes, const Halide::Expr &row_length,
                   const std::vector<Halide::Expr> &cases) {
    if (target.has_gpu_feature()) no_schedule(target);
    if (const cpu::Tuning *t = cpu_family(target))
        return cpu::row_reduction(target, *t, row_sum, lanes, row_length, cases);
    no_schedule(target);
}

void row_reduction_with(const Target &target, Halide::Func row_sum, Halide::Func lanes, Halide::Func out) {
    if (target.has_gpu_feature()) no_schedule(target);
    if (const cpu::Tuning *t = cpu_family(target)) return cpu::row_reduction_with(target, *t, row_sum, lanes, out);
    no_schedule(target);
}

void column_reduction(const Target &target, Halide::Func col_sum, const Halide::RDom &rr,
                      const std::vector<Halide::Expr> &cases) {
    if (target.has_gpu_feature()) no_schedule(target);
    if (const cpu::Tuning *t = cpu_family(target)) return cpu::column_reduction(target, *t, col_sum, rr, cases);
    no_schedule(target);
}

void add_lowering_passes(const Target &target, Halide::Pipeline pipeline) {
    if (target.has_gpu_feature()) return;
    if (const cpu::Tuning *t = cpu_family(target)) cpu::add_prefetch(*t, pipeline);
}
void block_reduction(const Target &target, Halide::Func partial, const Halide::RDom &ri, Halide::Func total,
                     const Halide::RDom &rb, Halide::Func grad, const std::vector<Halide::Expr> &cases) {
    if (target.has_feature(Target::CUDA))
        return cuda::block_reduction(target, partial, ri, total, rb, grad, cases);
    no_schedule(target);
}

void channel_reduction(const Target &target, Halide::Func partial, const Halide::RDom &ri, Halide::Func total,
                       const Halide::RDom &rb, Halide::Func out) {
    if (target.has_feature(Target::CUDA)) return cuda::channel_reduction(target, partial, ri, total, rb, out);
    no_schedule(target);
}

}  // namespace hact::schedules
