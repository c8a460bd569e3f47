// ARG_MAX over the last axis of 8-bit values with at most 32 entries (class
// scores per pixel, e.g. segmentation's 21): one 32-byte vector per pixel,
// lanes past the axis set to the type's minimum, the maximum reduced
// across lanes, and the first lane equal to it (movemask, count trailing
// zeros) is the index: the first of equal maxima, as the scalar loop's
// strict > keeps. A pixel whose 32 bytes would pass the end of the input
// is copied to a buffer first.
#include <immintrin.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "ops/arg_max/arg_max.h"

namespace edgeinfer {
namespace {

template <typename T, typename Index>
void ArgMaxLastAxis(int64_t outer, int32_t axis, const T* input, Index* output) {
  constexpr bool kSigned = std::is_signed_v<T>;
  const __m256i lanes = _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                                         21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
  const __m256i beyond = _mm256_cmpgt_epi8(lanes, _mm256_set1_epi8(static_cast<char>(axis - 1)));
  const __m256i lowest = _mm256_set1_epi8(static_cast<char>(std::numeric_limits<T>::min()));
  const uint32_t valid = axis == 32 ? 0xFFFFFFFFu : (uint32_t{1} << axis) - 1;
  const T* end = input + outer * axis;
  for (int64_t o = 0; o < outer; ++o, input += axis) {
    __m256i v;
    if (input + 32 <= end) {
      v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(input));
    } else {
      alignas(32) T buffer[32] = {};
      std::memcpy(buffer, input, static_cast<size_t>(axis) * sizeof(T));
      v = _mm256_load_si256(reinterpret_cast<const __m256i*>(buffer));
    }
    v = _mm256_blendv_epi8(v, lowest, beyond);
    auto max = [](__m128i a, __m128i b) { return kSigned ? _mm_max_epi8(a, b) : _mm_max_epu8(a, b); };
    __m128i m = max(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    m = max(m, _mm_srli_si128(m, 8));
    m = max(m, _mm_srli_si128(m, 4));
    m = max(m, _mm_srli_si128(m, 2));
    m = max(m, _mm_srli_si128(m, 1));
    const __m256i best = _mm256_broadcastb_epi8(m);
    const uint32_t equal = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, best))) & valid;
    *output++ = static_cast<Index>(__builtin_ctz(equal));
  }
}

}  // namespace

void ArgMaxLastAxisAvx2(int64_t outer, int32_t axis, const uint8_t* input, int32_t* output) {
  ArgMaxLastAxis(outer, axis, input, output);
}
void ArgMaxLastAxisAvx2(int64_t outer, int32_t axis, const uint8_t* input, int64_t* output) {
  ArgMaxLastAxis(outer, axis, input, output);
}
void ArgMaxLastAxisAvx2(int64_t outer, int32_t axis, const int8_t* input, int32_t* output) {
  ArgMaxLastAxis(outer, axis, input, output);
}
void ArgMaxLastAxisAvx2(int64_t outer, int32_t axis, const int8_t* input, int64_t* output) {
  ArgMaxLastAxis(outer, axis, input, output);
}

}  // namespace edgeinfer
