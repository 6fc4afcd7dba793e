// hact_sweep: every float32 input (or every k-th, --stride k) through each unary op, forward and
// backward with dy = 1, on each CPU variant, against the long-double reference: max ULP and where,
// mean ULP, NaN and inf mismatches, run time (one thread: run several processes with --ops to use
// more cores).
//
//   hact_sweep [--stride K] [--ops silu,swish,...] [--md FILE] [--exact-every N] [--exact]
//              (default: stride 1, every op, --exact-every 61)
//
// Screen, then the long-double reference where it can matter. The x87 reference costs 100-400 ns
// per input (expl, erfcl, log1pl save and restore the FPU environment), so a full run of one op
// took 20-70 min. Each input is first compared with hact's own float64 result (libm per lane, within
// 4 double ULP of the reference: tests/test_float64.cpp), i.e. within ~1e-8 float32 ULP. The long
// double reference is then computed for
//   - every input whose screened error could reach 1 ULP, the op's bound, or the running maximum
//     once that is over 0.5 ULP (so a maximum over 0.5, where it occurs, and every count over the
//     bound are the reference's own; below 0.5 the screen's maximum is within 1e-6 of it),
//   - every input where the result or the screen is NaN, infinite or at the float32 overflow edge
//     (so NaN and inf mismatches are counted against the reference),
//   - every N-th input (--exact-every N) as a check of the screen itself: the run fails if the
//     screen and the reference differ by more than 1e-6 ULP anywhere they were both computed.
// The mean ULP is taken over that every-N-th sample (70 million inputs per row in a full run; the
// screen alone cannot give it for backward, whose error unit needs the reference's largest term).
// --exact computes the reference for every input (the old way, 3-10x slower, every input in the
// mean); the test suite runs both.
//
// Exits 1 if any result exceeds the op's bound (tests/reference/<op>.h) or the screen disagrees.
#include <chrono>
#include <sstream>

#include "hact_test.h"

namespace {
using namespace hact_test;

struct Stat {
    double max_err = 0, sum_err = 0;  // sum and count over the inputs that make the mean
    uint64_t count = 0, finite = 0, nan_mismatch = 0, inf_mismatch = 0, over = 0;
    uint32_t worst = 0;
};

// Where the screen is trusted: within this many float32 ULPs of the reference.
constexpr double kScreenTolerance = 1e-6;

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> v;
    std::stringstream ss(s);
    for (std::string item; std::getline(ss, item, ',');)
        if (!item.empty()) v.push_back(item);
    return v;
}

// A float32 ULP no larger than that of any number within 2^-30 (relative) of r: the screen's error
// measure must not understate the reference's where the two straddle a power of two.
double screen_unit(double r) {
    r = std::fabs(r) * (1.0 - 0x1p-30);
    if (!(r >= (double)FLT_MIN)) return 0x1p-149;
    int e;
    std::frexp(r, &e);
    return std::ldexp(1.0, std::min(e, 128) - 24);
}

}  // namespace

int main(int argc, char** argv) {
    uint64_t stride = 1, exact_every = 61;
    bool exact = false;
    std::vector<std::string> only;
    std::string md;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--stride" && i + 1 < argc) stride = std::stoull(argv[++i]);
        else if (a == "--ops" && i + 1 < argc) only = split_list(argv[++i]);
        else if (a == "--md" && i + 1 < argc) md = argv[++i];
        else if (a == "--exact-every" && i + 1 < argc) exact_every = std::stoull(argv[++i]);
        else if (a == "--exact") exact = true;
        else {
            std::fprintf(stderr,
                         "usage: %s [--stride K] [--ops a,b,...] [--md FILE] [--exact-every N] [--exact]\n",
                         argv[0]);
            return 2;
        }
    }
    if (stride == 0) stride = 1;
    if (exact_every == 0) exact_every = 1;
    std::vector<hact_isa> isas;
    for (hact_isa isa : all_isas())
        if (hact_isa_available(isa)) isas.push_back(isa);
    hact_set_num_threads(1);  // one core per process
    const uint64_t total = ((1ull << 32) + stride - 1) / stride, block = 1u << 20;
    std::string table, screen_notes;
    bool all_ok = true;
    for (const OpRef& op : ops()) {
        if (!only.empty() && std::find(only.begin(), only.end(), op.name) == only.end()) continue;
        const hact_params hp = hact_default_params(op.op);
        const hact_ref::Params p = hact_ref::from_hact(hp);
        for (int dir = 0; dir < 2; ++dir) {
            const auto t0 = std::chrono::steady_clock::now();
            const double bound = dir == 0 ? op.forward_ulp : op.backward_ulp;
            std::vector<Stat> stats(isas.size());
            std::vector<float> x(block), ones(block, 1.0f), out(block);
            std::vector<double> xd(block), ones_d(block, 1.0), screen(block);
            std::vector<ld> ref(block), unit(block);
            std::vector<uint8_t> have_ref(block);
            uint64_t exact_count = 0, checked = 0, screen_fail = 0;
            double screen_dev = 0;
            uint32_t screen_worst = 0;
            for (uint64_t b = 0; b < total; b += block) {
                const size_t n = (size_t)std::min<uint64_t>(block, total - b);
                // The reference for input i, computed at most once per block (shared by the
                // variants) and checked against the screen.
                auto reference = [&](size_t i) {
                    if (have_ref[i]) return;
                    have_ref[i] = 1;
                    ++exact_count;
                    if (dir == 0) {
                        ref[i] = op.forward(x[i], p);
                        unit[i] = ulp_f32(ref[i]);
                    } else {
                        ref[i] = op.derivative(x[i], p);
                        unit[i] = std::max(ulp_f32(ref[i]), ulp_f32(op.derivative_scale(x[i], p)));
                    }
                    if (exact) return;
                    ++checked;
                    const bool both_nan = std::isnan(ref[i]) && std::isnan(screen[i]);
                    const double dev = both_nan ? 0.0
                                       : (std::isinf(ref[i]) && (ld)screen[i] == ref[i])
                                           ? 0.0
                                           : (double)(fabsl((ld)screen[i] - ref[i]) / unit[i]);
                    if (!(dev <= screen_dev)) screen_dev = dev, screen_worst = bits(x[i]);
                    if (!(dev <= kScreenTolerance)) ++screen_fail;
                };
                for (size_t i = 0; i < n; ++i) {
                    x[i] = from_bits((uint32_t)((b + i) * stride));
                    xd[i] = x[i];
                    have_ref[i] = 0;
                }
                if (!exact) {  // the screen: the float64 kernel of the best variant
                    hact_set_max_isa(HACT_ISA_LAST);
                    const hact_status s =
                        dir == 0 ? hact_forward(op.op, HACT_F64, xd.data(), screen.data(), n, &hp)
                                 : hact_backward(op.op, HACT_F64, xd.data(), ones_d.data(), screen.data(), n, &hp);
                    if (s != HACT_OK) {
                        std::fprintf(stderr, "hact_sweep: float64 screen: %s (use --exact)\n", hact_last_error());
                        return 1;
                    }
                }
                for (size_t i = 0; i < n; ++i)
                    if (exact || (b + i) % exact_every == 0) reference(i);
                for (size_t v = 0; v < isas.size(); ++v) {
                    hact_set_max_isa(isas[v]);
                    const hact_status s = dir == 0 ? hact_forward(op.op, HACT_F32, x.data(), out.data(), n, &hp)
                                                   : hact_backward(op.op, HACT_F32, x.data(), ones.data(), out.data(), n, &hp);
                    if (s != HACT_OK) {
                        std::fprintf(stderr, "hact_sweep: %s\n", hact_last_error());
                        return 1;
                    }
                    Stat& st = stats[v];
                    for (size_t i = 0; i < n; ++i) {
                        if (!have_ref[i]) {
                            const double r = screen[i];
                            const bool edge = !std::isfinite(out[i]) || !(std::fabs(r) < 0x1.fffffcp127);
                            const double es = edge ? INFINITY : std::fabs((double)out[i] - r) / screen_unit(r);
                            const double flag_at = std::min({1.0, bound, std::max(st.max_err, 0.5)}) - kScreenTolerance;
                            if (es >= flag_at) {
                                reference(i);
                            } else {  // finite and not a maximum: nothing to count but the input
                                ++st.count;
                                continue;
                            }
                        }
                        const double e = error_in(out[i], ref[i], unit[i]);
                        ++st.count;
                        if (std::isnan(ref[i]) != std::isnan(out[i])) ++st.nan_mismatch;
                        if (!std::isnan(ref[i]) && std::isinf((float)ref[i]) != std::isinf(out[i])) ++st.inf_mismatch;
                        // The mean: over every input (--exact), else over the every-N-th sample,
                        // which is blind to the error (flagged inputs would bias it upwards).
                        if (std::isfinite(e) && (exact || (b + i) % exact_every == 0)) st.sum_err += e, ++st.finite;
                        if (!(e <= bound)) ++st.over;
                        if (!(e <= st.max_err)) st.max_err = e, st.worst = bits(x[i]);
                    }
                }
            }
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            for (size_t v = 0; v < isas.size(); ++v) {
                const Stat& s = stats[v];
                const bool ok = s.over == 0 && screen_fail == 0;
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
            char note[512];
            if (exact)
                std::snprintf(note, sizeof note, "- %s %s: long-double reference for all %llu inputs.\n", op.name,
                              dir == 0 ? "fwd" : "bwd", (unsigned long long)exact_count);
            else
                std::snprintf(note, sizeof note,
                              "- %s %s: long-double reference for %llu of %llu inputs (%.2f%%; mean ULP over every %llu-th); "
                              "screen vs reference at those: max %.2g ULP at %s, %llu over %.0e.\n",
                              op.name, dir == 0 ? "fwd" : "bwd", (unsigned long long)exact_count,
                              (unsigned long long)total, 100.0 * (double)exact_count / (double)total,
                              (unsigned long long)exact_every, screen_dev,
                              describe(from_bits(screen_worst)).c_str(), (unsigned long long)screen_fail,
                              kScreenTolerance);
            std::printf("SCREEN %s", note);
            std::fflush(stdout);
            screen_notes += note;
        }
    }
    hact_set_max_isa(HACT_ISA_LAST);
    if (!md.empty()) {
        FILE* f = std::fopen(md.c_str(), "w");
        if (!f) return 2;
        std::fprintf(f, "Every %llu-th float32 bit pattern (%llu inputs per row).\n\n", (unsigned long long)stride,
                     (unsigned long long)total);
        std::fprintf(f, "| op | direction | ISA | inputs | max ULP | worst x | mean ULP | NaN mismatches | inf mismatches | within bound | time (all ISAs) |\n");
        std::fprintf(f, "|---|---|---|---:|---:|---|---:|---:|---:|---|---:|\n%s\n%s", table.c_str(),
                     screen_notes.c_str());
        std::fclose(f);
    }
    return all_ok ? 0 : 1;
}
