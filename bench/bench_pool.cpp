// hact_bench_pool: hact's thread pool against Halide's (HACT_POOL=halide) on the same kernels,
// in one process: each case switches the pool before it runs, and with
// --benchmark_enable_random_interleaving the two pools' repetitions alternate, so that the
// machine's drift falls on both. Ends with a table of medians: how much faster hact's pool is.
//   build/bench/hact_bench_pool --benchmark_repetitions=11 --benchmark_enable_random_interleaving=true
// Links hact_internal (the pool switch is internal).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "internal.h"
}

namespace {

constexpr int kThreads = 2;
const char *const kOps[] = {"relu", "hardswish", "silu"};
const std::size_t kSizes[] = {std::size_t{1} << 15, std::size_t{1} << 17, std::size_t{1} << 20};
const char *pool_name(hacti_pool_kind k) { return k == HACTI_POOL_HALIDE ? "halide" : "hact"; }

void register_cases() {
    for (const char *name : kOps) {
        hact_op op;
        if (hact_op_from_name(name, &op) != HACT_OK) continue;
        for (std::size_t n : kSizes) {
            for (hacti_pool_kind kind : {HACTI_POOL_HACT, HACTI_POOL_HALIDE}) {
                const std::string id = std::string("pool/") + pool_name(kind) + "/" + name + "/n:" + std::to_string(n) +
                                       "/threads:" + std::to_string(kThreads);
                benchmark::RegisterBenchmark(id.c_str(), [=](benchmark::State &st) {
                    hacti_select_pool(kind);
                    hact_set_num_threads(kThreads);
                    std::vector<float> x(n), y(n);
                    for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<float>(i % 97) * 0.125f - 6.0f;
                    for (auto _ : st) {
                        if (hact_forward(op, HACT_F32, x.data(), y.data(), n, nullptr) != HACT_OK) {
                            st.SkipWithError(hact_last_error());
                            break;
                        }
                        benchmark::ClobberMemory();
                    }
                    st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(n));
                })->UseRealTime();
            }
        }
    }
}

// Console output as usual; also keeps each case's median time for the closing table.
class MedianReporter : public benchmark::ConsoleReporter {
public:
    std::map<std::string, double> median_ns;  // "<op>/n:<n>" + pool -> ns
    void ReportRuns(const std::vector<Run> &runs) override {
        for (const Run &r : runs)
            if (r.run_type == Run::RT_Aggregate && r.aggregate_name == "median")
                median_ns[r.run_name.function_name] = r.GetAdjustedRealTime();
        ConsoleReporter::ReportRuns(runs);
    }
};

}  // namespace

int main(int argc, char **argv) {
    register_cases();
    benchmark::Initialize(&argc, argv);
    MedianReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    std::printf("\nhact's pool against Halide's, %d threads (median time, Halide's / hact's; > 1: hact's faster)\n",
                kThreads);
    bool any = false;
    for (const auto &[name, hact_ns] : reporter.median_ns) {
        const std::string prefix = "pool/hact/";
        if (name.rfind(prefix, 0) != 0) continue;
        const auto other = reporter.median_ns.find("pool/halide/" + name.substr(prefix.size()));
        if (other == reporter.median_ns.end()) continue;
        std::printf("  %-36s %8.2f us  %8.2f us  %5.2fx\n", name.substr(prefix.size()).c_str(), hact_ns / 1e3,
                    other->second / 1e3, other->second / hact_ns);
        any = true;
    }
    if (!any) std::printf("  (no medians: run with --benchmark_repetitions=3 or more)\n");
    benchmark::Shutdown();
}
