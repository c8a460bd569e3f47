// AVX2 INT8 depthwise convolution (see qdwconv.h): 16 channels of two
// adjacent output pixels per step, two taps per vpmaddwd, each weight vector
// loaded once for both pixels. Activations are multiplied raw (zero- or
// sign-extended, no offset), and input_offset * tap_sum is added once per
// channel: the same sum mod 2^32, with two instructions fewer per tap pair.
#include <immintrin.h>

#include "kernels/qdwconv.h"
#include "kernels/requant-avx2.h"

namespace edgeinfer::kernels {
namespace {

using avx2::Requantize;
using avx2::Store8;

inline __m256i WidenRaw(const uint8_t* p) {
  return _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
inline __m256i WidenRaw(const int8_t* p) {
  return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// The taps of output pixel (oy, ox): input pixels, or the zero-point row
// for padding; one more zero row after the last (the odd tap's partner).
// offsets[t]: tap t's distance from the window's top-left input pixel, for
// windows wholly inside the image (most of them).
template <typename T>
void PixelTaps(const ConvGeometry& g, const size_t* offsets, int32_t oy, int32_t ox, const T* input,
               const T* zero_row, const T** taps) {
  const int32_t iy0 = oy * g.stride_h - g.pad_top, ix0 = ox * g.stride_w - g.pad_left;
  const int32_t taps_count = g.filter_height * g.filter_width;
  taps[taps_count] = zero_row;
  if (iy0 >= 0 && iy0 + (g.filter_height - 1) * g.dilation_h < g.input_height && ix0 >= 0 &&
      ix0 + (g.filter_width - 1) * g.dilation_w < g.input_width) {
    const T* origin = input + (static_cast<size_t>(iy0) * g.input_width + ix0) * g.input_channels;
    for (int32_t t = 0; t < taps_count; ++t) taps[t] = origin + offsets[t];
    return;
  }
  int32_t t = 0;
  for (int32_t ky = 0; ky < g.filter_height; ++ky) {
    const int32_t iy = iy0 + ky * g.dilation_h;
    const bool row_inside = iy >= 0 && iy < g.input_height;
    for (int32_t kx = 0; kx < g.filter_width; ++kx, ++t) {
      const int32_t ix = ix0 + kx * g.dilation_w;
      const bool inside = row_inside && ix >= 0 && ix < g.input_width;
      taps[t] = inside ? input + (static_cast<size_t>(iy) * g.input_width + ix) * g.input_channels : zero_row;
    }
  }
}

// Channels past the last block of 16: the reference's arithmetic.
template <typename T>
void ScalarTail(const PackedQDwWeights& w, const QRequant& r, int32_t input_offset, const T* const* taps, T* output) {
  const int32_t tail_c0 = w.blocks * 16, tail = w.channels - tail_c0;
  for (int32_t i = 0; i < tail; ++i) {
    const int32_t c = tail_c0 + i;
    uint32_t acc = 0;
    for (int32_t k = 0; k < w.taps; ++k) {
      acc = AccumulateProduct(acc, w.tail[static_cast<size_t>(k) * tail + i], taps[k][c] + input_offset);
    }
    acc += static_cast<uint32_t>(r.bias[c]);
    output[c] = static_cast<T>(RequantizeAndClamp(acc, c, r.params));
  }
}

// bias + input_offset * tap_sum for channels c..c+7.
inline __m256i Start(const PackedQDwWeights& w, const QRequant& r, __m256i offset, int32_t c) {
  return _mm256_add_epi32(avx2::Load8(&r.bias[c]), _mm256_mullo_epi32(offset, avx2::Load8(&w.tap_sum[c])));
}

// 16 channels from c of one or two pixels (taps_a, taps_b).
template <bool kTwo, typename T>
inline void Block16(const PackedQDwWeights& w, const QRequant& r, __m256i offset, int32_t c, const int16_t* wp,
                    const T* const* taps_a, const T* const* taps_b, T* out_a, T* out_b) {
  __m256i a_lo = _mm256_setzero_si256(), a_hi = _mm256_setzero_si256();
  __m256i b_lo = _mm256_setzero_si256(), b_hi = _mm256_setzero_si256();
  for (int32_t pair = 0; pair < w.tap_pairs; ++pair) {
    const __m256i w_lo = _mm256_load_si256(reinterpret_cast<const __m256i*>(wp));
    const __m256i w_hi = _mm256_load_si256(reinterpret_cast<const __m256i*>(wp) + 1);
    wp += 32;
    const __m256i x0 = WidenRaw(taps_a[2 * pair] + c), x1 = WidenRaw(taps_a[2 * pair + 1] + c);
    a_lo = _mm256_add_epi32(a_lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(x0, x1), w_lo));
    a_hi = _mm256_add_epi32(a_hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(x0, x1), w_hi));
    if constexpr (kTwo) {
      const __m256i y0 = WidenRaw(taps_b[2 * pair] + c), y1 = WidenRaw(taps_b[2 * pair + 1] + c);
      b_lo = _mm256_add_epi32(b_lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(y0, y1), w_lo));
      b_hi = _mm256_add_epi32(b_hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(y0, y1), w_hi));
    }
  }
  const __m256i start0 = Start(w, r, offset, c), start8 = Start(w, r, offset, c + 8);
  const avx2::Channels8 p0 = avx2::LoadChannels8(r, c), p8 = avx2::LoadChannels8(r, c + 8);
  // The accumulators hold channels 0-3, 8-11 (lo) and 4-7, 12-15 (hi).
  Store8(Requantize(_mm256_add_epi32(_mm256_permute2x128_si256(a_lo, a_hi, 0x20), start0), p0), out_a + c, 8);
  Store8(Requantize(_mm256_add_epi32(_mm256_permute2x128_si256(a_lo, a_hi, 0x31), start8), p8), out_a + c + 8, 8);
  if constexpr (kTwo) {
    Store8(Requantize(_mm256_add_epi32(_mm256_permute2x128_si256(b_lo, b_hi, 0x20), start0), p0), out_b + c, 8);
    Store8(Requantize(_mm256_add_epi32(_mm256_permute2x128_si256(b_lo, b_hi, 0x31), start8), p8), out_b + c + 8, 8);
  }
}

template <typename T>
void DwConv(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
            const T* input, const T* zero_row, T* output) {
  const int32_t channels = g.input_channels;
  const __m256i offset = _mm256_set1_epi32(input_offset);
  const int16_t* weights = w.data();
  const size_t block_weights = static_cast<size_t>(w.tap_pairs) * 32;
  const T* taps_a[kMaxDwTaps + 1];
  const T* taps_b[kMaxDwTaps + 1];
  size_t offsets[kMaxDwTaps];
  for (int32_t ky = 0, t = 0; ky < g.filter_height; ++ky) {
    for (int32_t kx = 0; kx < g.filter_width; ++kx, ++t) {
      offsets[t] = (static_cast<size_t>(ky) * g.dilation_h * g.input_width + static_cast<size_t>(kx) * g.dilation_w) *
                   channels;
    }
  }
  for (int32_t oy = 0; oy < g.output_height; ++oy) {
    int32_t ox = 0;
    for (; ox + 2 <= g.output_width; ox += 2) {
      PixelTaps(g, offsets, oy, ox, input, zero_row, taps_a);
      PixelTaps(g, offsets, oy, ox + 1, input, zero_row, taps_b);
      for (int32_t b = 0; b < w.blocks; ++b) {
        Block16<true>(w, r, offset, b * 16, weights + b * block_weights, taps_a, taps_b, output, output + channels);
      }
      ScalarTail(w, r, input_offset, taps_a, output);
      ScalarTail(w, r, input_offset, taps_b, output + channels);
      output += 2 * channels;
    }
    if (ox < g.output_width) {
      PixelTaps(g, offsets, oy, ox, input, zero_row, taps_a);
      for (int32_t b = 0; b < w.blocks; ++b) {
        Block16<false>(w, r, offset, b * 16, weights + b * block_weights, taps_a, taps_a, output, output);
      }
      ScalarTail(w, r, input_offset, taps_a, output);
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
