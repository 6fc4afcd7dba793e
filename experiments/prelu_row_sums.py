# PReLU's row-layout weight-gradient sums, Halide JIT, one thread: rfactor's lane sums (the masked
# last store keeps them in memory) against lane sums written out over whole vectors plus the row's
# last terms (generators/activation_generator.cpp, define_row_sums), each alone ("sum"), as a
# second loop over the rows (False) and computed with dx row by row (True, compute_with, as
# hact_channel_backward_weight_grad); "tree": the lanes added without the atomic update. Medians
# of 15 interleaved batches.
#   .venv/bin/python experiments/prelu_row_sums.py [inner]     (default 256: [4096 x 256])
import halide as hl, numpy as np, time, sys
inner = int(sys.argv[1]) if len(sys.argv) > 1 else 256
rows, C = (1 << 20) // inner, 64
x = hl.ImageParam(hl.Float(32), 2, "x"); dy = hl.ImageParam(hl.Float(32), 2, "dy"); w = hl.ImageParam(hl.Float(32), 1, "w")
i, r, lane, ro, rr = hl.Var("i"), hl.Var("r"), hl.Var("lane"), hl.Var("ro"), hl.Var("rr")
vec = 16
t = hl.get_jit_target_from_environment()
def term(ix, rr_=None):
    return hl.f64(hl.select(x[ix, r] > 0, hl.f32(0), x[ix, r] * dy[ix, r]))
def mkdx():
    dx = hl.Func("dx"); dx[i, r] = hl.select(x[i, r] > 0, dy[i, r], dy[i, r] * w[r % C])
    dx.split(r, ro, rr, 4, hl.TailStrategy.GuardWithIf).vectorize(i, vec * 2, hl.TailStrategy.Predicate)
    return dx
def rfactor_version(fuse):
    dx = mkdx()
    ri = hl.RDom([(0, x.dim(0).extent())], "ri")
    s = hl.Func("s"); s[r] = hl.f64(0); s[r] += term(ri.x)
    rio, rii = hl.RVar("rio"), hl.RVar("rii")
    s.update().split(ri.x, rio, rii, vec, hl.TailStrategy.GuardWithIf)
    lanes = s.update().rfactor(rii, lane)
    s.update().split(r, ro, rr, 4, hl.TailStrategy.GuardWithIf)
    lanes.compute_at(s, rr).vectorize(lane).reorder_storage(lane, r).bound_extent(r, 1)
    lanes.update().reorder(lane, rio).vectorize(lane)
    if fuse: dx.compute_with(s.update(), rr)
    return dx, s
def lanes_version(fuse):
    dx = mkdx()
    n = x.dim(0).extent()
    rv = hl.RDom([(0, n // vec)], "rv"); rt = hl.RDom([(0, n % vec)], "rt"); rl = hl.RDom([(0, vec)], "rl")
    lanes = hl.Func("lanes"); lanes[lane, r] = hl.f64(0); lanes[lane, r] += term(rv.x * vec + lane)
    lanes[rt.x, r] += term(n // vec * vec + rt.x)
    s = hl.Func("s"); s[r] = hl.f64(0); s[r] += lanes[rl.x, r]
    s.update().split(r, ro, rr, 4, hl.TailStrategy.GuardWithIf).atomic().vectorize(rl.x)
    lanes.compute_at(s, rr).vectorize(lane).bound_extent(r, 1)
    lanes.update(0).vectorize(lane); lanes.update(1).unscheduled()
    if fuse: dx.compute_with(s.update(), rr)
    return dx, s
def tree_version(fuse):
    # as lanes_version, the lanes added by a pure balanced tree instead of the atomic vectorized
    # update (which stores each row's sum with a lock cmpxchg): 3% at most, not adopted
    dx = mkdx()
    n = x.dim(0).extent()
    rv = hl.RDom([(0, n // vec)], "rv"); rt = hl.RDom([(0, n % vec)], "rt")
    lanes = hl.Func("lanes"); lanes[lane, r] = hl.f64(0); lanes[lane, r] += term(rv.x * vec + lane)
    lanes[rt.x, r] += term(n // vec * vec + rt.x)
    parts = [lanes[k, r] for k in range(vec)]
    while len(parts) > 1: parts = [parts[j] + parts[j + 1] for j in range(0, len(parts), 2)]
    s = hl.Func("s"); s[r] = parts[0]
    s.split(r, ro, rr, 4, hl.TailStrategy.GuardWithIf)
    lanes.compute_at(s, rr).vectorize(lane).bound_extent(r, 1)
    lanes.update(0).vectorize(lane); lanes.update(1).unscheduled()
    if fuse: dx.compute_with(s, rr)
    return dx, s
xn = np.random.uniform(-4, 4, (rows, inner)).astype(np.float32); dyn = np.random.uniform(-1, 1, (rows, inner)).astype(np.float32)
wn = np.linspace(-1, 1, C).astype(np.float32)
x.set(hl.Buffer(xn)); dy.set(hl.Buffer(dyn)); w.set(hl.Buffer(wn))
out_dx = hl.Buffer(hl.Float(32), [inner, rows]); out_s = hl.Buffer(hl.Float(64), [rows])
ps = {}
for name, fn in (("rfactor", rfactor_version), ("lanes", lanes_version), ("tree", tree_version)):
    for fuse in (False, True):
        dx, s = fn(fuse); p = hl.Pipeline([dx, s]); p.compile_jit(t); ps[(name, fuse)] = p
        if not fuse:
            dx2, s2 = fn(False); q = hl.Pipeline(s2); q.compile_jit(t); ps[(name, "sum")] = q
times = {k: [] for k in ps}
for rep in range(15):
    for k, p in ps.items():
        f = (lambda: p.realize(out_s)) if k[1] == "sum" else (lambda: p.realize([out_dx, out_s]))
        f(); t0 = time.perf_counter()
        for _ in range(10): f()
        times[k].append((time.perf_counter() - t0) / 10 * 1e6)
for k, v in times.items(): print(f"inner {inner} {k[0]:8s} {str(k[1]):6s} median {np.median(v):7.1f} us  min {min(v):7.1f}")
