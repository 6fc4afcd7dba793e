// Does one oneDNN eltwise call take the same time in every process? Not on this machine: the
// same backward call (float32, 32K elements, one thread) runs at one of a few speeds, fixed for
// the life of the process (new buffers or a new primitive in the same process keep it), and a
// different one in the next process. hact_bench's oneDNN anchors inherit this; scripts/bench.sh
// therefore runs them in several processes (experiments/README.md has the figures).
//   g++ -O2 -I .venv/include experiments/onednn_process_modes.cpp -L .venv/lib -ldnnl -Wl,-rpath,$PWD/.venv/lib -o /tmp/onednn_modes
//   for i in 1 2 3 4 5 6; do OMP_NUM_THREADS=1 /tmp/onednn_modes gelu_erf; done
// Prints, per buffer set, the median time of 1000 calls (this program links nothing of hact's).
#include "dnnl.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_map>
#include <vector>

int main(int argc, char **argv) {
    using namespace dnnl;
    const char *name = argc > 1 ? argv[1] : "gelu_erf";
    const std::pair<const char *, algorithm> algs[] = {{"gelu_erf", algorithm::eltwise_gelu_erf},
                                                       {"gelu_tanh", algorithm::eltwise_gelu_tanh},
                                                       {"mish", algorithm::eltwise_mish},
                                                       {"swish", algorithm::eltwise_swish},
                                                       {"tanh", algorithm::eltwise_tanh}};
    const auto *it = std::find_if(std::begin(algs), std::end(algs), [&](auto &a) { return !std::strcmp(a.first, name); });
    if (it == std::end(algs)) {
        std::fprintf(stderr, "unknown algorithm %s (gelu_erf, gelu_tanh, mish, swish, tanh)\n", name);
        return 2;
    }
    const std::size_t n = 32768;
    engine eng(engine::kind::cpu, 0);
    stream strm(eng);
    memory::desc md({static_cast<memory::dim>(n)}, memory::data_type::f32, memory::format_tag::a);
    const float alpha = it->second == algorithm::eltwise_swish ? 1.0f : 0.0f;
    eltwise_forward::primitive_desc hint(eng, prop_kind::forward_training, it->second, md, md, alpha, 0.0f);
    eltwise_backward prim(eltwise_backward::primitive_desc(eng, it->second, md, md, md, alpha, 0.0f, hint));
    for (int set = 0; set < 3; ++set) {  // fresh page-aligned buffers each time
        float *buf[3];
        for (float *&b : buf) b = static_cast<float *>(std::aligned_alloc(4096, n * sizeof(float)));
        std::uint64_t s = 1;
        for (std::size_t i = 0; i < n; ++i) {  // x in [-10, 10), as hact_bench
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            buf[0][i] = static_cast<float>(s >> 40) * (20.0f / 16777216.0f) - 10.0f;
            buf[1][i] = 0.1f * buf[0][(i * 7) % n];
            buf[2][i] = 0.0f;
        }
        memory x(md, eng, buf[0]), dy(md, eng, buf[1]), dx(md, eng, buf[2]);
        std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_SRC, dx}};
        std::vector<double> us;
        for (int r = 0; r < 1000; ++r) {
            auto t0 = std::chrono::steady_clock::now();
            prim.execute(strm, args);
            strm.wait();
            us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
        }
        std::sort(us.begin(), us.end());
        std::printf("%s backward, %zu elements, buffer set %d: median %.1f us\n", name, n, set, us[us.size() / 2]);
        for (float *b : buf) std::free(b);
    }
}
