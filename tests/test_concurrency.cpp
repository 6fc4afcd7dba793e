// 11. Concurrency: many threads calling different ops, dtypes, families and sizes at once, while
// another thread keeps changing the thread count, get results identical (bit for bit) to the
// same calls made one at a time on one thread.
#include "hact_test.h"

#include <atomic>
#include <functional>
#include <thread>

namespace {
using namespace hact_test;

struct Job {
    std::string name;
    std::function<hact_status(std::vector<uint32_t>&)> run;  // fills its result as raw bits
};

// A job list touching every path: unary ops fwd/bwd/pgrad in f32 and bf16, small (serial) and
// large (thread pool) sizes, GLU, per-channel PReLU, strided views.
std::vector<Job> jobs() {
    std::vector<Job> v;
    auto g = rng(0xC0C0);
    auto data = std::make_shared<std::vector<float>>(uniform_floats(g, (1u << 17) + 33, -12, 12));
    auto dyv = std::make_shared<std::vector<float>>(random_dys(g, data->size()));
    for (const OpRef& op : ops()) {
        // 40000: between the lowest parallel threshold (HACT_POOL_MIN_ELEMENTS, 32K) and 64K.
        for (size_t n : {size_t{1000}, size_t{40000}, size_t{1} << 17}) {
            const hact_op o = op.op;
            v.push_back({std::string(op.name) + " fwd/bwd/pgrad f32 n=" + std::to_string(n), [=](std::vector<uint32_t>& out) {
                             std::vector<float> y(n), dx(n);
                             hact_params gr;
                             hact_status s = hact_forward(o, HACT_F32, data->data(), y.data(), n, nullptr);
                             if (s == HACT_OK) s = hact_backward(o, HACT_F32, data->data(), dyv->data(), dx.data(), n, nullptr);
                             if (s == HACT_OK) s = hact_backward_params(o, HACT_F32, data->data(), dyv->data(), n, nullptr, &gr);
                             out.clear();
                             for (float f : y) out.push_back(bits(f));
                             for (float f : dx) out.push_back(bits(f));
                             for (int k = 0; k < hact_ref::kNumFields; ++k) out.push_back(bits(hact_ref::field(gr, k)));
                             return s;
                         }});
        }
        const hact_op o = op.op;
        v.push_back({std::string(op.name) + " bf16", [=](std::vector<uint32_t>& out) {
                         const size_t n = 70001;
                         std::vector<uint16_t> x(n), y(n);
                         for (size_t i = 0; i < n; ++i) x[i] = (uint16_t)(bits((*data)[i]) >> 16);
                         hact_status s = hact_forward(o, HACT_BF16, x.data(), y.data(), n, nullptr);
                         out.assign(y.begin(), y.end());
                         return s;
                     }});
    }
    for (int k = 0; k < hact_glu_count(); ++k) {
        const hact_glu kind = (hact_glu)k;
        v.push_back({std::string(hact_glu_name(kind)) + " split", [=](std::vector<uint32_t>& out) {
                         const size_t outer = 64, half = 1024;
                         std::vector<float> y(outer * half), dx(2 * outer * half);
                         hact_status s = hact_glu_split_forward(kind, HACT_F32, data->data(), y.data(), outer, half, 1,
                                                                HACT_GATE_DEFAULT, nullptr);
                         if (s == HACT_OK)
                             s = hact_glu_split_backward(kind, HACT_F32, data->data(), dyv->data(), dx.data(), outer,
                                                         half, 1, HACT_GATE_DEFAULT, nullptr);
                         out.clear();
                         for (float f : y) out.push_back(bits(f));
                         for (float f : dx) out.push_back(bits(f));
                         return s;
                     }});
    }
    v.push_back({"prelu channels", [=](std::vector<uint32_t>& out) {
                     const size_t outer = 16, channels = 32, inner = 200;
                     std::vector<float> w(channels), y(outer * channels * inner), dx(y.size()), dw(channels);
                     for (size_t c = 0; c < channels; ++c) w[c] = 0.03f * (float)c - 0.4f;
                     hact_status s = hact_prelu_forward(HACT_F32, data->data(), w.data(), y.data(), outer, channels, inner);
                     if (s == HACT_OK)
                         s = hact_prelu_backward(HACT_F32, data->data(), w.data(), dyv->data(), dx.data(), dw.data(),
                                                 outer, channels, inner);
                     out.clear();
                     for (float f : y) out.push_back(bits(f));
                     for (float f : dx) out.push_back(bits(f));
                     for (float f : dw) out.push_back(bits(f));
                     return s;
                 }});
    v.push_back({"silu on a transposed view", [=](std::vector<uint32_t>& out) {
                     int64_t shape[2] = {256, 300}, strides[2] = {1, 256};
                     std::vector<float> y(256 * 300);
                     hact_tensor x = hact_tensor_make(data->data(), HACT_F32, 2, shape, strides);
                     hact_tensor yt = hact_tensor_make(y.data(), HACT_F32, 2, shape, nullptr);
                     hact_status s = hact_forward_tensor(hact_op_silu, &x, &yt, nullptr);
                     out.clear();
                     for (float f : y) out.push_back(bits(f));
                     return s;
                 }});
    return v;
}

TEST(Concurrency, ManyThreadsMatchOneThread) {
    const std::vector<Job> list = jobs();
    std::vector<std::vector<uint32_t>> expected(list.size());
    for (size_t j = 0; j < list.size(); ++j) ASSERT_EQ(list[j].run(expected[j]), HACT_OK) << list[j].name << ": " << hact_last_error();

    constexpr int kThreads = 8, kRounds = 3;
    std::atomic<int> mismatches{0}, failures{0}, done{0};
    std::atomic<bool> stop{false};
    std::vector<std::string> notes(kThreads);
    // One thread keeps changing the pool's size while the others compute.
    std::thread changer([&] {
        int k = 0;
        while (!stop.load()) {
            if (hact_set_num_threads((k++ % 3)) != HACT_OK) failures++;
            std::this_thread::sleep_for(std::chrono::microseconds(300));
        }
    });
    std::vector<std::thread> workers;
    for (int t = 0; t < kThreads; ++t) {
        workers.emplace_back([&, t] {
            std::vector<uint32_t> got;
            for (int r = 0; r < kRounds; ++r) {
                for (size_t j = 0; j < list.size(); ++j) {
                    const size_t pick = (j * 7 + t * 13 + r * 5) % list.size();  // a different order per thread
                    if (list[pick].run(got) != HACT_OK) {
                        failures++;
                        notes[t] = list[pick].name + ": " + hact_last_error();
                    } else if (got != expected[pick]) {
                        mismatches++;
                        notes[t] = list[pick].name + ": results differ";
                    }
                }
            }
            done++;
        });
    }
    for (auto& w : workers) w.join();
    stop = true;
    changer.join();
    hact_set_num_threads(0);
    std::printf("concurrency: %d threads x %d rounds x %zu jobs, pool size changing meanwhile\n", kThreads, kRounds,
                list.size());
    EXPECT_EQ(done.load(), kThreads);
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(mismatches.load(), 0);
    for (int t = 0; t < kThreads; ++t)
        if (!notes[t].empty()) ADD_FAILURE() << "thread " << t << ": " << notes[t];
}

}  // namespace
