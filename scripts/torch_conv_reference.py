"""Reference values and gradients for crates/nn/tests/conv.rs.

Run with PyTorch 2.15 in float64:  python scripts/torch_conv_reference.py
and paste the output (a Rust `CASES` table) into the test. The convolutions include
grouped and depthwise ones (`groups`), each `padding_mode` and `padding='same'`, transposed convolutions, `Upsample`, `AdaptiveAvgPool2d`; the pools include
`ceil_mode`, `count_include_pad=False` and `divisor_override`. Each case gives its inputs
(x, then the layer's parameters in state-dict order: weight, bias), the output, the
cotangent, the gradient of sum(out * cot) with respect to every input, and, for
BatchNorm2d, the running statistics after the forward pass. Inputs are built from sin and
cos of the element index and printed in full, so the test uses exactly these numbers.
"""
import math

import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)


def det(shape, a, b, scale=1.0, fn=math.sin):
    n = math.prod(shape)
    return torch.tensor([scale * fn(a * i + b) for i in range(n)]).reshape(shape)


CASES = []


def case(name, layer, x):
    x = x.clone().requires_grad_(True)
    params = [p for _, p in layer.named_parameters()]
    out = layer(x)
    cot = det(out.shape, 0.7, 0.3, fn=math.cos)
    gs = torch.autograd.grad((out * cot).sum(), [x] + params)
    bufs = [(k, v.detach().clone()) for k, v in layer.named_buffers() if k != "num_batches_tracked"]
    CASES.append((name, [x.detach()] + [p.detach() for p in params], out.detach(), cot, gs, bufs))


def set_params(layer, bias):
    """The weight (and bias) every convolution case uses, from cos and sin."""
    with torch.no_grad():
        layer.weight.copy_(det(layer.weight.shape, 0.53, 0.2, 0.5, math.cos))
        if bias:
            layer.bias.copy_(det(layer.bias.shape, 1.1, -0.4, 0.3))


def conv2d(name, n, c, h, w, o, k, s, p, d, bias, groups=1, mode="zeros"):
    layer = nn.Conv2d(c, o, k, stride=s, padding=p, dilation=d, groups=groups, bias=bias, padding_mode=mode)
    set_params(layer, bias)
    case(name, layer, det((n, c, h, w), 0.37, 0.1))


def conv1d(name, n, c, l, o, k, s, p, d, bias, groups=1, mode="zeros"):
    layer = nn.Conv1d(c, o, k, stride=s, padding=p, dilation=d, groups=groups, bias=bias, padding_mode=mode)
    set_params(layer, bias)
    case(name, layer, det((n, c, l), 0.37, 0.1))


conv2d("conv2d_main", 2, 3, 5, 6, 4, (3, 2), (2, 1), (1, 0), (1, 2), True)
conv2d("conv2d_1x1", 2, 3, 4, 3, 2, (1, 1), (1, 1), (0, 0), (1, 1), False)
conv2d("conv2d_pad_both", 1, 2, 4, 5, 3, (3, 3), (1, 2), (1, 2), (1, 1), True)
conv2d("conv2d_dilated", 2, 1, 7, 6, 2, (2, 3), (3, 2), (2, 1), (2, 1), True)
conv1d("conv1d_main", 2, 3, 9, 2, 3, 2, 1, 2, True)
conv1d("conv1d_plain", 1, 2, 5, 3, 2, 1, 0, 1, False)
# Grouped (weight [O, C/groups, ...]) and depthwise (groups = C).
conv2d("conv2d_groups", 2, 4, 5, 6, 6, 3, 2, 1, 1, True, groups=2)
conv2d("conv2d_depthwise", 2, 3, 7, 5, 6, (3, 2), 1, 0, 2, False, groups=3)
conv1d("conv1d_groups", 2, 4, 7, 4, 3, 1, 1, 1, True, groups=2)
# padding_mode, and padding='same' (split d(k-1)//2 before, the rest after).
conv2d("conv2d_reflect", 2, 2, 5, 6, 3, (3, 2), 1, (2, 1), 1, True, mode="reflect")
conv2d("conv2d_replicate", 1, 3, 4, 5, 2, 3, (2, 1), (1, 3), (1, 2), True, mode="replicate")
conv2d("conv2d_circular", 2, 2, 4, 3, 2, (2, 3), (1, 2), (1, 3), 1, False, groups=2, mode="circular")
conv2d("conv2d_same", 1, 2, 5, 6, 3, (4, 3), 1, "same", (1, 2), True)
conv2d("conv2d_same_reflect", 2, 2, 6, 5, 2, (2, 4), 1, "same", 1, True, mode="reflect")
conv1d("conv1d_same_circular", 2, 3, 7, 2, 4, 1, "same", 2, True, mode="circular")
conv1d("conv1d_replicate", 1, 2, 5, 2, 3, 2, 2, 1, True, mode="replicate")
conv1d("conv1d_same", 2, 2, 6, 3, 2, 1, "same", 1, False)

# Transposed convolutions (weight [C, O/groups, k...]).
def convt2d(name, n, c, h, w, o, k, s, p, op, d, bias, groups=1):
    layer = nn.ConvTranspose2d(c, o, k, stride=s, padding=p, output_padding=op, groups=groups, bias=bias, dilation=d)
    set_params(layer, bias)
    case(name, layer, det((n, c, h, w), 0.37, 0.1))


def convt1d(name, n, c, l, o, k, s, p, op, d, bias, groups=1):
    layer = nn.ConvTranspose1d(c, o, k, stride=s, padding=p, output_padding=op, groups=groups, bias=bias, dilation=d)
    set_params(layer, bias)
    case(name, layer, det((n, c, l), 0.37, 0.1))


convt2d("convt2d_main", 2, 3, 4, 3, 2, (3, 2), (2, 1), (1, 0), (1, 0), (1, 2), True)
convt2d("convt2d_up2", 1, 2, 3, 4, 3, 3, 2, 1, 1, 1, False)
convt2d("convt2d_groups", 2, 4, 3, 3, 6, (2, 3), (1, 2), (0, 1), (0, 1), 1, True, groups=2)
convt1d("convt1d_main", 2, 2, 5, 3, 4, 3, 2, 2, 1, True)
convt1d("convt1d_dilated_groups", 1, 4, 4, 2, 3, 2, 1, 0, 2, True, groups=2)

xp = det((2, 2, 5, 6), 0.37, 0.1)
case("maxpool_pad", nn.MaxPool2d((3, 2), stride=(2, 2), padding=(1, 1)), xp)
case("maxpool_default_stride", nn.MaxPool2d(2), xp)
case("maxpool_dilated", nn.MaxPool2d((2, 2), stride=1, padding=(1, 0), dilation=(2, 3)), xp)
case("avgpool_pad", nn.AvgPool2d(3, stride=2, padding=1), xp)
case("avgpool_default_stride", nn.AvgPool2d((2, 3)), xp)
# ceil_mode (a last window past the padding), count_include_pad=False, divisor_override.
xq = det((2, 2, 6, 7), 0.37, 0.1)
case("maxpool_ceil", nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), xq)
case("maxpool_ceil_dilated", nn.MaxPool2d((2, 3), stride=(3, 2), dilation=(2, 1), ceil_mode=True), xq)
case("avgpool_ceil", nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True), xq)
case("avgpool_ceil_no_pad_count", nn.AvgPool2d((3, 2), stride=2, padding=(1, 1), ceil_mode=True, count_include_pad=False), xq)
case("avgpool_no_pad_count", nn.AvgPool2d(3, stride=(1, 2), padding=1, count_include_pad=False), xq)
case("avgpool_divisor", nn.AvgPool2d(2, stride=2, padding=1, ceil_mode=True, divisor_override=3), xq)

# Upsample: nearest and bilinear, by size and by scale factor (integer and not).
xu = det((2, 2, 3, 4), 0.37, 0.1)
case("upsample_nearest_2", nn.Upsample(scale_factor=2, mode="nearest"), xu)
case("upsample_nearest_size", nn.Upsample(size=(7, 5), mode="nearest"), xu)
case("upsample_nearest_frac", nn.Upsample(scale_factor=(1.5, 2.75), mode="nearest"), xu)
case("upsample_bilinear_2", nn.Upsample(scale_factor=2, mode="bilinear"), xu)
case("upsample_bilinear_align", nn.Upsample(size=(5, 7), mode="bilinear", align_corners=True), xu)
case("upsample_bilinear_frac", nn.Upsample(scale_factor=(1.7, 0.5), mode="bilinear"), xu)
# Where 1/scale_factor and in/out pick different pixels (W: 10 by 1.45 is 14, index 13).
xw = det((1, 1, 4, 10), 0.37, 0.1)
case("upsample_nearest_wide", nn.Upsample(scale_factor=(1.3, 1.45), mode="nearest"), xw)
case("upsample_bilinear_wide", nn.Upsample(scale_factor=(1.3, 1.45), mode="bilinear"), xw)

# AdaptiveAvgPool2d: overlapping windows of different lengths, global, larger than the input.
xa = det((2, 2, 5, 7), 0.37, 0.1)
case("adaptive_avg_2x3", nn.AdaptiveAvgPool2d((2, 3)), xa)
case("adaptive_avg_global", nn.AdaptiveAvgPool2d(1), xa)
case("adaptive_avg_up", nn.AdaptiveAvgPool2d((6, 4)), det((1, 2, 4, 3), 0.37, 0.1))

bn = nn.BatchNorm2d(3)
with torch.no_grad():
    bn.weight.copy_(torch.tensor([1.5, -0.5, 0.75]))
    bn.bias.copy_(torch.tensor([0.25, 0.0, -1.0]))
case("batchnorm2d_train", bn, det((2, 3, 3, 4), 0.37, 0.1, 2.0))


def arr(t):
    return "&[" + ", ".join(repr(float(v)) for v in t.flatten().tolist()) + "]"


def shape(t):
    return "&[" + ", ".join(str(d) for d in t.shape) + "]"


print(f"// Generated by scripts/torch_conv_reference.py with torch {torch.__version__} (float64).")
print("#[rustfmt::skip]")
print("const CASES: &[Case] = &[")
for name, xs, out, cot, gs, bufs in CASES:
    print("    Case {")
    print(f'        name: "{name}",')
    print("        inputs: &[")
    for x in xs:
        print(f"            ({shape(x)}, {arr(x)}),")
    print("        ],")
    print(f"        out: ({shape(out)}, {arr(out)}),")
    print(f"        cot: {arr(cot)},")
    print("        grads: &[" + ", ".join(arr(g) for g in gs) + "],")
    print("        buffers: &[" + ", ".join(f'("{k}", {arr(v)})' for k, v in bufs) + "],")
    print("    },")
print("];")
