// QUANTIZE float -> int8/uint8 with ONNX's rounding (half to even), eight
// floats per step: x / scale (an exact IEEE division, as the scalar path),
// clamped to the range less the zero point (the bounds are integers, so
// clamping before rounding equals clamping after), NaN to 0 as the
// reference does, cvtps2dq's round-half-even, plus the zero point.
// Bit-identical to AffineQuantize with round_half_even.
#include <immintrin.h>

#include <cstdint>
#include <limits>

#include "ops/quantize/quantize.h"

namespace edgeinfer {
namespace {

template <typename T>
void QuantizeHalfEven(const AffineQuantizeParams& p, const float* input, int64_t size, T* output) {
  constexpr int32_t kMin = std::numeric_limits<T>::min(), kMax = std::numeric_limits<T>::max();
  const __m256 scale = _mm256_set1_ps(p.scale);
  const __m256 lo = _mm256_set1_ps(static_cast<float>(kMin - p.zero_point));
  const __m256 hi = _mm256_set1_ps(static_cast<float>(kMax - p.zero_point));
  const __m256i zp = _mm256_set1_epi32(p.zero_point);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  auto convert = [&](const float* x) {
    __m256 v = _mm256_div_ps(_mm256_loadu_ps(x), scale);
    v = _mm256_blendv_ps(v, _mm256_setzero_ps(), _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);
    return _mm256_add_epi32(_mm256_cvtps_epi32(v), zp);
  };
  int64_t i = 0;
  for (; i + 32 <= size; i += 32) {
    const __m256i ab = _mm256_packs_epi32(convert(input + i), convert(input + i + 8));
    const __m256i cd = _mm256_packs_epi32(convert(input + i + 16), convert(input + i + 24));
    __m256i bytes = std::is_signed_v<T> ? _mm256_packs_epi16(ab, cd) : _mm256_packus_epi16(ab, cd);
    bytes = _mm256_permutevar8x32_epi32(bytes, order);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(output + i), bytes);
  }
  if (i < size) AffineQuantize(p, input + i, size - i, output + i);
}

}  // namespace

void AffineQuantizeHalfEvenAvx2(const AffineQuantizeParams& p, const float* input, int64_t size, int8_t* output) {
  QuantizeHalfEven(p, input, size, output);
}
void AffineQuantizeHalfEvenAvx2(const AffineQuantizeParams& p, const float* input, int64_t size, uint8_t* output) {
  QuantizeHalfEven(p, input, size, output);
}

}  // namespace edgeinfer
