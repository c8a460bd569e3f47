// DEPTHWISE_CONV_2D: expected outputs are TFLite's reference arithmetic
// worked out independently of this code, plus a cross-check against
// CONV_2D, of which a depthwise convolution is the grouped case (one group
// per input channel).
#include "ops/depthwise_conv2d/depthwise_conv2d.h"

#include <cstdint>
#include <random>
#include <vector>

#include "edgeinfer/kernel.h"
#include "kernels/cpu_features.h"
#include "ops/conv2d/test_graph.h"
#include "test/check.h"

namespace edgeinfer {
namespace {

using testing::OneNodeGraph;
using testing::PerChannel;
using testing::PerTensor;

ConvAttrs Attrs(int32_t stride, Padding2D pad, int32_t depth_multiplier, int32_t dilation = 1,
                Activation act = Activation::kNone) {
  ConvAttrs a;
  a.stride_h = a.stride_w = stride;
  a.dilation_h = a.dilation_w = dilation;
  a.pad = pad;
  a.depth_multiplier = depth_multiplier;
  a.activation = act;
  return a;
}

template <typename T>
void ExpectEqual(const std::vector<T>& got, const std::vector<int>& want) {
  CHECK_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size() && i < want.size(); ++i) CHECK_EQ(static_cast<int>(got[i]), want[i]);
}

// A 3x3 all-ones window over all-ones input, SAME padding: each output
// counts the taps inside the image (4 at corners, 6 on edges, 9 inside).
TEST(depthwise_counts_taps_inside_the_image) {
  OneNodeGraph m;
  std::vector<uint8_t> in(16, 1), filter(9, 1), out(16);
  const int32_t ti = m.Activation(DType::kUInt8, {1, 4, 4, 1}, PerTensor(1.f, 0));
  const int32_t tf = m.Constant(DType::kUInt8, {1, 3, 3, 1}, filter, PerTensor(1.f, 0));
  const int32_t to = m.Activation(DType::kUInt8, {1, 4, 4, 1}, PerTensor(1.f, 0));
  m.Bind(ti, in.data());
  m.Bind(to, out.data());
  std::unique_ptr<Kernel> k;
  const Status s = m.Create(m.MakeNode(OpType::kDepthwiseConv2D, {ti, tf, -1}, to, Attrs(1, {1, 1, 1, 1}, 1)), &k);
  CHECK(s.ok());
  if (!s.ok()) return;
  m.Run(*k);
  ExpectEqual(out, {4, 6, 6, 4, 6, 9, 9, 6, 6, 9, 9, 6, 4, 6, 6, 4});
}

// uint8, depth multiplier 2, 3x3 SAME, nonzero filter zero point.
TEST(depthwise_uint8_depth_multiplier_2) {
  OneNodeGraph m;
  std::vector<uint8_t> in = {231, 238, 231, 97, 94,  243, 95,  48, 228, 155, 72,  46,  21,  202, 231, 80,
                             7,   32,  30,  18, 97,  123, 15,  237, 167, 225, 100, 119, 150, 255, 2,   43};
  std::vector<uint8_t> filter = {234, 142, 208, 42,  130, 161, 117, 147, 15,  35,  55,  205,
                                 55,  148, 197, 34,  8,   0,   109, 107, 26,  240, 192, 203,
                                 214, 37,  101, 138, 172, 44,  159, 170, 7,   209, 60,  68};
  std::vector<int32_t> bias = {-991, 895, -1587, -1956};
  std::vector<uint8_t> out(64);
  const int32_t ti = m.Activation(DType::kUInt8, {1, 4, 4, 2}, PerTensor(0.03f, 117));
  const int32_t tf = m.Constant(DType::kUInt8, {1, 3, 3, 4}, filter, PerTensor(0.007f, 140));
  const int32_t tb = m.Constant(DType::kInt32, {4}, bias);
  const int32_t to = m.Activation(DType::kUInt8, {1, 4, 4, 4}, PerTensor(0.09f, 121));
  m.Bind(ti, in.data());
  m.Bind(to, out.data());
  std::unique_ptr<Kernel> k;
  const Status s = m.Create(m.MakeNode(OpType::kDepthwiseConv2D, {ti, tf, tb}, to, Attrs(1, {1, 1, 1, 1}, 2)), &k);
  CHECK(s.ok());
  if (!s.ok()) return;
  m.Run(*k);
  ExpectEqual(out, {76,  80,  121, 119, 113, 51,  128, 87,  59,  178, 114, 114, 122, 127, 130, 88,
                    79,  65,  118, 113, 146, 172, 135, 109, 174, 194, 88,  99,  87,  111, 160, 77,
                    195, 141, 128, 106, 223, 164, 71,  125, 164, 50,  130, 192, 127, 179, 109, 80,
                    136, 119, 134, 92,  89,  137, 139, 129, 154, 109, 59,  135, 146, 156, 136, 89});
}

// int8 per-channel (axis 3), stride 2, dilation 2, fused RELU_N1_TO_1: the
// clamp is [q(-1), q(1)] = [-120, 80] at scale 0.01, zero point -20.
TEST(depthwise_int8_per_channel_stride2_dilation2_relu_n1_to_1) {
  OneNodeGraph m;
  std::vector<int8_t> in = {
      -98, 110,  121,  -38,  -32,  101,  -31, -61, 86,  68,   -69,  74,  87,   -20,  -128, 10,  27,   -118,
      -21, -33,  73,   -77,  -107, -54,  -19, 98,  4,   -124, 40,   23,  69,   -91,  -90,  -82, -22,  -4,
      -121, 60,  62,   104,  -63,  119,  -59, 69,  -35, -50,  31,   -12, -1,   -31,  -47,  -28, 70,   119,
      -88, 87,   -104, -75,  -73,  -109, 2,   -6,  72,  3,    87,   123, 22,   -39,  -93,  -64, -12,  117,
      -91, 15,   -20,  -24,  -120, -93,  9,   82,  100, -1,   -98,  -105, -38, 16,   60,   -61, -81, 57,
      -58, 102,  41,   -57,  -111, -119, 115, 55,  31,  -111, -118, -90, 118,  -94,  31,   35,  -59,  -91,
      -90, 103,  60,   -106, -62,  46,   52,  -85, 114, -89,  85,   -113, 127, -121, 67,   66,  -122, -92,
      -87, -82,  -69,  3,    85,   41,   70,  106, 97,  108,  -86,  -113, 30,  -84,  118,  -117, -11, -71,
      126, 120,  2};
  std::vector<int8_t> filter = {102, -125, -33, -50, -91, 46, 29,  -76, 5,   -84, 65, 104, -40, 41,
                                111, -14,  0,   101, -66, -44, -24, 43, -63, -77, 35, -17, 78};
  std::vector<int32_t> bias = {-1360, -1246, 149};
  std::vector<int8_t> out(48);
  const int32_t ti = m.Activation(DType::kInt8, {1, 7, 7, 3}, PerTensor(0.05f, 9));
  const int32_t tf = m.Constant(DType::kInt8, {1, 3, 3, 3}, filter, PerChannel({0.004f, 0.009f, 0.0125f}, 3));
  const int32_t tb = m.Constant(DType::kInt32, {3}, bias);
  const int32_t to = m.Activation(DType::kInt8, {1, 4, 4, 3}, PerTensor(0.01f, -20));
  m.Bind(ti, in.data());
  m.Bind(to, out.data());
  std::unique_ptr<Kernel> k;
  const Status s = m.Create(m.MakeNode(OpType::kDepthwiseConv2D, {ti, tf, tb}, to,
                                       Attrs(2, {2, 2, 2, 2}, 1, 2, Activation::kReluN1To1)),
                            &k);
  CHECK(s.ok());
  if (!s.ok()) return;
  m.Run(*k);
  ExpectEqual(out, {-16,  -29, 80,   80,  25,   80,  -109, -120, 80,  -32,  -120, -120, 6,   -120, -120, 48,
                    -120, -120, 80,  80,  -120, 80,  80,   20,   32,  12,   80,   65,   -120, 80,  42,   80,
                    -120, -120, -120, 80, 21,   -120, 80,  80,   -120, 80,  -120, -120, 80,   -69, 20,   80});
}

TEST(depthwise_float) {
  OneNodeGraph m;
  std::vector<float> in = {1, -2, 3, -4};          // 1x2x2x1
  std::vector<float> filter = {0.5f, 2.f, 1.f, -1.f};  // 1x1x2x2: M = 2, a 1x2 window
  std::vector<float> bias = {0.25f, -0.25f};
  std::vector<float> out(4);
  const int32_t ti = m.Activation(DType::kFloat32, {1, 2, 2, 1});
  const int32_t tf = m.Constant(DType::kFloat32, {1, 1, 2, 2}, filter);
  const int32_t tb = m.Constant(DType::kFloat32, {2}, bias);
  const int32_t to = m.Activation(DType::kFloat32, {1, 2, 1, 2});
  m.Bind(ti, in.data());
  m.Bind(to, out.data());
  std::unique_ptr<Kernel> k;
  const Status s = m.Create(m.MakeNode(OpType::kDepthwiseConv2D, {ti, tf, tb}, to, Attrs(1, {}, 2)), &k);
  CHECK(s.ok());
  if (!s.ok()) return;
  m.Run(*k);
  CHECK(out[0] == 1 * 0.5f + -2 * 1.f + 0.25f);
  CHECK(out[1] == 1 * 2.f + -2 * -1.f - 0.25f);
  CHECK(out[2] == 3 * 0.5f + -4 * 1.f + 0.25f);
  CHECK(out[3] == 3 * 2.f + -4 * -1.f - 0.25f);
}

// Output channel c*M + m of a depthwise convolution is output channel c*M + m
// of a convolution with C groups whose filter [C*M,KH,KW,1] holds the same
// taps.
template <typename T>
void CrossCheckAgainstConv(DType dtype, bool per_channel, int32_t channels, int32_t multiplier, const ConvAttrs& attrs,
                           std::mt19937* rng) {
  const int32_t oc = channels * multiplier, kh = 3, kw = 2, h = 9, w = 8;
  const int lo = static_cast<int>(QuantizedMin(dtype)), hi = static_cast<int>(QuantizedMax(dtype));
  std::uniform_int_distribution<int> value(lo, hi), bias_value(-3000, 3000);
  std::vector<T> in(2 * h * w * channels), dw_filter(kh * kw * oc), conv_filter(kh * kw * oc);
  for (auto& v : in) v = static_cast<T>(value(*rng));
  for (auto& v : dw_filter) v = static_cast<T>(value(*rng));
  for (int c = 0; c < oc; ++c)
    for (int t = 0; t < kh * kw; ++t) conv_filter[c * kh * kw + t] = dw_filter[t * oc + c];
  std::vector<int32_t> bias(oc);
  for (auto& v : bias) v = bias_value(*rng);
  std::vector<float> scales;
  for (int c = 0; c < oc; ++c) scales.push_back(0.002f * (1 + c % 5));

  OneNodeGraph m;
  const int64_t f_zp = dtype == DType::kUInt8 ? 131 : 0;
  const int32_t ti = m.Activation(dtype, {2, h, w, channels}, PerTensor(0.05f, dtype == DType::kUInt8 ? 100 : -7));
  const int32_t tdw = m.Constant(dtype, {1, kh, kw, oc}, dw_filter,
                                 per_channel ? PerChannel(scales, 3) : PerTensor(0.003f, f_zp));
  const int32_t tconv = m.Constant(dtype, {oc, kh, kw, 1}, conv_filter,
                                   per_channel ? PerChannel(scales, 0) : PerTensor(0.003f, f_zp));
  const int32_t tb = m.Constant(DType::kInt32, {oc}, bias);
  const int32_t oh = static_cast<int32_t>(
      WindowedOutputSize(h, kh, attrs.stride_h, attrs.dilation_h, attrs.pad.top, attrs.pad.bottom));
  const int32_t ow = static_cast<int32_t>(
      WindowedOutputSize(w, kw, attrs.stride_w, attrs.dilation_w, attrs.pad.left, attrs.pad.right));
  const int32_t to = m.Activation(dtype, {2, oh, ow, oc}, PerTensor(0.08f, 3));
  std::vector<T> got(2 * oh * ow * oc), want(got.size());
  m.Bind(ti, in.data());
  std::unique_ptr<Kernel> dw, conv;
  CHECK(m.Create(m.MakeNode(OpType::kDepthwiseConv2D, {ti, tdw, tb}, to, attrs), &dw).ok());
  CHECK(m.Create(m.MakeNode(OpType::kConv2D, {ti, tconv, tb}, to, attrs), &conv).ok());
  if (!dw || !conv) return;
  m.Bind(to, got.data());
  m.Run(*dw);
  m.Bind(to, want.data());
  m.Run(*conv);
  CHECK(got == want);
}

TEST(depthwise_cross_check_against_grouped_conv) {
  std::mt19937 rng(99);
  CrossCheckAgainstConv<int8_t>(DType::kInt8, true, 5, 1, Attrs(2, {1, 0, 2, 1}, 1, 2), &rng);
  CrossCheckAgainstConv<int8_t>(DType::kInt8, true, 3, 4, Attrs(1, {1, 1, 1, 1}, 4), &rng);
  CrossCheckAgainstConv<uint8_t>(DType::kUInt8, false, 4, 3, Attrs(3, {0, 2, 1, 0}, 3, 2), &rng);
  CrossCheckAgainstConv<uint8_t>(DType::kUInt8, false, 6, 1, Attrs(1, {}, 1), &rng);
}

// One input channel with a depth multiplier runs through the GEMM kernels
// (as a convolution of a one-channel image) where the CPU has them: the
// same bytes as the reference depthwise kernel, both dtypes, per-channel
// and per-tensor weights, strides, padding and dilation.
template <typename T>
void OneChannelMultiplierMatchesReference(DType dtype, bool per_channel, int32_t multiplier, const ConvAttrs& attrs,
                                          std::mt19937* rng) {
  const int32_t kh = 3, kw = 3, h = 11, w = 10;
  const int lo = static_cast<int>(QuantizedMin(dtype)), hi = static_cast<int>(QuantizedMax(dtype));
  std::uniform_int_distribution<int> value(lo, hi), bias_value(-3000, 3000);
  std::vector<T> in(2 * h * w), filter(kh * kw * multiplier);
  for (auto& v : in) v = static_cast<T>(value(*rng));
  for (auto& v : filter) v = static_cast<T>(value(*rng) / 2);
  std::vector<int32_t> bias(multiplier);
  for (auto& v : bias) v = bias_value(*rng);
  std::vector<float> scales;
  for (int c = 0; c < multiplier; ++c) scales.push_back(0.002f * (1 + c % 5));
  OneNodeGraph m;
  const int32_t ti = m.Activation(dtype, {2, h, w, 1}, PerTensor(0.05f, dtype == DType::kUInt8 ? 100 : -7));
  const int32_t tf = m.Constant(dtype, {1, kh, kw, multiplier}, filter,
                                per_channel ? PerChannel(scales, 3) : PerTensor(0.003f, dtype == DType::kUInt8 ? 131 : 0));
  const int32_t tb = m.Constant(DType::kInt32, {multiplier}, bias);
  const int32_t oh = static_cast<int32_t>(
      WindowedOutputSize(h, kh, attrs.stride_h, attrs.dilation_h, attrs.pad.top, attrs.pad.bottom));
  const int32_t ow = static_cast<int32_t>(
      WindowedOutputSize(w, kw, attrs.stride_w, attrs.dilation_w, attrs.pad.left, attrs.pad.right));
  const int32_t to = m.Activation(dtype, {2, oh, ow, multiplier}, PerTensor(0.08f, 3));
  const Node node = m.MakeNode(OpType::kDepthwiseConv2D, {ti, tf, tb}, to, attrs);
  KernelConfig reference;
  reference.isa = kernels::Isa::kReference;
  std::unique_ptr<Kernel> best, ref;
  CHECK(CreateKernel(m.graph(), node, &best).ok());
  CHECK(CreateKernel(m.graph(), node, reference, &ref).ok());
  if (!best || !ref) return;
  std::vector<T> got(2 * oh * ow * multiplier), want(got.size());
  m.Bind(ti, in.data());
  m.Bind(to, got.data());
  m.Run(*best);
  m.Bind(to, want.data());
  m.Run(*ref);
  CHECK(got == want);
}

TEST(depthwise_one_channel_multiplier_matches_reference) {
  std::mt19937 rng(98);
  OneChannelMultiplierMatchesReference<int8_t>(DType::kInt8, true, 8, Attrs(2, {0, 0, 1, 1}, 8), &rng);
  OneChannelMultiplierMatchesReference<int8_t>(DType::kInt8, false, 3, Attrs(1, {1, 1, 1, 1}, 3, 2), &rng);
  OneChannelMultiplierMatchesReference<uint8_t>(DType::kUInt8, false, 16, Attrs(1, {1, 1, 1, 1}, 16), &rng);
  OneChannelMultiplierMatchesReference<uint8_t>(DType::kUInt8, false, 17, Attrs(3, {2, 0, 0, 2}, 17), &rng);
}

Status CreateSimpleDepthwise(Shape filter_shape, Quantization fq, int32_t depth_multiplier, Shape out_shape) {
  static const std::vector<int8_t> filter(64);
  OneNodeGraph m;
  const int32_t ti = m.Activation(DType::kInt8, {1, 5, 5, 2}, PerTensor(0.1f, 0));
  const int32_t tf = m.Constant(DType::kInt8, filter_shape, filter, fq);
  const int32_t to = m.Activation(DType::kInt8, out_shape, PerTensor(0.1f, 0));
  std::unique_ptr<Kernel> k;
  return m.Create(m.MakeNode(OpType::kDepthwiseConv2D, {ti, tf}, to, Attrs(1, {}, depth_multiplier)), &k);
}

TEST(depthwise_rejects_bad_nodes) {
  CHECK(CreateSimpleDepthwise({1, 3, 3, 4}, PerChannel({1, 1, 1, 1}, 3), 2, {1, 3, 3, 4}).ok());
  // The model left the redundant depth_multiplier out.
  CHECK(CreateSimpleDepthwise({1, 3, 3, 4}, PerTensor(0.1f, 0), 0, {1, 3, 3, 4}).ok());
  CHECK(CreateSimpleDepthwise({1, 3, 3, 4}, PerTensor(0.1f, 0), 3, {1, 3, 3, 4}).code() == StatusCode::kModelFormat);
  CHECK(CreateSimpleDepthwise({1, 3, 3, 3}, PerTensor(0.1f, 0), 1, {1, 3, 3, 3}).code() == StatusCode::kModelFormat);
  CHECK(CreateSimpleDepthwise({2, 3, 3, 2}, PerTensor(0.1f, 0), 1, {1, 3, 3, 2}).code() == StatusCode::kModelFormat);
  CHECK(CreateSimpleDepthwise({1, 3, 3, 4}, PerTensor(0.1f, 0), 2, {1, 5, 5, 4}).code() == StatusCode::kModelFormat);
  CHECK(CreateSimpleDepthwise({1, 3, 3, 4}, PerChannel({1, 1, 1, 1}, 0), 2, {1, 3, 3, 4}).code() ==
        StatusCode::kUnsupportedOp);
  CHECK(CreateSimpleDepthwise({1, 3, 3, 4}, PerTensor(0.1f, 5), 2, {1, 3, 3, 4}).code() == StatusCode::kUnsupportedOp);
}

}  // namespace
}  // namespace edgeinfer
