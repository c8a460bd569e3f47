// ONNX ADD (OnnxAddElement) on same-shape operands, eight elements per
// step with the same fused multiply-adds, so the results are bit-identical:
// t = fma(a, ratio1, fma(b, ratio2, fixed)), cvtps2dq (half to even, and
// INT32_MIN for anything out of range, as the scalar path emulates), then
// saturating packs, which clamp exactly as the scalar min/max does.
#include <immintrin.h>

#include <cstdint>
#include <type_traits>

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
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  auto sum = [&](int64_t i) {
    return _mm256_cvtps_epi32(_mm256_fmadd_ps(Load8(a + i), r1, _mm256_fmadd_ps(Load8(b + i), r2, fixed)));
  };
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i lo = _mm256_packs_epi32(sum(i), sum(i + 8));
    const __m256i hi = _mm256_packs_epi32(sum(i + 16), sum(i + 24));
    __m256i bytes = std::is_signed_v<T> ? _mm256_packs_epi16(lo, hi) : _mm256_packus_epi16(lo, hi);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), _mm256_permutevar8x32_epi32(bytes, order));
  }
  for (; i < n; ++i) out[i] = static_cast<T>(OnnxAddElement(p, a[i], b[i]));
}

}  // namespace

void AddOnnxSameShapeAvx2(const OnnxAddParams& p, const int8_t* a, const int8_t* b, int64_t n, int8_t* out) {
  AddSameShape(p, a, b, n, out);
}
void AddOnnxSameShapeAvx2(const OnnxAddParams& p, const uint8_t* a, const uint8_t* b, int64_t n, uint8_t* out) {
  AddSameShape(p, a, b, n, out);
}

}  // namespace edgeinfer
