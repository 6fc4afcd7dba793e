// hact_bench: every registered op x direction x ISA variant x size x threads, and the anchors it
// is judged against, measured in the same run at the same sizes and thread counts:
//   copy/2stream   a plain copy loop of the same bytes (read x, write y): roofline of fwd and bwd_params
//   copy/3stream   c[i] = a[i] + b[i], plain loop (read 2, write 1): roofline of bwd
//   onednn/<op>    oneDNN eltwise forward / backward (src-based), where the op has a counterpart
//   plain/silu     y = x / (1 + expf(-x)) as a plain -O3 -march=native loop
// Names: <impl>/<op>/<dir>[/<isa>]/n:<elements per stream>/threads:<t>; scripts/perf_table.py
// parses them. Counters: items/s = elements/s; bytes/s counts each stream read or written once.
// Everything is registered in main() from the registry: there is no per-op code here.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "hact/hact.h"
#ifdef HACT_BENCH_ONEDNN
#include "dnnl.hpp"
#endif

void plain_silu_f32(const float *x, float *y, std::size_t n);                 // anchor_loops.cpp
void add3_f32(const float *a, const float *b, float *c, std::size_t n);       // anchor_loops.cpp
void copy_f32(const float *a, float *b, std::size_t n);                       // anchor_loops.cpp
void mul3_f32(const float *a, const float *b, float *c, std::size_t n);       // anchor_loops.cpp
void copy5_f32(const float *a, const float *b, const float *c, float *d, float *e, std::size_t n);
extern const char anchor_loops_compiler[];

namespace {

// Float32 elements per stream, one size per level of this machine's hierarchy (AMD EPYC Zen VM,
// 2 cores: L1d 32 KiB and L2 1 MiB per core, L3 32 MiB; /sys/devices/system/cpu/cpu0/cache). The
// whole 3-stream working set (bwd) fits the level named, and is well past the level below:
//   L1    2048 = 8 KiB/stream    (3 streams 24 KiB  <  32 KiB L1d)
//   L2   32768 = 128 KiB/stream  (3 streams 384 KiB <  1 MiB L2; 2 streams 256 KiB > L1d)
//   L3   2^20  = 4 MiB/stream    (3 streams 12 MiB  <  32 MiB L3; > 2 x 1 MiB L2)
//   DRAM 2^25  = 128 MiB/stream  (3 streams 384 MiB, 12 x L3)
struct Level {
    const char *name;
    std::size_t n;
};
constexpr Level kLevels[] = {{"L1", 2048}, {"L2", 32768}, {"L3", std::size_t{1} << 20},
                             {"DRAM", std::size_t{1} << 25}};
constexpr int kThreads[] = {1, 2};

enum Dir { kFwd, kBwd, kBwdParams };
constexpr const char *kDirName[] = {"fwd", "bwd", "bwd_params"};
constexpr int kStreams[] = {2, 3, 2};  // fwd: x, y; bwd: x, dy, dx; bwd_params: x, dy

// ---- buffers: page-aligned, deterministic random values in [-10, 10), one set per size ----
// Every array starts on a 4 KiB boundary, as large tensors from an allocator do: the streams of a
// call then sit at the same offset modulo 4 KiB, and no load aliases an earlier store of another
// stream in the store buffer ("4K aliasing"). With the 16-bit arrays in std::vectors 4,112 bytes
// apart (heap neighbours), y was 64 bytes past x modulo 4 KiB: every load of the next vector
// waited on the store just issued, and bf16 relu measured 1.5x slower than it runs.
constexpr std::size_t kPage = 4096;
void *page_alloc(std::size_t bytes) {
    void *p = std::aligned_alloc(kPage, (bytes + kPage - 1) / kPage * kPage + (bytes == 0 ? kPage : 0));
    if (!p) {
        std::fprintf(stderr, "hact_bench: out of memory (%zu bytes)\n", bytes);
        std::exit(EXIT_FAILURE);
    }
    return p;
}
template <class T>
struct PageAllocator {
    using value_type = T;
    PageAllocator() = default;
    template <class U>
    PageAllocator(const PageAllocator<U> &) {}
    T *allocate(std::size_t n) { return static_cast<T *>(page_alloc(n * sizeof(T))); }
    void deallocate(T *p, std::size_t) { std::free(p); }
    bool operator==(const PageAllocator &) const { return true; }
    bool operator!=(const PageAllocator &) const { return false; }
};
template <class T>
using PageVector = std::vector<T, PageAllocator<T>>;

struct FreeDeleter {
    void operator()(float *p) const { std::free(p); }
};
using Array = std::unique_ptr<float, FreeDeleter>;

Array random_array(std::size_t n, std::uint64_t seed) {
    Array a(static_cast<float *>(page_alloc(n * sizeof(float))));
    std::uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (std::size_t i = 0; i < n; ++i) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;  // 64-bit LCG, top 24 bits
        a.get()[i] = static_cast<float>(s >> 40) * (20.0f / 16777216.0f) - 10.0f;
    }
    return a;
}

struct Buffers {
    Array x, dy, out;  // inputs x and dy; out is y (fwd) or dx (bwd), never aliased
    Array b, out2;     // GLU: the value b, and db
    // x and dy rounded to bf16 and f16 (the same values as the float32 benchmarks), and outputs;
    // the same values widened to float64 (filled on first use: 3 x 8 bytes per element).
    PageVector<std::uint16_t> x_bf16, dy_bf16, x_f16, dy_f16, out16;
    mutable PageVector<double> x_f64, dy_f64, out64;
    const Buffers &wide() const {
        if (x_f64.empty()) {
            const std::size_t n = out16.size();
            x_f64.assign(x.get(), x.get() + n);
            dy_f64.assign(dy.get(), dy.get() + n);
            out64.assign(n, 0.0);
        }
        return *this;
    }
};

PageVector<std::uint16_t> narrow(const float *v, std::size_t n, hact_dtype dtype) {
    PageVector<std::uint16_t> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (dtype == HACT_F16) {
            const _Float16 h = static_cast<_Float16>(v[i]);
            std::memcpy(&out[i], &h, 2);
        } else {
            std::uint32_t u;
            std::memcpy(&u, &v[i], 4);
            out[i] = static_cast<std::uint16_t>((u + 0x7fff + ((u >> 16) & 1)) >> 16);
        }
    }
    return out;
}

// Made on first use and kept (about 400 MiB for all sizes), so any run order, filter or
// --benchmark_enable_random_interleaving works without refilling.
const Buffers &buffers(std::size_t n) {
    static std::map<std::size_t, Buffers> cache;
    auto it = cache.find(n);
    if (it == cache.end()) {
        Buffers b{random_array(n, 1), random_array(n, 2), random_array(n, 3), random_array(n, 4),
                  random_array(n, 5), {}, {}, {}, {}, {}, {}, {}, {}};
        b.x_bf16 = narrow(b.x.get(), n, HACT_BF16);
        b.dy_bf16 = narrow(b.dy.get(), n, HACT_BF16);
        b.x_f16 = narrow(b.x.get(), n, HACT_F16);
        b.dy_f16 = narrow(b.dy.get(), n, HACT_F16);
        b.out16.resize(n);
        it = cache.emplace(n, std::move(b)).first;
    }
    return it->second;
}

// The anchors' thread model: fn(begin, end) on `threads` OpenMP threads, contiguous slices with
// 64-byte aligned bounds. (hact uses its own pool, Halide's; oneDNN its OpenMP runtime.)
template <class Fn>
void split(int threads, std::size_t n, Fn fn) {
    if (threads == 1) return fn(std::size_t{0}, n);
#pragma omp parallel num_threads(threads)
    {
        std::size_t nt = static_cast<std::size_t>(omp_get_num_threads());
        std::size_t chunk = (n / nt + 15) & ~std::size_t{15};
        std::size_t lo = std::min(n, static_cast<std::size_t>(omp_get_thread_num()) * chunk);
        fn(lo, std::min(n, lo + chunk));
    }
}

// One benchmark. make(buffers) runs outside the timing loop (after threads are set) and returns
// the timed body, a callable returning false on a failed call.
template <class Make>
void add(const std::string &name, std::size_t n, int threads, int streams, hact_isa isa, Make make,
         std::size_t elem_bytes = sizeof(float)) {
    benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State &st) {
        hact_set_num_threads(threads);
        omp_set_num_threads(threads);  // oneDNN's OpenMP runtime
        if (isa && (hact_set_max_isa(isa) != HACT_OK || hact_get_isa() != isa)) {
            st.SkipWithError("ISA variant not available");
            return;
        }
        auto body = make(buffers(n));
        for (auto _ : st) {
            if (!body()) {
                st.SkipWithError(hact_last_error());
                break;
            }
            benchmark::ClobberMemory();
        }
        st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(n));
        st.SetBytesProcessed(st.iterations() * static_cast<std::int64_t>(n * elem_bytes) * streams);
    })->UseRealTime();
}

// ---- oneDNN anchor: op name -> eltwise algorithm and (alpha, beta) from the op's parameters ----
#ifdef HACT_BENCH_ONEDNN
using dnnl::algorithm;
struct DnnlAnchor {
    const char *op;  // hact registry name; entries whose op is not (yet) registered are unused
    algorithm alg;
    std::pair<float, float> (*alpha_beta)(const hact_params &);
};
using AB = std::pair<float, float>;
const DnnlAnchor kDnnlAnchors[] = {
    {"silu", algorithm::eltwise_swish, [](const hact_params &) { return AB{1.0f, 0.0f}; }},
    // swish = scale * x * sigmoid(beta x): oneDNN's swish is x * sigmoid(alpha x), so this holds
    // for scale == 1 (the default the bench uses).
    {"swish", algorithm::eltwise_swish, [](const hact_params &p) { return AB{p.beta, 0.0f}; }},
    {"quick_gelu", algorithm::eltwise_swish, [](const hact_params &) { return AB{1.702f, 0.0f}; }},
    {"relu", algorithm::eltwise_relu, [](const hact_params &) { return AB{0.0f, 0.0f}; }},
    {"leaky_relu", algorithm::eltwise_relu, [](const hact_params &p) { return AB{p.negative_slope, 0.0f}; }},
    {"elu", algorithm::eltwise_elu, [](const hact_params &p) { return AB{p.alpha, 0.0f}; }},
    // oneDNN has no selu or celu: its elu (one exponential, the same branch structure) with
    // alpha = lambda * alpha_selu, and with celu's alpha, is the closest counterpart in cost.
    {"selu", algorithm::eltwise_elu, [](const hact_params &) { return AB{1.7580993408473768f, 0.0f}; }},
    {"celu", algorithm::eltwise_elu, [](const hact_params &p) { return AB{p.alpha, 0.0f}; }},
    {"gelu", algorithm::eltwise_gelu_erf, [](const hact_params &) { return AB{0.0f, 0.0f}; }},
    {"gelu_tanh", algorithm::eltwise_gelu_tanh, [](const hact_params &) { return AB{0.0f, 0.0f}; }},
    {"mish", algorithm::eltwise_mish, [](const hact_params &) { return AB{0.0f, 0.0f}; }},
    {"sigmoid", algorithm::eltwise_logistic, [](const hact_params &) { return AB{0.0f, 0.0f}; }},
    {"tanh", algorithm::eltwise_tanh, [](const hact_params &) { return AB{0.0f, 0.0f}; }},
    // softplus(x) = log(1 + exp(beta x)) / beta (oneDNN has no threshold cut-off).
    {"softplus", algorithm::eltwise_soft_relu, [](const hact_params &p) { return AB{p.beta, 0.0f}; }},
    {"hardswish", algorithm::eltwise_hardswish, [](const hact_params &) { return AB{1.0f / 6, 0.5f}; }},
    {"hardsigmoid", algorithm::eltwise_hardsigmoid, [](const hact_params &) { return AB{1.0f / 6, 0.5f}; }},
    {"hardtanh", algorithm::eltwise_clip, [](const hact_params &p) { return AB{p.min_val, p.max_val}; }},
    {"relu6", algorithm::eltwise_clip, [](const hact_params &) { return AB{0.0f, 6.0f}; }},
};

struct Dnnl {
    dnnl::engine eng;
    dnnl::stream strm;
    int max_threads;  // 2 with the OpenMP runtime, 1 with the sequential one
};

// The engine and stream, or nullptr (with the reason in *why) if this oneDNN cannot run here.
const Dnnl *dnnl_runtime(std::string *why) {
    static std::string reason;
    static std::unique_ptr<Dnnl> d = []() -> std::unique_ptr<Dnnl> {
        const dnnl_version_t *v = dnnl_version();
        if (v->cpu_runtime != DNNL_RUNTIME_OMP && v->cpu_runtime != DNNL_RUNTIME_SEQ) {
            reason = "CPU runtime " + std::to_string(v->cpu_runtime) + " is not OpenMP or sequential";
            return nullptr;
        }
        try {
            dnnl::engine eng(dnnl::engine::kind::cpu, 0);
            dnnl::stream strm(eng);
            return std::make_unique<Dnnl>(Dnnl{eng, strm, v->cpu_runtime == DNNL_RUNTIME_OMP ? 2 : 1});
        } catch (const dnnl::error &e) {
            reason = std::string("no CPU engine: ") + e.what();
            return nullptr;
        }
    }();
    if (why) *why = reason;
    return d.get();
}

// The timed body for oneDNN: the primitive is created here, once, outside the timing loop.
auto dnnl_body(const DnnlAnchor &a, const hact_params &p, Dir dir, std::size_t n, const Buffers &b) {
    using dnnl::memory;
    const Dnnl &d = *dnnl_runtime(nullptr);
    auto [alpha, beta] = a.alpha_beta(p);
    memory::desc md({static_cast<memory::dim>(n)}, memory::data_type::f32, memory::format_tag::a);
    memory x(md, d.eng, b.x.get()), dy(md, d.eng, b.dy.get()), out(md, d.eng, b.out.get());
    dnnl::primitive prim;
    std::unordered_map<int, memory> args;
    if (dir == kFwd) {
        prim = dnnl::eltwise_forward(dnnl::eltwise_forward::primitive_desc(
            d.eng, dnnl::prop_kind::forward_inference, a.alg, md, md, alpha, beta));
        args = {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, out}};
    } else {
        dnnl::eltwise_forward::primitive_desc hint(d.eng, dnnl::prop_kind::forward_training, a.alg,
                                                   md, md, alpha, beta);
        prim = dnnl::eltwise_backward(
            dnnl::eltwise_backward::primitive_desc(d.eng, a.alg, md, md, md, alpha, beta, hint));
        args = {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_SRC, out}};
    }
    return [prim, args, strm = d.strm]() mutable {
        prim.execute(strm, args);
        strm.wait();
        return true;
    };
}

// oneDNN's PReLU with a weight per channel (dim 1 of [outer, channels, inner]), against
// hact_prelu_*: forward; backward gives diff_src and diff_weights together (hact's bwd_params).
auto dnnl_prelu_body(Dir dir, std::size_t outer, std::size_t channels, std::size_t inner, const float *weight,
                     float *dweight, const Buffers &b) {
    using dnnl::memory;
    using dims = memory::dims;
    const Dnnl &d = *dnnl_runtime(nullptr);
    const auto dim = [](std::size_t v) { return static_cast<memory::dim>(v); };
    memory::desc md(dims{dim(outer), dim(channels), dim(inner)}, memory::data_type::f32, memory::format_tag::abc);
    memory::desc wd(dims{1, dim(channels), 1}, memory::data_type::f32, memory::format_tag::abc);
    memory x(md, d.eng, b.x.get()), dy(md, d.eng, b.dy.get()), out(md, d.eng, b.out.get());
    memory w(wd, d.eng, const_cast<float *>(weight)), dw(wd, d.eng, dweight);
    dnnl::prelu_forward::primitive_desc fwd(d.eng, dnnl::prop_kind::forward_training, md, wd, md);
    dnnl::primitive prim;
    std::unordered_map<int, memory> args;
    if (dir == kFwd) {
        prim = dnnl::prelu_forward(fwd);
        args = {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, out}};
    } else {
        prim = dnnl::prelu_backward(dnnl::prelu_backward::primitive_desc(d.eng, md, wd, md, wd, md, fwd));
        args = {{DNNL_ARG_SRC, x},      {DNNL_ARG_WEIGHTS, w},       {DNNL_ARG_DIFF_DST, dy},
                {DNNL_ARG_DIFF_SRC, out}, {DNNL_ARG_DIFF_WEIGHTS, dw}};
    }
    return [prim, args, strm = d.strm]() mutable {
        prim.execute(strm, args);
        strm.wait();
        return true;
    };
}

const DnnlAnchor *dnnl_anchor(const char *op) {
    for (const DnnlAnchor &a : kDnnlAnchors)
        if (std::strcmp(a.op, op) == 0) return &a;
    return nullptr;
}

std::string dnnl_description() {
    std::string why;
    const dnnl_version_t *v = dnnl_version();
    std::string s = "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                    std::to_string(v->patch);
    if (!dnnl_runtime(&why)) return s + ": unusable here (" + why + "), no oneDNN anchor";
    return s + (v->cpu_runtime == DNNL_RUNTIME_OMP ? ", CPU runtime OpenMP" : ", CPU runtime sequential");
}
#endif

// hact's call for one direction; false on failure (the message is in hact_last_error()).
bool hact_call(hact_op op, Dir dir, const hact_params &p, std::size_t n, const Buffers &b) {
    hact_params grad;
    hact_status s;
    switch (dir) {
    case kFwd: s = hact_forward(op, HACT_F32, b.x.get(), b.out.get(), n, &p); break;
    case kBwd: s = hact_backward(op, HACT_F32, b.x.get(), b.dy.get(), b.out.get(), n, &p); break;
    default:
        s = hact_backward_params(op, HACT_F32, b.x.get(), b.dy.get(), n, &p, &grad);
        benchmark::DoNotOptimize(grad);
    }
    return s == HACT_OK;
}

std::string cpu_model() {
    std::ifstream f("/proc/cpuinfo");
    for (std::string line; std::getline(f, line);)
        if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
    return "unknown";
}

// The GLU family, per-channel PReLU and the narrow storage types, with their anchors:
//   hact/<glu>/glufwd|glubwd/<isa>    a, b -> out (3 streams); a, b, dy -> da, db (5 streams)
//   unfused/swiglu/fwd                 hact silu into a temporary, then a plain multiply loop
//   copy/5stream                       read 3, write 2: the GLU backward's roofline
//   hact/prelu_channels/<dir>/<isa>    [n / 64, 64 channels, ... ] as [outer, 64, n / 4096]
//   onednn/prelu_channels/<dir>        oneDNN's prelu, the same shape: fwd; bwd_params (its
//                                      backward gives diff_src and diff_weights together)
//   hact/<op>/<dir>/<isa>/dtype:<t>    bf16 / f16 storage (bytes/s counts 2-byte elements), and
//                                      f64 (8-byte elements; computed in double, no speed bar)
void register_families(const std::vector<hact_isa> &isas) {
    const hact_isa best = isas.empty() ? hact_isa(0) : isas.back();
    for (const Level &lv : kLevels) {
        for (int t : kThreads) {
            const std::size_t n = lv.n;
            const std::string tail = "/n:" + std::to_string(n) + "/threads:" + std::to_string(t);
            add("copy/5stream" + tail, n, t, 5, hact_isa(0), [n, t](const Buffers &b) {
                return [&b, n, t] {
                    split(t, n, [&](std::size_t lo, std::size_t hi) {
                        copy5_f32(b.x.get() + lo, b.b.get() + lo, b.dy.get() + lo, b.out.get() + lo,
                                  b.out2.get() + lo, hi - lo);
                    });
                    return true;
                };
            });
            add("unfused/swiglu/fwd" + tail, n, t, 3, best, [n, t](const Buffers &b) {
                return [&b, n, t] {
                    if (hact_forward(hact_op_silu, HACT_F32, b.x.get(), b.out.get(), n, nullptr) != HACT_OK) return false;
                    split(t, n, [&](std::size_t lo, std::size_t hi) {
                        mul3_f32(b.out.get() + lo, b.b.get() + lo, b.out.get() + lo, hi - lo);
                    });
                    return true;
                };
            });
            for (int k = 0; k < hact_glu_count(); ++k) {
                const hact_glu g = static_cast<hact_glu>(k);
                for (hact_isa isa : isas) {
                    const std::string isa_tail = std::string("/") + hact_isa_name(isa) + tail;
                    add(std::string("hact/") + hact_glu_name(g) + "/glufwd" + isa_tail, n, t, 3, isa,
                        [g, n](const Buffers &b) {
                            return [&b, g, n] {
                                return hact_glu_forward(g, HACT_F32, b.x.get(), b.b.get(), b.out.get(), n, nullptr) == HACT_OK;
                            };
                        });
                    add(std::string("hact/") + hact_glu_name(g) + "/glubwd" + isa_tail, n, t, 5, isa,
                        [g, n](const Buffers &b) {
                            return [&b, g, n] {
                                return hact_glu_backward(g, HACT_F32, b.x.get(), b.b.get(), b.dy.get(), b.out.get(),
                                                         b.out2.get(), n, nullptr) == HACT_OK;
                            };
                        });
                }
            }
            // PReLU with 64 channels: conv-like rows of n / 4096 ... 64 elements (n >= 2048 here).
            static const std::vector<float> weight = [] {
                std::vector<float> w(64);
                for (int c = 0; c < 64; ++c) w[c] = 0.01f * c;
                return w;
            }();
            const std::size_t channels = 64, inner = std::max<std::size_t>(1, n / 4096), outer = n / (channels * inner);
            for (hact_isa isa : isas) {
                const std::string isa_tail = std::string("/") + hact_isa_name(isa) + tail;
                add("hact/prelu_channels/fwd" + isa_tail, n, t, 2, isa, [=](const Buffers &b) {
                    return [&b, outer, inner] {
                        return hact_prelu_forward(HACT_F32, b.x.get(), weight.data(), b.out.get(), outer, channels,
                                                  inner) == HACT_OK;
                    };
                });
                add("hact/prelu_channels/bwd" + isa_tail, n, t, 3, isa, [=](const Buffers &b) {
                    return [&b, outer, inner] {
                        return hact_prelu_backward(HACT_F32, b.x.get(), weight.data(), b.dy.get(), b.out.get(),
                                                   nullptr, outer, channels, inner) == HACT_OK;
                    };
                });
                add("hact/prelu_channels/bwd_params" + isa_tail, n, t, 3, isa, [=](const Buffers &b) {
                    return [&b, outer, inner] {
                        float dw[64];
                        const bool ok = hact_prelu_backward(HACT_F32, b.x.get(), weight.data(), b.dy.get(),
                                                            b.out.get(), dw, outer, channels, inner) == HACT_OK;
                        benchmark::DoNotOptimize(dw);
                        return ok;
                    };
                });
            }
#ifdef HACT_BENCH_ONEDNN
            if (dnnl_runtime(nullptr) && t <= dnnl_runtime(nullptr)->max_threads) {
                add("onednn/prelu_channels/fwd" + tail, n, t, 2, hact_isa(0), [=](const Buffers &b) {
                    return dnnl_prelu_body(kFwd, outer, channels, inner, weight.data(), nullptr, b);
                });
                add("onednn/prelu_channels/bwd_params" + tail, n, t, 3, hact_isa(0), [=](const Buffers &b) {
                    static float dw[64];
                    return dnnl_prelu_body(kBwd, outer, channels, inner, weight.data(), dw, b);
                });
            }
#endif
            // Narrow storage: the float32 benchmarks' values rounded to the narrow type.
            for (const char *opname : {"silu", "gelu", "sigmoid", "relu"}) {
                hact_op op;
                if (hact_op_from_name(opname, &op) != HACT_OK) continue;
                for (auto [dtype, dname] : {std::pair{HACT_BF16, "bf16"}, std::pair{HACT_F16, "f16"}}) {
                    for (hact_isa isa : isas) {
                        const std::string base = std::string("hact/") + opname;
                        const std::string dt_tail = std::string("/") + hact_isa_name(isa) + "/dtype:" + dname + tail;
                        add(base + "/fwd" + dt_tail, n, t, 2, isa, [=](const Buffers &b) {
                            const bool bf = dtype == HACT_BF16;
                            return [&b, op, dtype, n, bf] {
                                return hact_forward(op, dtype, (bf ? b.x_bf16 : b.x_f16).data(),
                                                    const_cast<std::uint16_t *>(b.out16.data()), n, nullptr) == HACT_OK;
                            };
                        }, 2);
                        add(base + "/bwd" + dt_tail, n, t, 3, isa, [=](const Buffers &b) {
                            const bool bf = dtype == HACT_BF16;
                            return [&b, op, dtype, n, bf] {
                                return hact_backward(op, dtype, (bf ? b.x_bf16 : b.x_f16).data(),
                                                     (bf ? b.dy_bf16 : b.dy_f16).data(),
                                                     const_cast<std::uint16_t *>(b.out16.data()), n, nullptr) == HACT_OK;
                            };
                        }, 2);
                    }
                }
                for (hact_isa isa : isas) {
                    const std::string base = std::string("hact/") + opname;
                    const std::string dt_tail = std::string("/") + hact_isa_name(isa) + "/dtype:f64" + tail;
                    add(base + "/fwd" + dt_tail, n, t, 2, isa, [=](const Buffers &b) {
                        const Buffers &w = b.wide();
                        return [&w, op, n] {
                            return hact_forward(op, HACT_F64, w.x_f64.data(), w.out64.data(), n, nullptr) == HACT_OK;
                        };
                    }, 8);
                    add(base + "/bwd" + dt_tail, n, t, 3, isa, [=](const Buffers &b) {
                        const Buffers &w = b.wide();
                        return [&w, op, n] {
                            return hact_backward(op, HACT_F64, w.x_f64.data(), w.dy_f64.data(), w.out64.data(), n,
                                                 nullptr) == HACT_OK;
                        };
                    }, 8);
                }
            }
        }
    }
}

void register_all() {
    std::vector<hact_isa> isas;
    for (int i = HACT_ISA_X86_64; i <= HACT_ISA_LAST; ++i)
        if (hact_isa_available(static_cast<hact_isa>(i))) isas.push_back(static_cast<hact_isa>(i));

    for (const Level &lv : kLevels) {
        for (int t : kThreads) {
            const std::size_t n = lv.n;
            const std::string tail = "/n:" + std::to_string(n) + "/threads:" + std::to_string(t);
            // Anchors without an op: the copy rooflines and the plain loop.
            add("copy/2stream" + tail, n, t, 2, hact_isa(0), [n, t](const Buffers &b) {
                return [&b, n, t] {
                    split(t, n, [&](std::size_t lo, std::size_t hi) {
                        copy_f32(b.x.get() + lo, b.out.get() + lo, hi - lo);
                    });
                    return true;
                };
            });
            add("copy/3stream" + tail, n, t, 3, hact_isa(0), [n, t](const Buffers &b) {
                return [&b, n, t] {
                    split(t, n, [&](std::size_t lo, std::size_t hi) {
                        add3_f32(b.x.get() + lo, b.dy.get() + lo, b.out.get() + lo, hi - lo);
                    });
                    return true;
                };
            });
            add("plain/silu/fwd" + tail, n, t, 2, hact_isa(0), [n, t](const Buffers &b) {
                return [&b, n, t] {
                    split(t, n, [&](std::size_t lo, std::size_t hi) {
                        plain_silu_f32(b.x.get() + lo, b.out.get() + lo, hi - lo);
                    });
                    return true;
                };
            });
            // Every op x direction: each hact ISA variant, then oneDNN's counterpart if any.
            for (int i = 0; i < hact_op_count(); ++i) {
                const hact_op op = static_cast<hact_op>(i);
                const hact_params p = hact_default_params(op);
                const std::string name = hact_op_name(op);
                for (Dir dir : {kFwd, kBwd, kBwdParams}) {
                    if (dir == kBwdParams && hact_op_learnable_params(op) == 0) continue;
                    const std::string od = name + "/" + kDirName[dir];
                    for (hact_isa isa : isas) {
                        add("hact/" + od + "/" + hact_isa_name(isa) + tail, n, t, kStreams[dir], isa,
                            [=](const Buffers &b) { return [&b, op, dir, p, n] { return hact_call(op, dir, p, n, b); }; });
                    }
#ifdef HACT_BENCH_ONEDNN
                    const DnnlAnchor *a = dnnl_anchor(name.c_str());
                    const Dnnl *d = dnnl_runtime(nullptr);
                    if (a && d && dir != kBwdParams && t <= d->max_threads) {
                        add("onednn/" + od + tail, n, t, kStreams[dir], hact_isa(0),
                            [a, p, dir, n](const Buffers &b) { return dnnl_body(*a, p, dir, n, b); });
                    }
#endif
                }
            }
        }
    }

    register_families(isas);

    // Context for perf_table.py (it reads the JSON only).
    std::string levels, isa_names;
    for (const Level &lv : kLevels)
        levels += (levels.empty() ? "" : ",") + std::to_string(lv.n) + "=" + lv.name;
    for (hact_isa isa : isas) isa_names += (isa_names.empty() ? "" : ",") + std::string(hact_isa_name(isa));
    benchmark::AddCustomContext("cpu_model", cpu_model());
    benchmark::AddCustomContext("size_levels", levels);
    benchmark::AddCustomContext("hact_version", hact_version_string());
    benchmark::AddCustomContext("hact_isas", isa_names);
    benchmark::AddCustomContext("anchor_threads", "OpenMP (" + std::to_string(_OPENMP) + "), static contiguous split");
    benchmark::AddCustomContext("anchor_loops_compiler", anchor_loops_compiler);
#ifdef HACT_BENCH_ONEDNN
    benchmark::AddCustomContext("onednn", dnnl_description());
#else
    benchmark::AddCustomContext("onednn", "not built (oneDNN not found at configure time)");
#endif
}

}  // namespace

int main(int argc, char **argv) {
    std::string command;
    for (int i = 0; i < argc; ++i) command += (i ? " " : "") + std::string(argv[i]);
    benchmark::AddCustomContext("command", command);
    register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
