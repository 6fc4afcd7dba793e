// The math of an exact op (runtime/kernel_abi.h HACT_EXACT_OPS: every result is x, dy, a signed
// zero, dy * 0 or a constant that bf16 and f16 hold), rewritten from its float32 form onto the
// 16-bit storage bits, so that its bf16/f16 kernels never widen to float32: one vector holds
// twice the elements, and no conversion or rounding is left (relu bf16 ran at 0.6-0.8x the
// float32 path's elements per second with them). The op is still written once (ops/<op>.h); this
// translates its comparisons, selects and products with zero, and stops the build on anything
// else. Comparisons against a constant become one integer comparison of the bits.
//
// NaN is translated as IEEE float32 arithmetic treats it, so a kernel gives bit for bit what the
// float32 math gives on the widened inputs, NaN payloads included (a NaN that the math passes
// through comes back as itself, signaling or not, as from the float32 kernels): a comparison with
// a NaN is false (against a constant, one more integer comparison where the value may be NaN),
// a select passes its value's bits, and x * 0 is x made quiet for a NaN x (NaN for inf). In
// select(num::nan_test(v), ..., f), keep_nan's shape, v is a number inside f, whose comparisons on v
// then need no NaN test. (Until 2026-12-07 every NaN input was returned quiet by a select per
// input: 3-4 more instructions per input and vector.)
#pragma once

#include <cmath>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "Halide.h"

namespace hact::exact_bits {

using Halide::Expr;
namespace IR = Halide::Internal;

// The 16-bit format: bf16 or f16.
struct Format {
    bool bf16;
    uint16_t exponent_mask() const { return bf16 ? 0x7f80 : 0x7c00; }  // also +inf
    uint16_t quiet_bit() const { return bf16 ? 0x0040 : 0x0200; }
    // Whether u (UInt(16) bits of this format) is NaN, and u made quiet (a NaN's payload kept).
    Expr is_nan(const Expr &u) const;
    Expr quiet(const Expr &u) const;
    // The bits of v, which the format must hold exactly.
    std::optional<uint16_t> bits_of(double v) const {
        if (bf16) {
            Halide::bfloat16_t b(v);
            return (double)b == v ? std::optional<uint16_t>(b.to_bits()) : std::nullopt;
        }
        Halide::float16_t h(v);
        return (double)h == v ? std::optional<uint16_t>(h.to_bits()) : std::nullopt;
    }
};

[[noreturn]] inline void unsupported(const std::string &what, const Expr &e) {
    std::cerr << "hact generator: an exact op's math (kernel_abi.h HACT_EXACT_OPS) " << what
              << "; only comparisons, selects and products with a zero have a form on 16-bit bits: " << e << "\n";
    std::exit(1);
}

inline Expr u16(int v) { return IR::make_const(Halide::UInt(16), v); }
inline Expr i16(int v) { return IR::make_const(Halide::Int(16), v); }
inline Expr Format::is_nan(const Expr &u) const { return (u & u16(0x7fff)) > u16(exponent_mask()); }
inline Expr Format::quiet(const Expr &u) const { return u | u16(quiet_bit()); }

// A float value of the math, as the bits of the storage format (UInt(16)).
struct Bits {
    Expr bits;
    bool may_be_nan = false;          // numbers in, and still possibly NaN here (inf * 0)
    std::optional<double> constant;   // known when generating
};

class Translation {
public:
    Translation(Format f, std::map<std::string, Bits> inputs) : f_(f), scope_(std::move(inputs)) {}

    Bits value(const Expr &e) {
        if (const auto *v = e.as<IR::Variable>()) {
            auto it = scope_.find(v->name);
            if (it == scope_.end()) unsupported("reads '" + v->name + "', which is neither x, dy nor a constant", e);
            return it->second;
        }
        if (const auto *c = e.as<IR::FloatImm>()) return constant(c->value, e);
        if (const auto *l = e.as<IR::Let>()) return let<Bits>(l, [&](const Expr &b) { return value(b); });
        if (const auto *s = e.as<IR::Select>()) {
            Bits t = value(s->true_value);
            Bits f = numbers_in(s->condition, [&] { return value(s->false_value); });
            return {Halide::select(condition(s->condition), t.bits, f.bits), t.may_be_nan || f.may_be_nan};
        }
        const IR::Mul *m = e.as<IR::Mul>();
        const IR::Call *call = e.as<IR::Call>();
        if (m || (call && call->is_intrinsic(IR::Call::strict_mul))) {
            Expr a = m ? m->a : call->args[0], b = m ? m->b : call->args[1];
            Bits x = value(a), y = value(b);
            if (y.constant && *y.constant == 0) return times_zero(x, std::signbit(*y.constant));
            if (x.constant && *x.constant == 0) return times_zero(y, std::signbit(*x.constant));
            unsupported("multiplies by something other than a zero", e);
        }
        unsupported("computes a value", e);
    }

    Expr condition(const Expr &e) {
        if (e.as<IR::UIntImm>()) return e;
        if (const auto *l = e.as<IR::Let>()) return let<Expr>(l, [&](const Expr &b) { return condition(b); });
        if (const Expr *v = nan_tested(e)) return nan(value(*v));
        if (const auto *n = e.as<IR::Not>()) return !condition(n->a);
        if (const auto *a = e.as<IR::And>()) return condition(a->a) && condition(a->b);
        if (const auto *o = e.as<IR::Or>()) return condition(o->a) || condition(o->b);
        if (const auto *c = e.as<IR::LT>()) return compare(Less, c->a, c->b);
        if (const auto *c = e.as<IR::LE>()) return compare(LessEqual, c->a, c->b);
        if (const auto *c = e.as<IR::GT>()) return compare(Less, c->b, c->a);
        if (const auto *c = e.as<IR::GE>()) return compare(LessEqual, c->b, c->a);
        if (const auto *c = e.as<IR::EQ>()) return compare(Equal, c->a, c->b);
        if (const auto *c = e.as<IR::NE>()) return !compare(Equal, c->a, c->b);
        if (const auto *call = e.as<IR::Call>()) {
            if (call->is_intrinsic(IR::Call::strict_lt)) return compare(Less, call->args[0], call->args[1]);
            if (call->is_intrinsic(IR::Call::strict_le)) return compare(LessEqual, call->args[0], call->args[1]);
            if (call->is_intrinsic(IR::Call::strict_eq)) return compare(Equal, call->args[0], call->args[1]);
        }
        unsupported("tests a condition", e);
    }

    // The x of num::nan_test(x) (numerics.h: is_nan(x), or !strict_eq(x, x), one Expr twice), else null.
    static const Expr *nan_tested(const Expr &c) {
        if (const auto *call = c.as<IR::Call>(); call && call->name == "is_nan_f32") return &call->args[0];
        const auto *n = c.as<IR::Not>();
        const auto *eq = n ? n->a.as<IR::Call>() : nullptr;
        if (!eq || !eq->is_intrinsic(IR::Call::strict_eq) || !eq->args[0].same_as(eq->args[1])) return nullptr;
        return &eq->args[0];
    }
    // Whether b (bits of the format) is NaN; constant false where it cannot be.
    Expr nan(const Bits &b) const { return b.may_be_nan ? f_.is_nan(b.bits) : IR::const_false(); }
    Expr quiet(const Expr &b) const { return f_.quiet(b); }

private:
    enum Relation { Less, LessEqual, Equal };

    // body() with v known to be a number where `condition` is is_nan(v) for a variable v, false
    // (the false branch of keep_nan's select); else body() as it is.
    template <class F>
    Bits numbers_in(const Expr &condition, F body) {
        const Expr *tested = nan_tested(condition);
        const auto *v = tested ? tested->as<IR::Variable>() : nullptr;
        auto it = v ? scope_.find(v->name) : scope_.end();
        if (it == scope_.end() || !it->second.may_be_nan) return body();
        const Bits saved = it->second;
        it->second.may_be_nan = false;
        Bits r = body();
        scope_[v->name] = saved;
        return r;
    }

    Bits constant(double v, const Expr &e) const {
        std::optional<uint16_t> b = f_.bits_of(v);
        if (!b) unsupported("uses a constant the format does not hold", e);
        return {u16(*b), std::isnan(v), v};
    }

    template <class R, class F>
    R let(const IR::Let *l, F body) {
        Bits v = value(l->value);
        auto saved = scope_.find(l->name) != scope_.end() ? std::optional<Bits>(scope_[l->name]) : std::nullopt;
        if (v.constant) {
            scope_[l->name] = v;  // substituted: comparisons against it become one instruction
            R r = body(l->body);
            restore(l->name, saved);
            return r;
        }
        const std::string name = IR::unique_name("bits");
        scope_[l->name] = {IR::Variable::make(Halide::UInt(16), name), v.may_be_nan, std::nullopt};
        R r = body(l->body);
        restore(l->name, saved);
        if constexpr (std::is_same_v<R, Bits>) return {IR::Let::make(name, v.bits, r.bits), r.may_be_nan, r.constant};
        else return IR::Let::make(name, v.bits, r);
    }
    void restore(const std::string &name, const std::optional<Bits> &saved) {
        if (saved) scope_[name] = *saved;
        else scope_.erase(name);
    }

    // a * +-0: a zero with the sign of a (flipped by -0), NaN for an infinite or NaN a.
    Bits times_zero(const Bits &a, bool negative_zero) const {
        const Expr sign = (a.bits & u16(0x8000)) ^ u16(negative_zero ? 0x8000 : 0);
        const Expr not_finite = (a.bits & u16(0x7fff)) >= u16(f_.exponent_mask());
        return {Halide::select(not_finite, quiet(a.bits), sign), true};
    }

    // a R b for float values (false where either is NaN, as IEEE comparisons are).
    Expr compare(Relation r, const Expr &ea, const Expr &eb) {
        Bits a = value(ea), b = value(eb);
        Expr numbers = !nan(a) && !nan(b);
        Expr result;
        if (a.constant && b.constant) {
            const double x = *a.constant, y = *b.constant;
            result = (r == Less ? x < y : r == LessEqual ? x <= y : x == y) ? IR::const_true() : IR::const_false();
        } else if (b.constant) {
            return against_constant(r, a, *b.constant, false);
        } else if (a.constant) {
            return against_constant(r, b, *a.constant, true);
        } else {
            // Sign and magnitude -> two's complement: an order of the numbers with -0 == +0.
            auto key = [](const Expr &u) {
                Expr s = Halide::reinterpret<int16_t>(u);
                Expr m = s >> 15;  // -1 for a negative sign, else 0
                return ((s & i16(0x7fff)) ^ m) - m;
            };
            Expr ka = key(a.bits), kb = key(b.bits);
            result = r == Less ? ka < kb : r == LessEqual ? ka <= kb : ka == kb;
        }
        return result && numbers;
    }

    // x R c (or c R x where swapped) as one comparison of x's bits u: as signed 16-bit integers,
    // the positive numbers are in order and every negative one is below them; as unsigned, the
    // negative ones are in order of magnitude above the positive ones. A NaN sits beyond the
    // infinity of its sign in both orders, so where x may be NaN one more comparison bounds u
    // by that infinity on the side the first one leaves open: false for NaN, as IEEE says.
    Expr against_constant(Relation r, const Bits &x, double c, bool swapped) const {
        const Expr &u = x.bits;
        Expr s = Halide::reinterpret<int16_t>(u);
        const int cb = *f_.bits_of(c);
        // c R' x with x on the left: swap the relation (c < x is x > c; c <= x is x >= c).
        enum { LT, LE, GT, GE, EQ } op = r == Equal ? EQ : r == Less ? (swapped ? GT : LT) : (swapped ? GE : LE);
        if (op == EQ) return c == 0 ? (u & u16(0x7fff)) == u16(0) : u == u16(cb);  // never a NaN
        Expr result;
        if (c > 0) {
            const Expr k = i16((int16_t)cb);
            result = op == LT ? s < k : op == LE ? s <= k : op == GT ? s > k : s >= k;
        } else if (c < 0) {
            const Expr k = u16(cb);
            result = op == LT ? u > k : op == LE ? u >= k : op == GT ? u < k : u <= k;
        } else {
            // c = +-0 (-0 == +0): x < 0 for a magnitude above the negative zero's bits, x > 0 for
            // a positive signed value.
            result = op == LT ? u > u16(0x8000) : op == LE ? s <= i16(0) : op == GT ? s > i16(0) : u <= u16(0x8000);
        }
        if (!x.may_be_nan) return result;
        // x below c: true so far for the negative NaNs (above -inf, unsigned); x above c: for
        // the positive ones (above +inf, signed).
        const bool below = op == LT || op == LE;
        return below ? result && u <= u16(0x8000 | f_.exponent_mask())
                     : result && s <= i16(f_.exponent_mask());
    }

    Format f_;
    std::map<std::string, Bits> scope_;
};

// math (the op's float32 formula, on Float(32) values of the inputs) on the storage bits of the
// inputs (UInt(16) each, any of them possibly NaN), as storage bits.
template <class Math>
Expr on_bits(Format f, const std::vector<Expr> &input_bits, Math math) {
    std::map<std::string, Bits> scope;
    std::vector<Expr> values;
    for (const Expr &b : input_bits) {
        const std::string name = IR::unique_name("exact_input");
        values.push_back(IR::Variable::make(Halide::Float(32), name));
        scope[name] = {b, true, std::nullopt};
    }
    return Translation(f, scope).value(math(values)).bits;
}

}  // namespace hact::exact_bits
