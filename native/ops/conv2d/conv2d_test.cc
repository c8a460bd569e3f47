// CONV_2D: expected outputs are TFLite's arithmetic worked out independently
// of this code (QuantizeMultiplier, the once-rounded requantization of its
// int8 GEMM path or the twice-rounded one of its uint8 and grouped paths,
// the activation clamp), plus a cross-check against a naive convolution
// over an explicitly padded input.
#include "ops/conv2d/conv2d.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "ops/conv2d/test_graph.h"
#include "test/check.h"

namespace edgeinfer {
namespace {

using testing::OneNodeGraph;
using testing::PerChannel;
using testing::PerTensor;

ConvAttrs Attrs(int32_t stride_h, int32_t stride_w, Padding2D pad, int32_t dilation = 1,
                Activation act = Activation::kNone) {
  ConvAttrs a;
  a.stride_h = stride_h;
  a.stride_w = stride_w;
  a.dilation_h = a.dilation_w = dilation;
  a.pad = pad;
  a.activation = act;
  return a;
}

template <typename T>
void ExpectEqual(const std::vector<T>& got, const std::vector<int>& want) {
  CHECK_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size() && i < want.size(); ++i) CHECK_EQ(static_cast<int>(got[i]), want[i]);
}

// 1x1 uint8 with a nonzero filter zero point. The first output's
// accumulator is 31 and its multiplier 2^-6: exact 0.48 rounds to 0, but
// TFLite rounds twice (31/2 -> 16, 16/32 -> 1), so the output is zp + 1.
TEST(conv2d_uint8_1x1_filter_zero_point_double_rounding) {
  OneNodeGraph m;
  std::vector<uint8_t> in = {165, 77, 202, 24, 37, 48};
  std::vector<uint8_t> filter = {106, 134, 67, 124};
  std::vector<int32_t> bias = {1543, 17};
  std::vector<uint8_t> out(6);
  const int32_t ti = m.Activation(DType::kUInt8, {1, 1, 3, 2}, PerTensor(0.5f, 128));
  const int32_t tf = m.Constant(DType::kUInt8, {2, 1, 1, 2}, filter, PerTensor(0.25f, 100));
  const int32_t tb = m.Constant(DType::kInt32, {2}, bias);
  const int32_t to = m.Activation(DType::kUInt8, {1, 1, 3, 2}, PerTensor(8.0f, 128));
  m.Bind(ti, in.data());
  m.Bind(to, out.data());
  std::unique_ptr<Kernel> k;
  const Status s = m.Create(m.MakeNode(OpType::kConv2D, {ti, tf, tb}, to, Attrs(1, 1, {})), &k);
  CHECK(s.ok());
  if (!s.ok()) return;
  m.Run(*k);
  ExpectEqual(out, {129, 90, 104, 51, 101, 145});
}

// The two roundings, worked out by hand. 31 * 2^-6 = 0.484: once rounded,
// 0; twice, 31 * 0.5 = 15.5 -> 16, then 16 / 32 = 0.5 -> 1. -8 * 0.5 / 8 =
// -0.5: half up gives 0, RoundingDivideByPOT (half away from zero) -1.
// Results past int32 (hostile scales) saturate.
TEST(multiply_by_quantized_multiplier_single_vs_double_rounding) {
  constexpr int32_t kHalf = 1 << 30;
  CHECK_EQ(MultiplyByQuantizedMultiplierSingleRounding(31, kHalf, -5), 0);
  CHECK_EQ(MultiplyByQuantizedMultiplier(31, kHalf, -5), 1);
  CHECK_EQ(MultiplyByQuantizedMultiplierSingleRounding(-8, kHalf, -3), 0);
  CHECK_EQ(MultiplyByQuantizedMultiplier(-8, kHalf, -3), -1);
  CHECK_EQ(MultiplyByQuantizedMultiplierSingleRounding(33, kHalf, -5), 1);
  CHECK_EQ(MultiplyByQuantizedMultiplierSingleRounding(-33, kHalf, -5), -1);
  CHECK_EQ(MultiplyByQuantizedMultiplierSingleRounding(-3, kHalf, 0), -1);  // -1.5 -> -1
  CHECK_EQ(MultiplyByQuantizedMultiplierSingleRounding(1000, kHalf, 1), 1000);
  // shift -31: (2^31 - 1)^2 / 2^62 = 0.99999... -> 1.
  CHECK_EQ(MultiplyByQuantizedMultiplierSingleRounding(INT32_MAX, INT32_MAX, -31), 1);
  CHECK_EQ(MultiplyByQuantizedMultiplierSingleRounding(INT32_MAX, INT32_MAX, 30), INT32_MAX);
  CHECK_EQ(MultiplyByQuantizedMultiplierSingleRounding(INT32_MIN, INT32_MAX, 30), INT32_MIN);
  CHECK_EQ(MultiplyByQuantizedMultiplierSingleRounding(0, INT32_MAX, 30), 0);
}

// TFLite runs an int8 convolution through ruy (one rounding), a grouped one
// through its reference kernel and a uint8 one through gemmlowp (two
// roundings). Multiplier 0.5 * 0.25 / 8 = 2^-6 and accumulators 31, -32 and
// 33 (see above): 0, 0, 1 once rounded; 1, -1, 1 twice.
TEST(conv2d_rounding_per_kernel_path) {
  std::vector<int8_t> in = {31, -32, 33, 0}, filter = {1, 1};
  for (bool grouped : {false, true}) {
    OneNodeGraph m;
    std::vector<int8_t> out(4);
    const int32_t ti = m.Activation(DType::kInt8, grouped ? Shape{1, 1, 2, 2} : Shape{1, 2, 2, 1}, PerTensor(0.5f, 0));
    const int32_t tf =
        m.Constant(DType::kInt8, grouped ? Shape{2, 1, 1, 1} : Shape{1, 1, 1, 1}, filter, PerTensor(0.25f, 0));
    const int32_t to = m.Activation(DType::kInt8, grouped ? Shape{1, 1, 2, 2} : Shape{1, 2, 2, 1}, PerTensor(8.f, 0));
    m.Bind(ti, in.data());
    m.Bind(to, out.data());
    std::unique_ptr<Kernel> k;
    const Status s = m.Create(m.MakeNode(OpType::kConv2D, {ti, tf, -1}, to, Attrs(1, 1, {})), &k);
    CHECK(s.ok());
    if (!s.ok()) continue;
    m.Run(*k);
    if (grouped) {
      ExpectEqual(out, {1, -1, 1, 0});
    } else {
      ExpectEqual(out, {0, 0, 1, 0});
    }
  }
  OneNodeGraph m;
  std::vector<uint8_t> in8 = {159, 96, 161, 128}, filter8 = {1};
  std::vector<uint8_t> out8(4);
  const int32_t ti = m.Activation(DType::kUInt8, {1, 2, 2, 1}, PerTensor(0.5f, 128));
  const int32_t tf = m.Constant(DType::kUInt8, {1, 1, 1, 1}, filter8, PerTensor(0.25f, 0));
  const int32_t to = m.Activation(DType::kUInt8, {1, 2, 2, 1}, PerTensor(8.f, 128));
  m.Bind(ti, in8.data());
  m.Bind(to, out8.data());
  std::unique_ptr<Kernel> k;
  const Status s = m.Create(m.MakeNode(OpType::kConv2D, {ti, tf, -1}, to, Attrs(1, 1, {})), &k);
  CHECK(s.ok());
  if (!s.ok()) return;
  m.Run(*k);
  ExpectEqual(out8, {129, 127, 129, 128});
}

// ONNX rounding (as ONNX Runtime's QLinearConv): float(acc) * scale with
// scale = 0.5f * 0.25f / 8.f = 2^-6, rounded half to even. uint8 input
// (zero point 128), int8 weights, uint8 output (zero point 128).
// Accumulators 32, 96, -32, -96, 31, 33 are 0.5, 1.5, -0.5, -1.5, 0.48,
// 0.52 steps: half even gives 0, 2, 0, -2, 0, 1 (TFLite's double rounding
// would give 1, 2, -1, -2, 1, 1). A folded Clip(0, 6) with the output scale
// 8 clamps at zp + round(6/8) = zp + 1 and at zp below.
TEST(conv2d_half_even_rounding_mixed_dtypes_and_clamp) {
  std::vector<uint8_t> in = {160, 224, 96, 32, 159, 161};
  const std::vector<int8_t> filter = {1};
  for (bool clip : {false, true}) {
    OneNodeGraph m;
    std::vector<uint8_t> out(6);
    const int32_t ti = m.Activation(DType::kUInt8, {1, 2, 3, 1}, PerTensor(0.5f, 128));
    const int32_t tf = m.Constant(DType::kInt8, {1, 1, 1, 1}, filter, PerTensor(0.25f, 0));
    const int32_t to = m.Activation(DType::kUInt8, {1, 2, 3, 1}, PerTensor(8.f, 128));
    m.Bind(ti, in.data());
    m.Bind(to, out.data());
    ConvAttrs a = Attrs(1, 1, {});
    if (clip) {
      a.clamp.min = 0.f;
      a.clamp.max = 6.f;
    }
    Node node = m.MakeNode(OpType::kConv2D, {ti, tf, -1}, to, a);
    node.rounding = Rounding::kHalfEven;
    std::unique_ptr<Kernel> k;
    const Status s = m.Create(node, &k);
    CHECK(s.ok());
    if (!s.ok()) continue;
    m.Run(*k);
    if (clip) {
      ExpectEqual(out, {128, 129, 128, 128, 128, 129});
    } else {
      ExpectEqual(out, {128, 130, 128, 126, 128, 129});
    }
  }
}

// 3x3, stride 2, SAME padding (1 on every side for 5x5), int8 activations,
// per-channel int8 weights.
TEST(conv2d_int8_3x3_stride2_same_per_channel) {
  OneNodeGraph m;
  std::vector<int8_t> in = {-19, -109, -84, 94,  86,  -93, -5,  -82, 89,  -98, -65, -14, -97,
                            75,  -103, -15, -105, -60, 20,  86,  -55, -68, 29,  -36, -76, -32,
                            62,  -79,  -96, -98,  -23, 126, 90,  32,  110, 104, 57,  25,  -1,
                            -36, -4,   -87, 25,   125, 47,  101, 19,  -91, -68, 86};
  std::vector<int8_t> filter = {-85, 66,  -40, -89, 111, -2,  -20,  -117, 119, 44,  -108, 68,  15,  19,
                                75,  97,  82,  -47, -40, 50,  -38,  25,   0,   21,  77,   -11, -110, 88,
                                -104, 114, -58, -6,  51,  43,  -111, -112, 60,  52,  -48,  38,  20,  127,
                                47,  83,  -13, -55, 56,  -29, 100,  44,   -39, -122, 113, -9};
  std::vector<int32_t> bias = {-89, -1624, 2004};
  std::vector<int8_t> out(27);
  const int32_t ti = m.Activation(DType::kInt8, {1, 5, 5, 2}, PerTensor(0.1f, -3));
  const int32_t tf = m.Constant(DType::kInt8, {3, 3, 3, 2}, filter, PerChannel({0.02f, 0.035f, 0.011f}, 0));
  const int32_t tb = m.Constant(DType::kInt32, {3}, bias);
  const int32_t to = m.Activation(DType::kInt8, {1, 3, 3, 3}, PerTensor(0.6f, 5));
  m.Bind(ti, in.data());
  m.Bind(to, out.data());
  std::unique_ptr<Kernel> k;
  const Status s = m.Create(m.MakeNode(OpType::kConv2D, {ti, tf, tb}, to, Attrs(2, 2, {1, 1, 1, 1})), &k);
  CHECK(s.ok());
  if (!s.ok()) return;
  m.Run(*k);
  ExpectEqual(out, {-23, 54, -8, -70, -102, 6, 84, -42, -41, -12, -81, 32, 47, -17,
                    10,  -39, 27, 23,  9,    49, 36, -83, -68, 46,  24,  87,  -3});
}

// Dilation 2 of a 3x3 all-ones filter over a 5x5 ramp (value y*5+x): the one
// output sums the nine pixels at even coordinates, 108.
TEST(conv2d_dilation) {
  OneNodeGraph m;
  std::vector<uint8_t> in(25);
  for (int i = 0; i < 25; ++i) in[i] = static_cast<uint8_t>(i);
  std::vector<uint8_t> filter(9, 1);
  std::vector<uint8_t> out(1);
  const int32_t ti = m.Activation(DType::kUInt8, {1, 5, 5, 1}, PerTensor(1.f, 0));
  const int32_t tf = m.Constant(DType::kUInt8, {1, 3, 3, 1}, filter, PerTensor(1.f, 0));
  const int32_t to = m.Activation(DType::kUInt8, {1, 1, 1, 1}, PerTensor(1.f, 0));
  m.Bind(ti, in.data());
  m.Bind(to, out.data());
  std::unique_ptr<Kernel> k;
  const Status s = m.Create(m.MakeNode(OpType::kConv2D, {ti, tf, -1}, to, Attrs(1, 1, {}, 2)), &k);
  CHECK(s.ok());
  if (!s.ok()) return;
  m.Run(*k);
  CHECK_EQ(static_cast<int>(out[0]), 108);
}

// Zero points at the ends of their ranges: uint8 input and filter at 255
// (every product non-negative), uint8 output at 255 with filter zero point
// 255, int8 input at -128 and output at 127.
TEST(conv2d_zero_points_at_extremes) {
  std::vector<uint8_t> in = {59, 252, 30, 111, 147, 66, 126, 203};
  std::vector<uint8_t> filter = {200, 254, 41, 85};
  struct Case {
    int64_t in_zp, filter_zp, out_zp;
    float out_scale;
    std::vector<int> want;
  };
  const Case cases[] = {{255, 255, 0, 0.5f, {4, 17, 5, 29, 2, 22, 3, 15}},
                        {0, 255, 255, 0.05f, {241, 33, 248, 154, 222, 84, 226, 9}}};
  for (const Case& c : cases) {
    OneNodeGraph m;
    std::vector<uint8_t> out(8);
    const int32_t ti = m.Activation(DType::kUInt8, {1, 2, 2, 2}, PerTensor(0.02f, c.in_zp));
    const int32_t tf = m.Constant(DType::kUInt8, {2, 1, 1, 2}, filter, PerTensor(0.01f, c.filter_zp));
    const int32_t to = m.Activation(DType::kUInt8, {1, 2, 2, 2}, PerTensor(c.out_scale, c.out_zp));
    m.Bind(ti, in.data());
    m.Bind(to, out.data());
    std::unique_ptr<Kernel> k;
    const Status s = m.Create(m.MakeNode(OpType::kConv2D, {ti, tf}, to, Attrs(1, 1, {})), &k);
    CHECK(s.ok());
    if (!s.ok()) continue;
    m.Run(*k);
    ExpectEqual(out, c.want);
  }
  OneNodeGraph m;
  std::vector<int8_t> in8 = {101, 77, 14, -58, 92, 14, 84, 55};
  std::vector<int8_t> filter8 = {-30, -68, -89, -106};
  std::vector<int8_t> out8(8);
  const int32_t ti = m.Activation(DType::kInt8, {1, 2, 2, 2}, PerTensor(0.02f, -128));
  const int32_t tf = m.Constant(DType::kInt8, {2, 1, 1, 2}, filter8, PerTensor(0.01f, 0));
  const int32_t to = m.Activation(DType::kInt8, {1, 2, 2, 2}, PerTensor(2.0f, 127));
  m.Bind(ti, in8.data());
  m.Bind(to, out8.data());
  std::unique_ptr<Kernel> k;
  const Status s = m.Create(m.MakeNode(OpType::kConv2D, {ti, tf}, to, Attrs(1, 1, {})), &k);
  CHECK(s.ok());
  if (!s.ok()) return;
  m.Run(*k);
  ExpectEqual(out8, {125, 123, 126, 125, 125, 124, 125, 123});
}

// A fused RELU6 is the output clamp [q(0), q(6)] = [0, 120] at scale 0.05.
// Unclamped, the outputs would be -119 416 -123 133 139 351 23 376 ...
TEST(conv2d_fused_relu6_clamps) {
  OneNodeGraph m;
  std::vector<uint8_t> in = {90, 77, 118, 119, 6, 248, 93, 134, 144};
  std::vector<uint8_t> filter = {2, 74, 214, 189, 163, 64, 27, 233, 200, 203, 204, 201, 53, 246, 205, 31, 97, 34};
  std::vector<int32_t> bias = {-20000, 30000};
  std::vector<uint8_t> out(18);
  const int32_t ti = m.Activation(DType::kUInt8, {1, 3, 3, 1}, PerTensor(0.05f, 30));
  const int32_t tf = m.Constant(DType::kUInt8, {2, 3, 3, 1}, filter, PerTensor(0.01f, 120));
  const int32_t tb = m.Constant(DType::kInt32, {2}, bias);
  const int32_t to = m.Activation(DType::kUInt8, {1, 3, 3, 2}, PerTensor(0.05f, 0));
  m.Bind(ti, in.data());
  m.Bind(to, out.data());
  std::unique_ptr<Kernel> k;
  const Status s = m.Create(
      m.MakeNode(OpType::kConv2D, {ti, tf, tb}, to, Attrs(1, 1, {1, 1, 1, 1}, 1, Activation::kRelu6)), &k);
  CHECK(s.ok());
  if (!s.ok()) return;
  m.Run(*k);
  ExpectEqual(out, {0, 120, 0, 120, 120, 120, 23, 120, 0, 120, 0, 120, 0, 120, 0, 120, 0, 120});
}

TEST(conv2d_float_same_padding_relu) {
  OneNodeGraph m;
  std::vector<float> in = {1, 2, 3, 4};  // 2x2x1
  std::vector<float> filter = {1, 0, 0, -1};  // 2x2, one output channel
  std::vector<float> bias = {0.5f};
  std::vector<float> out(4);
  const int32_t ti = m.Activation(DType::kFloat32, {1, 2, 2, 1});
  const int32_t tf = m.Constant(DType::kFloat32, {1, 2, 2, 1}, filter);
  const int32_t tb = m.Constant(DType::kFloat32, {1}, bias);
  const int32_t to = m.Activation(DType::kFloat32, {1, 2, 2, 1});
  m.Bind(ti, in.data());
  m.Bind(to, out.data());
  std::unique_ptr<Kernel> k;
  // TFLite SAME for a 2x2 window pads bottom and right.
  const Status s =
      m.Create(m.MakeNode(OpType::kConv2D, {ti, tf, tb}, to, Attrs(1, 1, {0, 0, 1, 1}, 1, Activation::kRelu)), &k);
  CHECK(s.ok());
  if (!s.ok()) return;
  m.Run(*k);
  // in(y,x) - in(y+1,x+1) + 0.5, clamped at 0.
  CHECK(out[0] == 0.f);    // 1 - 4 + 0.5
  CHECK(out[1] == 2.5f);   // 2 - 0 + 0.5
  CHECK(out[2] == 3.5f);   // 3 - 0 + 0.5
  CHECK(out[3] == 4.5f);   // 4 + 0.5
}

// TFLite's uint8 path takes the multiplier from the float product of the
// scales, its per-channel path from the double product; these scales are
// one where the two give different fixed-point multipliers.
TEST(conv2d_multipliers_match_tflite) {
  Tensor input, filter, output;
  input.quant = PerTensor(0.014302060008049011f, 0);
  filter.quant = PerTensor(0.042386941611766815f, 0);
  output.quant = PerTensor(0.38424956798553467f, 0);
  std::vector<int32_t> mult, shift;
  ComputeChannelMultipliers(input, filter, output, 2, /*per_tensor_uses_float_product=*/true, &mult, &shift);
  CHECK_EQ(mult.size(), 2u);
  CHECK_EQ(mult[0], 1734670942);
  CHECK_EQ(mult[1], 1734670942);
  CHECK_EQ(shift[0], -9);
  ComputeChannelMultipliers(input, filter, output, 1, /*per_tensor_uses_float_product=*/false, &mult, &shift);
  CHECK_EQ(mult[0], 1734670992);
  CHECK_EQ(shift[0], -9);
  // Per-channel: one multiplier per channel from each channel's scale.
  filter.quant = PerChannel({0.02f, 0.035f, 0.011f}, 0);
  input.quant = PerTensor(0.1f, 0);
  output.quant = PerTensor(0.6f, 0);
  ComputeChannelMultipliers(input, filter, output, 3, /*per_tensor_uses_float_product=*/true, &mult, &shift);
  CHECK_EQ(mult[0], 1832519293);
  CHECK_EQ(shift[0], -8);
  CHECK_EQ(mult[1], 1603454424);
  CHECK_EQ(shift[1], -7);
  CHECK_EQ(mult[2], 2015771257);
  CHECK_EQ(shift[2], -9);
}

// The same choice seen end to end: with these (subnormal) scales the float
// product is 2 * 2^-149 and the double one 2.25 * 2^-149, so uint8 (float
// product) requantizes an accumulator of 100 with 0.125 to 13 and int8
// (double product, even for per-tensor weights) with 0.140625 to 14.
TEST(conv2d_multiplier_scheme_per_dtype) {
  std::vector<int8_t> in = {100}, filter = {1}, out(1);
  for (DType dtype : {DType::kUInt8, DType::kInt8}) {
    OneNodeGraph m;
    const int32_t ti = m.Activation(dtype, {1, 1, 1, 1}, PerTensor(std::ldexp(1.5f, -75), 0));
    const int32_t tf = m.Constant(dtype, {1, 1, 1, 1}, filter, PerTensor(std::ldexp(1.5f, -74), 0));
    const int32_t to = m.Activation(dtype, {1, 1, 1, 1}, PerTensor(std::ldexp(1.0f, -145), 0));
    m.Bind(ti, in.data());
    m.Bind(to, out.data());
    std::unique_ptr<Kernel> k;
    const Status s = m.Create(m.MakeNode(OpType::kConv2D, {ti, tf, -1}, to, Attrs(1, 1, {})), &k);
    CHECK(s.ok());
    if (!s.ok()) continue;
    m.Run(*k);
    CHECK_EQ(static_cast<int>(out[0]), dtype == DType::kUInt8 ? 13 : 14);
  }
}

// Naive convolution over an explicitly padded copy of the input: a second,
// differently written implementation to cross-check indexing (groups,
// dilation, asymmetric strides and padding).
template <typename T>
std::vector<T> NaiveConv(const ConvGeometry& g, const ConvAttrs& a, const std::vector<T>& in,
                         const std::vector<T>& filter, const std::vector<int32_t>& bias, int32_t in_zp, int32_t f_zp,
                         int32_t out_zp, const std::vector<int32_t>& mult, const std::vector<int32_t>& shift,
                         int32_t lo, int32_t hi, bool single_rounding) {
  const int ph = g.input_height + a.pad.top + a.pad.bottom, pw = g.input_width + a.pad.left + a.pad.right;
  std::vector<int32_t> padded(static_cast<size_t>(g.batches) * ph * pw * g.input_channels, in_zp);
  for (int b = 0; b < g.batches; ++b)
    for (int y = 0; y < g.input_height; ++y)
      for (int x = 0; x < g.input_width; ++x)
        for (int c = 0; c < g.input_channels; ++c)
          padded[((b * ph + y + a.pad.top) * pw + x + a.pad.left) * g.input_channels + c] =
              in[((b * g.input_height + y) * g.input_width + x) * g.input_channels + c];
  const int groups = g.input_channels / g.filter_channels;
  std::vector<T> out;
  for (int b = 0; b < g.batches; ++b)
    for (int oy = 0; oy < g.output_height; ++oy)
      for (int ox = 0; ox < g.output_width; ++ox)
        for (int oc = 0; oc < g.output_channels; ++oc) {
          const int group = oc / (g.output_channels / groups);
          int64_t acc = bias[oc];
          for (int ky = 0; ky < g.filter_height; ++ky)
            for (int kx = 0; kx < g.filter_width; ++kx)
              for (int c = 0; c < g.filter_channels; ++c) {
                const int y = oy * a.stride_h + ky * a.dilation_h, x = ox * a.stride_w + kx * a.dilation_w;
                const int32_t iv = padded[((b * ph + y) * pw + x) * g.input_channels + group * g.filter_channels + c];
                const int32_t fv =
                    filter[((oc * g.filter_height + ky) * g.filter_width + kx) * g.filter_channels + c];
                acc += static_cast<int64_t>(fv - f_zp) * (iv - in_zp);
              }
          const int32_t a32 = static_cast<int32_t>(acc);
          int32_t v = (single_rounding ? MultiplyByQuantizedMultiplierSingleRounding(a32, mult[oc], shift[oc])
                                       : MultiplyByQuantizedMultiplier(a32, mult[oc], shift[oc])) +
                      out_zp;
          out.push_back(static_cast<T>(std::min(hi, std::max(lo, v))));
        }
  return out;
}

template <typename T>
void CrossCheck(DType dtype, bool per_channel, int32_t in_zp, int32_t f_zp, int32_t out_zp, const ConvAttrs& attrs,
                Shape in_shape, Shape filter_shape, std::mt19937* rng) {
  OneNodeGraph m;
  const int32_t oc = filter_shape[0];
  const int64_t n_in = NumElements(in_shape), n_f = NumElements(filter_shape);
  const int lo = static_cast<int>(QuantizedMin(dtype)), hi = static_cast<int>(QuantizedMax(dtype));
  std::uniform_int_distribution<int> value(lo, hi), bias_value(-5000, 5000);
  std::vector<T> in(n_in), filter(n_f);
  for (auto& v : in) v = static_cast<T>(value(*rng));
  for (auto& v : filter) v = static_cast<T>(value(*rng));
  std::vector<int32_t> bias(oc);
  for (auto& v : bias) v = bias_value(*rng);
  std::vector<float> scales;
  for (int c = 0; c < oc; ++c) scales.push_back(0.001f * (1 + c % 7));
  Quantization fq = per_channel ? PerChannel(scales, 0) : PerTensor(0.003f, f_zp);
  const int32_t ti = m.Activation(dtype, in_shape, PerTensor(0.05f, in_zp));
  const int32_t tf = m.Constant(dtype, filter_shape, filter, fq);
  const int32_t tb = m.Constant(DType::kInt32, {oc}, bias);
  ConvGeometry g;
  g.input_height = in_shape[1];
  g.input_width = in_shape[2];
  g.filter_height = filter_shape[1];
  g.filter_width = filter_shape[2];
  const int32_t oh = static_cast<int32_t>(WindowedOutputSize(g.input_height, g.filter_height, attrs.stride_h,
                                                             attrs.dilation_h, attrs.pad.top, attrs.pad.bottom));
  const int32_t ow = static_cast<int32_t>(WindowedOutputSize(g.input_width, g.filter_width, attrs.stride_w,
                                                             attrs.dilation_w, attrs.pad.left, attrs.pad.right));
  const int32_t to = m.Activation(dtype, {in_shape[0], oh, ow, oc}, PerTensor(0.1f, out_zp));
  std::vector<T> out(static_cast<size_t>(in_shape[0]) * oh * ow * oc);
  m.Bind(ti, in.data());
  m.Bind(to, out.data());
  const Node node = m.MakeNode(OpType::kConv2D, {ti, tf, tb}, to, attrs);
  std::unique_ptr<Kernel> k;
  const Status s = m.Create(node, &k);
  CHECK(s.ok());
  if (!s.ok()) return;
  m.Run(*k);
  ConvGeometry full;
  CHECK(MakeConvGeometry(node, attrs, m.tensor(ti), m.tensor(tf), m.tensor(to), false, &full).ok());
  std::vector<int32_t> mult, shift;
  ComputeChannelMultipliers(m.tensor(ti), m.tensor(tf), m.tensor(to), oc, dtype == DType::kUInt8, &mult, &shift);
  const bool single_rounding = dtype == DType::kInt8 && full.filter_channels == full.input_channels;
  const std::vector<T> want = NaiveConv<T>(full, attrs, in, filter, bias, in_zp, per_channel ? 0 : f_zp, out_zp,
                                           mult, shift, lo, hi, single_rounding);
  CHECK(out == want);
}

TEST(conv2d_cross_check_against_naive) {
  std::mt19937 rng(1234);
  ConvAttrs a = Attrs(2, 1, {2, 0, 1, 3}, 2);
  CrossCheck<int8_t>(DType::kInt8, true, 7, 0, -4, a, {2, 9, 8, 6}, {4, 3, 2, 3}, &rng);  // 2 groups
  CrossCheck<uint8_t>(DType::kUInt8, false, 131, 119, 77, a, {1, 7, 10, 5}, {6, 3, 3, 5}, &rng);
  ConvAttrs b = Attrs(3, 2, {1, 1, 1, 1});
  CrossCheck<int8_t>(DType::kInt8, false, -128, 0, 127, b, {1, 11, 6, 16}, {5, 5, 2, 16}, &rng);
  CrossCheck<uint8_t>(DType::kUInt8, false, 0, 255, 255, b, {2, 6, 6, 3}, {8, 1, 1, 3}, &rng);
}

Status CreateSimpleConv(DType in_t, DType f_t, Quantization fq, Shape out_shape, std::vector<int32_t>* bias_data,
                        Rounding rounding = Rounding::kTfliteFixedPoint) {
  static const std::vector<int8_t> filter(2 * 3 * 3 * 4);
  OneNodeGraph m;
  const int32_t ti = m.Activation(in_t, {1, 6, 6, 4}, PerTensor(0.1f, 0));
  const int32_t tf = m.Constant(f_t, {2, 3, 3, 4}, filter, fq);
  const int32_t tb = bias_data ? m.Constant(DType::kInt32, {static_cast<int32_t>(bias_data->size())}, *bias_data) : -1;
  const int32_t to = m.Activation(in_t, out_shape, PerTensor(0.1f, 0));
  Node node = m.MakeNode(OpType::kConv2D, {ti, tf, tb}, to, Attrs(1, 1, {}));
  node.rounding = rounding;
  std::unique_ptr<Kernel> k;
  return m.Create(node, &k);
}

TEST(conv2d_rejects_bad_nodes) {
  std::vector<int32_t> bias2 = {0, 0}, bias3 = {0, 0, 0};
  const Shape good = {1, 4, 4, 2};
  CHECK(CreateSimpleConv(DType::kInt8, DType::kInt8, PerTensor(0.1f, 0), good, &bias2).ok());
  CHECK(CreateSimpleConv(DType::kInt8, DType::kInt8, PerChannel({0.1f, 0.2f}, 0), good, nullptr).ok());
  // Output shape that the window does not give.
  CHECK(CreateSimpleConv(DType::kInt8, DType::kInt8, PerTensor(0.1f, 0), {1, 6, 6, 2}, &bias2).code() ==
        StatusCode::kModelFormat);
  // Bias of the wrong size.
  CHECK(CreateSimpleConv(DType::kInt8, DType::kInt8, PerTensor(0.1f, 0), good, &bias3).code() ==
        StatusCode::kModelFormat);
  // Mixed dtypes (TFLite has none), asymmetric int8 weights, per-channel
  // along the wrong axis: valid models we do not run.
  CHECK(CreateSimpleConv(DType::kUInt8, DType::kInt8, PerTensor(0.1f, 0), good, &bias2).code() ==
        StatusCode::kUnsupportedOp);
  CHECK(CreateSimpleConv(DType::kInt8, DType::kInt8, PerTensor(0.1f, 3), good, &bias2).code() ==
        StatusCode::kUnsupportedOp);
  CHECK(CreateSimpleConv(DType::kInt8, DType::kInt8, PerChannel({0.1f, 0.2f}, 3), good, &bias2).code() ==
        StatusCode::kUnsupportedOp);
  // ONNX (half-even): mixed dtypes and asymmetric weights run; zero points
  // that differ per channel do not.
  CHECK(CreateSimpleConv(DType::kUInt8, DType::kInt8, PerTensor(0.1f, 3), good, &bias2, Rounding::kHalfEven).ok());
  CHECK(CreateSimpleConv(DType::kInt8, DType::kUInt8, PerTensor(0.1f, 3), good, &bias2, Rounding::kHalfEven).ok());
  Quantization mixed_zp = PerChannel({0.1f, 0.2f}, 0);
  mixed_zp.zero_point = {0, 1};
  CHECK(CreateSimpleConv(DType::kUInt8, DType::kInt8, mixed_zp, good, &bias2, Rounding::kHalfEven).code() ==
        StatusCode::kUnsupportedOp);
  // Per-channel scale count that does not match the output channels; zero scale.
  CHECK(CreateSimpleConv(DType::kInt8, DType::kInt8, PerChannel({0.1f, 0.2f, 0.3f}, 0), good, &bias2).code() ==
        StatusCode::kModelFormat);
  CHECK(CreateSimpleConv(DType::kInt8, DType::kInt8, PerTensor(0.f, 0), good, &bias2).code() ==
        StatusCode::kModelFormat);
  const Status s = CreateSimpleConv(DType::kInt8, DType::kInt8, PerTensor(0.1f, 0), {1, 6, 6, 2}, &bias2);
  CHECK(s.message().find("CONV_2D") != std::string::npos);
}

}  // namespace
}  // namespace edgeinfer
