// TFLite ADD (QuantizedAddElement) on same-shape operands, 16 elements per
// vector: add-avx2.cc's arithmetic on zmm (requant-avx512.h's double
// rounding, each step the scalar one lane for lane), bit-identical.
#include <immintrin.h>

#include <cstdint>
#include <limits>
#include <type_traits>

#include "kernels/requant-avx512.h"
#include "ops/add/add.h"

namespace edgeinfer {
namespace {

template <typename T>
inline __m512i Widen16(const T* p) {
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return std::is_signed_v<T> ? _mm512_cvtepi8_epi32(bytes) : _mm512_cvtepu8_epi32(bytes);
}

template <typename T>
void AddTfliteSameShape(const QuantizedAddParams& p, const T* a, const T* b, int64_t n, T* out) {
  using kernels::avx512::PerTensorDoubleRounding;
  using kernels::avx512::Requantize16;
  constexpr auto kDouble = kernels::RequantMode::kDoubleRounding;
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min(), kMax = std::numeric_limits<int32_t>::max();
  const auto in1 = PerTensorDoubleRounding(p.input1_multiplier, p.input1_shift, kMin, kMax, 0);
  const auto in2 = PerTensorDoubleRounding(p.input2_multiplier, p.input2_shift, kMin, kMax, 0);
  const auto res = PerTensorDoubleRounding(p.output_multiplier, p.output_shift, p.act_min - p.output_offset,
                                           p.act_max - p.output_offset, p.output_offset);
  const __m512i off1 = _mm512_set1_epi32(p.input1_offset), off2 = _mm512_set1_epi32(p.input2_offset);
  const __m128i left = _mm_cvtsi32_si128(p.left_shift);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512i x1 = _mm512_sll_epi32(_mm512_add_epi32(Widen16(a + i), off1), left);
    const __m512i x2 = _mm512_sll_epi32(_mm512_add_epi32(Widen16(b + i), off2), left);
    const __m512i raw = _mm512_add_epi32(Requantize16<kDouble>(x1, in1), Requantize16<kDouble>(x2, in2));
    kernels::avx512::Store16(Requantize16<kDouble>(raw, res), out + i);
  }
  for (; i < n; ++i) out[i] = static_cast<T>(QuantizedAddElement(p, a[i], b[i]));
}

}  // namespace

void AddTfliteSameShapeAvx512(const QuantizedAddParams& p, const int8_t* a, const int8_t* b, int64_t n,
                              int8_t* out) {
  AddTfliteSameShape(p, a, b, n, out);
}
void AddTfliteSameShapeAvx512(const QuantizedAddParams& p, const uint8_t* a, const uint8_t* b, int64_t n,
                              uint8_t* out) {
  AddTfliteSameShape(p, a, b, n, out);
}

}  // namespace edgeinfer
