// QUANTIZE references, as TFLite's quantize.cc runs them:
//  - float -> int8/uint8/int16 (AffineQuantize): q = round(x / scale) + zero_point, clamped;
//  - int8/uint8/int16 -> int8/uint8/int16 (Requantize): q_out = (q_in - zp_in) * M + zp_out,
//    with M = scale_in / scale_out as a fixed-point multiplier (double rounding), clamped.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "ops/common/quantization.h"

namespace edgeinfer {

struct AffineQuantizeParams {
  float scale;
  int32_t zero_point;
  // TFLite rounds half away from zero; ONNX's QuantizeLinear half to even.
  bool round_half_even;
};

struct RequantizeParams {
  int32_t multiplier;
  int shift;
  int32_t input_zero_point;
  int32_t output_zero_point;
};

// x / scale, rounded to an integer. Out-of-range values saturate and NaN gives
// 0 (TFLite's cast there is undefined; this is what it does on ARM).
inline int64_t RoundQuotient(float x, float scale, bool half_even) {
  const float q = x / scale;
  const float r = half_even ? std::nearbyint(q) : std::round(q);
  if (std::isnan(r)) return 0;
  if (r >= 2147483648.f) return std::numeric_limits<int32_t>::max();
  if (r <= -2147483648.f) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(r);
}

template <typename T>
void AffineQuantize(const AffineQuantizeParams& p, const float* input, int64_t size, T* output) {
  constexpr int64_t kMin = std::numeric_limits<T>::min(), kMax = std::numeric_limits<T>::max();
  for (int64_t i = 0; i < size; ++i) {
    const int64_t q = RoundQuotient(input[i], p.scale, p.round_half_even) + p.zero_point;
    output[i] = static_cast<T>(std::min(kMax, std::max(kMin, q)));
  }
}

#if defined(__x86_64__) || defined(_M_X64)
// quantize-avx2.cc: AffineQuantize (either rounding), bit-identical;
// callable only when kernels::BestIsa() allows AVX2.
void AffineQuantizeAvx2(const AffineQuantizeParams& p, const float* input, int64_t size, int8_t* output);
void AffineQuantizeAvx2(const AffineQuantizeParams& p, const float* input, int64_t size, uint8_t* output);
#endif

template <typename In, typename Out>
void Requantize(const RequantizeParams& p, const In* input, int64_t size, Out* output) {
  constexpr int32_t kMin = std::numeric_limits<Out>::min(), kMax = std::numeric_limits<Out>::max();
  for (int64_t i = 0; i < size; ++i) {
    const int32_t q =
        MultiplyByQuantizedMultiplier(input[i] - p.input_zero_point, p.multiplier, p.shift) + p.output_zero_point;
    output[i] = static_cast<Out>(std::min(kMax, std::max(kMin, q)));
  }
}

#if defined(__x86_64__) || defined(_M_X64)
// quantize-avx2.cc: Requantize between 8-bit types, bit-identical, for
// shifts in [-31, 30]; callable only when kernels::BestIsa() allows AVX2.
void RequantizeAvx2(const RequantizeParams& p, const int8_t* input, int64_t size, int8_t* output);
void RequantizeAvx2(const RequantizeParams& p, const int8_t* input, int64_t size, uint8_t* output);
void RequantizeAvx2(const RequantizeParams& p, const uint8_t* input, int64_t size, int8_t* output);
void RequantizeAvx2(const RequantizeParams& p, const uint8_t* input, int64_t size, uint8_t* output);
#endif

}  // namespace edgeinfer
