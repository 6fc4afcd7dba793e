// CUDA schedules: every loop runs on the GPU, nothing is computed on the host or copied to it.
// Elementwise: each thread block covers kThreads * kElementsPerThread consecutive elements and
// each thread handles kElementsPerThread of them kThreads apart, so every warp-wide access is
// one coalesced 128-byte transaction. The block tail is guarded (no loads past the end).
// Reductions (parameter gradients): two levels of rfactor, all on the GPU; partial sums in double.
#include "schedules.h"

namespace hact::schedules::cuda {

using namespace Halide;

namespace {
constexpr int kThreads = 256;          // threads per block: full occupancy on sm_60..sm_90
constexpr int kElementsPerThread = 4;  // unrolled loads in flight per thread
// Reduction: threads per block of HACT_DEVICE_REDUCE_BLOCK terms (32 serial terms each).
}  // namespace

void elementwise(const Target &, Func out, const Expr &, const std::vector<Expr> &cases) {
    // i: contiguous elements; rows (2-D outputs, the GLU kernels) are fused into the block index
    // (gridDim.y would cap them at 65535).
    Var i = out.args()[0];
    Var b("b"), t("t"), k("k");
    auto on_gpu = [&](Stage s) {
        s.split(i, b, i, kThreads * kElementsPerThread, TailStrategy::GuardWithIf)
            .split(i, k, t, kThreads)
            .reorder(k, t, b);
        if (out.dimensions() == 2) s.fuse(b, out.args()[1], b);
        s.gpu_blocks(b).gpu_threads(t).unroll(k);
    };
    for (const Expr &c : cases) on_gpu(out.specialize(c));
    on_gpu(out);
}

void block_reduction(const Target &, Func partial, const RDom &ri, Func total, const RDom &rb,
                     Func grad, const std::vector<Expr> &cases) {
    Var k = partial.args()[0], b = partial.args()[1];
    Var v("v"), w("w"), g("g");
    RVar rk("rk"), rt("rt"), rbo("rbo"), rbi("rbi");
    // Level 1, one block per partial(., b): each thread sums every kThreads-th term of the block
    // (coalesced) into shared memory, then one thread adds the kThreads sums.
    partial.update().split(ri.x, rk, rt, kThreads);
    Func per_thread = partial.update().rfactor(rt, v);
    partial.reorder(k, b).gpu_blocks(b).unroll(k);
    partial.update().reorder(k, rt, b).gpu_blocks(b).unroll(k);
    per_thread.compute_at(partial, b).bound(k, 0, HACT_NUM_PARAMS);
    per_thread.reorder(k, v).gpu_threads(v).unroll(k);
    per_thread.update().reorder(k, rk, v).gpu_threads(v).unroll(k);
    for (const Expr &c : cases) per_thread.update().specialize(c);

    // Level 2, one block for grad: kThreads threads each sum every kThreads-th block partial
    // into shared memory, one thread adds those and writes the 7 results.
    total.update().split(rb.x, rbo, rbi, kThreads, TailStrategy::GuardWithIf);
    Func per_lane = total.update().rfactor(rbi, w);
    Var go("go"), gi("gi");
    grad.split(grad.args()[0], go, gi, HACT_NUM_PARAMS).gpu_blocks(go);
    total.compute_at(grad, go);
    per_lane.compute_at(grad, go).bound(k, 0, HACT_NUM_PARAMS).bound(w, 0, kThreads);
    per_lane.reorder(k, w).gpu_threads(w).unroll(k);
    per_lane.update().reorder(k, rbo, w).gpu_threads(w).unroll(k);
}

}  // namespace hact::schedules::cuda
