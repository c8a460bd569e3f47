// ADD on same-shape operands, 32 elements per step, bit-identical to the
// scalar kernels:
// - ONNX (OnnxAddElement), with the same fused multiply-adds:
//   t = fma(a, ratio1, fma(b, ratio2, fixed)), cvtps2dq (half to even, and
//   INT32_MIN for anything out of range, as the scalar path emulates), then
//   saturating packs, which clamp exactly as the scalar min/max does.
// - TFLite (QuantizedAddElement): each operand offset and shifted left by 20
//   in int32, rescaled by MultiplyByQuantizedMultiplier's double rounding
//   (requant-avx2.h, with a clamp that cannot bind), the sum rescaled,
//   clamped to the activation range and offset the same way.
#include <immintrin.h>

#include <cstdint>
#include <limits>
#include <type_traits>

#include "kernels/requant-avx2.h"
#include "ops/add/add.h"

namespace edgeinfer {
namespace {

template <typename T>
__m256 Load8(const T* p) {
  const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
  const __m256i wide = std::is_signed_v<T> ? _mm256_cvtepi8_epi32(bytes) : _mm256_cvtepu8_epi32(bytes);
  return _mm256_cvtepi32_ps(wide);
}

template <typename T>
void AddSameShape(const OnnxAddParams& p, const T* a, const T* b, int64_t n, T* out) {
  const __m256 r1 = _mm256_set1_ps(p.ratio1), r2 = _mm256_set1_ps(p.ratio2), fixed = _mm256_set1_ps(p.fixed);
  auto sum = [&](int64_t i) {
    return _mm256_cvtps_epi32(_mm256_fmadd_ps(Load8(a + i), r1, _mm256_fmadd_ps(Load8(b + i), r2, fixed)));
  };
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) kernels::avx2::Store32(sum(i), sum(i + 8), sum(i + 16), sum(i + 24), out + i);
  for (; i < n; ++i) out[i] = static_cast<T>(OnnxAddElement(p, a[i], b[i]));
}

template <typename T>
void AddTfliteSameShape(const QuantizedAddParams& p, const T* a, const T* b, int64_t n, T* out) {
  using kernels::avx2::PerTensorDoubleRounding;
  using kernels::avx2::RequantizeDoubleRounding;
  using kernels::avx2::Widen8To32;
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min(), kMax = std::numeric_limits<int32_t>::max();
  const kernels::avx2::Channels8 in1 = PerTensorDoubleRounding(p.input1_multiplier, p.input1_shift, kMin, kMax, 0);
  const kernels::avx2::Channels8 in2 = PerTensorDoubleRounding(p.input2_multiplier, p.input2_shift, kMin, kMax, 0);
  const kernels::avx2::Channels8 res = PerTensorDoubleRounding(
      p.output_multiplier, p.output_shift, p.act_min - p.output_offset, p.act_max - p.output_offset, p.output_offset);
  const __m256i off1 = _mm256_set1_epi32(p.input1_offset), off2 = _mm256_set1_epi32(p.input2_offset);
  const __m128i left = _mm_cvtsi32_si128(p.left_shift);
  auto sum = [&](int64_t i) {
    const __m256i x1 = _mm256_sll_epi32(_mm256_add_epi32(Widen8To32(a + i), off1), left);
    const __m256i x2 = _mm256_sll_epi32(_mm256_add_epi32(Widen8To32(b + i), off2), left);
    const __m256i raw = _mm256_add_epi32(RequantizeDoubleRounding(x1, in1), RequantizeDoubleRounding(x2, in2));
    return RequantizeDoubleRounding(raw, res);
  };
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) kernels::avx2::Store32(sum(i), sum(i + 8), sum(i + 16), sum(i + 24), out + i);
  for (; i < n; ++i) out[i] = static_cast<T>(QuantizedAddElement(p, a[i], b[i]));
}

}  // namespace

void AddTfliteSameShapeAvx2(const QuantizedAddParams& p, const int8_t* a, const int8_t* b, int64_t n, int8_t* out) {
  AddTfliteSameShape(p, a, b, n, out);
}
void AddTfliteSameShapeAvx2(const QuantizedAddParams& p, const uint8_t* a, const uint8_t* b, int64_t n,
                            uint8_t* out) {
  AddTfliteSameShape(p, a, b, n, out);
}

void AddOnnxSameShapeAvx2(const OnnxAddParams& p, const int8_t* a, const int8_t* b, int64_t n, int8_t* out) {
  AddSameShape(p, a, b, n, out);
}
void AddOnnxSameShapeAvx2(const OnnxAddParams& p, const uint8_t* a, const uint8_t* b, int64_t n, uint8_t* out) {
  AddSameShape(p, a, b, n, out);
}

}  // namespace edgeinfer
