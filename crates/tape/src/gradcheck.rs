//! Gradient checking against central finite differences.

use crate::float::Float;
use crate::tape::Tape;
use crate::tensor::Tensor;
use crate::var::Var;

/// Options of [`gradcheck`].
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// Relative step: h = step·max(1, |x|). Default cbrt(f64 ε) ≈ 6.06e-6.
    pub step: f64,
    /// Absolute tolerance. Default 1e-6.
    pub atol: f64,
    /// Relative tolerance. Default 1e-5.
    pub rtol: f64,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions { step: f64::EPSILON.cbrt(), atol: 1e-6, rtol: 1e-5 }
    }
}

/// One compared entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Which input.
    pub input: usize,
    /// Flat index in that input.
    pub index: usize,
    /// Gradient from the reverse sweep.
    pub analytic: f64,
    /// Central finite difference.
    pub numeric: f64,
}

/// The result of [`gradcheck`].
#[derive(Clone, Debug)]
pub struct CheckReport {
    /// Every entry compared.
    pub entries: Vec<Entry>,
    /// The options used.
    pub options: CheckOptions,
}

impl CheckReport {
    /// Entries outside `|a − n| ≤ atol + rtol·|n|`.
    pub fn failures(&self) -> Vec<&Entry> {
        self.entries
            .iter()
            .filter(|e| {
                !((e.analytic - e.numeric).abs() <= self.options.atol + self.options.rtol * e.numeric.abs())
            })
            .collect()
    }

    /// True if every entry is within tolerance.
    pub fn passed(&self) -> bool {
        self.failures().is_empty()
    }
}

impl std::fmt::Display for CheckReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fails = self.failures();
        writeln!(f, "gradcheck: {} entries, {} outside tolerance", self.entries.len(), fails.len())?;
        for e in fails.iter().take(10) {
            writeln!(
                f,
                "  input {} [{}]: analytic {:e} numeric {:e}",
                e.input, e.index, e.analytic, e.numeric
            )?;
        }
        Ok(())
    }
}

/// Compares the reverse-mode gradient of a scalar function `f` of `inputs` with central
/// finite differences.
pub fn gradcheck<T, F>(f: F, inputs: &[Tensor<T>], options: &CheckOptions) -> CheckReport
where
    T: Float,
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    let eval = |xs: &[Tensor<T>]| -> f64 {
        let tape = Tape::new();
        let vars: Vec<Var<'_, T>> = xs.iter().map(|x| tape.var(x)).collect();
        f(&vars).item().to_f64()
    };
    let tape = Tape::new();
    let vars: Vec<Var<'_, T>> = inputs.iter().map(|x| tape.var(x)).collect();
    let y = f(&vars);
    let grads = y.backward();
    let mut entries = Vec::new();
    let mut xs: Vec<Tensor<T>> = inputs.to_vec();
    for (k, v) in vars.iter().enumerate() {
        let g = &grads[*v];
        for i in 0..inputs[k].len() {
            let x0 = inputs[k].data()[i];
            let h = options.step * x0.to_f64().abs().max(1.0);
            xs[k].data_mut()[i] = T::from_f64(x0.to_f64() + h);
            let fp = eval(&xs);
            xs[k].data_mut()[i] = T::from_f64(x0.to_f64() - h);
            let fm = eval(&xs);
            xs[k].data_mut()[i] = x0;
            entries.push(Entry {
                input: k,
                index: i,
                analytic: g[i].to_f64(),
                numeric: (fp - fm) / (2.0 * h),
            });
        }
    }
    CheckReport { entries, options: options.clone() }
}
