// hact_sweep: every float32 input (or every k-th, --stride k) through each unary op, forward and
// backward with dy = 1, on each CPU variant, against the long-double reference: max ULP and where,
// mean ULP, NaN and inf mismatches, run time. The reference is computed once per input and shared
// by the variants (one thread: run several processes with --ops to use more cores).
//
//   hact_sweep [--stride K] [--ops silu,swish,...] [--md FILE]    (default: stride 1, every op)
//
// Exits 1 if any result exceeds the op's bound (tests/reference/<op>.h). The test suite runs it
// with a large stride; docs/accuracy.md records full runs.
#include <chrono>
#include <sstream>

#include "hact_test.h"

namespace {
using namespace hact_test;

struct Stat {
    double max_err = 0, sum_err = 0;
    uint64_t count = 0, finite = 0, nan_mismatch = 0, inf_mismatch = 0, over = 0;
    uint32_t worst = 0;
};

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> v;
    std::stringstream ss(s);
    for (std::string item; std::getline(ss, item, ',');)
        if (!item.empty()) v.push_back(item);
    return v;
}

}  // namespace

int main(int argc, char** argv) {
    uint64_t stride = 1;
    std::vector<std::string> only;
    std::string md;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--stride" && i + 1 < argc) stride = std::stoull(argv[++i]);
        else if (a == "--ops" && i + 1 < argc) only = split_list(argv[++i]);
        else if (a == "--md" && i + 1 < argc) md = argv[++i];
        else {
            std::fprintf(stderr, "usage: %s [--stride K] [--ops a,b,...] [--md FILE]\n", argv[0]);
            return 2;
        }
    }
    if (stride == 0) stride = 1;
    std::vector<hact_isa> isas;
    for (hact_isa isa : all_isas())
        if (hact_isa_available(isa)) isas.push_back(isa);
    hact_set_num_threads(1);  // one core per process
    const uint64_t total = ((1ull << 32) + stride - 1) / stride, block = 1u << 20;
    std::string table;
    bool all_ok = true;
    for (const OpRef& op : ops()) {
        if (!only.empty() && std::find(only.begin(), only.end(), op.name) == only.end()) continue;
        const hact_params hp = hact_default_params(op.op);
        const hact_ref::Params p = hact_ref::from_hact(hp);
        for (int dir = 0; dir < 2; ++dir) {
            const auto t0 = std::chrono::steady_clock::now();
            std::vector<Stat> stats(isas.size());
            std::vector<float> x(block), ones(block, 1.0f), out(block);
            std::vector<ld> ref(block), unit(block);
            for (uint64_t b = 0; b < total; b += block) {
                const size_t n = (size_t)std::min<uint64_t>(block, total - b);
                for (size_t i = 0; i < n; ++i) {  // the reference, once for every variant
                    x[i] = from_bits((uint32_t)((b + i) * stride));
                    if (dir == 0) {
                        ref[i] = op.forward(x[i], p);
                        unit[i] = ulp_f32(ref[i]);
                    } else {
                        ref[i] = op.derivative(x[i], p);
                        unit[i] = std::max(ulp_f32(ref[i]), ulp_f32(op.derivative_scale(x[i], p)));
                    }
                }
                for (size_t v = 0; v < isas.size(); ++v) {
                    hact_set_max_isa(isas[v]);
                    const hact_status s = dir == 0 ? hact_forward(op.op, HACT_F32, x.data(), out.data(), n, &hp)
                                                   : hact_backward(op.op, HACT_F32, x.data(), ones.data(), out.data(), n, &hp);
                    if (s != HACT_OK) {
                        std::fprintf(stderr, "hact_sweep: %s\n", hact_last_error());
                        return 1;
                    }
                    Stat& st = stats[v];
                    const double bound = dir == 0 ? op.forward_ulp : op.backward_ulp;
                    for (size_t i = 0; i < n; ++i) {
                        const double e = error_in(out[i], ref[i], unit[i]);
                        ++st.count;
                        if (std::isnan(ref[i]) != std::isnan(out[i])) ++st.nan_mismatch;
                        if (!std::isnan(ref[i]) && std::isinf((float)ref[i]) != std::isinf(out[i])) ++st.inf_mismatch;
                        if (std::isfinite(e)) st.sum_err += e, ++st.finite;
                        if (!(e <= bound)) ++st.over;
                        if (!(e <= st.max_err)) st.max_err = e, st.worst = bits(x[i]);
                    }
                }
            }
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            for (size_t v = 0; v < isas.size(); ++v) {
                const Stat& s = stats[v];
                const bool ok = s.over == 0;
                all_ok &= ok;
                char line[512];
                std::snprintf(line, sizeof line, "| %s | %s | %s | %llu | %.3g | %s | %.3g | %llu | %llu | %s | %.0f s |",
                              op.name, dir == 0 ? "fwd" : "bwd (dy = 1)", isa_label(isas[v]).c_str(),
                              (unsigned long long)s.count, s.max_err, describe(from_bits(s.worst)).c_str(),
                              s.finite ? s.sum_err / (double)s.finite : 0.0, (unsigned long long)s.nan_mismatch,
                              (unsigned long long)s.inf_mismatch, ok ? "yes" : "NO", secs);
                std::printf("SWEEP %s\n", line);
                std::fflush(stdout);
                table += std::string(line) + "\n";
            }
        }
    }
    hact_set_max_isa(HACT_ISA_LAST);
    if (!md.empty()) {
        FILE* f = std::fopen(md.c_str(), "w");
        if (!f) return 2;
        std::fprintf(f, "Every %llu-th float32 bit pattern (%llu inputs per row).\n\n", (unsigned long long)stride,
                     (unsigned long long)total);
        std::fprintf(f, "| op | direction | ISA | inputs | max ULP | worst x | mean ULP | NaN mismatches | inf mismatches | within bound | time (all ISAs) |\n");
        std::fprintf(f, "|---|---|---|---:|---:|---|---:|---:|---:|---|---:|\n%s", table.c_str());
        std::fclose(f);
    }
    return all_ok ? 0 : 1;
}
