// QUANTIZE float -> int8/uint8, eight floats per step: x / scale (an
// exact IEEE division, as the scalar path), clamped to the range less the
// zero point (the bounds are integers and rounding is monotone, so clamping
// before rounding equals clamping after), NaN to 0 as the reference does,
// rounded, plus the zero point. ONNX's half to even is cvtps2dq's own
// rounding; TFLite's half away from zero (std::round) truncates and adds
// the sign where the dropped fraction is at least one half (the fraction
// is exact: the clamped value is below 2^9). Bit-identical to AffineQuantize.
#include <immintrin.h>

#include <cstdint>
#include <limits>

#include "kernels/requant-avx2.h"
#include "ops/quantize/quantize.h"

namespace edgeinfer {
namespace {

template <bool kHalfEven, typename T>
void Quantize(const AffineQuantizeParams& p, const float* input, int64_t size, T* output) {
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
    if constexpr (!kHalfEven) {
      const __m256 sign = _mm256_set1_ps(-0.0f);
      const __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
      const __m256 half_or_more = _mm256_cmp_ps(_mm256_andnot_ps(sign, _mm256_sub_ps(v, t)), _mm256_set1_ps(0.5f),
                                                _CMP_GE_OQ);
      const __m256 away = _mm256_or_ps(_mm256_and_ps(v, sign), _mm256_set1_ps(1.0f));  // copysign(1, v)
      v = _mm256_add_ps(t, _mm256_and_ps(half_or_more, away));
    }
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

// Requantize (8-bit to 8-bit): (q - zp_in) rescaled by
// MultiplyByQuantizedMultiplier's double rounding, clamped and offset, as
// the conv kernels requantize, 32 per step.
template <typename In, typename Out>
void RequantizeEight(const RequantizeParams& p, const In* input, int64_t size, Out* output) {
  constexpr int32_t kMin = std::numeric_limits<Out>::min(), kMax = std::numeric_limits<Out>::max();
  const kernels::avx2::Channels8 rescale = kernels::avx2::PerTensorDoubleRounding(
      p.multiplier, p.shift, kMin - p.output_zero_point, kMax - p.output_zero_point, p.output_zero_point);
  const __m256i zp = _mm256_set1_epi32(p.input_zero_point);
  auto convert = [&](int64_t i) {
    return kernels::avx2::RequantizeDoubleRounding(
        _mm256_sub_epi32(kernels::avx2::Widen8To32(input + i), zp), rescale);
  };
  int64_t i = 0;
  for (; i + 32 <= size; i += 32) {
    kernels::avx2::Store32(convert(i), convert(i + 8), convert(i + 16), convert(i + 24), output + i);
  }
  if (i < size) Requantize(p, input + i, size - i, output + i);
}

}  // namespace

void RequantizeAvx2(const RequantizeParams& p, const int8_t* input, int64_t size, int8_t* output) {
  RequantizeEight(p, input, size, output);
}
void RequantizeAvx2(const RequantizeParams& p, const int8_t* input, int64_t size, uint8_t* output) {
  RequantizeEight(p, input, size, output);
}
void RequantizeAvx2(const RequantizeParams& p, const uint8_t* input, int64_t size, int8_t* output) {
  RequantizeEight(p, input, size, output);
}
void RequantizeAvx2(const RequantizeParams& p, const uint8_t* input, int64_t size, uint8_t* output) {
  RequantizeEight(p, input, size, output);
}

void AffineQuantizeAvx2(const AffineQuantizeParams& p, const float* input, int64_t size, int8_t* output) {
  if (p.round_half_even) return Quantize<true>(p, input, size, output);
  Quantize<false>(p, input, size, output);
}
void AffineQuantizeAvx2(const AffineQuantizeParams& p, const float* input, int64_t size, uint8_t* output) {
  if (p.round_half_even) return Quantize<true>(p, input, size, output);
  Quantize<false>(p, input, size, output);
}

}  // namespace edgeinfer
