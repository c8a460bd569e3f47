// RESIZE_BILINEAR uint8 (ResizeBilinearFloatWeights<uint8_t>) eight
// channels per step with the same float arithmetic in the same order:
// p00*w00 + p01*w01, + p10*w10, + p11*w11, + 0.5, truncated (separate
// multiplies and adds: the build forbids contracting them into FMAs). A
// depth that is not a multiple of 8 ends with the last 8 channels again,
// overlapping, so nothing is read or written past the pixel; depths below 8
// take the scalar loop.
#include <immintrin.h>

#include "ops/resize_bilinear/resize_bilinear.h"

namespace edgeinfer {
namespace {

inline __m256 LoadU8(const uint8_t* p) {
  return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}

}  // namespace

void ResizeBilinearU8Avx2(const ResizeBilinearParams& p, const ResizeFloatTap* rows, const ResizeFloatTap* columns,
                          const uint8_t* input, uint8_t* output) {
  if (p.depth < 8) {
    ResizeBilinearFloatWeights(p, rows, columns, input, output);
    return;
  }
  const int64_t row_stride = int64_t{p.input_width} * p.depth;
  const __m256 half = _mm256_set1_ps(0.5f);
  for (int32_t b = 0; b < p.batches; ++b) {
    const uint8_t* image = input + b * row_stride * p.input_height;
    for (int32_t y = 0; y < p.output_height; ++y) {
      const ResizeFloatTap& ty = rows[y];
      const float dy = ty.coordinate - ty.lower;
      for (int32_t x = 0; x < p.output_width; ++x) {
        const ResizeFloatTap& tx = columns[x];
        const float dx = tx.coordinate - tx.lower;
        const __m256 w00 = _mm256_set1_ps((1 - dy) * (1 - dx)), w01 = _mm256_set1_ps((1 - dy) * dx);
        const __m256 w10 = _mm256_set1_ps(dy * (1 - dx)), w11 = _mm256_set1_ps(dy * dx);
        const uint8_t* p00 = image + ty.lower * row_stride + int64_t{tx.lower} * p.depth;
        const uint8_t* p01 = image + ty.lower * row_stride + int64_t{tx.upper} * p.depth;
        const uint8_t* p10 = image + ty.upper * row_stride + int64_t{tx.lower} * p.depth;
        const uint8_t* p11 = image + ty.upper * row_stride + int64_t{tx.upper} * p.depth;
        for (int32_t c = 0;;) {
          __m256 v = _mm256_add_ps(_mm256_mul_ps(LoadU8(p00 + c), w00), _mm256_mul_ps(LoadU8(p01 + c), w01));
          v = _mm256_add_ps(v, _mm256_mul_ps(LoadU8(p10 + c), w10));
          v = _mm256_add_ps(v, _mm256_mul_ps(LoadU8(p11 + c), w11));
          const __m256i q = _mm256_cvttps_epi32(_mm256_add_ps(v, half));
          const __m128i w16 = _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
          _mm_storel_epi64(reinterpret_cast<__m128i*>(output + c), _mm_packus_epi16(w16, w16));
          if (c + 8 == p.depth) break;
          c = c + 16 <= p.depth ? c + 8 : p.depth - 8;
        }
        output += p.depth;
      }
    }
  }
}

}  // namespace edgeinfer
