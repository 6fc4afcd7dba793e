// CUDA schedules: every loop runs on the GPU, nothing is computed on the host or copied to it.
// Elementwise: each thread block covers kThreads * kElementsPerThread consecutive elements and
// each thread handles kElementsPerThread of them kThreads apart, so every warp-wide access is
// one coalesced 128-byte transaction (where dimension 0 is dense). The block tail is guarded (no
// loads past the end).
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
    // Dimension 0: the contiguous elements (or, in a strided tensor, the smallest stride). The
    // others (rows of a split GLU input, the outer dimensions of a strided tensor) are either
    // host loops of extent 1 (a dense array), fused into the block index (rows of at least a
    // block: gridDim.y would cap them at 65535), or fused with dimension 0 first (short rows:
    // otherwise most of a block's threads would have no element).
    const std::vector<Var> args = out.args();
    const Var i = args[0];
    Var b("block"), t("thread"), k("unrolled"), f("fused");  // apart from the generators' names
    const int block = kThreads * kElementsPerThread;
    const Func &first = out;  // a Tuple's outputs share their extents
    Halide::OutputImageParam shape = first.outputs() > 1 ? first.output_buffers()[0] : first.output_buffer();
    Expr one_row = Halide::Internal::const_true(), long_rows = shape.dim(0).extent() >= block;
    for (size_t d = 1; d < args.size(); ++d) one_row = one_row && shape.dim(d).extent() == 1;
    auto blocks_of = [&](Stage s, const Var &v) {
        s.split(v, b, v, block, TailStrategy::GuardWithIf).split(v, k, t, kThreads).reorder(k, t, b);
    };
    auto on_gpu = [&](Stage s) {
        if (args.size() == 1) {
            blocks_of(s, i);
            s.gpu_blocks(b).gpu_threads(t).unroll(k);
            return;
        }
        Stage dense = s.specialize(one_row), rows = s.specialize(long_rows);
        blocks_of(dense, i);
        dense.gpu_blocks(b).gpu_threads(t).unroll(k);
        blocks_of(rows, i);
        for (size_t d = 1; d < args.size(); ++d) rows.fuse(b, args[d], b);
        rows.gpu_blocks(b).gpu_threads(t).unroll(k);
        s.fuse(i, args[1], f);
        for (size_t d = 2; d < args.size(); ++d) s.fuse(f, args[d], f);
        blocks_of(s, f);
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

void channel_reduction(const Target &, Func partial, const RDom &ri, Func total, const RDom &, Func out) {
    Var c = partial.args()[0], b = partial.args()[1];
    Var v("v"), cb("cb"), co("co"), ci("ci");
    RVar rk("rk"), rt("rt");
    // One block per (channel, block of its rows), the two fused (gridDim.y would cap the
    // channels at 65535): each thread sums every kThreads-th element of the block's rows
    // (coalesced) into shared memory, then one thread adds the kThreads sums.
    partial.update().split(ri.x, rk, rt, kThreads);
    Func per_thread = partial.update().rfactor(rt, v);
    partial.fuse(c, b, cb).gpu_blocks(cb);
    partial.update().reorder(rt, c, b).fuse(c, b, cb).gpu_blocks(cb);
    per_thread.compute_at(partial, cb).reorder(v, c, b).gpu_threads(v);
    per_thread.update().reorder(rk, v).gpu_threads(v);
    // One thread per channel adds that channel's block sums (coalesced across the channels).
    out.split(out.args()[0], co, ci, kThreads, TailStrategy::GuardWithIf).gpu_blocks(co).gpu_threads(ci);
    total.compute_at(out, ci);
}

}  // namespace hact::schedules::cuda
