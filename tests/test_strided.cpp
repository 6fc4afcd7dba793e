// 13. Strided N-d tensors (hact_forward_tensor, hact_backward_tensor, hact_backward_params_tensor),
// every op x parameter set, on the layouts of hact_strided.h (contiguous, .chunk() slices,
// transposes, negative strides, extent-1 and extent-0 dimensions, broadcast inputs, mixed
// layouts): forward and backward equal, bit for bit, the flat call on contiguous copies; the
// parameter gradient matches it within the reduction tolerance (bit for bit where the order of
// the terms is the same); buffer elements outside the output view are never written, inputs
// never modified. In-place views, outputs sharing a buffer with inputs without overlapping them,
// every ISA on a few layouts, float16 and bfloat16 storage on every layout, and every error:
// status, a readable message, nothing written.

// A DLTensor written from DLPack's specification (not its header), included the way dlpack.h
// would be, so that hact.h compiles its layout check and hact_tensor_from_dlpack().
#include <cstddef>
#include <cstdint>
#define DLPACK_DLPACK_H_
extern "C" {
typedef enum { kDLCPU = 1, kDLCUDA = 2 } DLDeviceType;
typedef struct {
    DLDeviceType device_type;
    int32_t device_id;
} DLDevice;
typedef struct {
    uint8_t code;
    uint8_t bits;
    uint16_t lanes;
} DLDataType;
typedef struct {
    void* data;
    DLDevice device;
    int32_t ndim;
    DLDataType dtype;
    int64_t* shape;
    int64_t* strides;
    uint64_t byte_offset;
} DLTensor;
}

#include "hact_strided.h"

namespace {
using namespace hact_test;

// ---- the flat calls on contiguous copies -------------------------------------------------------
struct Expected {
    std::vector<float> y, dx;
    hact_params grad;
};
Expected flat(hact_op op, const hact_params& hp, const std::vector<float>& x, const std::vector<float>& dy,
              const std::vector<float>& xg, const std::vector<float>& dyg) {
    Expected e;
    const size_t n = x.size();
    e.y.resize(n);
    e.dx.resize(n);
    EXPECT_EQ(hact_forward(op, HACT_F32, x.data(), e.y.data(), n, &hp), HACT_OK) << hact_last_error();
    EXPECT_EQ(hact_backward(op, HACT_F32, x.data(), dy.data(), e.dx.data(), n, &hp), HACT_OK) << hact_last_error();
    EXPECT_EQ(hact_backward_params(op, HACT_F32, xg.data(), dyg.data(), n, &hp, &e.grad), HACT_OK)
        << hact_last_error();
    return e;
}

::testing::AssertionResult same_results(const std::vector<float>& got, const std::vector<float>& want,
                                        const std::vector<float>& x, const char* what) {
    if (got.size() != want.size()) return ::testing::AssertionFailure() << what << ": size differs";
    for (size_t i = 0; i < got.size(); ++i) {
        if (!same_result(got[i], want[i]))
            return ::testing::AssertionFailure() << what << " element " << i << " x=" << describe(x[i]) << ": "
                                                 << describe(got[i]) << ", flat call " << describe(want[i]);
    }
    return ::testing::AssertionSuccess();
}

// The gradient against the flat call on contiguous copies: the same bits when the terms are
// summed in the same order, else within the reduction tolerance (and against the reference).
void expect_grad(const OpRef& op, const hact_ref::Params& p, const hact_params& got, const hact_params& want,
                 const std::vector<float>& xg, const std::vector<float>& dyg, bool same_order) {
    for (int k = 0; k < hact_ref::kNumFields; ++k) {
        const float a = hact_ref::field_value(got, k), b = hact_ref::field_value(want, k);
        if (!(op.learnable >> k & 1u)) {
            EXPECT_EQ(bits(a), 0u) << hact_ref::field_name(k);
            continue;
        }
        if (same_order) {
            EXPECT_EQ(bits(a), bits(b)) << "d" << hact_ref::field_name(k) << ": " << describe(a) << " vs flat "
                                        << describe(b);
        }
        const PgradRef ref = pgrad_reference(op, k, p, xg.data(), dyg.data(), xg.size());
        EXPECT_LE(fabsl((ld)a - (ld)b), 2 * ref.tolerance)
            << "d" << hact_ref::field_name(k) << ": " << describe(a) << " vs flat " << describe(b);
        EXPECT_LE(fabsl((ld)a - ref.sum), ref.tolerance)
            << "d" << hact_ref::field_name(k) << ": " << describe(a) << " vs reference " << describe_ld(ref.sum);
    }
}

// One layout: fresh buffers, every direction, results and untouched neighbours.
void check_layout(const OpRef& op, const hact_params& hp, const hact_ref::Params& p, const Layout& L,
                  uint64_t seed) {
    SCOPED_TRACE("layout " + L.name);
    TensorView x(L.x), dy(L.dy), y(L.y), dx(L.dx), xg(L.x), dyg(L.dy);
    const size_t n = x.offs.size();
    // Broadcast views repeat buffer elements: fill the buffer, then read the logical values back.
    const std::vector<float> xb = strided_inputs(L.x.buffer, seed), dyb = strided_inputs(L.dy.buffer, seed + 1);
    const std::vector<float> xgb = strided_inputs(L.x.buffer, seed + 2, true),
                             dygb = strided_inputs(L.dy.buffer, seed + 3, true);
    x.buf->fill(xb.data());
    dy.buf->fill(dyb.data());
    xg.buf->fill(xgb.data());
    dyg.buf->fill(dygb.data());
    const std::vector<float> X = x.get(), DY = dy.get(), XG = xg.get(), DYG = dyg.get();
    const Expected e = flat(op.op, hp, X, DY, XG, DYG);

    ASSERT_EQ(hact_forward_tensor(op.op, &x.t, &y.t, &hp), HACT_OK) << hact_last_error();
    ASSERT_EQ(hact_backward_tensor(op.op, &x.t, &dy.t, &dx.t, &hp), HACT_OK) << hact_last_error();
    hact_params grad;
    std::memset(&grad, 0xff, sizeof grad);
    ASSERT_EQ(hact_backward_params_tensor(op.op, &xg.t, &dyg.t, &hp, &grad), HACT_OK) << hact_last_error();

    EXPECT_TRUE(same_results(y.get(), e.y, X, "forward"));
    EXPECT_TRUE(same_results(dx.get(), e.dx, X, "backward"));
    expect_grad(op, p, grad, e.grad, XG, DYG, L.pgrad_same_order);
    EXPECT_TRUE(y.outside_untouched()) << "forward";
    EXPECT_TRUE(dx.outside_untouched()) << "backward";
    for (size_t i = 0; i < L.x.buffer; ++i) ASSERT_EQ(bits(x.base()[i]), bits(xb[i])) << "x modified";
    for (size_t i = 0; i < L.dy.buffer; ++i) ASSERT_EQ(bits(dy.base()[i]), bits(dyb[i])) << "dy modified";
    EXPECT_TRUE(x.buf->guards_intact() && dy.buf->guards_intact());
    (void)n;
}

class Strided : public ::testing::TestWithParam<OpParams> {
  protected:
    const OpParams& c = GetParam();
    const OpRef& op = *c.op;
    const hact_params hp = c.params();
    const hact_ref::Params p = c.ref_params();
};

TEST_P(Strided, EveryLayoutMatchesTheFlatCall) {
    uint64_t seed = 0x57D;
    for (const Layout& L : layouts()) check_layout(op, hp, p, L, seed += 7);
}

// The same view as input and output: in place, through every path.
TEST_P(Strided, InPlaceMatchesOutOfPlace) {
    for (const Layout& L : layouts()) {
        if (L.name.rfind("broadcast", 0) == 0) continue;  // a broadcast output is refused (tested below)
        SCOPED_TRACE("layout " + L.name);
        TensorView a(L.x), b(L.x), dyv(L.x);
        const std::vector<float> xb = strided_inputs(L.x.buffer, 0x1A), dyb = strided_inputs(L.x.buffer, 0x1B);
        a.buf->fill(xb.data());
        dyv.buf->fill(dyb.data());
        const std::vector<float> X = a.get(), DY = dyv.get();
        const Expected e = flat(op.op, hp, X, DY, X, DY);

        ASSERT_EQ(hact_forward_tensor(op.op, &a.t, &a.t, &hp), HACT_OK) << hact_last_error();  // y = x
        EXPECT_TRUE(same_results(a.get(), e.y, X, "forward y = x"));
        EXPECT_TRUE(a.outside_untouched(&xb));

        a.buf->fill(xb.data());  // dx = x
        ASSERT_EQ(hact_backward_tensor(op.op, &a.t, &dyv.t, &a.t, &hp), HACT_OK) << hact_last_error();
        EXPECT_TRUE(same_results(a.get(), e.dx, X, "backward dx = x"));

        b.buf->fill(xb.data());  // dx = dy
        ASSERT_EQ(hact_backward_tensor(op.op, &b.t, &dyv.t, &dyv.t, &hp), HACT_OK) << hact_last_error();
        EXPECT_TRUE(same_results(dyv.get(), e.dx, X, "backward dx = dy"));
        EXPECT_TRUE(dyv.outside_untouched(&dyb));

        // dx = x = dy: dy * f'(x) with dy = x.
        std::vector<float> want(X.size());
        ASSERT_EQ(hact_backward(op.op, HACT_F32, X.data(), X.data(), want.data(), X.size(), &hp), HACT_OK);
        a.buf->fill(xb.data());
        ASSERT_EQ(hact_backward_tensor(op.op, &a.t, &a.t, &a.t, &hp), HACT_OK) << hact_last_error();
        EXPECT_TRUE(same_results(a.get(), want, X, "backward dx = x = dy"));
    }
}

// Inputs and outputs cut from one buffer without sharing an element: allowed, and correct.
TEST_P(Strided, OutputSharingABufferWithoutOverlap) {
    struct Case {
        const char* name;
        ViewSpec in, out;
    } cases[] = {
        // GLU-style: the two .chunk(2, dim=1) halves of a [6, 2 * 33] tensor.
        {"chunks_of_one_tensor", {{6, 33}, {66, 1}, 0, 396}, {{6, 33}, {66, 1}, 33, 396}},
        // Even and odd columns of a [5, 40] tensor.
        {"interleaved_columns", {{5, 20}, {40, 2}, 0, 200}, {{5, 20}, {40, 2}, 1, 200}},
        // Rows 0, 2, 4 and rows 1, 3, 5 of a [6, 10] tensor.
        {"alternate_rows", {{3, 10}, {20, 1}, 0, 60}, {{3, 10}, {20, 1}, 10, 60}},
        // Lower and upper half of a buffer, viewed with different strides.
        {"halves_different_strides", {{8, 8}, {1, 8}, 0, 128}, {{8, 8}, {8, 1}, 64, 128}},
        // Even and odd elements of one 40-float span, with different strides (spans intersect).
        {"even_odd_different_strides", {{4, 5}, {2, 8}, 0, 40}, {{4, 5}, {10, 2}, 1, 40}},
    };
    for (const Case& k : cases) {
        SCOPED_TRACE(k.name);
        TensorView in(k.in);  // the shared buffer
        const std::vector<float> buf = strided_inputs(k.in.buffer, 0x5B);
        in.buf->fill(buf.data());
        const std::vector<float> X = in.get();
        TensorView out_view(k.out);  // only for offsets
        const hact_tensor out = out_view.describe_on(in.base());
        std::vector<float> dyv(X.size(), 1.0f);
        const Expected e = flat(op.op, hp, X, dyv, X, dyv);
        ASSERT_EQ(hact_forward_tensor(op.op, &in.t, &out, &hp), HACT_OK) << hact_last_error();
        std::vector<float> got(X.size());
        for (size_t i = 0; i < got.size(); ++i) got[i] = in.base()[out_view.offs[i]];
        EXPECT_TRUE(same_results(got, e.y, X, "forward"));
        std::set<int64_t> touched(out_view.offs.begin(), out_view.offs.end());
        for (size_t i = 0; i < k.in.buffer; ++i) {
            if (!touched.count((int64_t)i)) {
                ASSERT_EQ(bits(in.base()[i]), bits(buf[i])) << "element " << i;
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(All, Strided, ::testing::ValuesIn(all_op_params()), LabelName());

// Every ISA, on the layouts that exercise each path (flat, rows, blocks, tiles).
class StridedIsa : public IsaTest<OpOnlyIsa> {};
TEST_P(StridedIsa, PathsMatchTheFlatCall) {
    const OpRef& op = *GetParam().op;
    const hact_params hp = hact_default_params(op.op);
    const hact_ref::Params p = hact_ref::from_hact(hp);
    uint64_t seed = 0x15A;
    for (const Layout& L : layouts()) {
        if (L.name == "transposed" || L.name == "chunk_dim1_long_rows" || L.name == "mixed_layouts" ||
            L.name == "inner_stride_2" || L.name == "broadcast_inputs" || L.name == "transposed_input")
            check_layout(op, hp, p, L, seed += 3);
    }
}
INSTANTIATE_TEST_SUITE_P(All, StridedIsa, ::testing::ValuesIn(all_ops_by_isa()), LabelName());

// ---- random layouts ------------------------------------------------------------------------------
// A random view of `shape` for one operand: cut from a parent tensor whose dimensions are
// permuted, with steps of 1 or 2, a start inside padding, some dimensions flipped, and (inputs
// only) some dimensions broadcast.
ViewSpec random_view(std::mt19937_64& g, const std::vector<int64_t>& shape, bool input) {
    const size_t nd = shape.size();
    std::vector<size_t> perm(nd);
    for (size_t d = 0; d < nd; ++d) perm[d] = d;
    std::shuffle(perm.begin(), perm.end(), g);
    std::vector<int64_t> step(nd), pad(nd), start(nd), ext(nd), pstride(nd);
    std::vector<bool> flip(nd), bcast(nd);
    for (size_t d = 0; d < nd; ++d) {
        step[d] = 1 + (int64_t)(g() % 4 == 0);
        pad[d] = (int64_t)(g() % 3);
        start[d] = pad[d] ? (int64_t)(g() % (uint64_t)(pad[d] + 1)) : 0;
        flip[d] = g() % 4 == 0;
        bcast[d] = input && g() % 6 == 0;
        ext[d] = bcast[d] ? 1 + pad[d] : std::max<int64_t>(shape[d], 1) * step[d] + pad[d];
    }
    int64_t row = 1;  // parent strides: contiguous in the permuted order
    for (size_t i = nd; i-- > 0;) {
        pstride[perm[i]] = row;
        row *= ext[perm[i]];
    }
    ViewSpec v;
    v.shape = shape;
    v.strides.resize(nd);
    v.offset = 0;
    for (size_t d = 0; d < nd; ++d) {
        if (bcast[d]) {
            v.strides[d] = 0;
            v.offset += start[d] * pstride[d];
            continue;
        }
        const int64_t s = step[d] * pstride[d];
        v.strides[d] = flip[d] ? -s : s;
        v.offset += start[d] * pstride[d] + (flip[d] ? std::max<int64_t>(shape[d] - 1, 0) * s : 0);
    }
    v.buffer = (size_t)row;
    v.by_byte_offset = g() % 2 == 0;
    if (nd > 0 && g() % 5 == 0) return contiguous(shape);  // some operands contiguous
    return v;
}

TEST(StridedRandom, LayoutsMatchTheFlatCall) {
    const OpRef* swish = nullptr;
    for (const OpRef& o : ops())
        if (std::string(o.name) == "swish") swish = &o;
    ASSERT_NE(swish, nullptr);
    hact_params hp = hact_default_params(swish->op);
    hp.beta = 1.702f;
    const hact_ref::Params p = hact_ref::from_hact(hp);
    auto g = rng(0x7A11);
    for (int iter = 0; iter < 400; ++iter) {
        const size_t nd = (size_t)(g() % 5);
        std::vector<int64_t> shape(nd);
        for (int64_t& e : shape) e = g() % 12 == 0 ? (int64_t)(g() % 2) : 1 + (int64_t)(g() % 9);
        Layout L{"random_" + std::to_string(iter), random_view(g, shape, true), random_view(g, shape, true),
                 random_view(g, shape, false), random_view(g, shape, false), 0, false};
        check_layout(*swish, hp, p, L, 0x7A12 + (uint64_t)iter);
        if (::testing::Test::HasFailure()) break;
    }
}

// Accept or refuse, decided against brute force: an output whose elements coincide is refused;
// an output that is element for element an input's view is in place; any other shared element
// with an input is refused; everything else runs and gives the flat call's results.
TEST(StridedRandom, OverlapDecisionsAreExact) {
    hact_op silu;
    ASSERT_EQ(hact_op_from_name("silu", &silu), HACT_OK);
    constexpr size_t kBuf = 64;
    auto g = rng(0x0E1A);
    auto random_in_buffer = [&](std::vector<int64_t> shape) {
        for (;;) {
            ViewSpec v;
            v.shape = shape;
            v.buffer = kBuf;
            for (size_t d = 0; d < shape.size(); ++d) v.strides.push_back((int64_t)(g() % 13) - 6);
            v.offset = (int64_t)(g() % kBuf);
            bool inside = true;
            for (int64_t o : element_offsets(v)) inside &= o >= 0 && o < (int64_t)kBuf;
            if (inside) return v;
        }
    };
    int counts[4] = {0, 0, 0, 0};  // accepted disjoint, accepted in place, refused self, refused partial
    for (int iter = 0; iter < 4000; ++iter) {
        SCOPED_TRACE("case " + std::to_string(iter));
        const size_t nd = 1 + (size_t)(g() % 3);
        std::vector<int64_t> shape(nd);
        for (int64_t& e : shape) e = 1 + (int64_t)(g() % 4);
        const ViewSpec xv = random_in_buffer(shape);
        ViewSpec yv = g() % 4 == 0 ? xv : random_in_buffer(shape);
        if (g() % 8 == 0) {  // the same elements, with other strides for extent-1 dimensions
            yv = xv;
            for (size_t d = 0; d < nd; ++d)
                if (shape[d] == 1) yv.strides[d] = (int64_t)(g() % 7) - 3;
        }
        const std::vector<int64_t> xo = element_offsets(xv), yo = element_offsets(yv);
        const std::set<int64_t> ys(yo.begin(), yo.end()), xs(xo.begin(), xo.end());
        const bool self = ys.size() != yo.size(), in_place = xo == yo;
        bool shared = false;
        for (int64_t o : yo) shared |= xs.count(o) > 0;
        const bool refuse = self || (shared && !in_place);

        GuardedBuffer buf(kBuf);
        const std::vector<float> init = strided_inputs(kBuf, 0x0E1B + (uint64_t)iter);
        buf.fill(init.data());
        TensorView shape_only(xv);
        hact_tensor x = shape_only.describe_on(buf.data());
        TensorView yshape(yv);
        hact_tensor y = yshape.describe_on(buf.data());
        const hact_status s = hact_forward_tensor(silu, &x, &y, nullptr);
        if (refuse) {
            ++counts[self ? 2 : 3];
            EXPECT_EQ(s, HACT_ERR_INVALID_ARGUMENT) << (self ? "self-overlapping output" : "partial overlap");
            for (size_t i = 0; i < kBuf; ++i) ASSERT_EQ(bits(buf[i]), bits(init[i])) << "written by a refused call";
            continue;
        }
        ++counts[in_place ? 1 : 0];
        ASSERT_EQ(s, HACT_OK) << hact_last_error();
        std::vector<float> X(xo.size()), want(xo.size());
        for (size_t e = 0; e < xo.size(); ++e) X[e] = init[(size_t)xo[e]];
        ASSERT_EQ(hact_forward(silu, HACT_F32, X.data(), want.data(), X.size(), nullptr), HACT_OK);
        for (size_t e = 0; e < yo.size(); ++e) ASSERT_TRUE(same_result(buf[(size_t)yo[e]], want[e])) << e;
        for (size_t i = 0; i < kBuf; ++i) {
            if (!ys.count((int64_t)i)) {
                ASSERT_EQ(bits(buf[i]), bits(init[i])) << "element " << i;
            }
        }
    }
    // Every kind of decision was exercised.
    for (int k = 0; k < 4; ++k) EXPECT_GT(counts[k], 50) << "kind " << k;
    std::printf("overlap decisions: %d disjoint, %d in place, %d self-overlapping, %d partial\n", counts[0],
                counts[1], counts[2], counts[3]);
}

// ---- threads -------------------------------------------------------------------------------------
// Large views that are not one flat call run in tasks over the thread pool: the same bits with 1,
// 2 and the default number of threads, parameter gradients included, and the flat call's results.
TEST(StridedThreads, SameResultsWithAnyThreadCount) {
    const OpRef* swish = nullptr;
    for (const OpRef& o : ops())
        if (std::string(o.name) == "swish") swish = &o;
    ASSERT_NE(swish, nullptr);
    const hact_params hp = hact_default_params(swish->op);
    const hact_ref::Params p = hact_ref::from_hact(hp);
    const int threads_before = hact_get_num_threads();
    const Layout cases[] = {
        // Rows of 300 (tasks of whole rows), 240K elements.
        {"rows", {{800, 300}, {600, 1}, 0, 480000}, {{800, 300}, {600, 1}, 300, 480000},
         {{800, 300}, {600, 1}, 300, 480000}, {{800, 300}, {600, 1}, 0, 480000}, kPathRows, false},
        // Gathered blocks (inner stride 3), 150K elements, a task boundary inside a row.
        {"blocks", {{500, 301}, {903, 3}, 1, 451500}, {{500, 301}, {903, 3}, 2, 451500},
         contiguous({500, 301}), {{500, 301}, {-903, -3}, 451500 - 1, 451500}, kPathBlocks, false},
        // Tiles (x and dy transposed, edge tiles on both dimensions), 250K elements.
        {"tiles", {{601, 415}, {1, 601}, 0, 249415}, {{601, 415}, {1, 601}, 0, 249415}, contiguous({601, 415}),
         contiguous({601, 415}), kPathTiles, false},
    };
    for (const Layout& L : cases) {
        SCOPED_TRACE(L.name);
        std::vector<std::vector<float>> ys, dxs;
        std::vector<hact_params> grads;
        for (int threads : {1, 2, 0}) {
            ASSERT_EQ(hact_set_num_threads(threads), HACT_OK);
            check_layout(*swish, hp, p, L, 0x7EAD);  // against the flat call
            TensorView x(L.x), dy(L.dy), y(L.y), dx(L.dx);
            const std::vector<float> xb = strided_inputs(L.x.buffer, 1, true), dyb = strided_inputs(L.dy.buffer, 2, true);
            x.buf->fill(xb.data());
            dy.buf->fill(dyb.data());
            hact_params g;
            ASSERT_EQ(hact_forward_tensor(swish->op, &x.t, &y.t, &hp), HACT_OK) << hact_last_error();
            ASSERT_EQ(hact_backward_tensor(swish->op, &x.t, &dy.t, &dx.t, &hp), HACT_OK) << hact_last_error();
            ASSERT_EQ(hact_backward_params_tensor(swish->op, &x.t, &dy.t, &hp, &g), HACT_OK) << hact_last_error();
            ys.push_back(y.get());
            dxs.push_back(dx.get());
            grads.push_back(g);
        }
        for (size_t t = 1; t < ys.size(); ++t) {
            EXPECT_EQ(std::memcmp(ys[t].data(), ys[0].data(), ys[0].size() * 4), 0);
            EXPECT_EQ(std::memcmp(dxs[t].data(), dxs[0].data(), dxs[0].size() * 4), 0);
            EXPECT_EQ(bits(grads[t].beta), bits(grads[0].beta)) << describe(grads[t].beta) << " vs " << describe(grads[0].beta);
        }
    }
    ASSERT_EQ(hact_set_num_threads(threads_before), HACT_OK);
}

// ---- float16 and bfloat16 ------------------------------------------------------------------------
// Every op on every layout with 16-bit storage: the flat call's bits on contiguous copies, the
// buffer outside the output views untouched; swish's dbeta (dy > 0, x > 0: terms of one sign) the
// flat call's bits when the grouping is the same, else within 4 float32 ULPs.
struct Narrow {
    hact_dtype dtype;
    const char* name;
    // Random finite bits around 1 in magnitude (exponents 2^-5 .. 2^5).
    uint16_t random(std::mt19937_64& g, bool positive) const {
        const uint16_t sign = positive ? 0 : (uint16_t)((g() & 1) << 15);
        if (dtype == HACT_F16) return (uint16_t)(sign | (uint16_t)((10 + g() % 11) << 10) | (uint16_t)(g() & 0x3FF));
        return (uint16_t)(sign | (uint16_t)((122 + g() % 11) << 7) | (uint16_t)(g() & 0x7F));
    }
};

hact_tensor narrow_view(const ViewSpec& v, uint16_t* base, hact_dtype dtype) {
    hact_tensor t = hact_tensor_make(base, dtype, (int32_t)v.shape.size(), v.shape.data(),
                                     v.strides.empty() ? nullptr : v.strides.data());
    if (v.by_byte_offset) t.byte_offset = (uint64_t)v.offset * 2;
    else t.data = base + v.offset;
    return t;
}

TEST(StridedNarrow, EveryOpAndLayoutMatchesTheFlatCall) {
    for (const Narrow nt : {Narrow{HACT_F16, "f16"}, Narrow{HACT_BF16, "bf16"}}) {
        for (const OpRef& op : ops()) {
            const hact_params hp = hact_default_params(op.op);
            uint64_t seed = 0xF16;
            for (const Layout& L : layouts()) {
                SCOPED_TRACE(std::string(nt.name) + " " + op.name + " layout " + L.name);
                auto g = rng(seed += 5);
                const uint16_t kSentinel = 0x7E57;
                std::vector<uint16_t> xb(L.x.buffer), dyb(L.dy.buffer), yb(L.y.buffer, kSentinel), dxb(L.dx.buffer, kSentinel);
                const bool positive = op.learnable != 0;
                for (uint16_t& v : xb) v = nt.random(g, positive);
                for (uint16_t& v : dyb) v = nt.random(g, positive);
                const hact_tensor x = narrow_view(L.x, xb.data(), nt.dtype), dy = narrow_view(L.dy, dyb.data(), nt.dtype),
                                  y = narrow_view(L.y, yb.data(), nt.dtype), dx = narrow_view(L.dx, dxb.data(), nt.dtype);
                const std::vector<int64_t> xo = element_offsets(L.x), dyo = element_offsets(L.dy),
                                           yo = element_offsets(L.y), dxo = element_offsets(L.dx);
                const size_t n = xo.size();
                std::vector<uint16_t> X(n), DY(n), want_y(n), want_dx(n);
                for (size_t e = 0; e < n; ++e) {
                    X[e] = xb[(size_t)xo[e]];
                    DY[e] = dyb[(size_t)dyo[e]];
                }
                ASSERT_EQ(hact_forward(op.op, nt.dtype, X.data(), want_y.data(), n, &hp), HACT_OK) << hact_last_error();
                ASSERT_EQ(hact_backward(op.op, nt.dtype, X.data(), DY.data(), want_dx.data(), n, &hp), HACT_OK);
                ASSERT_EQ(hact_forward_tensor(op.op, &x, &y, &hp), HACT_OK) << hact_last_error();
                ASSERT_EQ(hact_backward_tensor(op.op, &x, &dy, &dx, &hp), HACT_OK) << hact_last_error();
                std::set<int64_t> yin(yo.begin(), yo.end()), dxin(dxo.begin(), dxo.end());
                for (size_t e = 0; e < n; ++e) {
                    ASSERT_EQ(yb[(size_t)yo[e]], want_y[e]) << "forward element " << e;
                    ASSERT_EQ(dxb[(size_t)dxo[e]], want_dx[e]) << "backward element " << e;
                }
                for (size_t i = 0; i < yb.size(); ++i) {
                    if (!yin.count((int64_t)i)) {
                        ASSERT_EQ(yb[i], kSentinel) << "y buffer element " << i;
                    }
                }
                for (size_t i = 0; i < dxb.size(); ++i) {
                    if (!dxin.count((int64_t)i)) {
                        ASSERT_EQ(dxb[i], kSentinel) << "dx buffer element " << i;
                    }
                }
                if (!op.learnable) continue;
                hact_params got, want;
                ASSERT_EQ(hact_backward_params(op.op, nt.dtype, X.data(), DY.data(), n, &hp, &want), HACT_OK);
                ASSERT_EQ(hact_backward_params_tensor(op.op, &x, &dy, &hp, &got), HACT_OK) << hact_last_error();
                for (int k = 0; k < hact_ref::kNumFields; ++k) {
                    const float a = hact_ref::field_value(got, k), b = hact_ref::field_value(want, k);
                    if (L.pgrad_same_order) {
                        EXPECT_EQ(bits(a), bits(b)) << hact_ref::field_name(k);
                    } else {
                        EXPECT_LE(std::fabs(a - b), 4 * std::ldexp(std::fabs(b), -23) + 1e-30f)
                            << hact_ref::field_name(k) << ": " << describe(a) << " vs flat " << describe(b);
                    }
                }
            }
        }
    }
}

// ---- DLPack --------------------------------------------------------------------------------------
TEST(StridedDLPack, DLTensorIsAccepted) {
    static_assert(sizeof(DLTensor) == sizeof(hact_tensor), "layout");
    static_assert(offsetof(DLTensor, byte_offset) == offsetof(hact_tensor, byte_offset), "layout");
    std::vector<float> buf(2 * 3 * 4), out(2 * 3 * 4, 0.0f), ref(2 * 3 * 4);
    for (size_t i = 0; i < buf.size(); ++i) buf[i] = 0.25f * (float)i - 3.0f;
    // A transposed [4, 3, 2] view of the [2, 3, 4] buffer, as a DLPack producer describes it.
    int64_t shape[3] = {4, 3, 2}, strides[3] = {1, 4, 12}, out_shape[3] = {4, 3, 2};
    DLTensor x{buf.data(), {kDLCPU, 0}, 3, {2, 32, 1}, shape, strides, 0};
    DLTensor y{out.data(), {kDLCPU, 0}, 3, {2, 32, 1}, out_shape, nullptr, 0};
    hact_op silu;
    ASSERT_EQ(hact_op_from_name("silu", &silu), HACT_OK);
    ASSERT_EQ(hact_forward_tensor(silu, hact_tensor_from_dlpack(&x), hact_tensor_from_dlpack(&y), nullptr), HACT_OK)
        << hact_last_error();
    ASSERT_EQ(hact_forward(silu, HACT_F32, buf.data(), ref.data(), buf.size(), nullptr), HACT_OK);
    for (int64_t a = 0; a < 4; ++a)
        for (int64_t b = 0; b < 3; ++b)
            for (int64_t c = 0; c < 2; ++c)
                EXPECT_EQ(bits(out[(size_t)(a * 6 + b * 2 + c)]), bits(ref[(size_t)(a + 4 * b + 12 * c)]));
    DLTensor on_gpu = x;
    on_gpu.device = {kDLCUDA, 1};
    EXPECT_EQ(hact_forward_tensor(silu, hact_tensor_from_dlpack(&on_gpu), hact_tensor_from_dlpack(&y), nullptr),
              HACT_ERR_UNSUPPORTED);
    EXPECT_NE(std::string(hact_last_error()).find("cuda:1"), std::string::npos) << hact_last_error();
}

// ---- errors -------------------------------------------------------------------------------------
bool mentions(const std::string& msg, const std::string& what) { return msg.find(what) != std::string::npos; }

// status, a message of this call naming every `words`, nothing written.
#define EXPECT_TENSOR_FAILS(call, status, ...)                                                     \
    do {                                                                                           \
        hact_isa unused_;                                                                          \
        (void)hact_isa_from_name("stale-marker", &unused_);                                       \
        const hact_status s_ = (call);                                                             \
        EXPECT_EQ(s_, (status)) << #call << ": " << hact_last_error();                             \
        const std::string m_ = hact_last_error();                                                  \
        EXPECT_FALSE(mentions(m_, "stale-marker")) << #call << ": no message of its own";          \
        for (const char* w_ : {__VA_ARGS__})                                                       \
            EXPECT_TRUE(mentions(m_, w_)) << #call << ": message '" << m_ << "' lacks '" << w_ << "'"; \
    } while (0)

class StridedErrors : public ::testing::TestWithParam<const OpRef*> {
  protected:
    void SetUp() override {
        for (size_t i = 0; i < 60; ++i) xs[i] = 0.1f * (float)i - 3.0f;
        x = hact_tensor_make(xs.data(), HACT_F32, 2, shape, nullptr);
        dy = hact_tensor_make(xs.data(), HACT_F32, 2, shape, nullptr);
        y = hact_tensor_make(ys.data(), HACT_F32, 2, shape, nullptr);
        dx = hact_tensor_make(dxs.data(), HACT_F32, 2, shape, nullptr);
    }
    bool outputs_untouched() const { return ys.untouched() && dxs.untouched(); }
    // All three entry points with these descriptors fail with `status`, naming the words.
    template <class... W>
    void all_fail(const hact_tensor& xx, const hact_tensor& dyy, const hact_tensor& yy, const hact_tensor& dxx,
                  hact_status status, W... words) {
        EXPECT_TENSOR_FAILS(hact_forward_tensor(op, &xx, &yy, nullptr), status, name.c_str(), words...);
        EXPECT_TENSOR_FAILS(hact_backward_tensor(op, &xx, &dyy, &dxx, nullptr), status, name.c_str(), words...);
        EXPECT_TRUE(outputs_untouched());
    }
    template <class... W>
    void pgrad_fails(const hact_tensor& xx, const hact_tensor& dyy, hact_status status, W... words) {
        hact_params g;
        std::memset(&g, 0x5a, sizeof g);
        const hact_params before = g;
        EXPECT_TENSOR_FAILS(hact_backward_params_tensor(op, &xx, &dyy, nullptr, &g), status, name.c_str(), words...);
        EXPECT_EQ(std::memcmp(&g, &before, sizeof g), 0) << "grad written by a failing call";
    }

    const hact_op op = GetParam()->op;
    const std::string name = GetParam()->name;
    int64_t shape[2] = {6, 10};
    GuardedBuffer xs{60}, ys{60}, dxs{60};
    hact_tensor x, dy, y, dx;
};

TEST_P(StridedErrors, ShapeMismatchNamesTheDimension) {
    int64_t other[2] = {6, 9}, three[3] = {6, 10, 1};
    hact_tensor bad = hact_tensor_make(ys.data(), HACT_F32, 2, other, nullptr);
    EXPECT_TENSOR_FAILS(hact_forward_tensor(op, &x, &bad, nullptr), HACT_ERR_INVALID_ARGUMENT, name.c_str(),
                        "shape mismatch", "dimension 1", "[6, 10]", "[6, 9]");
    EXPECT_TENSOR_FAILS(hact_backward_tensor(op, &x, &dy, &bad, nullptr), HACT_ERR_INVALID_ARGUMENT, "dimension 1",
                        "dx");
    hact_tensor bad_dy = hact_tensor_make(xs.data(), HACT_F32, 2, other, nullptr);
    EXPECT_TENSOR_FAILS(hact_backward_tensor(op, &x, &bad_dy, &dx, nullptr), HACT_ERR_INVALID_ARGUMENT,
                        "dimension 1", "dy");
    pgrad_fails(x, bad_dy, HACT_ERR_INVALID_ARGUMENT, "dimension 1");
    hact_tensor extra = hact_tensor_make(ys.data(), HACT_F32, 3, three, nullptr);
    EXPECT_TENSOR_FAILS(hact_forward_tensor(op, &x, &extra, nullptr), HACT_ERR_INVALID_ARGUMENT, "2 dimensions",
                        "3 dimensions");
    EXPECT_TRUE(outputs_untouched());
}

TEST_P(StridedErrors, BadDescriptors) {
    hact_tensor t = y;
    t.ndim = -1;
    all_fail(x, dy, t, t, HACT_ERR_INVALID_ARGUMENT, "ndim = -1");
    t.ndim = HACT_TENSOR_MAX_NDIM + 1;
    all_fail(t, t, y, dx, HACT_ERR_INVALID_ARGUMENT, "ndim = 65");
    pgrad_fails(t, dy, HACT_ERR_INVALID_ARGUMENT, "ndim");
    t = x;
    t.shape = nullptr;
    all_fail(t, dy, y, dx, HACT_ERR_INVALID_ARGUMENT, "x.shape is NULL");
    pgrad_fails(x, t, HACT_ERR_INVALID_ARGUMENT, "dy.shape is NULL");
    int64_t negative[2] = {6, -10};
    t = x;
    t.shape = negative;
    all_fail(t, t, y, dx, HACT_ERR_INVALID_ARGUMENT, "x.shape[1] = -10");
    // NULL descriptors, NULL data with elements, NULL grad.
    EXPECT_TENSOR_FAILS(hact_forward_tensor(op, nullptr, &y, nullptr), HACT_ERR_INVALID_ARGUMENT, "x is NULL");
    EXPECT_TENSOR_FAILS(hact_forward_tensor(op, &x, nullptr, nullptr), HACT_ERR_INVALID_ARGUMENT, "y is NULL");
    EXPECT_TENSOR_FAILS(hact_backward_tensor(op, &x, nullptr, &dx, nullptr), HACT_ERR_INVALID_ARGUMENT, "dy is NULL");
    EXPECT_TENSOR_FAILS(hact_backward_params_tensor(op, &x, &dy, nullptr, nullptr), HACT_ERR_INVALID_ARGUMENT,
                        "grad is NULL");
    t = y;
    t.data = nullptr;
    all_fail(x, dy, t, t, HACT_ERR_INVALID_ARGUMENT, "data is NULL", "60 elements");
    // Misaligned element 0, through byte_offset.
    t = y;
    t.byte_offset = 2;
    all_fail(x, dy, t, t, HACT_ERR_INVALID_ARGUMENT, "not aligned");
    // Strides whose span cannot exist.
    int64_t huge[2] = {INT64_MAX / 2, 1};
    t = x;
    t.strides = huge;
    all_fail(t, t, y, dx, HACT_ERR_INVALID_ARGUMENT, "strides[0]", "2^60");
    int64_t most_negative[2] = {INT64_MIN, 1};
    t.strides = most_negative;
    all_fail(t, t, y, dx, HACT_ERR_INVALID_ARGUMENT, "strides[0]", "2^60");
    int64_t reach[2] = {-((int64_t)1 << 56), 1};  // far below address 0
    t = x;
    t.strides = reach;
    all_fail(t, t, y, dx, HACT_ERR_INVALID_ARGUMENT, "address space");
    // Unknown op.
    EXPECT_TENSOR_FAILS(hact_forward_tensor((hact_op)999, &x, &y, nullptr), HACT_ERR_UNKNOWN_OP, "op 999");
    EXPECT_TENSOR_FAILS(hact_backward_params_tensor((hact_op)-1, &x, &dy, nullptr, nullptr), HACT_ERR_UNKNOWN_OP,
                        "op -1");
    EXPECT_TRUE(outputs_untouched());
}

TEST_P(StridedErrors, DtypesAndDevices) {
    struct {
        hact_dltype dtype;
        hact_status status;
        const char* text;
    } dtypes[] = {
        {{HACT_DL_INT, 32, 1}, HACT_ERR_UNSUPPORTED, "int32"},
        {{HACT_DL_FLOAT, 8, 1}, HACT_ERR_UNSUPPORTED, "float8"},
        {{HACT_DL_FLOAT, 32, 4}, HACT_ERR_UNSUPPORTED, "float32x4"},
        {{5, 64, 1}, HACT_ERR_UNSUPPORTED, "complex64"},
        {{HACT_DL_FLOAT, 0, 1}, HACT_ERR_INVALID_ARGUMENT, "bits 0"},
        {{HACT_DL_FLOAT, 32, 0}, HACT_ERR_INVALID_ARGUMENT, "lanes 0"},
    };
    for (const auto& d : dtypes) {
        SCOPED_TRACE(d.text);
        hact_tensor a = x, b = dy, c = y, e = dx;
        a.dtype = b.dtype = c.dtype = e.dtype = d.dtype;
        all_fail(a, b, c, e, d.status, d.text);
        pgrad_fails(a, b, d.status, d.text);
    }
    // Not a hact_dtype through hact_tensor_make.
    hact_tensor bad = hact_tensor_make(xs.data(), (hact_dtype)7, 2, shape, nullptr);
    all_fail(bad, bad, y, dx, HACT_ERR_INVALID_ARGUMENT, "not a valid dtype");
    // Mixed dtypes.
    hact_tensor f64 = y;
    f64.dtype = {HACT_DL_FLOAT, 64, 1};
    all_fail(x, dy, f64, f64, HACT_ERR_INVALID_ARGUMENT, "dtype mismatch", "float32", "float64");

    struct {
        int32_t type;
        hact_status status;
        const char* text;
    } devices[] = {
        {HACT_DEVICE_CUDA, HACT_ERR_UNSUPPORTED, "cuda:3"},
        {HACT_DEVICE_CUDA_MANAGED, HACT_ERR_UNSUPPORTED, "cuda_managed:3"},
        {HACT_DEVICE_ROCM, HACT_ERR_UNSUPPORTED, "rocm:3"},
        {4, HACT_ERR_UNSUPPORTED, "opencl:3"},
        {99, HACT_ERR_UNSUPPORTED, "device type 99"},
        {0, HACT_ERR_INVALID_ARGUMENT, "device_type = 0"},
    };
    for (const auto& d : devices) {
        SCOPED_TRACE(d.text);
        hact_tensor t = y;
        t.device = {d.type, 3};
        all_fail(x, dy, t, t, d.status, d.text);
        t = x;
        t.device = {d.type, 3};
        pgrad_fails(x, t, d.status, d.text);
    }
    // Pinned host memory is host memory.
    hact_tensor pinned = y;
    pinned.device = {HACT_DEVICE_CUDA_HOST, 0};
    EXPECT_EQ(hact_forward_tensor(op, &x, &pinned, nullptr), HACT_OK) << hact_last_error();
}

TEST_P(StridedErrors, OverlappingOutputs) {
    // Output with stride 0 (a broadcast output).
    int64_t bcast[2] = {10, 1};
    hact_tensor t = y;
    t.strides = bcast;
    bcast[0] = 0;
    all_fail(x, dy, t, t, HACT_ERR_INVALID_ARGUMENT, "stride 0 in dimension 0", "share memory");
    // Elements coinciding without a zero stride: [6, 10] with strides {1, 1}, and {4, 3}
    // (element (3, 0) = (0, 4)).
    int64_t diag[2] = {1, 1}, tangled[2] = {4, 3};
    t.strides = diag;
    all_fail(x, dy, t, t, HACT_ERR_INVALID_ARGUMENT, "share memory");
    t.strides = tangled;
    all_fail(x, dy, t, t, HACT_ERR_INVALID_ARGUMENT, "share memory");
    // The output shifted by one element against the input, in the same buffer.
    int64_t five[2] = {5, 10};
    hact_tensor in = hact_tensor_make(ys.data(), HACT_F32, 2, five, nullptr),
                out = hact_tensor_make(ys.data() + 1, HACT_F32, 2, five, nullptr);
    ys.fill_sentinel();
    EXPECT_TENSOR_FAILS(hact_forward_tensor(op, &in, &out, nullptr), HACT_ERR_INVALID_ARGUMENT,
                        "y overlaps input x", name.c_str());
    // The output reversed over the input's memory.
    int64_t rev[2] = {-10, -1};
    out = hact_tensor_make(ys.data() + 49, HACT_F32, 2, five, rev);
    EXPECT_TENSOR_FAILS(hact_forward_tensor(op, &in, &out, nullptr), HACT_ERR_INVALID_ARGUMENT, "overlaps");
    // The output as the input's transpose (same memory, not the same view).
    int64_t tshape[2] = {5, 5}, tstr[2] = {1, 5};
    in = hact_tensor_make(ys.data(), HACT_F32, 2, tshape, nullptr);
    out = hact_tensor_make(ys.data(), HACT_F32, 2, tshape, tstr);
    EXPECT_TENSOR_FAILS(hact_forward_tensor(op, &in, &out, nullptr), HACT_ERR_INVALID_ARGUMENT, "overlaps");
    // Backward: dx over half of dy, and x over half of dx.
    int64_t half[2] = {3, 10};
    hact_tensor xx = hact_tensor_make(xs.data(), HACT_F32, 2, half, nullptr),
                dyy = hact_tensor_make(dxs.data(), HACT_F32, 2, half, nullptr),
                dxx = hact_tensor_make(dxs.data() + 15, HACT_F32, 2, half, nullptr);
    EXPECT_TENSOR_FAILS(hact_backward_tensor(op, &xx, &dyy, &dxx, nullptr), HACT_ERR_INVALID_ARGUMENT,
                        "dx overlaps input dy");
    EXPECT_TENSOR_FAILS(hact_backward_tensor(op, &dxx, &xx, &dyy, nullptr), HACT_ERR_INVALID_ARGUMENT,
                        "dx overlaps input x");
    EXPECT_TRUE(dxs.untouched() && ys.untouched());
    // Inputs may overlap each other in any way.
    hact_params g;
    EXPECT_EQ(hact_backward_params_tensor(op, &dyy, &dxx, nullptr, &g), HACT_OK) << hact_last_error();
}

TEST_P(StridedErrors, NonFiniteParametersAndEmptyTensors) {
    const unsigned reads = hact_op_params(op);
    for (int k = 0; k < hact_ref::kNumFields; ++k) {
        if (!(reads >> k & 1u)) continue;
        hact_params p = hact_default_params(op);
        hact_ref::field(p, k) = NAN;
        EXPECT_TENSOR_FAILS(hact_forward_tensor(op, &x, &y, &p), HACT_ERR_BAD_PARAMS, hact_ref::field_name(k));
        EXPECT_TENSOR_FAILS(hact_backward_tensor(op, &x, &dy, &dx, &p), HACT_ERR_BAD_PARAMS, hact_ref::field_name(k));
    }
    EXPECT_TRUE(outputs_untouched());
    // No elements: nothing read or written, NULL data is fine; structure is still checked.
    int64_t empty[3] = {4, 0, 3};
    hact_tensor e = hact_tensor_make(nullptr, HACT_F32, 3, empty, nullptr);
    EXPECT_EQ(hact_forward_tensor(op, &e, &e, nullptr), HACT_OK) << hact_last_error();
    EXPECT_EQ(hact_backward_tensor(op, &e, &e, &e, nullptr), HACT_OK) << hact_last_error();
    hact_params g;
    std::memset(&g, 0xff, sizeof g);
    EXPECT_EQ(hact_backward_params_tensor(op, &e, &e, nullptr, &g), HACT_OK) << hact_last_error();
    for (int k = 0; k < hact_ref::kNumFields; ++k) EXPECT_EQ(bits(hact_ref::field(g, k)), 0u);
    int64_t other[3] = {4, 0, 2};
    hact_tensor e2 = hact_tensor_make(nullptr, HACT_F32, 3, other, nullptr);
    EXPECT_TENSOR_FAILS(hact_forward_tensor(op, &e, &e2, nullptr), HACT_ERR_INVALID_ARGUMENT, "dimension 2");
    e2 = e;
    e2.dtype = {HACT_DL_FLOAT, 64, 1};  // an empty float64 tensor: nothing to do either
    EXPECT_EQ(hact_forward_tensor(op, &e2, &e2, nullptr), HACT_OK) << hact_last_error();
}

std::vector<const OpRef*> op_list() {
    std::vector<const OpRef*> v;
    for (const OpRef& o : ops()) v.push_back(&o);
    return v;
}
struct OpName {
    std::string operator()(const ::testing::TestParamInfo<const OpRef*>& info) const { return info.param->name; }
};
INSTANTIATE_TEST_SUITE_P(All, StridedErrors, ::testing::ValuesIn(op_list()), OpName());

}  // namespace
