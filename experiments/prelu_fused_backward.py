# PReLU backward with the per-row weight-gradient sums (the row layout of runtime/prelu.c):
# two pipelines (what hact runs) against dx computed with the sums row by row (compute_with),
# Halide JIT from Python, one thread. Run: .venv/bin/python experiments/prelu_fused_backward.py
import halide as hl, numpy as np, time
inner, rows, C = 256, 4096, 64
x = hl.ImageParam(hl.Float(32), 2, "x"); dy = hl.ImageParam(hl.Float(32), 2, "dy"); w = hl.ImageParam(hl.Float(32), 1, "w")
i, r, lane = hl.Var("i"), hl.Var("r"), hl.Var("lane")
def defs():
    pos = x[i, r] > 0
    dx = hl.Func("dx"); dx[i, r] = hl.select(pos, dy[i, r], dy[i, r] * w[r % C])
    ri = hl.RDom([(0, inner)], "ri")
    xs = hl.select(x[ri.x, r] > 0, 0.0, x[ri.x, r]); ds = hl.select(x[ri.x, r] > 0, 0.0, dy[ri.x, r])
    s = hl.Func("s"); s[r] = hl.f64(0); s[r] += hl.f64(xs) * hl.f64(ds)
    return dx, s, ri
t = hl.get_jit_target_from_environment()
vec = 16
def sched_sum(s, ri):
    rio, rii = hl.RVar("rio"), hl.RVar("rii")
    s.update().split(ri.x, rio, rii, vec, hl.TailStrategy.GuardWithIf)
    lanes = s.update().rfactor(rii, lane)
    lanes.compute_at(s, r).vectorize(lane)
    lanes.update().reorder(lane, rio).vectorize(lane)
    s.update().atomic().vectorize(rii)
    return lanes
xn = np.random.uniform(-4, 4, (rows, inner)).astype(np.float32); dyn = np.random.uniform(-1, 1, (rows, inner)).astype(np.float32)
wn = np.linspace(-1, 1, C).astype(np.float32)
bx, bdy, bw = hl.Buffer(xn), hl.Buffer(dyn), hl.Buffer(wn)
x.set(bx); dy.set(bdy); w.set(bw)
out_dx = hl.Buffer(hl.Float(32), [inner, rows]); out_s = hl.Buffer(hl.Float(64), [rows])
def bench(fn, reps=50):
    fn(); best = 1e9
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(reps): fn()
        best = min(best, (time.perf_counter() - t0) / reps)
    return best * 1e6
# A: separate pipelines
dx, s, ri = defs(); dx.vectorize(i, vec); sched_sum(s, ri)
pdx = hl.Pipeline(dx); ps = hl.Pipeline(s); pdx.compile_jit(t); ps.compile_jit(t)
a = bench(lambda: (ps.realize(out_s), pdx.realize(out_dx)))
ref_dx = np.array(out_dx).copy(); ref_s = np.array(out_s).copy()
print("separate: %.1f us" % a)
# B: fused: dx computed with the sum's update at each row
dx, s, ri = defs(); dx.vectorize(i, vec); lanes = sched_sum(s, ri)
try:
    dx.compute_with(s.update(), r)
    p = hl.Pipeline([dx, s]); p.compile_jit(t)
    b = bench(lambda: p.realize([out_dx, out_s]))
    print("fused (compute_with at r): %.1f us" % b, "dx same:", np.array_equal(np.array(out_dx), ref_dx), "sum max rel diff:", np.max(np.abs(np.array(out_s) - ref_s) / (np.abs(ref_s) + 1e-30)))
except Exception as e:
    print("fused failed:", e)
print("dx alone: %.1f us" % bench(lambda: pdx.realize(out_dx)), " sum alone: %.1f us" % bench(lambda: ps.realize(out_s)))
