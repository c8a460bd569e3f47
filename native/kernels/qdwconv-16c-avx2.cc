// AVX2 INT8 depthwise convolution (see qdwconv.h): 16 channels per step,
// two taps per vpmaddwd.
#include <immintrin.h>

#include "kernels/qdwconv.h"
#include "kernels/requant-avx2.h"

namespace edgeinfer::kernels {
namespace {

using avx2::Requantize;
using avx2::Store8;
using avx2::Widen16;

template <typename T>
void DwConv(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
            const T* input, const T* zero_row, T* output) {
  const int32_t channels = g.input_channels;
  const __m256i offset16 = _mm256_set1_epi16(static_cast<int16_t>(input_offset));
  const int16_t* weights = w.data();
  const T* taps[kMaxDwTaps + 1];
  const int32_t tail_c0 = w.blocks * 16, tail = channels - tail_c0;
  for (int32_t oy = 0; oy < g.output_height; ++oy) {
    const int32_t iy0 = oy * g.stride_h - g.pad_top;
    for (int32_t ox = 0; ox < g.output_width; ++ox) {
      const int32_t ix0 = ox * g.stride_w - g.pad_left;
      int32_t t = 0;
      for (int32_t ky = 0; ky < g.filter_height; ++ky) {
        const int32_t iy = iy0 + ky * g.dilation_h;
        for (int32_t kx = 0; kx < g.filter_width; ++kx, ++t) {
          const int32_t ix = ix0 + kx * g.dilation_w;
          const bool inside = iy >= 0 && iy < g.input_height && ix >= 0 && ix < g.input_width;
          taps[t] = inside ? input + (static_cast<size_t>(iy) * g.input_width + ix) * channels : zero_row;
        }
      }
      taps[t] = zero_row;  // the odd last tap's partner, weight 0

      const int16_t* wp = weights;
      for (int32_t b = 0; b < w.blocks; ++b) {
        const int32_t c = b * 16;
        __m256i acc_lo = _mm256_setzero_si256(), acc_hi = _mm256_setzero_si256();
        for (int32_t pair = 0; pair < w.tap_pairs; ++pair) {
          const __m256i x0 = Widen16(taps[2 * pair] + c, offset16);
          const __m256i x1 = Widen16(taps[2 * pair + 1] + c, offset16);
          const __m256i w_lo = _mm256_load_si256(reinterpret_cast<const __m256i*>(wp));
          const __m256i w_hi = _mm256_load_si256(reinterpret_cast<const __m256i*>(wp) + 1);
          wp += 32;
          acc_lo = _mm256_add_epi32(acc_lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(x0, x1), w_lo));
          acc_hi = _mm256_add_epi32(acc_hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(x0, x1), w_hi));
        }
        const __m256i c0 = _mm256_add_epi32(_mm256_permute2x128_si256(acc_lo, acc_hi, 0x20), avx2::Load8(&r.bias[c]));
        const __m256i c8 = _mm256_add_epi32(_mm256_permute2x128_si256(acc_lo, acc_hi, 0x31), avx2::Load8(&r.bias[c + 8]));
        Store8(Requantize(c0, r, c), output + c, 8);
        Store8(Requantize(c8, r, c + 8), output + c + 8, 8);
      }
      for (int32_t i = 0; i < tail; ++i) {
        const int32_t c = tail_c0 + i;
        uint32_t acc = 0;
        for (int32_t k = 0; k < w.taps; ++k) {
          acc = AccumulateProduct(acc, w.tail[static_cast<size_t>(k) * tail + i], taps[k][c] + input_offset);
        }
        acc += static_cast<uint32_t>(r.bias[c]);
        output[c] = static_cast<T>(RequantizeAndClamp(acc, c, r.params));
      }
      output += channels;
    }
  }
}

}  // namespace

void QDwConvAvx2(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
                 const uint8_t* input, const uint8_t* zero_row, uint8_t* output) {
  DwConv(g, w, r, input_offset, input, zero_row, output);
}

void QDwConvAvx2(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
                 const int8_t* input, const int8_t* zero_row, int8_t* output) {
  DwConv(g, w, r, input_offset, input, zero_row, output);
}

}  // namespace edgeinfer::kernels
