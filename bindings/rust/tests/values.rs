//! The Rust binding against float64 references: values, derivatives, the parameter gradient,
//! the GLU family, in place, bfloat16, and the error paths.
use hact::{Bf16, Glu, Op, Params, Status};

fn sigmoid(t: f64) -> f64 {
    1.0 / (1.0 + (-t).exp())
}

/// Spacing of float32 at |v| (below the smallest normal: 2^-149).
fn ulp32(v: f64) -> f64 {
    let a = v.abs().max(f32::MIN_POSITIVE as f64);
    2f64.powi(a.log2().floor() as i32 - 23)
}

fn inputs() -> Vec<f32> {
    let mut x: Vec<f32> = (0..2001).map(|i| -10.0 + 0.01 * i as f32).collect();
    x.extend_from_slice(&[-87.0, 87.0, -100.0, 1e-30, -1e-30, 0.0, -0.0]);
    x
}

fn op(name: &str) -> Op {
    Op::from_name(name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn check_ulps(name: &str, x: &[f32], got: &[f32], want: &[f64], scale: &[f64], bound: f64) {
    let mut worst = (0.0, 0);
    for i in 0..x.len() {
        let err = (got[i] as f64 - want[i]).abs() / ulp32(want[i].abs().max(scale[i]));
        if err > worst.0 {
            worst = (err, i);
        }
    }
    let i = worst.1;
    assert!(worst.0 <= bound, "{name}: {:.2} ULP at x = {}: got {}, want {}", worst.0, x[i], got[i], want[i]);
}

#[test]
fn registry_comes_from_the_library() {
    let ops = Op::all();
    assert!(ops.len() >= 12);
    for (i, o) in ops.iter().enumerate() {
        assert_eq!(o.index(), i as i32);
        assert_eq!(Op::from_name(o.name()).unwrap(), *o);
    }
    assert_eq!(op("swish").learnable_params(), 0x04); // HACT_P_BETA
    assert_eq!(op("swish").default_params().beta, 1.0);
    assert_eq!(op("hardtanh").default_params().min_val, -1.0);
    let glus = Glu::all();
    assert!(glus.iter().any(|g| g.name() == "swiglu" && g.gate() == op("silu")));
    assert!(hact::version().starts_with("0."));
    assert!(["x86_64", "avx2", "avx512"].contains(&hact::isa()));
}

#[test]
fn forward_matches_f64_references() {
    let x = inputs();
    let mut y = vec![0f32; x.len()];
    let xd: Vec<f64> = x.iter().map(|&v| v as f64).collect();
    let refs: Vec<(&str, Option<Params>, Box<dyn Fn(f64) -> f64>)> = vec![
        ("silu", None, Box::new(|v| v * sigmoid(v))),
        ("sigmoid", None, Box::new(sigmoid)),
        ("relu", None, Box::new(|v: f64| v.max(0.0))),
        ("relu6", None, Box::new(|v: f64| v.max(0.0).min(6.0))),
        ("hardswish", None, Box::new(|v: f64| v * (v + 3.0).max(0.0).min(6.0) / 6.0)),
        ("softsign", None, Box::new(|v: f64| v / (1.0 + v.abs()))),
        ("swish", Some(Params { beta: 1.5, scale: 2.0, ..op("swish").default_params() }),
         Box::new(|v| 2.0 * v * sigmoid(1.5 * v))),
        ("leaky_relu", Some(Params { negative_slope: 0.2, ..Default::default() }),
         Box::new(|v| if v > 0.0 { v } else { 0.2f32 as f64 * v })),
    ];
    for (name, params, f) in refs {
        hact::forward(op(name), &x, &mut y, params.as_ref()).unwrap();
        let want: Vec<f64> = xd.iter().map(|&v| f(v)).collect();
        check_ulps(name, &x, &y, &want, &vec![0.0; x.len()], 4.0);
    }
}

#[test]
fn backward_matches_derivatives() {
    let x = inputs();
    let dy: Vec<f32> = (0..x.len()).map(|i| ((i * 7919) % 2000) as f32 / 1000.0 - 1.0).collect();
    let mut dx = vec![0f32; x.len()];
    // silu' = s (1 + x (1 - s)); the error is measured against |dy| * the largest term
    hact::backward(op("silu"), &x, &dy, &mut dx, None).unwrap();
    let (mut want, mut scale) = (vec![], vec![]);
    for (&v, &d) in x.iter().zip(&dy) {
        let (v, d) = (v as f64, d as f64);
        let (s, c) = (sigmoid(v), sigmoid(-v));
        want.push(d * s * (1.0 + v * c));
        scale.push(d.abs() * s.max((s * v * c).abs()));
    }
    check_ulps("silu'", &x, &dx, &want, &scale, 4.0);
    // relu' = 1 for x > 0, else 0 (relu'(0) = 0)
    hact::backward(op("relu"), &x, &dy, &mut dx, None).unwrap();
    for i in 0..x.len() {
        assert_eq!(dx[i], if x[i] > 0.0 { dy[i] } else { 0.0 }, "relu' at {}", x[i]);
    }
    // against central differences of hact's own forward (f32, loose)
    let xs: Vec<f32> = (0..200).map(|i| -5.0 + 0.05 * i as f32 + 0.013).collect();
    let h = 1e-2f32;
    let ones = vec![1f32; xs.len()];
    let mut g = vec![0f32; xs.len()];
    for name in ["silu", "sigmoid", "softsign", "swish"] {
        hact::backward(op(name), &xs, &ones, &mut g, None).unwrap();
        let (mut yp, mut ym) = (vec![0f32; xs.len()], vec![0f32; xs.len()]);
        let xp: Vec<f32> = xs.iter().map(|v| v + h).collect();
        let xm: Vec<f32> = xs.iter().map(|v| v - h).collect();
        hact::forward(op(name), &xp, &mut yp, None).unwrap();
        hact::forward(op(name), &xm, &mut ym, None).unwrap();
        for i in 0..xs.len() {
            let fd = (yp[i] as f64 - ym[i] as f64) / (xp[i] as f64 - xm[i] as f64);
            assert!((g[i] as f64 - fd).abs() <= 2e-3, "{name}' at {}: {} vs {}", xs[i], g[i], fd);
        }
    }
}

#[test]
fn swish_beta_gradient_matches_f64_sum() {
    let x: Vec<f32> = (0..4096).map(|i| -6.0 + 12.0 * i as f32 / 4096.0).collect();
    let dy: Vec<f32> = (0..x.len()).map(|i| 0.1 + (i % 10) as f32 * 0.09).collect();
    let p = Params { beta: 1.25, ..op("swish").default_params() };
    let grad = hact::backward_params(op("swish"), &x, &dy, Some(&p)).unwrap();
    let want: f64 = x.iter().zip(&dy).map(|(&v, &d)| {
        let (v, d) = (v as f64, d as f64);
        let s = sigmoid(1.25 * v);
        d * v * v * s * (1.0 - s)
    }).sum();
    assert!((grad.beta as f64 - want).abs() <= 2e-6 * want.abs(), "{} vs {}", grad.beta, want);
    assert_eq!(grad.scale, 0.0); // not learnable
    let none = hact::backward_params(op("silu"), &x, &dy, None).unwrap();
    assert_eq!(none, Params::default());
}

#[test]
fn in_place_equals_out_of_place() {
    let x = inputs();
    let mut y = vec![0f32; x.len()];
    hact::forward(op("hardswish"), &x, &mut y, None).unwrap();
    let mut z = x.clone();
    hact::forward_in_place(op("hardswish"), &mut z, None).unwrap();
    assert_eq!(y, z);
    let dy = vec![0.5f32; x.len()];
    let mut dx = vec![0f32; x.len()];
    hact::backward(op("sigmoid"), &x, &dy, &mut dx, None).unwrap();
    let mut d = dy.clone();
    hact::backward_in_place(op("sigmoid"), &x, &mut d, None).unwrap();
    assert_eq!(dx, d);
}

#[test]
fn swiglu_is_silu_times_b() {
    let a = inputs();
    let b: Vec<f32> = a.iter().map(|v| 0.5 - v * 0.25).collect();
    let kind = Glu::from_name("swiglu").unwrap();
    let mut out = vec![0f32; a.len()];
    hact::glu_forward(kind, &a, &b, &mut out, None).unwrap();
    let mut s = vec![0f32; a.len()];
    hact::forward(op("silu"), &a, &mut s, None).unwrap();
    for i in 0..a.len() {
        let composed = s[i] * b[i];
        assert!((out[i] - composed).abs() <= 1.5 * ulp32(composed as f64) as f32, "{} {}", out[i], composed);
    }
    let dy = vec![1f32; a.len()];
    let (mut da, mut db) = (vec![0f32; a.len()], vec![0f32; a.len()]);
    hact::glu_backward(kind, &a, &b, &dy, &mut da, &mut db, None).unwrap();
    assert_eq!(db, s); // dy = 1: db = silu(a)
}

#[test]
fn bfloat16_storage() {
    let x: Vec<Bf16> = inputs().iter().map(|&v| Bf16::from_f32(v)).collect();
    let mut y = vec![Bf16::default(); x.len()];
    hact::forward(op("silu"), &x, &mut y, None).unwrap();
    for i in 0..x.len() {
        let v = x[i].to_f32() as f64;
        let want = v * sigmoid(v);
        let got = y[i].to_f32() as f64;
        let ulp = 2f64.powi(want.abs().max(f32::MIN_POSITIVE as f64).log2().floor() as i32 - 7);
        assert!((got - want).abs() <= ulp, "silu(bf16 {}) = {}, want {}", v, got, want);
    }
}

#[test]
fn errors_carry_the_library_message() {
    let e = Op::from_name("no_such_op").unwrap_err();
    assert_eq!(e.status, Status::UnknownOp);
    assert!(e.message.contains("no_such_op"), "{}", e.message);
    assert_eq!(e.message, hact::last_error());
    assert!(e.to_string().contains("UnknownOp"));

    let x = [1f32, 2.0, 3.0];
    let mut y = [7f32; 3];
    let nan = Params { beta: f32::NAN, ..op("swish").default_params() };
    let e = hact::forward(op("swish"), &x, &mut y, Some(&nan)).unwrap_err();
    assert_eq!(e.status, Status::BadParams);
    assert!(e.message.contains("beta"), "{}", e.message);
    assert_eq!(y, [7.0; 3]); // nothing written

    // lengths are checked before any pointer is passed
    let mut short = [7f32; 2];
    let e = hact::forward(op("silu"), &x, &mut short, None).unwrap_err();
    assert_eq!(e.status, Status::InvalidArgument);
    assert!(e.message.contains("y has 2 elements, x has 3"), "{}", e.message);
    assert_eq!(short, [7.0; 2]);
    let e = hact::backward(op("silu"), &x, &x[..2], &mut y, None).unwrap_err();
    assert!(e.message.contains("dy has 2 elements"), "{}", e.message);

    // float64 is computed in double (within 4 ULP of double)
    let xd = [1f64, 2.0];
    let mut yd = [0f64; 2];
    hact::forward(op("silu"), &xd, &mut yd, None).unwrap();
    for i in 0..2 {
        let want = xd[i] / (1.0 + (-xd[i]).exp());
        assert!((yd[i] - want).abs() <= 4.0 * f64::EPSILON * want, "silu({}) = {}, want {}", xd[i], yd[i], want);
    }

    let e = Op::from_name("si\0lu").unwrap_err();
    assert_eq!(e.status, Status::InvalidArgument);
    assert!(Glu::from_name("nope").is_err());
    assert!(!hact::status_string(4).is_empty());
}
