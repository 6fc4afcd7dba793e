// Helpers of the strided-tensor tests (test_strided.cpp, test_strided_paths.cpp): views cut from
// guarded buffers, their element offsets in logical (row-major index) order, the layout cases
// every op runs, and the flat calls on contiguous copies that the strided calls must match.
#ifndef HACT_STRIDED_TEST_H
#define HACT_STRIDED_TEST_H

#include <memory>
#include <set>

#include "hact_test.h"

namespace hact_test {

// A view cut from a buffer of `buffer` floats: shape, strides in elements (empty: NULL, i.e.
// row-major), element 0 at `offset`. by_byte_offset: pass the offset as DLPack's byte_offset
// (data = the buffer) instead of moving data.
struct ViewSpec {
    std::vector<int64_t> shape;
    std::vector<int64_t> strides;
    int64_t offset = 0;
    size_t buffer = 0;
    bool by_byte_offset = false;
};

inline std::vector<int64_t> effective_strides(const ViewSpec& v) {
    if (!v.strides.empty()) return v.strides;
    std::vector<int64_t> s(v.shape.size());
    int64_t row = 1;
    for (size_t d = v.shape.size(); d-- > 0;) {
        s[d] = row;
        row *= v.shape[d];
    }
    return s;
}
inline int64_t numel(const std::vector<int64_t>& shape) {
    int64_t n = 1;
    for (int64_t e : shape) n *= e;
    return n;
}
// Buffer offsets of the view's elements, in row-major index order.
inline std::vector<int64_t> element_offsets(const ViewSpec& v) {
    const std::vector<int64_t> s = effective_strides(v);
    const int64_t n = numel(v.shape);
    std::vector<int64_t> out;
    out.reserve((size_t)n);
    std::vector<int64_t> idx(v.shape.size(), 0);
    for (int64_t e = 0; e < n; ++e) {
        int64_t off = v.offset;
        for (size_t d = 0; d < idx.size(); ++d) off += idx[d] * s[d];
        out.push_back(off);
        for (size_t d = idx.size(); d-- > 0;) {
            if (++idx[d] < v.shape[d]) break;
            idx[d] = 0;
        }
    }
    return out;
}

// A guarded buffer with a view on it and the descriptor of that view.
struct TensorView {
    ViewSpec spec;
    std::unique_ptr<GuardedBuffer> buf;
    std::vector<int64_t> offs;  // element_offsets(spec)
    hact_tensor t;

    explicit TensorView(const ViewSpec& s) : spec(s), buf(new GuardedBuffer(s.buffer)), offs(element_offsets(s)) {
        for (int64_t o : offs)
            if (o < 0 || o >= (int64_t)s.buffer) throw std::logic_error("view outside its buffer");
        t = describe_on(buf->data());
    }
    // The same view on another buffer's memory (in-place and shared-buffer cases).
    hact_tensor describe_on(float* base) const {
        hact_tensor d = hact_tensor_make(base, HACT_F32, (int32_t)spec.shape.size(), spec.shape.data(),
                                         spec.strides.empty() ? nullptr : spec.strides.data());
        if (spec.by_byte_offset) d.byte_offset = (uint64_t)spec.offset * sizeof(float);
        else d.data = base + spec.offset;
        return d;
    }
    float* base() { return buf->data(); }
    // Logical element e.
    float& at(size_t e) { return (*buf)[(size_t)offs[e]]; }
    void set(const std::vector<float>& logical) {
        for (size_t e = 0; e < offs.size(); ++e) at(e) = logical[e];
    }
    std::vector<float> get() {
        std::vector<float> v(offs.size());
        for (size_t e = 0; e < offs.size(); ++e) v[e] = at(e);
        return v;
    }
    // Every buffer element outside the view still holds the sentinel (or, with `was`, the value
    // the buffer was filled with), and the guards are intact.
    ::testing::AssertionResult outside_untouched(const std::vector<float>* was = nullptr) const {
        if (!buf->guards_intact()) return ::testing::AssertionFailure() << "a guard outside the buffer changed";
        std::set<int64_t> in(offs.begin(), offs.end());
        for (size_t i = 0; i < spec.buffer; ++i) {
            const uint32_t want = was ? bits((*was)[i]) : GuardedBuffer::kSentinel;
            if (!in.count((int64_t)i) && bits(buf->data()[i]) != want)
                return ::testing::AssertionFailure() << "buffer element " << i << " (not in the view) changed";
        }
        return ::testing::AssertionSuccess();
    }
};

// One layout case: the four operands' views (same shape), and how hact should run it.
struct Layout {
    std::string name;
    ViewSpec x, dy, y, dx;
    int path;                  // HACTI_PATH_* value the internal test expects (0 none .. 3 blocks)
    // The parameter gradient is one kernel call over the elements in logical order, as the flat
    // call: the same bits.
    bool pgrad_same_order;
};
enum { kPathNone = 0, kPathFlat = 1, kPathRows = 2, kPathBlocks = 3, kPathTiles = 4 };

inline ViewSpec contiguous(std::vector<int64_t> shape) {
    ViewSpec v;
    v.buffer = (size_t)numel(shape);
    v.shape = std::move(shape);
    return v;
}
// The buffer a view needs (its largest offset + 1, or 1).
inline ViewSpec fit(ViewSpec v) {
    int64_t hi = 0;
    for (int64_t o : element_offsets(v)) hi = std::max(hi, o);
    v.buffer = (size_t)hi + 1;
    return v;
}
inline ViewSpec with_offset(ViewSpec v, int64_t offset) {
    v.offset = offset;
    return v;
}
inline ViewSpec by_byte_offset(ViewSpec v) {
    v.by_byte_offset = true;
    return v;
}

inline std::vector<Layout> layouts() {
    std::vector<Layout> L;
    auto same = [&](std::string name, ViewSpec v, int path, bool order) {
        L.push_back({std::move(name), v, v, v, v, path, order});
    };
    same("contiguous", contiguous({3, 5, 7}), kPathFlat, true);
    same("contiguous_1d", contiguous({1000}), kPathFlat, true);
    same("scalar", contiguous({}), kPathFlat, true);
    {
        ViewSpec v = contiguous({1, 5, 1, 7});
        v.strides = {999, 7, -3, 1};  // strides of extent-1 dimensions are never used
        same("size1_dims_odd_strides", v, kPathFlat, true);
    }
    {
        // .chunk(2, dim=1) of a [4, 12, 3] tensor: rows of 18 floats, second chunk.
        ViewSpec v{{4, 6, 3}, {36, 3, 1}, 18, 144};
        same("chunk_dim1_short_rows", by_byte_offset(v), kPathBlocks, true);
    }
    {
        // .chunk(2, dim=1) of a [5, 140] tensor: rows of 70 floats.
        ViewSpec first{{5, 70}, {140, 1}, 0, 700}, second{{5, 70}, {140, 1}, 70, 700};
        L.push_back({"chunk_dim1_long_rows", first, second, second, first, kPathRows, false});
    }
    {
        // Rows long enough that the kernel goes parallel (> 64K elements per row).
        ViewSpec v{{2, 70001}, {140002, 1}, 70001, 280004};
        same("chunk_dim1_huge_rows", v, kPathRows, false);
    }
    {
        // permute(2, 0, 1) of a contiguous [6, 10, 5] tensor.
        ViewSpec v{{5, 6, 10}, {1, 50, 5}, 0, 300};
        same("transposed", v, kPathFlat, false);
    }
    {
        // flip(0, 1) of a contiguous [8, 9] tensor.
        ViewSpec v{{8, 9}, {-9, -1}, 71, 72};
        same("negative_strides", v, kPathFlat, false);
    }
    {
        ViewSpec v{{4, 100}, {-100, 1}, 300, 400};
        same("negative_outer_stride", by_byte_offset(v), kPathFlat, false);
    }
    {
        // Every other column: inner stride 2, 4500 elements (several gather blocks, blocks that
        // start and end inside rows).
        ViewSpec v{{3, 1500}, {3000, 2}, 1, 9000};
        same("inner_stride_2", v, kPathBlocks, false);
    }
    {
        // A chunk of a permuted 4-d tensor: [2, 3, 8, 10] chunked along dim 2, permute(3, 1, 0, 2).
        ViewSpec v{{10, 3, 2, 4}, {1, 80, 240, 10}, 40, 480};
        same("permuted_chunk_4d", v, kPathBlocks, false);
    }
    {
        // Every operand a different layout of [5, 6, 10].
        ViewSpec transposed{{5, 6, 10}, {1, 50, 5}, 0, 300};
        ViewSpec flipped{{5, 6, 10}, {-60, -10, -1}, 299, 300};
        ViewSpec chunk{{5, 6, 10}, {120, 20, 1}, 10, 600};
        L.push_back({"mixed_layouts", transposed, flipped, contiguous({5, 6, 10}), chunk, kPathBlocks, false});
    }
    {
        // x the transpose of a contiguous [40, 50] tensor, the others contiguous: tiles.
        ViewSpec t{{50, 40}, {1, 50}, 0, 2000};
        L.push_back({"transposed_input", t, contiguous({50, 40}), contiguous({50, 40}), contiguous({50, 40}),
                     kPathTiles, false});
    }
    {
        // x permute(2, 0, 1) of a contiguous [5, 30, 16] tensor, y and dx .chunk(2, dim=2) slices of
        // [16, 5, 60] tensors: x's densest dimension is the outermost (tiles after reordering).
        ViewSpec x{{16, 5, 30}, {1, 480, 16}, 0, 2400}, chunk{{16, 5, 30}, {300, 60, 1}, 30, 4800};
        L.push_back({"transposed_3d_chunk", x, contiguous({16, 5, 30}), chunk, chunk, kPathTiles, false});
    }
    {
        // Sign disagreement in one dimension: x reversed along dim 1, the others not.
        ViewSpec rev{{7, 40}, {40, -1}, 39, 280};
        L.push_back({"one_operand_reversed", rev, contiguous({7, 40}), contiguous({7, 40}),
                     contiguous({7, 40}), kPathBlocks, true});
    }
    {
        // Broadcast inputs (stride 0): x repeats a [6, 5] plane, dy a [4, 6] column.
        ViewSpec x{{4, 6, 5}, {0, 5, 1}, 0, 30}, dy{{4, 6, 5}, {6, 1, 0}, 0, 24};
        L.push_back({"broadcast_inputs", x, dy, contiguous({4, 6, 5}), contiguous({4, 6, 5}), kPathBlocks, true});
    }
    {
        ViewSpec scalar{{3, 4}, {0, 0}, 0, 1};
        L.push_back({"broadcast_scalar_input", scalar, scalar, contiguous({3, 4}), contiguous({3, 4}),
                     kPathBlocks, true});
    }
    {
        ViewSpec e{{3, 0, 5}, {}, 0, 1};
        same("empty_dim", e, kPathNone, true);
        ViewSpec e2{{0}, {}, 0, 1};
        same("empty_1d", e2, kPathNone, true);
    }
    return L;
}

// Inputs: mostly [-12, 12], special values sprinkled in (finite_only: none).
inline std::vector<float> strided_inputs(size_t n, uint64_t seed, bool finite_only = false) {
    auto g = rng(seed);
    std::vector<float> x = uniform_floats(g, n, -12, 12);
    if (!finite_only) {
        const float specials[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, -100.0f, 100.0f, FLT_TRUE_MIN};
        for (size_t i = 0; i < n; i += 11) x[i] = specials[(i / 11) % (sizeof specials / sizeof specials[0])];
    }
    return x;
}

}  // namespace hact_test

#endif
