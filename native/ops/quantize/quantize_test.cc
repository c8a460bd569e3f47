#include <cmath>
#include <limits>

#include "ops/reshape/op_test_util.h"
#include "test/check.h"

namespace edgeinfer {
namespace {

using testing::OpTest;

template <typename Out>
std::vector<Out> QuantizeFloats(DType dtype, float scale, int64_t zero_point, const std::vector<float>& x,
                                Rounding rounding = Rounding::kTfliteFixedPoint) {
  OpTest t;
  const int32_t n = static_cast<int32_t>(x.size());
  const int32_t in = t.AddTensor(DType::kFloat32, {n});
  const int32_t out = t.AddTensor(dtype, {n}, scale, zero_point);
  t.SetNode(OpType::kQuantize, {in}, {out});
  t.node.rounding = rounding;
  t.Set<float>(in, x);
  CHECK(t.Prepare().ok());
  t.Run();
  return t.Get<Out>(out);
}

template <typename In, typename Out>
std::vector<Out> Requantize(DType in_type, float in_scale, int64_t in_zp, DType out_type, float out_scale,
                            int64_t out_zp, const std::vector<In>& q) {
  OpTest t;
  const int32_t n = static_cast<int32_t>(q.size());
  const int32_t in = t.AddTensor(in_type, {1, n}, in_scale, in_zp);
  const int32_t out = t.AddTensor(out_type, {1, n}, out_scale, out_zp);
  t.SetNode(OpType::kQuantize, {in}, {out});
  t.Set<In>(in, q);
  CHECK(t.Prepare().ok());
  t.Run();
  return t.Get<Out>(out);
}

TEST(QuantizeFloatToInt8RoundsHalfAwayFromZero) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  CHECK(QuantizeFloats<int8_t>(DType::kInt8, 0.5f, -1, {0.25f, -0.25f, 0.75f, 0.f, 1000.f, -1e30f, inf, -inf, nan}) ==
        std::vector<int8_t>({0, -2, 1, -1, 127, -128, 127, -128, -1}));
}

TEST(QuantizeFloatHalfEvenForOnnx) {
  CHECK(QuantizeFloats<int8_t>(DType::kInt8, 0.5f, -1, {0.25f, -0.25f, 0.75f}, Rounding::kHalfEven) ==
        std::vector<int8_t>({-1, -1, 1}));
}

TEST(QuantizeFloatToUInt8AndInt16) {
  // 1.0f / 0.1f is 10.000000149..., 0.05f / 0.1f exactly 0.5.
  CHECK(QuantizeFloats<uint8_t>(DType::kUInt8, 0.1f, 128, {1.0f, 0.05f, -12.8f, -12.9f, 12.75f}) ==
        std::vector<uint8_t>({138, 129, 0, 0, 255}));
  CHECK(QuantizeFloats<int16_t>(DType::kInt16, 1.f / 32768, 0, {1.f, -1.f, 0.5f}) ==
        std::vector<int16_t>({32767, -32768, 16384}));
}

TEST(RequantizeInt8UInt8ShiftsBy128) {
  CHECK((Requantize<int8_t, uint8_t>(DType::kInt8, 0.5f, 0, DType::kUInt8, 0.5f, 128, {-128, -1, 0, 127})) ==
        std::vector<uint8_t>({0, 127, 128, 255}));
  CHECK((Requantize<uint8_t, int8_t>(DType::kUInt8, 0.5f, 128, DType::kInt8, 0.5f, 0, {0, 127, 128, 255})) ==
        std::vector<int8_t>({-128, -1, 0, 127}));
}

TEST(RequantizeUsesTflitesFixedPointRounding) {
  // x * 0.5 with no right shift rounds in SaturatingRoundingDoublingHighMul alone: -0.5 to 0,
  // -1.5 to -1; x / 256 rounds again in RoundingDivideByPOT, half away from zero: -1.5 to -2.
  CHECK((Requantize<uint8_t, uint8_t>(DType::kUInt8, 0.5f, 100, DType::kUInt8, 1.f, 10,
                                      {101, 99, 103, 97, 0, 255})) == std::vector<uint8_t>({11, 10, 12, 9, 0, 88}));
  CHECK((Requantize<int8_t, int8_t>(DType::kInt8, 1.f, 0, DType::kInt8, 0.5f, 3, {-128, -3, 0, 62, 127})) ==
        std::vector<int8_t>({-128, -3, 3, 127, 127}));
  CHECK((Requantize<int16_t, int8_t>(DType::kInt16, 1.f / 256, 0, DType::kInt8, 1.f, 0, {-32768, 384, -384, 32767})) ==
        std::vector<int8_t>({-128, 2, -2, 127}));
}

TEST(QuantizeRejectsUnsupported) {
  OpTest t;
  const int32_t f = t.AddTensor(DType::kFloat32, {2});
  const int32_t i8 = t.AddTensor(DType::kInt8, {2}, 0.5f, 0);
  const int32_t i8_no_quant = t.AddTensor(DType::kInt8, {2});
  const int32_t i8_wrong_shape = t.AddTensor(DType::kInt8, {3}, 0.5f, 0);
  const int32_t i16_zp = t.AddTensor(DType::kInt16, {2}, 0.5f, 3);
  const int32_t i32 = t.AddTensor(DType::kInt32, {2}, 0.5f, 0);
  t.SetNode(OpType::kQuantize, {f}, {i8_no_quant});
  CHECK(t.Prepare().code() == StatusCode::kUnsupportedOp);
  t.SetNode(OpType::kQuantize, {i8}, {f});
  CHECK(t.Prepare().code() == StatusCode::kUnsupportedOp);
  t.SetNode(OpType::kQuantize, {f}, {i8_wrong_shape});
  CHECK(t.Prepare().code() == StatusCode::kModelFormat);
  t.SetNode(OpType::kQuantize, {f}, {i16_zp});
  CHECK(t.Prepare().code() == StatusCode::kUnsupportedOp);
  t.SetNode(OpType::kQuantize, {f}, {i32});
  CHECK(t.Prepare().code() == StatusCode::kUnsupportedOp);
  t.SetNode(OpType::kQuantize, {f}, {i8});
  CHECK(t.Prepare().ok());
}

}  // namespace
}  // namespace edgeinfer

#include <cstdio>
#include <random>
#include <vector>

#include "kernels/cpu_features.h"
#include "ops/quantize/quantize.h"

namespace edgeinfer {
namespace {

// The AVX2 path against the scalar reference, bit for bit, in both
// roundings: ties (k + 0.5 steps) and the floats either side of them,
// values near the clamp bounds, NaN, infinities, huge values, lengths that
// leave every tail size.
TEST(QuantizeAvx2MatchesReference) {
#if defined(__x86_64__) || defined(_M_X64)
  if (!kernels::CpuSupports(kernels::Isa::kAvx2)) {
    std::printf("  skipped: this CPU has no AVX2\n");
    return;
  }
  std::mt19937 rng(7);
  for (int trial = 0; trial < 40; ++trial) {
    const float scale = std::ldexp(1.0f + (rng() % 1000) / 1000.f, static_cast<int>(rng() % 12) - 8);
    const int64_t n = 1 + rng() % 200;
    std::vector<float> x(n);
    for (int64_t i = 0; i < n; ++i) {
      switch (rng() % 7) {
        case 0: x[i] = (static_cast<int>(rng() % 600) - 300 + 0.5f) * scale; break;  // exact ties
        case 4: {  // a float next to a tie
          const float tie = static_cast<int>(rng() % 600) - 300 + 0.5f;
          x[i] = std::nextafter(tie, rng() % 2 ? 1e9f : -1e9f) * scale;
          break;
        }
        case 1: x[i] = std::numeric_limits<float>::quiet_NaN(); break;
        case 2: x[i] = (rng() % 2 ? 1 : -1) * std::numeric_limits<float>::infinity(); break;
        case 3: x[i] = (rng() % 2 ? 1 : -1) * 3e38f; break;
        default: x[i] = (static_cast<float>(rng()) / 4294967296.f - 0.5f) * 400.f * scale;
      }
    }
    for (const bool half_even : {true, false}) {
      for (int32_t zp : {-128, -5, 0, 127}) {
        const AffineQuantizeParams p{scale, zp, half_even};
        std::vector<int8_t> want(n), got(n);
        AffineQuantize(p, x.data(), n, want.data());
        AffineQuantizeAvx2(p, x.data(), n, got.data());
        CHECK(want == got);
      }
      for (int32_t zp : {0, 128, 255}) {
        const AffineQuantizeParams p{scale, zp, half_even};
        std::vector<uint8_t> want(n), got(n);
        AffineQuantize(p, x.data(), n, want.data());
        AffineQuantizeAvx2(p, x.data(), n, got.data());
        CHECK(want == got);
      }
    }
  }
#else
  std::printf("  skipped: not an x86-64 build\n");
#endif
}

// The AVX2 8-bit requantization against the scalar reference, bit for bit:
// scale ratios from 2^-12 to 2^6 (left and right shifts), zero points at
// the extremes, every input value, every tail length, all four type pairs.
TEST(RequantizeAvx2MatchesReference) {
#if defined(__x86_64__) || defined(_M_X64)
  if (!kernels::CpuSupports(kernels::Isa::kAvx2)) {
    std::printf("  skipped: this CPU has no AVX2\n");
    return;
  }
  std::mt19937 rng(8);
  auto check = [&](auto in_type, auto out_type, const RequantizeParams& p, int64_t n) {
    using In = decltype(in_type);
    using Out = decltype(out_type);
    std::vector<In> x(n);
    for (int64_t i = 0; i < n; ++i) x[i] = static_cast<In>(i < 256 ? i : rng());
    std::vector<Out> want(n), got(n);
    Requantize(p, x.data(), n, want.data());
    RequantizeAvx2(p, x.data(), n, got.data());
    CHECK(want == got);
  };
  for (int trial = 0; trial < 60; ++trial) {
    RequantizeParams p;
    QuantizeMultiplier(std::ldexp(1.0 + (rng() % 1000) / 1000.0, static_cast<int>(rng() % 19) - 12), &p.multiplier,
                       &p.shift);
    const int64_t n = 256 + rng() % 100;
    const int32_t zp_s[] = {-128, -3, 0, 127}, zp_u[] = {0, 1, 128, 255};
    p.input_zero_point = zp_s[rng() % 4];
    p.output_zero_point = zp_s[rng() % 4];
    check(int8_t{}, int8_t{}, p, n);
    p.output_zero_point = zp_u[rng() % 4];
    check(int8_t{}, uint8_t{}, p, n);
    p.input_zero_point = zp_u[rng() % 4];
    check(uint8_t{}, uint8_t{}, p, n);
    p.output_zero_point = zp_s[rng() % 4];
    check(uint8_t{}, int8_t{}, p, n);
  }
#else
  std::printf("  skipped: not an x86-64 build\n");
#endif
}

}  // namespace
}  // namespace edgeinfer
