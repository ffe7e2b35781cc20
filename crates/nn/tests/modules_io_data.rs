//! Modules (parameter order, binding, gradients by finite differences), `Embedding` and
//! `Init::Normal`, safetensors save and load (round trip and every error case), CSV loading
//! and standardisation.

use rand::{rngs::StdRng, SeedableRng};
use wengert_nn::data::{load_csv, read_csv, standardize};
use wengert_nn::io::{from_safetensors, to_safetensors};
use wengert_nn::{Embedding, Init, Linear, Module, ReLU, SaveLoad, Sequential, Sigmoid, StateDict, Tanh};
use wengert_tape::gradcheck::{gradcheck, CheckOptions};
use wengert_tape::{Error, Tape, Tensor};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/data");

fn mlp(seed: u64) -> Sequential<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    Sequential::new()
        .add(Linear::new(3, 5, Init::KaimingUniform, &mut rng))
        .add(ReLU)
        .add(Linear::new(5, 4, Init::XavierUniform, &mut rng))
        .add(Tanh)
        .add(Linear::new(4, 1, Init::TorchDefault, &mut rng))
        .add(Sigmoid)
}

fn tmp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("wengert_nn_{}_{name}", std::process::id()))
}

#[test]
fn parameter_names_are_in_stable_insertion_order() {
    let m = mlp(1);
    let want = ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"];
    for _ in 0..3 {
        let names: Vec<String> = m.state_dict().keys().cloned().collect();
        assert_eq!(names, want);
        let bound_names: Vec<String> = m.bind(&Tape::new()).names().to_vec();
        assert_eq!(bound_names, want);
    }
    assert_eq!(m.num_tensors(), 6);
    assert_eq!(m.num_params(), 3 * 5 + 5 + 5 * 4 + 4 + 4 + 1);
    let shapes: Vec<Vec<usize>> = m.named_parameters().iter().map(|(_, t)| t.shape().to_vec()).collect();
    assert_eq!(shapes, [vec![3, 5], vec![5], vec![5, 4], vec![4], vec![4, 1], vec![1]]);
}

/// The built-in layers count their tensors without visiting; the counts must agree with
/// visiting, and `TapeParams` must bind any number of tensors (inline up to eight, on the
/// heap beyond) to the same nodes and names as `Module::bind` would give.
#[test]
fn tensor_counts_agree_with_visiting_and_tape_params_bind_any_count() {
    let mut rng = StdRng::seed_from_u64(3);
    for layers in 0..7 {
        for bias in [false, true] {
            let mut m = Sequential::<f64>::new();
            for k in 0..layers {
                m.push(if bias {
                    Box::new(Linear::new(2, 2, Init::TorchDefault, &mut rng))
                } else {
                    Box::new(Linear::new_no_bias(2, 2, Init::TorchDefault, &mut rng))
                });
                if k % 2 == 0 {
                    m.push(Box::new(Tanh));
                }
            }
            let mut visited = 0;
            m.visit_params("", &mut |_, _| visited += 1);
            assert_eq!(m.num_tensors(), visited, "{layers} layers, bias {bias}");
            assert_eq!(visited, layers * (1 + bias as usize));

            let mut tape = Tape::new();
            let params = wengert_nn::TapeParams::new(&m, &tape);
            let b = params.bind(&tape).unwrap();
            let nodes: Vec<_> = b.vars().iter().map(|v| v.node()).collect();
            assert_eq!(nodes, params.nodes());
            assert_eq!(b.names(), m.bind(&Tape::new()).names());
            let x = tape.constant(&Tensor::from([[0.5, -1.0]]));
            let z = m.forward(&b, x).unwrap();
            assert_eq!(z.value(), m.forward(&m.bind(&tape), x).unwrap().value());
            // Another tape, or this one after a reset, does not hold the parameters,
            // even where other leaves now sit at their ids.
            let other = Tape::new();
            let _ = wengert_nn::TapeParams::new(&m, &other);
            let e = params.bind(&other).map(|_| ()).expect_err("bound on another tape").to_string();
            assert!(e.contains("TapeParams::bind") && e.contains("was taken on tape"), "{e}");
            tape.reset();
            let _ = wengert_nn::TapeParams::new(&m, &tape);
            let e = params.bind(&tape).map(|_| ()).expect_err("bound after a reset").to_string();
            assert!(e.contains("no longer holds") && e.contains("before a reset"), "{e}");
            let mut sd = m.state_dict();
            let e = params.store(&tape, &mut m).unwrap_err().to_string();
            assert!(e.contains("before a reset"), "{e}");
            assert_eq!(m.state_dict(), std::mem::take(&mut sd), "a refused store changed the model");
        }
    }
}

#[test]
fn init_is_seeded_and_in_bounds() {
    let a = mlp(7).state_dict();
    let b = mlp(7).state_dict();
    let c = mlp(8).state_dict();
    assert_eq!(a, b);
    assert_ne!(a, c);
    let kb = (6.0f64 / 3.0).sqrt();
    assert!(a["0.weight"].data().iter().all(|v| v.abs() <= kb));
    assert!(a["0.bias"].data().iter().all(|&v| v == 0.0)); // Kaiming: zero bias
    let xb = (6.0f64 / 9.0).sqrt();
    assert!(a["2.weight"].data().iter().all(|v| v.abs() <= xb));
    let tb = 1.0 / 2.0; // 1/√4
    assert!(a["4.weight"].data().iter().chain(a["4.bias"].data()).all(|v| v.abs() <= tb));
    assert!(a["4.bias"].data()[0] != 0.0);
}

#[test]
fn mlp_gradients_match_finite_differences() {
    let m = mlp(3);
    let x = Tensor::from([[0.3, -1.2, 0.8], [1.1, 0.4, -0.5]]);
    let params: Vec<Tensor<f64>> = m.state_dict().into_values().collect();
    let rep = gradcheck(
        |v| {
            let t = v[0].tape();
            let out = m.forward_with(v, t.constant(&x)).unwrap();
            out.sum()
        },
        &params,
        &CheckOptions::default(),
    );
    assert!(rep.passed(), "{rep}");
    assert_eq!(rep.entries.len(), m.num_params());
}

#[test]
fn linear_accepts_one_example_and_checks_shapes() {
    let lin = Linear::from_tensors(Tensor::from([[1.0, 2.0], [3.0, 4.0]]), Some(Tensor::from([0.5, -0.5])))
        .unwrap();
    let t = Tape::new();
    let p = lin.bind(&t);
    let y = lin.forward(&p, t.constant(&Tensor::from([1.0, 1.0]))).unwrap();
    assert_eq!(y.value().shape(), [2]);
    assert_eq!(y.value().data(), [4.5, 5.5]);
    let bad = lin.forward(&p, t.constant(&Tensor::zeros(&[2, 3])));
    assert!(matches!(bad, Err(Error::InvalidArgument { op: "Linear", .. })), "{bad:?}");
    assert!(Linear::<f64>::from_tensors(Tensor::zeros(&[2, 2]), Some(Tensor::zeros(&[3]))).is_err());
    // a bound set of the wrong size is an error, not a panic
    let other = Linear::<f64>::new_no_bias(2, 2, Init::Zeros, &mut StdRng::seed_from_u64(0));
    let po = other.bind(&t);
    assert!(lin.forward(&po, t.constant(&Tensor::zeros(&[1, 2]))).is_err());
}

#[test]
fn safetensors_round_trip_f64_and_f32() {
    let m = mlp(5);
    let path = tmp("rt64.safetensors");
    m.save(&path).unwrap();
    let mut m2 = mlp(6);
    assert_ne!(m.state_dict(), m2.state_dict());
    m2.load(&path).unwrap();
    assert_eq!(m.state_dict(), m2.state_dict()); // bit-exact

    let mut rng = StdRng::seed_from_u64(9);
    let l32 = Linear::<f32>::new(4, 3, Init::XavierUniform, &mut rng);
    let p32 = tmp("rt32.safetensors");
    l32.save(&p32).unwrap();
    let mut back = Linear::<f32>::zeros(4, 3);
    back.load(&p32).unwrap();
    assert_eq!(back.state_dict(), l32.state_dict());

    // the header names dtype, shape and offsets as PyTorch's reader expects
    let bytes = std::fs::read(&path).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header = std::str::from_utf8(&bytes[8..8 + n]).unwrap();
    assert!(header.contains(r#""0.weight":{"dtype":"F64","shape":[3,5],"data_offsets":["#), "{header}");
    assert!(header.contains(r#""__metadata__":{"format":"pt"}"#), "{header}");
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_file(p32);
}

fn expect_load_error(m: &mut Sequential<f64>, bytes: &[u8], name: &str, needle: &str) {
    let path = tmp(name);
    std::fs::write(&path, bytes).unwrap();
    let before = m.state_dict();
    let err = m.load(&path).unwrap_err();
    let s = err.to_string();
    assert!(matches!(err, Error::Data { .. }), "{err:?}");
    assert!(s.contains(needle) && s.contains(&path.display().to_string()), "{s}");
    assert_eq!(m.state_dict(), before, "model changed by a failed load");
    let _ = std::fs::remove_file(path);
}

#[test]
fn safetensors_load_errors_leave_the_model_unchanged() {
    let mut m = mlp(11);
    let good = m.state_dict();

    let mut missing = good.clone();
    missing.shift_remove("2.bias");
    expect_load_error(&mut m, &to_safetensors(&missing).unwrap(), "missing", "missing parameter '2.bias'");

    let mut shaped = good.clone();
    shaped.insert("4.weight".into(), Tensor::zeros(&[1, 4]));
    expect_load_error(&mut m, &to_safetensors(&shaped).unwrap(), "shape", "'4.weight' has shape [1, 4]");

    let mut extra = good.clone();
    extra.insert("9.weight".into(), Tensor::zeros(&[1]));
    expect_load_error(&mut m, &to_safetensors(&extra).unwrap(), "extra", "9.weight");

    let as32: StateDict<f32> = good.iter().map(|(k, v)| (k.clone(), v.cast::<f32>())).collect();
    expect_load_error(&mut m, &to_safetensors(&as32).unwrap(), "dtype", "dtype F32, expected F64");

    let full = to_safetensors(&good).unwrap();
    expect_load_error(&mut m, &full[..full.len() - 3], "truncated", "not a valid safetensors file");
    expect_load_error(&mut m, &full[..5], "tiny", "not a valid safetensors file");

    let err = m.load(tmp("does_not_exist")).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert_eq!(m.state_dict(), good);

    // the in-memory reader keeps file order and names
    let back: StateDict<f64> = from_safetensors(&full, "mem").unwrap();
    assert_eq!(back.len(), good.len());
    for (k, v) in &good {
        assert_eq!(&back[k], v);
    }
}

/// A safetensors file with the given header and data section.
fn safetensors_bytes(header: &str, data: &[u8]) -> Vec<u8> {
    let mut b = (header.len() as u64).to_le_bytes().to_vec();
    b.extend_from_slice(header.as_bytes());
    b.extend_from_slice(data);
    b
}

#[test]
fn safetensors_with_a_duplicated_name_is_refused() {
    // The format forbids two tensors of one name; the header parser keeps the last one, so
    // two entries with their own offsets were reported as "invalid offset", and two with
    // the same offsets loaded silently.
    let data: Vec<u8> = [1.0f64, 2.0].iter().flat_map(|v| v.to_le_bytes()).collect();
    let entry = |at: usize| format!(r#"{{"dtype":"F64","shape":[1],"data_offsets":[{at},{}]}}"#, at + 8);
    for (header, len) in [
        (format!(r#"{{"w":{},"w":{}}}"#, entry(0), entry(8)), 16),
        (format!(r#"{{"w":{},"w":{}}}"#, entry(0), entry(0)), 8),
        (
            format!(
                r#"{{"__metadata__":{{"format":"pt","note":"}}{{,\"w\":"}},"b":{}, "w" : {},"\u0077":{}}}"#,
                entry(0),
                entry(8),
                entry(8)
            ),
            16,
        ),
    ] {
        let bytes = safetensors_bytes(&header, &data[..len]);
        let err = from_safetensors::<f64>(&bytes, "mem").unwrap_err();
        assert_eq!(
            err.to_string(),
            "mem: tensor name 'w' appears twice in the header (safetensors names must be unique)",
            "{header}"
        );
        let mut m = Linear::<f64>::zeros(1, 1);
        let path = tmp("dup.safetensors");
        std::fs::write(&path, &bytes).unwrap();
        let err = m.load(&path).unwrap_err();
        assert!(matches!(err, Error::Data { .. }), "{err:?}");
        assert!(err.to_string().starts_with(&format!("{}: tensor name 'w' appears twice", path.display())));
        let _ = std::fs::remove_file(path);
    }
    // A surrogate pair is the character it encodes.
    let header = format!(r#"{{"😀":{},"\ud83d\ude00":{}}}"#, entry(0), entry(8));
    let err = from_safetensors::<f64>(&safetensors_bytes(&header, &data), "mem").unwrap_err();
    assert!(err.to_string().contains("tensor name '😀' appears twice"), "{err}");
    // Distinct names (one of them escaped) still load.
    let header = format!(r#"{{"w\"":{},"w":{}}}"#, entry(0), entry(8));
    let d = from_safetensors::<f64>(&safetensors_bytes(&header, &data), "mem").unwrap();
    assert_eq!(d.keys().collect::<Vec<_>>(), ["w\"", "w"]);
}

#[test]
fn safetensors_loads_nan_and_infinite_parameters_as_stored() {
    // As PyTorch does: a checkpoint of a run that diverged can be loaded and inspected.
    let lin = Linear::from_tensors(Tensor::from([[f64::NAN], [f64::INFINITY]]), Some(Tensor::from([-0.0])))
        .unwrap();
    let path = tmp("nan.safetensors");
    lin.save(&path).unwrap();
    let mut back = Linear::<f64>::zeros(2, 1);
    back.load(&path).unwrap();
    let bits = |t: &Tensor<f64>| t.data().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&back.weight), bits(&lin.weight));
    assert_eq!(bits(back.bias.as_ref().unwrap()), bits(lin.bias.as_ref().unwrap()));
    let _ = std::fs::remove_file(path);
}

#[test]
fn csv_loader_reads_the_data_sets() {
    let d = load_csv::<f64>(format!("{DATA}/breast_cancer_std.csv"), "y").unwrap();
    assert_eq!(d.features.shape(), [569, 30]);
    assert_eq!(d.labels.shape(), [569]);
    assert_eq!(d.feature_names[0], "f0");
    assert_eq!(d.features.data()[0], 1.0970639814699807); // bit-exact parse of repr
    assert_eq!(d.labels.data().iter().filter(|&&v| v == 1.0).count(), 357);
    let m = load_csv::<f32>(format!("{DATA}/moons_100.csv"), "y").unwrap();
    assert_eq!(m.features.shape(), [100, 2]);
    assert_eq!(m.labels_column().shape(), [100, 1]);
}

#[test]
fn standardize_reproduces_the_standardised_file() {
    let raw = load_csv::<f64>(format!("{DATA}/breast_cancer.csv"), "y").unwrap();
    let std = load_csv::<f64>(format!("{DATA}/breast_cancer_std.csv"), "y").unwrap();
    let z = standardize(&raw.features).unwrap();
    let worst = z.data().iter().zip(std.features.data()).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    assert!(worst < 1e-12, "max |diff| = {worst}");
    assert!(standardize(&Tensor::<f64>::zeros(&[3])).is_err());
    // No columns (a CSV with only its label column) is an error too, not a panic.
    let e = standardize(&Tensor::<f64>::zeros(&[2, 0])).unwrap_err().to_string();
    assert!(e.contains("standardize") && e.contains("[2, 0]"), "{e}");
}

#[test]
fn standardize_does_not_overflow_on_huge_values() {
    // The squares (and the sums) of values near f64::MAX overflow: this gave [[0], [0]].
    let z = standardize(&Tensor::from([[1e308, 1e308], [-1e308, 1e308]])).unwrap();
    assert_eq!(z.data(), [1.0, 0.0, -1.0, 0.0]);
    // Deviations from the mean beyond f64::MAX: [2, −1, −1]·c has z = [√2, −1/√2, −1/√2].
    let want = [2f64.sqrt(), -0.5f64.sqrt(), -0.5f64.sqrt()];
    let z = standardize(&Tensor::from([[1.7e308], [-1.7e308], [-1.7e308]])).unwrap();
    for (a, b) in z.data().iter().zip(want) {
        assert!((a - b).abs() <= 4e-16 * b.abs(), "{z:?}");
    }
    let z = standardize(&Tensor::<f32>::from([[3e38], [-3e38], [-3e38]])).unwrap();
    for (a, b) in z.data().iter().zip(want) {
        assert!((*a as f64 - b).abs() <= 2e-7 * b.abs(), "{z:?}");
    }
}

#[test]
fn csv_errors_name_file_line_and_column() {
    let path = tmp("bad.csv");
    std::fs::write(&path, "a,b,y\n1,2,0\n3,oops,1\n").unwrap();
    let err = read_csv::<f64>(&path).unwrap_err();
    assert!(
        matches!(&err, Error::Data { line: Some(3), column: Some(2), msg, .. } if msg.contains("\"oops\"") && msg.contains("'b'")),
        "{err:?}"
    );
    assert!(err.to_string().starts_with(&format!("{}:3:2: ", path.display())), "{err}");

    std::fs::write(&path, "a,b,y\n1,2,0\n3,4\n").unwrap();
    let err = read_csv::<f64>(&path).unwrap_err();
    assert!(matches!(&err, Error::Data { line: Some(3), msg, .. } if msg.contains("2 fields")), "{err:?}");

    std::fs::write(&path, "a,b\n1,2\n").unwrap();
    let err = load_csv::<f64>(&path, "y").unwrap_err();
    assert!(err.to_string().contains("no column named 'y'"), "{err}");

    let err = read_csv::<f64>(tmp("nope.csv")).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    let _ = std::fs::remove_file(path);
}

#[test]
fn csv_with_an_unterminated_quote_is_refused() {
    // The csv reader takes everything after an opening quote that is never closed as one
    // field: `"2` at the end of the file read as 2, and an opened header swallowed the rows.
    let path = tmp("quote.csv");
    for (text, line, column) in [
        ("a,b\n1,2\n3,\"4\n", 3, 2),
        ("a,b\n1,2\n3,\"4", 3, 2),
        ("a,b\n\"1,2\n3,4\n", 2, 1),
        ("\"a,b\n1,2\n", 1, 1),
        // closed quotes and escaped ones before the open one are not it
        ("a,b\n\"1\",\"2\"\"\"\r\n3,\"4\n", 3, 2),
    ] {
        std::fs::write(&path, text).unwrap();
        let err = read_csv::<f64>(&path).unwrap_err();
        assert!(
            matches!(&err, Error::Data { line: Some(l), column: Some(c), msg, .. }
                if *l == line && *c == column && msg.contains("unterminated quote")),
            "{text:?}: {err:?}"
        );
        assert!(err.to_string().starts_with(&format!("{}:{line}:{column}: ", path.display())), "{err}");
    }
    // Quoted fields that are closed still read.
    std::fs::write(&path, "\"a\",b\n\"1\",2\n").unwrap();
    assert_eq!(read_csv::<f64>(&path).unwrap().data.data(), [1.0, 2.0]);
    let _ = std::fs::remove_file(path);
}

#[test]
fn csv_header_with_a_repeated_name_is_refused() {
    let path = tmp("dup.csv");
    // `y` twice: taking the first as the label would leave the second among the features.
    std::fs::write(&path, "y,y\n1,1\n0,0\n").unwrap();
    for err in [load_csv::<f64>(&path, "y").unwrap_err(), read_csv::<f64>(&path).map(|_| ()).unwrap_err()] {
        assert!(
            matches!(&err, Error::Data { line: Some(1), column: Some(2), msg, .. }
                if msg.contains("'y'") && msg.contains("columns 1 and 2")),
            "{err:?}"
        );
        assert!(err.to_string().starts_with(&format!("{}:1:2: ", path.display())), "{err}");
    }
    std::fs::write(&path, "a, b ,c,b\n1,2,3,4\n").unwrap();
    let err = read_csv::<f64>(&path).unwrap_err();
    assert!(err.to_string().ends_with(":1:4: column name 'b' appears twice, in columns 2 and 4"), "{err}");
    // A column without a name cannot be selected: refused where it is, blank or empty.
    for header in ["a,,b", "a, ,b", "a,b,"] {
        std::fs::write(&path, format!("{header}\n1,2,3\n")).unwrap();
        let col = if header.ends_with(',') { 3 } else { 2 };
        let err = read_csv::<f64>(&path).unwrap_err();
        let want = format!(":1:{col}: column {col} has no name (columns are selected by name)");
        assert!(err.to_string().ends_with(&want), "{header}: {err}");
    }
    let _ = std::fs::remove_file(path);
}

#[test]
fn csv_fields_that_are_not_finite_are_refused() {
    let path = tmp("nonfinite.csv");
    for (field, col) in [("NaN", 2), ("nan", 2), ("inf", 4), ("-inf", 4), ("infinity", 4), ("1e400", 4)] {
        let row = if col == 2 { format!("1,{field},2,3") } else { format!("1,2,3,{field}") };
        std::fs::write(&path, format!("a,b,c,y\n1,2,3,4\n{row}\n")).unwrap();
        let err = read_csv::<f64>(&path).unwrap_err();
        assert!(
            matches!(&err, Error::Data { line: Some(3), column: Some(c), msg, .. }
                if *c == col && msg.contains(&format!("{field:?}")) && msg.contains("not a finite number")),
            "{field}: {err:?}"
        );
        assert!(err.to_string().starts_with(&format!("{}:3:{col}: ", path.display())), "{err}");
        assert!(load_csv::<f32>(&path, "y").is_err(), "{field}");
    }
    // Finite in f64 but not in f32.
    std::fs::write(&path, "a,y\n1e39,0\n").unwrap();
    assert!(read_csv::<f64>(&path).is_ok());
    let err = read_csv::<f32>(&path).unwrap_err();
    assert!(err.to_string().ends_with(":2:1: \"1e39\" is too large for f32 (column 'a')"), "{err}");
    let _ = std::fs::remove_file(path);
}

#[test]
fn wrong_input_width_names_the_layer_and_its_weight() {
    let m = mlp(3); // 3 → 5 → 4 → 1
    let t = Tape::new();
    let p = m.bind(&t);
    let w0 = p.get("0.weight").unwrap().node();
    let x = t.constant(&Tensor::zeros(&[7, 2]));
    let n = t.len();
    let err = m.forward(&p, x).unwrap_err();
    let want = format!(
        "Sequential: layer 0 (Linear): input [7, 2] ({}) has 2 features, but weight [3, 5] ({w0}) takes 3: \
         the input must be [batch, 3] or [3]",
        x.node()
    );
    assert_eq!(err.to_string(), want);
    assert!(matches!(err, Error::InvalidArgument { op: "Sequential", .. }), "{err:?}");
    assert_eq!(t.len(), n, "a refused forward pass recorded nodes");
    // One example of the wrong width.
    let err = m.forward(&p, t.constant(&Tensor::zeros(&[4]))).unwrap_err();
    assert!(err.to_string().contains("layer 0 (Linear): input [4] "), "{err}");
    // A mismatch between layers names the later layer.
    let mut rng = StdRng::seed_from_u64(0);
    let bad = Sequential::<f64>::new()
        .add(Linear::new(3, 5, Init::Zeros, &mut rng))
        .add(ReLU)
        .add(Linear::new(4, 1, Init::Zeros, &mut rng));
    let p = bad.bind(&t);
    let w2 = p.get("2.weight").unwrap().node();
    let err = bad.forward(&p, t.constant(&Tensor::zeros(&[7, 3]))).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("Sequential: layer 2 (Linear): input [7, 5] "), "{msg}");
    assert!(msg.contains(&format!("has 5 features, but weight [4, 1] ({w2}) takes 4")), "{msg}");
    // Nested containers give the path, outermost first.
    let nested = Sequential::<f64>::new().add(ReLU).add(mlp(4));
    let p = nested.bind(&t);
    let err = nested.forward(&p, t.constant(&Tensor::zeros(&[7, 2]))).unwrap_err();
    assert!(
        err.to_string().starts_with("Sequential: layer 1 (Sequential): layer 0 (Linear): input [7, 2] "),
        "{err}"
    );
    // A scalar input.
    let lin = Linear::<f64>::zeros(3, 1);
    let p = lin.bind(&t);
    let err = lin.forward(&p, t.scalar(1.0)).unwrap_err();
    assert!(err.to_string().contains("is a scalar, but weight [3, 1]"), "{err}");
}

#[test]
fn forward_with_too_few_variables_is_an_error() {
    let m = mlp(2);
    let t = Tape::new();
    let p = m.bind(&t);
    let x = t.constant(&Tensor::zeros(&[1, 3]));
    assert!(m.forward_with(&p.vars()[..3], x).is_err());
    assert!(m.forward_with(p.vars(), x).is_ok());
    let lin = Linear::<f64>::zeros(3, 1);
    assert!(lin.forward_with(&p.vars()[..1], x).is_err());
}

#[test]
fn parameters_bound_from_another_layer_are_refused() {
    // A 3 → 7 layer's parameters given to a 3 → 2 layer: the input width fits both.
    let lin = Linear::<f64>::zeros(3, 2);
    let other = Linear::<f64>::zeros(3, 7);
    let t = Tape::new();
    let p = other.bind(&t);
    let w = p.get("weight").unwrap().node();
    for x in [t.constant(&Tensor::zeros(&[4, 3])), t.constant(&Tensor::zeros(&[3]))] {
        let n = t.len();
        let err = lin.forward(&p, x).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { op: "Linear", .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "Linear: bound weight [3, 7] ({w}) does not match the layer's weight [3, 2]; \
                 the parameters must be bound from this layer"
            )
        );
        assert_eq!(t.len(), n, "a refused forward pass recorded nodes");
    }
    // The weight fits, the bias does not.
    let wv = t.var(&Tensor::zeros(&[3, 2]));
    let bv = t.var(&Tensor::zeros(&[7]));
    let err = lin.forward_with(&[wv, bv], t.constant(&Tensor::zeros(&[4, 3]))).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "Linear: bound bias [7] ({}) does not match the layer's bias [2]; \
             the parameters must be bound from this layer",
            bv.node()
        )
    );
    // Inside a container the error names the layer.
    let m = Sequential::<f64>::new().add(Linear::<f64>::zeros(3, 2));
    let err = m.forward(&p, t.constant(&Tensor::zeros(&[4, 3]))).unwrap_err();
    assert!(err.to_string().starts_with("Sequential: layer 0 (Linear): bound weight [3, 7] "), "{err}");
}

/// The fields are public: a weight or bias assigned another layout is refused by the forward
/// pass with the error `from_tensors` gives (a 1-D weight ran into an index panic).
#[test]
fn a_reassigned_weight_or_bias_of_the_wrong_layout_is_refused() {
    let t = Tape::new();
    let x = t.constant(&Tensor::zeros(&[4, 3]));
    let mut lin = Linear::<f64>::zeros(3, 2);
    lin.weight = Tensor::zeros(&[6]);
    let p = lin.bind(&t);
    let err = lin.forward(&p, x).unwrap_err();
    assert_eq!(err.to_string(), "Linear: weight must be [in, out], got shape [6]");
    let mut lin = Linear::<f64>::zeros(3, 2);
    lin.bias = Some(Tensor::zeros(&[1]));
    let p = lin.bind(&t);
    let err = lin.forward(&p, x).unwrap_err();
    assert_eq!(err.to_string(), "Linear: bias must have shape [2] for weight [3, 2], got [1]");
    let err = Linear::from_tensors(Tensor::<f64>::zeros(&[3, 2]), Some(Tensor::zeros(&[3]))).unwrap_err();
    assert_eq!(err.to_string(), "Linear: bias must have shape [2] for weight [3, 2], got [3]");
}

/// With source locations on, the nodes that a layer, a model's binding and a loss record are
/// located at the user's calls, not at lines of this crate (a Wengert list sent its reader
/// into `loss.rs` and `layers.rs`).
#[test]
fn nodes_recorded_by_layers_and_losses_are_located_at_the_callers_line() {
    use wengert_nn::loss::{
        bce, bce_with_logits, cross_entropy, huber_loss, kl_div, l1_loss, mse, nll_loss, smooth_l1_loss,
        Reduction,
    };
    let mut rng = StdRng::seed_from_u64(3);
    let model = Sequential::<f64>::new()
        .add(Linear::new(3, 4, Init::TorchDefault, &mut rng))
        .add(ReLU)
        .add(Linear::new(4, 2, Init::TorchDefault, &mut rng));
    let t = Tape::new();
    t.record_locations(true);
    let x = t.constant(&Tensor::from_fn(&[5, 3], |i| i as f64 * 0.1));
    let start = t.len();
    let p = model.bind(&t);
    let z = model.forward(&p, x).unwrap();
    let y = t.constant(&Tensor::from_fn(&[5, 2], |i| (i % 2) as f64));
    let s = z.sigmoid();
    let losses = [
        bce(s, y, Reduction::Mean).unwrap(),
        bce_with_logits(z, y, Reduction::Sum).unwrap(),
        mse(z, y, Reduction::Mean).unwrap(),
        cross_entropy(z, &[0, 1, 0, 1, 1], Reduction::Mean).unwrap(),
        nll_loss(z.log_softmax(1), &[0, 1, 0, 1, 1], Reduction::Mean).unwrap(),
        kl_div(z.log_softmax(1), s.softmax(1), Reduction::Sum).unwrap(),
        huber_loss(z, y, 0.5, Reduction::Mean).unwrap(),
        l1_loss(z, y, Reduction::Mean).unwrap(),
        smooth_l1_loss(z, y, 0.5, Reduction::Mean).unwrap(),
    ];
    let _ = losses.iter().fold(losses[0], |a, &b| a + b);
    // forward_with called directly, with the parameters as a slice.
    let _ = model.forward_with(p.vars(), x).unwrap();
    let list = wengert_tape::trace::WengertList::new(&t).to_string();
    let lines: Vec<&str> = list.lines().filter(|l| l.starts_with('v')).skip(start).collect();
    assert!(lines.len() > 40, "{list}");
    for l in lines {
        assert!(l.contains("tests/modules_io_data.rs:"), "a node located elsewhere: {l}\n{list}");
    }
}

/// Embedding: rows looked up by index (repeated and at the padding index), their
/// gradient a scatter-add of the incoming one (checked against a plain loop, and by finite
/// differences without padding), the padding row without gradient, f32 too.
#[test]
fn embedding_looks_up_rows_and_adds_their_gradients() {
    let (rows, dim) = (5, 3);
    let weight = Tensor::from_fn(&[rows, dim], |i| (i as f64 * 0.37 + 0.1).sin());
    let ids = [1usize, 3, 3, 0, 2, 1, 4, 1];
    let cot = Tensor::from_fn(&[2, 4, dim], |i| (i as f64 * 0.7 + 0.3).cos());
    for pad in [None, Some(3), Some(4)] {
        let mut emb = Embedding::from_tensor(weight.clone()).unwrap();
        if let Some(p) = pad {
            emb = emb.padding_idx(p);
        }
        let tape = Tape::<f64>::new();
        let p = emb.bind(&tape);
        let x = tape.constant(&Tensor::new(&[2, 4], ids.iter().map(|&i| i as f64).collect()).unwrap());
        let y = emb.forward(&p, x).unwrap();
        assert_eq!(y.shape().as_slice(), [2, 4, dim]);
        let mut want_y = Vec::new();
        let mut want_g = vec![0.0; rows * dim];
        for (k, &i) in ids.iter().enumerate() {
            want_y.extend_from_slice(&emb.weight.data()[i * dim..(i + 1) * dim]);
            if Some(i) != pad {
                for d in 0..dim {
                    want_g[i * dim + d] += cot.data()[k * dim + d];
                }
            }
        }
        assert_eq!(y.value().data(), want_y, "pad {pad:?}");
        let g = (y * tape.constant(&cot)).sum().backward();
        assert_eq!(g.wrt(p.vars()[0]).data(), want_g, "pad {pad:?}");
        if let Some(pd) = pad {
            assert!(emb.weight.data()[pd * dim..(pd + 1) * dim].iter().all(|&v| v == 0.0));
        }
    }
    // Finite differences in the weight (no padding: its row's gradient is 0 on purpose).
    let emb = Embedding::from_tensor(weight.clone()).unwrap();
    let idx = Tensor::new(&[ids.len()], ids.iter().map(|&i| i as f64).collect()).unwrap();
    let f = wengert_tape::func_many(move |v| {
        let y = emb.forward_with(&v[..1], v[0].tape().constant(&idx)).unwrap();
        (y * y.sin()).sum()
    });
    let report = gradcheck(f, &[weight], &CheckOptions::default());
    assert!(report.passed(), "{report}");
    // f32, and the state dict.
    let mut rng = StdRng::seed_from_u64(2);
    let e32 = Embedding::<f32>::new(4, 2, Init::Normal { mean: 0.0, std: 1.0 }, &mut rng);
    assert_eq!((e32.num_embeddings(), e32.embedding_dim()), (4, 2));
    assert_eq!(e32.state_dict().keys().collect::<Vec<_>>(), ["weight"]);
    let tape = Tape::<f32>::new();
    let y = e32.forward(&e32.bind(&tape), tape.constant(&Tensor::scalar(2.0))).unwrap();
    assert_eq!(y.value().data(), &e32.weight.data()[4..6]);
}

#[test]
fn embedding_refuses_bad_indices_and_layouts() {
    let emb = Embedding::from_tensor(Tensor::<f64>::zeros(&[4, 2])).unwrap();
    let msg = |e: Error| match e {
        Error::InvalidArgument { op, msg } => format!("{op}: {msg}"),
        other => panic!("{other:?}"),
    };
    for (v, want) in [
        (1.5, "Embedding: index 1.5 at position 1 of input [3] (v1) is not a whole number in [0, 4)"),
        (4.0, "Embedding: index 4 at position 1 of input [3] (v1) is not a whole number in [0, 4)"),
        (-1.0, "Embedding: index -1 at position 1 of input [3] (v1) is not a whole number in [0, 4)"),
        (f64::NAN, "Embedding: index NaN at position 1 of input [3] (v1) is not a whole number in [0, 4)"),
    ] {
        let tape = Tape::<f64>::new();
        let p = emb.bind(&tape);
        let x = tape.constant(&Tensor::new(&[3], vec![0.0, v, 2.0]).unwrap());
        let before = tape.len();
        assert_eq!(msg(emb.forward(&p, x).unwrap_err()), want);
        assert_eq!(tape.len(), before);
    }
    let tape = Tape::<f64>::new();
    let padded = emb.clone().padding_idx(9);
    let e = padded.forward(&padded.bind(&tape), tape.constant(&Tensor::scalar(0.0))).unwrap_err();
    assert_eq!(msg(e), "Embedding: padding_idx 9 must be less than num_embeddings 4");
    assert_eq!(
        msg(Embedding::from_tensor(Tensor::<f64>::zeros(&[4])).unwrap_err()),
        "Embedding: weight must be [num_embeddings, embedding_dim], got shape [4]"
    );
}

/// Init::Normal draws N(mean, std²): the sample moments of 20,000 draws (a fixed seed)
/// are within a few standard errors.
#[test]
fn normal_init_has_its_moments() {
    let mut rng = StdRng::seed_from_u64(7);
    let t = Init::Normal { mean: 2.0, std: 0.5 }.tensor::<f64>(&[200, 100], 100, 200, &mut rng);
    let n = t.data().len() as f64;
    let mean = t.data().iter().sum::<f64>() / n;
    let var = t.data().iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    assert!((mean - 2.0).abs() < 4.0 * 0.5 / n.sqrt(), "{mean}");
    assert!((var.sqrt() - 0.5).abs() < 0.02, "{}", var.sqrt());
    // A bias drawn with it is zeros, as with the other non-uniform inits.
    let lin = Linear::<f64>::new(3, 2, Init::Normal { mean: 0.0, std: 1.0 }, &mut rng);
    assert!(lin.bias.as_ref().unwrap().data().iter().all(|&v| v == 0.0));
}
