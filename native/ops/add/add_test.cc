#include <cmath>
#include <vector>

#include "ops/reshape/op_test_util.h"
#include "test/check.h"

namespace edgeinfer {
namespace {

using testing::OpTest;

TEST(AddInt8HalfRoundsAwayFromZero) {
  // 0.5*3 + 0.5*4 = 3.5 and -3.5 on an output scale of 1: TFLite's rounding
  // goes away from zero.
  OpTest t;
  const int32_t a = t.AddTensor(DType::kInt8, {4}, 0.5f, 0);
  const int32_t b = t.AddTensor(DType::kInt8, {4}, 0.5f, 0);
  const int32_t o = t.AddTensor(DType::kInt8, {4}, 1.0f, 0);
  t.SetNode(OpType::kAdd, {a, b}, {o}, ElementwiseAttrs{});
  t.Set<int8_t>(a, {3, -3, 2, 0});
  t.Set<int8_t>(b, {4, -4, 2, 1});
  CHECK(t.Prepare().ok());
  t.Run();
  CHECK(t.Get<int8_t>(o) == std::vector<int8_t>({4, -4, 2, 1}));
}

TEST(AddUInt8Broadcast) {
  // [2,1,3] + [2,1] -> [2,2,3]; zero points shift the values, scale 1 keeps them exact.
  OpTest t;
  const int32_t a = t.AddTensor(DType::kUInt8, {2, 1, 3}, 1.0f, 10);
  const int32_t b = t.AddTensor(DType::kUInt8, {2, 1}, 1.0f, 100);
  const int32_t o = t.AddTensor(DType::kUInt8, {2, 2, 3}, 1.0f, 50);
  t.SetNode(OpType::kAdd, {a, b}, {o}, ElementwiseAttrs{});
  t.Set<uint8_t>(a, {10, 11, 12, 20, 21, 22});
  t.Set<uint8_t>(b, {100, 105});
  CHECK(t.Prepare().ok());
  t.Run();
  CHECK(t.Get<uint8_t>(o) == std::vector<uint8_t>({50, 51, 52, 55, 56, 57, 60, 61, 62, 65, 66, 67}));
}

TEST(AddInt8Relu6AndExtremeZeroPoints) {
  OpTest t;
  const int32_t a = t.AddTensor(DType::kInt8, {1, 1, 1, 4}, 0.25f, -128);
  const int32_t b = t.AddTensor(DType::kInt8, {1}, 0.25f, 127);
  const int32_t o = t.AddTensor(DType::kInt8, {1, 1, 1, 4}, 0.125f, -128);
  t.SetNode(OpType::kAdd, {a, b}, {o}, ElementwiseAttrs{Activation::kRelu6});
  // b = -1.0 (real); a = 0, 1, 8, 0.25*255.
  t.Set<int8_t>(a, {-128, -124, -96, 127});
  t.Set<int8_t>(b, {123});
  CHECK(t.Prepare().ok());
  t.Run();
  // -1 -> clamp to 0 (q -128); 0 -> -128; 7 -> 6 (q -80); 62.75 -> 6.
  CHECK(t.Get<int8_t>(o) == std::vector<int8_t>({-128, -128, -80, -80}));
}

TEST(AddInt8MatchesRealArithmeticWithinOne) {
  OpTest t;
  const float s1 = 0.0371f, s2 = 0.0123f, so = 0.0459f;
  const int32_t a = t.AddTensor(DType::kInt8, {256}, s1, -7);
  const int32_t b = t.AddTensor(DType::kInt8, {256}, s2, 33);
  const int32_t o = t.AddTensor(DType::kInt8, {256}, so, 5);
  t.SetNode(OpType::kAdd, {a, b}, {o}, ElementwiseAttrs{});
  std::vector<int8_t> va(256), vb(256);
  for (int i = 0; i < 256; ++i) {
    va[i] = static_cast<int8_t>(i - 128);
    vb[i] = static_cast<int8_t>((i * 37) % 256 - 128);
  }
  t.Set<int8_t>(a, va);
  t.Set<int8_t>(b, vb);
  CHECK(t.Prepare().ok());
  t.Run();
  const std::vector<int8_t> got = t.Get<int8_t>(o);
  for (int i = 0; i < 256; ++i) {
    const double real = s1 * (va[i] + 7) + s2 * (vb[i] - 33);
    const double q = std::min(127.0, std::max(-128.0, std::round(real / so) + 5));
    CHECK(std::abs(got[i] - q) <= 1);
  }
}

TEST(AddFloatBroadcastAndRelu) {
  OpTest t;
  const int32_t a = t.AddTensor(DType::kFloat32, {2, 2});
  const int32_t b = t.AddTensor(DType::kFloat32, {2});
  const int32_t o = t.AddTensor(DType::kFloat32, {2, 2});
  t.SetNode(OpType::kAdd, {a, b}, {o}, ElementwiseAttrs{Activation::kRelu});
  t.Set<float>(a, {1.f, 2.f, -3.f, 4.f});
  t.Set<float>(b, {0.5f, -1.f});
  CHECK(t.Prepare().ok());
  t.Run();
  CHECK(t.Get<float>(o) == std::vector<float>({1.5f, 1.f, 0.f, 3.f}));
}

TEST(AddRejectsBadNodes) {
  OpTest t;
  const int32_t a = t.AddTensor(DType::kInt8, {2, 3}, 0.5f, 0);
  const int32_t b = t.AddTensor(DType::kInt8, {4}, 0.5f, 0);
  const int32_t o = t.AddTensor(DType::kInt8, {2, 3}, 0.5f, 0);
  const int32_t f = t.AddTensor(DType::kFloat32, {2, 3});
  const int32_t i16 = t.AddTensor(DType::kInt16, {2, 3}, 0.5f, 0);
  const int32_t per_channel = t.AddTensor(DType::kInt8, {2, 3}, 0.5f, 0);
  t.graph.tensors[per_channel].quant.scale = {0.5f, 0.25f};
  t.graph.tensors[per_channel].quant.zero_point = {0, 0};
  const int32_t tiny = t.AddTensor(DType::kInt8, {2, 3}, 1e-9f, 0);
  t.SetNode(OpType::kAdd, {a, b}, {o}, ElementwiseAttrs{});
  CHECK(t.Prepare().code() == StatusCode::kModelFormat);
  t.SetNode(OpType::kAdd, {a, f}, {o}, ElementwiseAttrs{});
  CHECK(t.Prepare().code() == StatusCode::kModelFormat);
  t.SetNode(OpType::kAdd, {i16, i16}, {i16}, ElementwiseAttrs{});
  CHECK(t.Prepare().code() == StatusCode::kUnsupportedOp);
  t.SetNode(OpType::kAdd, {a, per_channel}, {o}, ElementwiseAttrs{});
  CHECK(t.Prepare().code() == StatusCode::kUnsupportedOp);
  t.SetNode(OpType::kAdd, {a, a}, {tiny}, ElementwiseAttrs{});
  CHECK(t.Prepare().code() == StatusCode::kUnsupportedOp);
  t.SetNode(OpType::kAdd, {a}, {o}, ElementwiseAttrs{});
  CHECK(t.Prepare().code() == StatusCode::kModelFormat);
  t.SetNode(OpType::kAdd, {a, a}, {o}, ElementwiseAttrs{});
  CHECK(t.Prepare().ok());
}

}  // namespace
}  // namespace edgeinfer

#include <cstdio>
#include <random>

#include "kernels/cpu_features.h"
#include "ops/add/add.h"

namespace edgeinfer {
namespace {

// The AVX2 ONNX ADD against the scalar formula, bit for bit, over random
// scales (ratios above and below 1, outputs that saturate), zero points at
// the extremes and every tail length.
TEST(AddOnnxAvx2MatchesReference) {
#if defined(__x86_64__) || defined(_M_X64)
  if (!kernels::CpuSupports(kernels::Isa::kAvx2)) {
    std::printf("  skipped: this CPU has no AVX2\n");
    return;
  }
  std::mt19937 rng(11);
  for (int trial = 0; trial < 60; ++trial) {
    OnnxAddParams p;
    const float sa = std::ldexp(1.f + (rng() % 997) / 997.f, -(int)(rng() % 9));
    const float sb = std::ldexp(1.f + (rng() % 991) / 991.f, -(int)(rng() % 9));
    const float sc = std::ldexp(1.f + (rng() % 983) / 983.f, -(int)(rng() % 9));
    p.ratio1 = sa / sc;
    p.ratio2 = sb / sc;
    const bool is_signed = trial % 2 == 0;
    const float za = static_cast<float>(is_signed ? static_cast<int>(rng() % 256) - 128 : static_cast<int>(rng() % 256));
    const float zb = static_cast<float>(is_signed ? static_cast<int>(rng() % 256) - 128 : static_cast<int>(rng() % 256));
    const float zc = static_cast<float>(is_signed ? static_cast<int>(rng() % 256) - 128 : static_cast<int>(rng() % 256));
    p.fixed = zc - std::fma(p.ratio1, za, p.ratio2 * zb);
    p.qmin = is_signed ? -128 : 0;
    p.qmax = is_signed ? 127 : 255;
    const int64_t n = 1 + rng() % 150;
    p.size = n;
    if (is_signed) {
      std::vector<int8_t> a(n), b(n), want(n), got(n);
      for (int64_t i = 0; i < n; ++i) a[i] = static_cast<int8_t>(rng()), b[i] = static_cast<int8_t>(rng());
      for (int64_t i = 0; i < n; ++i) want[i] = static_cast<int8_t>(OnnxAddElement(p, a[i], b[i]));
      AddOnnxSameShapeAvx2(p, a.data(), b.data(), n, got.data());
      CHECK(want == got);
    } else {
      std::vector<uint8_t> a(n), b(n), want(n), got(n);
      for (int64_t i = 0; i < n; ++i) a[i] = static_cast<uint8_t>(rng()), b[i] = static_cast<uint8_t>(rng());
      for (int64_t i = 0; i < n; ++i) want[i] = static_cast<uint8_t>(OnnxAddElement(p, a[i], b[i]));
      AddOnnxSameShapeAvx2(p, a.data(), b.data(), n, got.data());
      CHECK(want == got);
    }
  }
#else
  std::printf("  skipped: not an x86-64 build\n");
#endif
}

#if defined(__x86_64__) || defined(_M_X64)
// A vector TFLite ADD (fn, for int8 and uint8) against QuantizedAddElement,
// bit for bit: random scales (one input's up to 2^8 times the other's,
// outputs that saturate), zero points anywhere, fused ReLU-like ranges,
// every tail length.
template <class Fn>
void CheckTfliteAdd(Fn fn) {
  std::mt19937 rng(12);
  for (int trial = 0; trial < 80; ++trial) {
    const double sa = std::ldexp(1.0 + (rng() % 997) / 997.0, -(int)(rng() % 9));
    const double sb = std::ldexp(1.0 + (rng() % 991) / 991.0, -(int)(rng() % 9));
    const double sc = std::ldexp(1.0 + (rng() % 983) / 983.0, -(int)(rng() % 6));
    const double twice_max = 2 * std::max(sa, sb);
    QuantizedAddParams p;
    QuantizeMultiplier(sa / twice_max, &p.input1_multiplier, &p.input1_shift);
    QuantizeMultiplier(sb / twice_max, &p.input2_multiplier, &p.input2_shift);
    QuantizeMultiplier(twice_max / ((1 << p.left_shift) * sc), &p.output_multiplier, &p.output_shift);
    const bool is_signed = trial % 2 == 0;
    const int lo = is_signed ? -128 : 0;
    p.input1_offset = -(lo + static_cast<int>(rng() % 256));
    p.input2_offset = -(lo + static_cast<int>(rng() % 256));
    p.output_offset = lo + static_cast<int>(rng() % 256);
    p.act_min = trial % 3 == 0 ? std::max(lo, p.output_offset) : lo;
    p.act_max = trial % 5 == 0 ? std::min(lo + 255, p.output_offset + 40) : lo + 255;
    if (p.act_max < p.act_min) p.act_max = p.act_min;
    const int64_t n = 1 + rng() % 150;
    p.size = n;
    if (is_signed) {
      std::vector<int8_t> a(n), b(n), want(n), got(n);
      for (int64_t i = 0; i < n; ++i) a[i] = static_cast<int8_t>(rng()), b[i] = static_cast<int8_t>(rng());
      for (int64_t i = 0; i < n; ++i) want[i] = static_cast<int8_t>(QuantizedAddElement(p, a[i], b[i]));
      fn(p, a.data(), b.data(), n, got.data());
      CHECK(want == got);
    } else {
      std::vector<uint8_t> a(n), b(n), want(n), got(n);
      for (int64_t i = 0; i < n; ++i) a[i] = static_cast<uint8_t>(rng()), b[i] = static_cast<uint8_t>(rng());
      for (int64_t i = 0; i < n; ++i) want[i] = static_cast<uint8_t>(QuantizedAddElement(p, a[i], b[i]));
      fn(p, a.data(), b.data(), n, got.data());
      CHECK(want == got);
    }
  }
}
#endif

TEST(AddTfliteAvx2MatchesReference) {
#if defined(__x86_64__) || defined(_M_X64)
  if (!kernels::CpuSupports(kernels::Isa::kAvx2)) {
    std::printf("  skipped: this CPU has no AVX2\n");
    return;
  }
  CheckTfliteAdd([](const QuantizedAddParams& p, auto* a, auto* b, int64_t n, auto* out) {
    AddTfliteSameShapeAvx2(p, a, b, n, out);
  });
#else
  std::printf("  skipped: not an x86-64 build\n");
#endif
}

TEST(AddTfliteAvx512MatchesReference) {
#if defined(__x86_64__) || defined(_M_X64)
  if (!kernels::CpuSupports(kernels::Isa::kAvx512Vnni)) {
    std::printf("  skipped: this CPU has no AVX-512 VNNI\n");
    return;
  }
  CheckTfliteAdd([](const QuantizedAddParams& p, auto* a, auto* b, int64_t n, auto* out) {
    AddTfliteSameShapeAvx512(p, a, b, n, out);
  });
#else
  std::printf("  skipped: not an x86-64 build\n");
#endif
}

}  // namespace
}  // namespace edgeinfer
