// The loop structure of every CPU family (x86.cpp and arm.cpp give its numbers): vectors of the
// target's natural width, predicated tails, tasks of a parallel loop for large calls, lane-wise
// partial sums for the reductions.
#include "schedules.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace hact::schedules::cpu {

using namespace Halide;

// The size of f's pure definition in IR nodes, shared subexpressions once and leaves (constants,
// variables) not at all: the schedule's estimate of the work per element, from the math itself,
// so that no op has to declare its cost.
int arithmetic_nodes(const Func &f) {
    struct Counter : Internal::IRGraphVisitor {
        std::set<const Internal::IRNode *> seen;
        int nodes = 0;
        using Internal::IRGraphVisitor::visit;
        void include(const Expr &e) override {
            if (!e.defined() || !seen.insert(e.get()).second) return;
            switch (e->node_type) {
            case Internal::IRNodeType::IntImm:
            case Internal::IRNodeType::UIntImm:
            case Internal::IRNodeType::FloatImm:
            case Internal::IRNodeType::StringImm:
            case Internal::IRNodeType::Variable:
            case Internal::IRNodeType::Broadcast: break;
            default: ++nodes;
            }
            e.accept(this);
        }
    } counter;
    const Tuple values = f.values();  // kept: a range-for over f.values().as_vector() would dangle
    for (const Expr &v : values.as_vector()) counter.include(v);
    return counter.nodes;
}

void elementwise(const Target &target, const Tuning &tuning, Func out, const Expr &extent,
                 const std::vector<Expr> &cases, Lanes lanes) {
    const int values_per_element = lanes.values_per_element;
    const int kRegistersPerIteration = tuning.registers_per_iteration;
    // i: contiguous elements (vectorized); r: rows, for 2-D outputs (the GLU kernels).
    Var i = out.args()[0];
    std::optional<Var> r;
    if (out.dimensions() == 2) r = out.args()[1];
    Var io("io"), iv("iv"), iu("iu");
    // Each iteration: kRegistersPerIteration registers of math, as one vector of that many
    // registers of the narrowest type in the loop (16-bit storage with float32 math: two registers
    // of math per storage register): LLVM interleaves the registers' dependency chains. Short math
    // (tuning.unroll_below_nodes) without AVX-512's mask registers: unrolled vectors of the natural
    // width instead. There LLVM widened a wide vector's 16-lane comparison masks (mask logic, a <=
    // compare) to 16-bit lanes and back before each blend, 4 instructions per register: half the
    // loop of hardswish, whose forward ran 2.4x faster unrolled (AMD Zen 4, avx2, 1 thread, in
    // cache), leaky_relu 1.4-1.6x, hardsigmoid 1.55x; the long math (silu, gelu_tanh, mish) ran
    // 0.80-0.94x unrolled, and AVX-512's short ops 0.85-1.23x.
    const int64_t nodes = std::max(1, arithmetic_nodes(out));
    int storage_bits = 64;
    for (const Type &t : out.types()) storage_bits = std::min(storage_bits, t.bits());
    const int natural = target.natural_vector_size(UInt(std::min(lanes.lane_bits, storage_bits)));
    const int math_registers = values_per_element * std::max(1, natural / target.natural_vector_size(UInt(lanes.lane_bits)));
    const int vec = natural * std::max(1, kRegistersPerIteration / math_registers);
    const bool unroll = nodes < tuning.unroll_below_nodes && !target.has_feature(Target::AVX512);
    auto vectorize = [&](Stage s) { s.split(iv, iu, iv, unroll ? natural : vec).unroll(iu).vectorize(iv); };
    // Work, not elements, sets the parallel grain: a task holds task_work (elements x IR nodes
    // per element) within [min, max]_task_elements, so cheap math gets long tasks (less pool
    // overhead per byte); a call goes parallel from parallel_min_work, and two minimal tasks.
    // Counts below are of out's elements: an element holding values_per_element values of the
    // math (its nodes counted that many times) stands for that many elements of the tuning's.
    const int64_t min_task = tuning.min_task_elements / values_per_element,
                  max_task = tuning.max_task_elements / values_per_element;
    const int task_vectors = (int)std::clamp<int64_t>(tuning.task_work / nodes, min_task, max_task) / vec;
    constexpr int kMinTasks = 8;
    // Never below HACT_POOL_MIN_ELEMENTS: the runtime holds its pool lock from there up (counted
    // in the caller's elements: a call of n elements has n / values_per_element of out's).
    const int64_t kParallelMinElements = std::max<int64_t>(
        {HACT_POOL_MIN_ELEMENTS / values_per_element, 2 * min_task, tuning.parallel_min_work / nodes});

    // Tails are predicated vector operations, never a scalar loop. ShiftInwards is not an option:
    // it recomputes overlapping elements, which reads outputs already written by an in-place call.
    auto serial = [&](Stage s) {
        s.split(i, i, iv, vec, TailStrategy::Predicate);
        vectorize(s);
    };
    // Tasks of task_vectors vectors of one row; with rows, the tasks of all rows form one
    // parallel loop (long rows split, many short rows spread).
    // Calls of a few tasks' length get shorter tasks (down to min_task), at least kMinTasks of
    // them where possible, so that every thread has some.
    const Expr call_task_vectors = clamp(cast<int>(extent / (kMinTasks * vec)), (int)(min_task / vec), task_vectors);
    auto parallel = [&](Stage s) {
        s.split(i, i, iv, vec, TailStrategy::Predicate).split(i, io, i, call_task_vectors, TailStrategy::GuardWithIf);
        if (r) s.fuse(io, *r, io);
        s.parallel(io);
        vectorize(s);
    };
    // Rows shorter than half a task: tasks of whole rows instead (a task per short row cost a
    // pool claim per few vectors: prelu [16, 64, 256] on 2 threads ran at 0.67x oneDNN).
    std::optional<Expr> short_rows;
    Expr rows_per_task;
    if (r) {
        const Expr row_len = out.output_buffers()[0].dim(0).extent();
        short_rows = row_len * 2 < call_task_vectors * vec;
        rows_per_task = max(1, call_task_vectors * vec / max(row_len, 1));
    }
    auto parallel_rows = [&](Stage s) {
        Var ro("ro");
        s.split(i, i, iv, vec, TailStrategy::Predicate).split(*r, ro, *r, rows_per_task, TailStrategy::GuardWithIf);
        s.parallel(ro);
        vectorize(s);
    };
    // One loop per (parameter case) x (parallel or not); the first condition that holds runs.
    const Expr large = extent >= Expr(kParallelMinElements);
    for (const Expr &c : cases) {
        if (r) parallel_rows(out.specialize(c && large && *short_rows));
        parallel(out.specialize(c && large));
        serial(out.specialize(c));
    }
    if (r) parallel_rows(out.specialize(large && *short_rows));
    parallel(out.specialize(large));
    serial(out);
}

void lane_reduction(const Target &, const Tuning &tuning, Func partial, const RDom &r, int num_params,
                    const std::vector<Expr> &cases) {
    const int kReductionTaskVectors = tuning.reduction_task_vectors;
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

// The lane sums of a row (generators: define_row_sums), computed at the row: the whole
// lane-vectors vectorized (their cases a loop each), the row's last terms one by one. Their
// storage is pinned to one row: with a stage computed with the row sums (row_reduction_with),
// Halide could not bound it and allocated it on the heap per row.
namespace {
void lane_sums(Func lanes, Func row_sum, const Var &at, const std::vector<Expr> &cases) {
    const Var lane = lanes.args()[0], r = lanes.args()[1];
    lanes.compute_at(row_sum, at).vectorize(lane).bound_extent(r, 1);
    lanes.update(0).vectorize(lane);
    for (const Expr &c : cases) lanes.update(0).specialize(c);  // the terms are summed here
    lanes.update(1).unscheduled();
}
}  // namespace

void row_reduction(const Target &target, const Tuning &tuning, Func row_sum, Func lanes, const Expr &row_length,
                   const std::vector<Expr> &cases) {
    // A product and a sum per element, ~16 IR nodes: parallel from 8K elements on x86 by work,
    // but never below HACT_POOL_MIN_ELEMENTS (the runtime holds its pool lock from there up).
    const int64_t kParallelMinElements = std::max<int64_t>(HACT_POOL_MIN_ELEMENTS, tuning.parallel_min_work / 16);
    Var r = row_sum.args()[0];
    Var ro("ro"), rr("rr");
    // Each row: its lane sums (lane_sums: whole lane-vectors, vectorized, the sums in registers;
    // then the row's last terms), then the lanes added as a vector reduction. Rows in parallel, 4
    // per task, when there is work. The lane sums are computed per row (at rr, inside the split):
    // computed at the task they held 4 rows' lanes interleaved, a strided scatter per vector
    // (prelu dx + dweight at [16, 64, 1024], experiments/prelu_shapes.c: 1.27 -> 0.41 ns per
    // element).
    const Expr work = cast<int64_t>(row_length) * row_sum.output_buffer().dim(0).extent();
    row_sum.update().split(r, ro, rr, 4, TailStrategy::GuardWithIf).atomic().vectorize(row_sum.rvars(0)[0]);
    row_sum.update().specialize(work >= Expr(kParallelMinElements)).parallel(ro);
    lane_sums(lanes, row_sum, rr, cases);
}

void row_reduction_with(const Target &target, const Tuning &tuning, Func row_sum, Func lanes, Func out) {
    Var r = row_sum.args()[0], i = out.args()[0], r_out = out.args()[1];
    Var ro("ro"), rr("rr"), iv("iv");
    const int vec = target.natural_vector_size<float>();
    // As row_reduction, without its specialization (a stage computed with another may have
    // none): rows always in tasks of 4 (the runtime uses this kernel for calls large enough to
    // be parallel).
    row_sum.update().split(r, ro, rr, 4, TailStrategy::GuardWithIf).parallel(ro).atomic().vectorize(row_sum.rvars(0)[0]);
    lane_sums(lanes, row_sum, rr, {});
    out.split(r_out, ro, rr, 4, TailStrategy::GuardWithIf)
        .parallel(ro)
        .split(i, i, iv, vec * tuning.registers_per_iteration, TailStrategy::Predicate)
        .vectorize(iv);
    // Each row: its sum, then its out (the row read from L1). The sum comes first, so an out
    // that aliases an input would still be summed from the input; the runtime does not rely on it.
    out.compute_with(row_sum.update(), rr);
}

void column_reduction(const Target &target, const Tuning &tuning, Func col_sum, const RDom &rr,
                      const std::vector<Expr> &cases) {
    Var i = col_sum.args()[0];
    Var u("u");
    RVar ro("ro"), ri("ri");
    // Sums of double lanes, a float vector's worth of them, kept in memory across the rows (a
    // row is a few KiB: the sums stay in L1). The rows are split into tasks (rfactor), at least
    // parallel_min_work / 16 elements each (as row_reduction) and at most 8 of them, summed in
    // parallel where the call has HACT_POOL_MIN_ELEMENTS (the runtime holds its pool lock from
    // there up) and then added; a small call is one task on the calling thread.
    const int vec = target.natural_vector_size<float>();
    const Expr columns = col_sum.output_buffer().dim(0).extent(), rows = rr.x.extent();
    const Expr min_rows = max(1, cast<int>(Expr(tuning.parallel_min_work / 16) / max(columns, 1)));
    const Expr rows_per_task = max(min_rows, (rows + 7) / 8);
    const Expr large = cast<int64_t>(rows) * columns >= Expr(int64_t{HACT_POOL_MIN_ELEMENTS});
    col_sum.update().split(rr.x, ro, ri, rows_per_task, TailStrategy::GuardWithIf);
    Func per_task = col_sum.update().rfactor(ro, u);
    per_task.compute_root().vectorize(i, vec, TailStrategy::GuardWithIf);
    per_task.update().reorder(i, ri, u).vectorize(i, vec, TailStrategy::GuardWithIf);
    // The terms are summed here: a loop per case (cases) x (parallel or not).
    for (const Expr &c : cases) {
        per_task.update().specialize(c && large).parallel(u);
        per_task.update().specialize(c);
    }
    per_task.update().specialize(large).parallel(u);
    col_sum.vectorize(i, vec, TailStrategy::GuardWithIf);
    col_sum.update().reorder(i, ro).vectorize(i, vec, TailStrategy::GuardWithIf);
}

}  // namespace hact::schedules::cpu

// ---- software prefetch ----
// A loop whose math is long next to what it reads (silu, gelu: 60-120 instructions per 64-byte
// line) keeps only a few vectors in flight, so the out-of-order core does not reach the next
// 4 KiB page early, and the hardware's streams stop at each page: with 4 KiB pages each page
// cost a TLB walk (two-level in a VM) and misses in full. One prefetcht0 per cache line of each
// input vector, prefetch_bytes ahead, starts both early. Measured (Intel Xeon VM, avx512,
// 1 thread, 2^25 elements, hact_bench A/B, medians): forward gelu 1.39x, silu 1.30x, softsign
// 1.22x; backward gelu 1.25x, silu 1.28x; their bf16 forms 1.5-2.0x; relu, hardswish (no
// prefetch: below the work threshold) unchanged; 2K and 32K elements within 3%. Measured and not
// used: one line per vector instead of each (f32 gelu 1.04x); prefetchw on the output (helped
// bf16, cost f32); 1 and 4 KiB ahead (alike); Halide's Func::prefetch (prefetchnta with bounds
// arithmetic per iteration: relu 2x slower in cache, f32 slower at 2^25). Transparent huge pages
// (madvise) close most of the gap without it: gelu bf16 1.5x from the pages alone.
namespace hact::schedules::cpu {

using namespace Halide;

namespace {
using namespace Halide::Internal;

class PrefetchAhead : public IRMutator {
public:
    PrefetchAhead(int distance, int min_nodes_per_input)
        : distance(distance), min_nodes_per_input(min_nodes_per_input) {}

private:
    static constexpr int kLine = 64;  // bytes per cache line
    const int distance;               // bytes
    const int min_nodes_per_input;    // IR nodes of the loop body per input stream it reads
    bool in_innermost = false, placed = false;
    using IRMutator::visit;

    static bool has_loop(const Stmt &s) {
        struct Finder : IRVisitor {
            bool found = false;
            using IRVisitor::visit;
            void visit(const For *) override { found = true; }
        } f;
        s.accept(&f);
        return f.found;
    }
    // A loop body's loads, the names it binds (lets, loops), and its size in IR nodes. Not
    // arithmetic_nodes' count: in lowered code a broadcast of a variable is an instruction, and
    // leaving broadcasts out took the prefetch from celu backward's main loop (0.87x at 2^25).
    struct Contents : IRGraphVisitor {
        std::vector<const Load *> loads;
        std::set<std::string> bound;
        int nodes = 0;
        using IRGraphVisitor::visit;
        void include(const Expr &e) override {
            if (e.defined() && e.as<Variable>() == nullptr && !is_const(e)) ++nodes;
            IRGraphVisitor::include(e);
        }
        void visit(const Load *op) override {
            loads.push_back(op);
            IRGraphVisitor::visit(op);
        }
        void visit(const Let *op) override {
            bound.insert(op->name);
            IRGraphVisitor::visit(op);
        }
        void visit(const LetStmt *op) override {
            bound.insert(op->name);
            IRGraphVisitor::visit(op);
        }
        void visit(const For *op) override {
            bound.insert(op->name);
            IRGraphVisitor::visit(op);
        }
    };
    Contents body_contents;
    std::set<std::string> enclosing_lets;  // the LetStmts of the body around the current node
    Stmt visit(const LetStmt *op) override {
        if (!in_innermost) return IRMutator::visit(op);
        enclosing_lets.insert(op->name);
        Stmt body = mutate(op->body);
        enclosing_lets.erase(op->name);
        return body.same_as(op->body) ? Stmt(op) : LetStmt::make(op->name, op->value, body);
    }
    // Whether e can be evaluated here: each variable it uses is bound outside the loop body or by
    // a LetStmt around this point.
    bool in_scope(const Expr &e) const {
        for (const std::string &n : body_contents.bound)
            if (!enclosing_lets.count(n) && expr_uses_var(e, n)) return false;
        return true;
    }
    // The innermost serial loops: the vector loops of every kernel (GPU loops are never serial).
    Stmt visit(const For *op) override {
        if (op->for_type != ForType::Serial || has_loop(op->body)) return IRMutator::visit(op);
        body_contents = Contents();
        op->body.accept(&body_contents);
        // Short math per input (relu, hardswish: 8-15 nodes) keeps enough lines in flight
        // without, and the prefetches cost it in cache (relu backward 0.86x at 2K). The body's
        // nodes are vector operations, so nodes per input stream measure the instructions per
        // line read whatever the vector width. Counted per load of an input, not per input: an
        // unrolled body reads each input once per vector.
        int input_loads = 0;
        for (const Load *l : body_contents.loads) input_loads += l->param.defined();
        if (input_loads == 0 || body_contents.nodes < min_nodes_per_input * input_loads) return IRMutator::visit(op);
        enclosing_lets.clear();
        in_innermost = true;
        placed = false;
        Stmt body = mutate(op->body);
        in_innermost = false;
        return For::make(op->name, op->min, op->extent, op->for_type, op->partition_policy, op->device_api, body);
    }
    // Before the loop's first store: one prefetch per input buffer read with unit stride (where
    // its index is in scope there), `distance` bytes past the vector's first element.
    Stmt visit(const Store *op) override {
        if (!in_innermost || placed) return op;
        placed = true;
        std::vector<Stmt> prefetches;
        // Per input: the first load's index, and the lines past it already prefetched. The
        // unrolled vectors of an iteration are loads at constant offsets from the first, so each
        // line of the iteration is prefetched once (AVX2: two 32-byte loads, one line).
        std::map<std::string, std::pair<Expr, std::set<int64_t>>> streams;
        for (const Load *l : body_contents.loads) {
            const Ramp *ramp = l->index.as<Ramp>();
            if (!l->param.defined() || !ramp || !is_const_one(ramp->stride) || !in_scope(ramp->base)) continue;
            auto it = streams.try_emplace(l->name, ramp->base, std::set<int64_t>{}).first;
            const std::optional<int64_t> offset = as_const_int(simplify(ramp->base - it->second.first));
            if (!offset) continue;  // another stream of the same input: not prefetched (as before)
            const int64_t bytes = l->type.bytes();  // of one lane
            // x86's and ARM's prefetches do not fault: past the buffer's end is harmless.
            Expr base = reinterpret(UInt(64), Variable::make(Handle(), l->name)) +
                        reinterpret(UInt(64), cast<int64_t>(it->second.first) * Expr(bytes));
            auto line_of = [](int64_t at) { return (at >= 0 ? at / kLine : -((kLine - 1 - at) / kLine)) * kLine; };
            const int64_t first = *offset * bytes, end = (*offset + l->type.lanes()) * bytes;
            for (int64_t line = line_of(first); line < end; line += kLine) {  // each line it touches
                if (!it->second.second.insert(line).second) continue;
                Expr address = reinterpret(Handle(), base + Expr(uint64_t(distance + line)));
                // llvm.prefetch(address, read, high locality: prefetcht0, data cache); declared
                // in every CPU module (Halide's runtime prefetch calls it). Call::prefetch itself
                // would be prefetchnta.
                prefetches.push_back(
                    Evaluate::make(Call::make(Int(32), "llvm.prefetch.p0", {address, 0, 3, 1}, Call::Extern)));
            }
        }
        if (prefetches.empty()) return op;
        prefetches.push_back(op);
        return Block::make(prefetches);
    }
};
}  // namespace

void add_prefetch(const Tuning &tuning, Pipeline pipeline) {
    if (tuning.prefetch_bytes > 0)
        pipeline.add_custom_lowering_pass(new PrefetchAhead(tuning.prefetch_bytes, tuning.prefetch_min_nodes_per_input));
}

}  // namespace hact::schedules::cpu
