// 14. How the strided entry points run each layout of hact_strided.h (internal hook
// hacti_tensor_last_path()): contiguous views, and views that become contiguous once their
// dimensions are reordered, merged or walked backwards (transposes, flips, extent-1 dimensions),
// take the flat path, one kernel call; .chunk() slices with long rows run per row; the rest
// gathers blocks. Forward, backward and parameter gradients alike. Links hact_internal.
#include "hact_strided.h"

extern "C" {
#include "internal.h"
}

namespace {
using namespace hact_test;

static_assert((int)kPathNone == (int)HACTI_PATH_NONE && (int)kPathFlat == (int)HACTI_PATH_FLAT &&
                  (int)kPathRows == (int)HACTI_PATH_ROWS && (int)kPathBlocks == (int)HACTI_PATH_BLOCKS &&
                  (int)kPathTiles == (int)HACTI_PATH_TILES,
              "hact_strided.h's path values are runtime/internal.h's");

// Records paths while a test runs.
struct RecordPaths {
    RecordPaths() { hacti_tensor_record_paths(1); }
    ~RecordPaths() { hacti_tensor_record_paths(0); }
};

const char* path_name(int p) {
    static const char* const names[] = {"none", "flat", "rows", "blocks", "tiles"};
    return p >= 0 && p < 5 ? names[p] : "?";
}

TEST(StridedPaths, EachLayoutTakesItsPath) {
    RecordPaths recording;
    hact_op swish;  // learnable: backward_params runs a kernel too
    ASSERT_EQ(hact_op_from_name("swish", &swish), HACT_OK);
    for (const Layout& L : layouts()) {
        SCOPED_TRACE("layout " + L.name);
        TensorView x(L.x), dy(L.dy), y(L.y), dx(L.dx);
        std::vector<float> ones(L.x.buffer, 1.0f), dys(L.dy.buffer, 0.5f);
        x.buf->fill(ones.data());
        dy.buf->fill(dys.data());
        ASSERT_EQ(hact_forward_tensor(swish, &x.t, &y.t, nullptr), HACT_OK) << hact_last_error();
        EXPECT_STREQ(path_name(hacti_tensor_last_path()), path_name(L.path)) << "forward";
        ASSERT_EQ(hact_backward_tensor(swish, &x.t, &dy.t, &dx.t, nullptr), HACT_OK) << hact_last_error();
        EXPECT_STREQ(path_name(hacti_tensor_last_path()), path_name(L.path)) << "backward";
        hact_params g;
        ASSERT_EQ(hact_backward_params_tensor(swish, &x.t, &dy.t, nullptr, &g), HACT_OK) << hact_last_error();
        EXPECT_STREQ(path_name(hacti_tensor_last_path()), path_name(L.path)) << "backward_params";
    }
}

TEST(StridedPaths, FailedCallsRunNothing) {
    RecordPaths recording;
    hact_op silu;
    ASSERT_EQ(hact_op_from_name("silu", &silu), HACT_OK);
    float a[4] = {1, 2, 3, 4}, b[4];
    int64_t shape[1] = {4}, other[1] = {3};
    hact_tensor x = hact_tensor_make(a, HACT_F32, 1, shape, nullptr), y = hact_tensor_make(b, HACT_F32, 1, shape, nullptr);
    ASSERT_EQ(hact_forward_tensor(silu, &x, &y, nullptr), HACT_OK);
    EXPECT_EQ(hacti_tensor_last_path(), HACTI_PATH_FLAT);
    y.shape = other;
    ASSERT_EQ(hact_forward_tensor(silu, &x, &y, nullptr), HACT_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(hacti_tensor_last_path(), HACTI_PATH_NONE);
}

// The row and block paths go through the chunked flat runner: with chunks smaller than a row,
// results stay the same.
TEST(StridedPaths, RowsLongerThanAChunk) {
    RecordPaths recording;
    hact_op silu;
    ASSERT_EQ(hact_op_from_name("silu", &silu), HACT_OK);
    ViewSpec v{{3, 1000}, {2000, 1}, 1000, 6000};
    TensorView x(v), y(v), y2(v);
    const std::vector<float> xb = strided_inputs(6000, 0xC0);
    x.buf->fill(xb.data());
    ASSERT_EQ(hact_forward_tensor(silu, &x.t, &y.t, nullptr), HACT_OK) << hact_last_error();
    hacti_set_max_chunk(96);
    ASSERT_EQ(hact_forward_tensor(silu, &x.t, &y2.t, nullptr), HACT_OK) << hact_last_error();
    EXPECT_EQ(hacti_tensor_last_path(), HACTI_PATH_ROWS);
    hacti_set_max_chunk(0);
    const std::vector<float> a = y.get(), b = y2.get();
    for (size_t i = 0; i < a.size(); ++i) ASSERT_TRUE(same_result(a[i], b[i])) << i;
}

}  // namespace
