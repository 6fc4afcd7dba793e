// x86-64 schedules (baseline SSE2, AVX2+FMA, AVX-512): the vector width comes from the target.
#include "schedules.h"

#include <optional>

namespace hact::schedules::x86 {

using namespace Halide;

namespace {
// Below this many elements a call runs on the calling thread: waking the pool costs more than
// the work (a few microseconds; 64K float32 silu take ~8 us on one AVX-512 core).
constexpr int kParallelMinElements = 1 << 16;
// Elements per parallel task: large enough to amortise scheduling, small enough to balance.
constexpr int kTaskElements = 1 << 14;
// Vectors per loop iteration: two registers keep more of the ~60-cycle dependency chain of the
// exp/divide in flight (measured 4-7% on Zen 5 for silu; shared/notes/silu-numerics.md).
constexpr int kRegistersPerIteration = 2;
// Reduction: lane-vectors summed serially per parallel task.
constexpr int kReductionTaskVectors = 1 << 10;
}  // namespace

void elementwise(const Target &target, Func out, const Expr &extent, const std::vector<Expr> &cases) {
    // i: contiguous elements (vectorized); r: rows, for 2-D outputs (the GLU kernels).
    Var i = out.args()[0];
    std::optional<Var> r;
    if (out.dimensions() == 2) r = out.args()[1];
    Var io("io"), iv("iv");
    const int vec = target.natural_vector_size<float>() * kRegistersPerIteration;
    const int task_vectors = kTaskElements / vec;
    // Tails are predicated vector operations, never a scalar loop. ShiftInwards is not an option:
    // it recomputes overlapping elements, which reads outputs already written by an in-place call.
    auto serial = [&](Stage s) { s.split(i, i, iv, vec, TailStrategy::Predicate).vectorize(iv); };
    // Tasks of task_vectors vectors of one row; with rows, the tasks of all rows form one
    // parallel loop (long rows split, many short rows spread).
    auto parallel = [&](Stage s) {
        s.split(i, i, iv, vec, TailStrategy::Predicate).split(i, io, i, task_vectors, TailStrategy::GuardWithIf);
        if (r) s.fuse(io, *r, io);
        s.parallel(io).vectorize(iv);
    };
    // One loop per (parameter case) x (parallel or not); the first condition that holds runs.
    const Expr large = extent >= kParallelMinElements;
    for (const Expr &c : cases) {
        parallel(out.specialize(c && large));
        serial(out.specialize(c));
    }
    parallel(out.specialize(large));
    serial(out);
}

void lane_reduction(const Target &, Func partial, const RDom &r, int num_params,
                    const std::vector<Expr> &cases) {
    Var lane = partial.args()[0], j = partial.args()[1];
    RVar ro("ro"), ri("ri");
    Var u("u");
    // Split the sum over lane-vectors into tasks, sum each task in parallel (rfactor), then add
    // the few task sums. Lanes stay vectorized throughout; j is unrolled so each learnable
    // parameter's term is a constant expression.
    partial.update().split(r.x, ro, ri, kReductionTaskVectors, TailStrategy::GuardWithIf);
    Func per_task = partial.update().rfactor(ro, u);
    per_task.compute_root().bound(j, 0, num_params).vectorize(lane).unroll(j);
    per_task.update().reorder(lane, j, ri, u).vectorize(lane).unroll(j).parallel(u);
    for (const Expr &c : cases) per_task.update().specialize(c);
    partial.vectorize(lane).unroll(j);
    partial.update().reorder(lane, j).vectorize(lane).unroll(j);
}

void row_reduction(const Target &target, Func row_sum, const RDom &ri) {
    Var r = row_sum.args()[0];
    Var lane("lane");
    RVar rio("rio"), rii("rii");
    // Each row: lane-wise partial sums over vectors of the row (rfactor; the row tail is a
    // guarded, predicated vector), then the lanes added. Rows in parallel when there is work.
    const int vec = target.natural_vector_size<float>();
    row_sum.update().split(ri.x, rio, rii, vec, TailStrategy::GuardWithIf);
    Func lanes = row_sum.update().rfactor(rii, lane);
    lanes.compute_at(row_sum, r).vectorize(lane);
    lanes.update().reorder(lane, rio).vectorize(lane);
    const Expr work = cast<int64_t>(ri.x.extent()) * row_sum.output_buffer().dim(0).extent();
    row_sum.update().specialize(work >= kParallelMinElements).parallel(r, 4);
}

}  // namespace hact::schedules::x86
