//! Saving and loading parameters as [safetensors](https://github.com/huggingface/safetensors),
//! the format PyTorch reads with `safetensors.torch.load_file` and writes with `save_file`.
//!
//! Tensors are stored under their state-dict names (`"0.weight"`), as `F32` or `F64`,
//! little-endian and row-major with their shapes. A [`crate::Linear`] weight is `[in, out]`;
//! PyTorch's `nn.Linear.weight` is `[out, in]` (transpose it when moving weights between the
//! two). The header metadata holds `{"format": "pt"}`.
//!
//! Loading takes the values as stored, NaN and ±∞ included, as PyTorch's `load_file`
//! does (a checkpoint of a run that diverged can be loaded and inspected); check them
//! after loading if a model must be finite. A header that names a tensor twice (which the
//! format forbids) is refused with the name.

use std::path::Path;

use safetensors::{Dtype, SafeTensors};
use wengert_tape::{Error, Float, Result, Tensor};

use crate::module::{Module, StateDict};

fn dtype_of<T: Float>() -> Dtype {
    if T::NAME == "f32" {
        Dtype::F32
    } else {
        Dtype::F64
    }
}

fn to_bytes<T: Float>(t: &Tensor<T>) -> Vec<u8> {
    let mut out = Vec::with_capacity(t.len() * if T::NAME == "f32" { 4 } else { 8 });
    for &x in t.data() {
        if T::NAME == "f32" {
            out.extend_from_slice(&(x.to_f64() as f32).to_le_bytes());
        } else {
            out.extend_from_slice(&x.to_f64().to_le_bytes());
        }
    }
    out
}

fn data_err(path: &str, msg: String) -> Error {
    Error::Data { path: path.to_string(), line: None, column: None, msg }
}

/// The bytes of a safetensors file holding `dict` (names in the header are sorted by the
/// format; the state-dict order is restored by [`SaveLoad::load`] from the model itself).
pub fn to_safetensors<T: Float>(dict: &StateDict<T>) -> Result<Vec<u8>> {
    let bytes: Vec<(String, Vec<u8>, Vec<usize>)> =
        dict.iter().map(|(n, t)| (n.clone(), to_bytes(t), t.shape().to_vec())).collect();
    let views = bytes
        .iter()
        .map(|(n, b, s)| {
            safetensors::tensor::TensorView::new(dtype_of::<T>(), s.clone(), b)
                .map(|v| (n.as_str(), v))
                .map_err(|e| Error::InvalidArgument {
                    op: "save_safetensors",
                    msg: format!("tensor '{n}': {e}"),
                })
        })
        .collect::<Result<Vec<_>>>()?;
    let meta = [("format".to_string(), "pt".to_string())].into_iter().collect();
    safetensors::serialize(views, Some(meta))
        .map_err(|e| Error::InvalidArgument { op: "save_safetensors", msg: e.to_string() })
}

/// Parses safetensors bytes into a state dict. `source` names the file in errors. Every
/// tensor must have dtype `T` (`F32` for f32, `F64` for f64), and no name may appear twice
/// in the header; names come in file order. Values are taken as stored (NaN and ±∞
/// included).
pub fn from_safetensors<T: Float>(bytes: &[u8], source: &str) -> Result<StateDict<T>> {
    // The header parser keeps the last of two entries of one name, which then surfaces as
    // a bad offset, or not at all; the names are checked first.
    if let Some(name) = header(bytes).and_then(duplicate_name) {
        return Err(data_err(
            source,
            format!("tensor name '{name}' appears twice in the header (safetensors names must be unique)"),
        ));
    }
    let st = SafeTensors::deserialize(bytes)
        .map_err(|e| data_err(source, format!("not a valid safetensors file: {e}")))?;
    let mut tensors = st.tensors();
    // File order: by offset in the data section.
    tensors.sort_by_key(|(_, v)| v.data().as_ptr() as usize);
    let mut dict = StateDict::new();
    for (name, view) in tensors {
        let want = dtype_of::<T>();
        if view.dtype() != want {
            return Err(data_err(
                source,
                format!(
                    "tensor '{name}' has dtype {:?}, expected {want:?} (the model's {})",
                    view.dtype(),
                    T::NAME
                ),
            ));
        }
        let raw = view.data();
        let data: Vec<T> = if T::NAME == "f32" {
            raw.chunks_exact(4)
                .map(|c| T::from_f64(f32::from_le_bytes(c.try_into().expect("4 bytes")) as f64))
                .collect()
        } else {
            raw.chunks_exact(8)
                .map(|c| T::from_f64(f64::from_le_bytes(c.try_into().expect("8 bytes"))))
                .collect()
        };
        let t =
            Tensor::new(view.shape(), data).map_err(|e| data_err(source, format!("tensor '{name}': {e}")))?;
        dict.insert(name, t);
    }
    Ok(dict)
}

/// The JSON header of safetensors bytes: the 8-byte little-endian length, then the header.
fn header(bytes: &[u8]) -> Option<&[u8]> {
    let n = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    bytes.get(8..8usize.checked_add(usize::try_from(n).ok()?)?)
}

/// The first key that appears twice in the JSON object `h` (the tensor names and
/// `__metadata__`), as serde_json decodes it (`"\u0077"` is `"w"`). `None` if every key is
/// distinct, and also if `h` is not a well-formed JSON object, which the safetensors parser
/// reports.
fn duplicate_name(h: &[u8]) -> Option<String> {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};

    /// Visits the top-level object, stopping at the first repeated key.
    struct FirstRepeat;
    impl<'de> Visitor<'de> for FirstRepeat {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
            let mut seen = std::collections::HashSet::new();
            while let Some(key) = map.next_key::<String>()? {
                map.next_value::<IgnoredAny>()?;
                if !seen.insert(key.clone()) {
                    return Ok(Some(key));
                }
            }
            Ok(None)
        }
    }
    serde_json::Deserializer::from_slice(h).deserialize_map(FirstRepeat).ok().flatten()
}

/// Writes `dict` to `path` as safetensors.
///
/// ```
/// use wengert_nn::{io, Linear, Module};
/// let lin = Linear::<f64>::zeros(3, 2);
/// let path = std::env::temp_dir().join("wengert_doc_linear.safetensors");
/// io::save_safetensors(&path, &lin.state_dict())?;
/// let back = io::load_safetensors::<f64>(&path)?;
/// assert_eq!(back["weight"].shape(), [3, 2]);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
pub fn save_safetensors<T: Float>(path: impl AsRef<Path>, dict: &StateDict<T>) -> Result<()> {
    let path = path.as_ref();
    let bytes = to_safetensors(dict)?;
    std::fs::write(path, bytes)
        .map_err(|e| Error::Io { path: path.display().to_string(), msg: e.to_string() })
}

/// Reads a safetensors file into a state dict (see [`from_safetensors`]).
pub fn load_safetensors<T: Float>(path: impl AsRef<Path>) -> Result<StateDict<T>> {
    let path = path.as_ref();
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::Io { path: shown.clone(), msg: e.to_string() })?;
    from_safetensors(&bytes, &shown)
}

/// Saving and loading a whole module (blanket-implemented for every [`Module`]).
pub trait SaveLoad<T: Float> {
    /// Writes the module's state dict (parameters and buffers) to `path` (safetensors).
    fn save(&self, path: impl AsRef<Path>) -> Result<()>;
    /// Replaces the module's parameters and buffers with those in `path`. Every one must be
    /// present with the module's dtype and shape, and no other tensor may be in the file;
    /// on any error (including an unreadable or truncated file) the module is unchanged.
    fn load(&mut self, path: impl AsRef<Path>) -> Result<()>;
}

impl<T: Float, M: Module<T> + ?Sized> SaveLoad<T> for M {
    fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        save_safetensors(path, &self.state_dict())
    }

    fn load(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let dict = load_safetensors::<T>(path)?;
        self.load_state_dict(&dict).map_err(|e| match e {
            Error::InvalidArgument { msg, .. } => data_err(&path.display().to_string(), msg),
            other => other,
        })
    }
}
