//! Loading numeric CSV files into tensors, and standardising features.
//!
//! Files have a one-line header and comma-separated numbers. Numbers are parsed as f64
//! (Rust's `str::parse`, which round-trips Python's `repr`) and then converted to `T`.
//! A bad row gives [`Error::Data`] naming the file, the 1-based line and column, and the
//! column's name. Fields must be finite: `NaN`, `inf` (and numbers too large for `T`) are
//! refused like unparsable ones, so a loaded table never holds a NaN. Column names must be
//! distinct.

use std::path::Path;

use wengert_tape::{Error, Float, Result, Tensor};

/// A numeric table: column names and a `[rows, columns]` tensor.
#[derive(Clone, Debug, PartialEq)]
pub struct Table<T: Float = f64> {
    /// Column names from the header.
    pub columns: Vec<String>,
    /// The values, `[rows, columns]`.
    pub data: Tensor<T>,
}

/// Features and labels for supervised learning.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<T: Float = f64> {
    /// Names of the feature columns.
    pub feature_names: Vec<String>,
    /// `[rows, features]`.
    pub features: Tensor<T>,
    /// `[rows]`.
    pub labels: Tensor<T>,
}

impl<T: Float> Dataset<T> {
    /// Number of examples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True if there are no examples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The labels as a column, `[rows, 1]` (the shape of a one-output model's prediction).
    pub fn labels_column(&self) -> Tensor<T> {
        self.labels.clone().reshape(&[self.labels.len(), 1]).expect("rows × 1")
    }
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Io { path: path.display().to_string(), msg: e.to_string() }
}

/// Reads a CSV file with a header and numeric fields.
///
/// # Errors
/// [`Error::Io`] if the file cannot be read; [`Error::Data`], naming the file, the 1-based
/// line and column, for an empty header, a column without a name (`a,,b`), a column name
/// that appears twice (both column
/// numbers are given), a row with the wrong number of fields, a field that is not a
/// finite number (`NaN`, `inf`, `x`, or a number that overflows `T`), or a quote that
/// opens a field and is never closed (named where it opens; the file is read whole and
/// checked for this first).
///
/// ```
/// let path = std::env::temp_dir().join("wengert_doc_table.csv");
/// std::fs::write(&path, "a,b\n1,2\n3,x\n").unwrap();
/// let err = wengert_nn::data::read_csv::<f64>(&path).unwrap_err();
/// assert!(err.to_string().ends_with(":3:2: cannot parse \"x\" as a number (column 'b')"));
/// ```
pub fn read_csv<T: Float>(path: impl AsRef<Path>) -> Result<Table<T>> {
    let path = path.as_ref();
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| io_err(path, e))?;
    if let Some((line, column)) = unterminated_quote(&bytes) {
        return Err(Error::Data {
            path: shown,
            line: Some(line),
            column: Some(column),
            msg: "unterminated quote: the quoted field opened here is never closed".into(),
        });
    }
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(&bytes[..]);
    let columns: Vec<String> =
        rdr.headers().map_err(|e| csv_err(&shown, e))?.iter().map(|s| s.trim().to_string()).collect();
    if columns.is_empty() || (columns.len() == 1 && columns[0].is_empty()) {
        return Err(Error::Data { path: shown, line: Some(1), column: None, msg: "empty header".into() });
    }
    let mut seen = std::collections::HashMap::with_capacity(columns.len());
    for (c, name) in columns.iter().enumerate() {
        if name.is_empty() {
            return Err(Error::Data {
                path: shown,
                line: Some(1),
                column: Some(c as u64 + 1),
                msg: format!("column {} has no name (columns are selected by name)", c + 1),
            });
        }
        if let Some(first) = seen.insert(name.as_str(), c) {
            return Err(Error::Data {
                path: shown,
                line: Some(1),
                column: Some(c as u64 + 1),
                msg: format!("column name '{name}' appears twice, in columns {} and {}", first + 1, c + 1),
            });
        }
    }
    let mut data = Vec::new();
    let mut rows = 0usize;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| csv_err(&shown, e))?;
        let line = rec.position().map(|p| p.line());
        for (c, field) in rec.iter().enumerate() {
            let bad =
                |msg: String| Error::Data { path: shown.clone(), line, column: Some(c as u64 + 1), msg };
            let v: f64 = field
                .trim()
                .parse()
                .map_err(|_| bad(format!("cannot parse {field:?} as a number (column '{}')", columns[c])))?;
            let t = T::from_f64(v);
            if !t.is_finite() {
                let what = if v.is_finite() {
                    format!("too large for {}", T::NAME)
                } else {
                    "not a finite number".into()
                };
                return Err(bad(format!("{field:?} is {what} (column '{}')", columns[c])));
            }
            data.push(t);
        }
        rows += 1;
    }
    let data = Tensor::new(&[rows, columns.len()], data)?;
    Ok(Table { columns, data })
}

/// The 1-based line and field of a quote that opens a field and is never closed, read as
/// the `csv` reader reads it (a quote opens a field only as its first character, `""` in
/// a quoted field is a quote, lines end at `\n`, records at `\n` or `\r`). The reader
/// itself takes the rest of the file as that one field without an error.
fn unterminated_quote(bytes: &[u8]) -> Option<(u64, u64)> {
    let (mut line, mut field) = (1, 1);
    let mut field_start = true;
    let mut open = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        if b == b'\n' {
            line += 1;
        }
        if open.is_some() {
            if b == b'"' {
                if bytes.get(i) == Some(&b'"') {
                    i += 1;
                } else {
                    open = None;
                }
            }
            continue;
        }
        match b {
            b'"' if field_start => open = Some((line, field)),
            b',' => field += 1,
            b'\n' | b'\r' => field = 1,
            _ => {}
        }
        field_start = matches!(b, b',' | b'\n' | b'\r');
    }
    open
}

fn csv_err(path: &str, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line());
    let msg = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("row has {len} fields, the header has {expected_len}")
        }
        _ => e.to_string(),
    };
    match e.kind() {
        csv::ErrorKind::Io(_) => Error::Io { path: path.to_string(), msg },
        _ => Error::Data { path: path.to_string(), line, column: None, msg },
    }
}

/// Reads a CSV file and splits it into features (every other column, in file order) and
/// labels (the column named `label`).
///
/// # Errors
/// Those of [`read_csv`] (so a header naming a column twice is refused, rather than one
/// copy of the label being kept as a feature), and [`Error::Data`] if no column is named
/// `label`.
///
/// ```
/// let path = std::env::temp_dir().join("wengert_doc_dup.csv");
/// std::fs::write(&path, "y,x,y\n1,2,3\n").unwrap();
/// let err = wengert_nn::data::load_csv::<f64>(&path, "y").unwrap_err();
/// assert!(err.to_string().ends_with(":1:3: column name 'y' appears twice, in columns 1 and 3"));
/// ```
pub fn load_csv<T: Float>(path: impl AsRef<Path>, label: &str) -> Result<Dataset<T>> {
    let path = path.as_ref();
    let table = read_csv::<T>(path)?;
    let Some(li) = table.columns.iter().position(|c| c == label) else {
        return Err(Error::Data {
            path: path.display().to_string(),
            line: Some(1),
            column: None,
            msg: format!("no column named '{label}' in the header {:?}", table.columns),
        });
    };
    let (rows, cols) = (table.data.shape()[0], table.columns.len());
    let mut feats = Vec::with_capacity(rows * (cols - 1));
    let mut labels = Vec::with_capacity(rows);
    for r in 0..rows {
        for c in 0..cols {
            let v = table.data.data()[r * cols + c];
            if c == li {
                labels.push(v);
            } else {
                feats.push(v);
            }
        }
    }
    let feature_names =
        table.columns.iter().enumerate().filter(|(c, _)| *c != li).map(|(_, n)| n.clone()).collect();
    Ok(Dataset {
        feature_names,
        features: Tensor::new(&[rows, cols - 1], feats)?,
        labels: Tensor::new(&[rows], labels)?,
    })
}

/// Column means and population standard deviations (ddof = 0) of a `[rows, cols]`
/// tensor, to map x to (x − mean)/std like scikit-learn's `StandardScaler`.
#[derive(Clone, Debug, PartialEq)]
pub struct Standardizer<T: Float = f64> {
    /// Column means, `[cols]`.
    pub mean: Tensor<T>,
    /// Column standard deviations (ddof 0), `[cols]`; a constant column gets 1, so it maps
    /// to 0 instead of NaN (scikit-learn does the same).
    pub std: Tensor<T>,
}

impl<T: Float> Standardizer<T> {
    /// Computes the column statistics (in f64, two passes).
    ///
    /// Each column is first divided by the power of two at or below its largest magnitude
    /// (exact unless a value ends up subnormal, far below the largest, so ordinary data get
    /// the same bits as unscaled sums), and the statistics
    /// scaled back at the end: neither the sums nor the squared deviations overflow, even
    /// for values near `f64::MAX` (`[[1e308], [-1e308]]` standardises to `[[1], [-1]]`).
    ///
    /// # Errors
    /// `InvalidArgument` naming `standardize` if `x` is not a non-empty `[rows, cols]`
    /// tensor, or holds a NaN or infinite value (its row and column are named; scikit-learn
    /// refuses infinity too), whose statistics would be NaN.
    pub fn fit(x: &Tensor<T>) -> Result<Self> {
        let (rows, cols) = dims2("standardize", x)?;
        if let Some(i) = x.data().iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidArgument {
                op: "standardize",
                msg: format!(
                    "{} at row {}, column {} of {:?}: the statistics need finite values",
                    x.data()[i],
                    i / cols,
                    i % cols,
                    x.shape()
                ),
            });
        }
        let mut scale = vec![0.0f64; cols];
        for row in x.data().chunks_exact(cols) {
            for (s, v) in scale.iter_mut().zip(row) {
                *s = s.max(v.to_f64().abs());
            }
        }
        for s in &mut scale {
            *s = pow2_below(*s);
        }
        let mut mean = vec![0.0f64; cols];
        let mut var = vec![0.0f64; cols];
        for row in x.data().chunks_exact(cols) {
            for ((m, s), v) in mean.iter_mut().zip(&scale).zip(row) {
                *m += v.to_f64() / s;
            }
        }
        for m in &mut mean {
            *m /= rows as f64;
        }
        for row in x.data().chunks_exact(cols) {
            for (((q, m), s), v) in var.iter_mut().zip(&mean).zip(&scale).zip(row) {
                let d = v.to_f64() / s - m;
                *q += d * d;
            }
        }
        let std: Vec<T> = var
            .iter()
            .zip(&scale)
            .map(|(v, s)| {
                let sd = (v / rows as f64).sqrt() * s;
                T::from_f64(if sd == 0.0 { 1.0 } else { sd })
            })
            .collect();
        Ok(Standardizer {
            mean: Tensor::from_vec(mean.iter().zip(&scale).map(|(m, s)| T::from_f64(m * s)).collect()),
            std: Tensor::from_vec(std),
        })
    }

    /// (x − mean)/std, column by column.
    pub fn transform(&self, x: &Tensor<T>) -> Result<Tensor<T>> {
        let (_, cols) = dims2("standardize", x)?;
        if cols != self.mean.len() {
            return Err(Error::InvalidArgument {
                op: "standardize",
                msg: format!("fitted on {} columns, got shape {:?}", self.mean.len(), x.shape()),
            });
        }
        Ok(Tensor::from_fn(x.shape(), |i| {
            let c = i % cols;
            let (v, m, s) = (x.data()[i], self.mean.data()[c], self.std.data()[c]);
            let d = v - m;
            // A deviation beyond the largest finite value (2e308 from the mean, say) is
            // divided before the subtraction.
            if d.is_finite() || !v.is_finite() || !m.is_finite() {
                d / s
            } else {
                v / s - m / s
            }
        }))
    }
}

/// The power of two at or below `m` (2^⌊log₂ m⌋) for a normal positive `m`, else 1
/// (zero, subnormal, infinite or NaN: nothing to gain from scaling).
fn pow2_below(m: f64) -> f64 {
    if m.is_normal() {
        f64::from_bits(m.to_bits() & 0x7ff0_0000_0000_0000)
    } else {
        1.0
    }
}

fn dims2<T: Float>(op: &'static str, x: &Tensor<T>) -> Result<(usize, usize)> {
    if x.rank() != 2 || x.shape().contains(&0) {
        return Err(Error::InvalidArgument {
            op,
            msg: format!("needs a non-empty [rows, cols] tensor, got {:?}", x.shape()),
        });
    }
    Ok((x.shape()[0], x.shape()[1]))
}

/// Standardises the columns of `x`: (x − mean)/std with the population std (ddof = 0).
///
/// ```
/// use wengert_tape::Tensor;
/// let x = Tensor::from([[1.0, 5.0], [3.0, 5.0]]);
/// let z = wengert_nn::data::standardize(&x)?;
/// assert_eq!(z.data(), [-1.0, 0.0, 1.0, 0.0]);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
pub fn standardize<T: Float>(x: &Tensor<T>) -> Result<Tensor<T>> {
    Standardizer::fit(x)?.transform(x)
}
