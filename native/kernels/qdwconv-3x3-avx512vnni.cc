// AVX-512 VNNI INT8 depthwise convolution (see qdwconv.h), for 3x3 filters
// (any stride, dilation and padding); other filters run the AVX2 kernel.
//
// 16 channels per zmm, one int32 lane per channel, in channel order: the
// rows3 layout's vectors for channels 0-7 and 8-15 are adjacent, so each
// filter column's weights are two zmm, (row 0, row 1) as int16 pairs and
// (row 2, 0). An input column (rows 0-2 of the window at one x) is widened
// once into the same two shapes: rows 0 and 1 zero- or sign-extended to
// int32 and merged as int16 pairs (vpmovzxbd/vpmovsxbd, vpslld, vpblendmw),
// row 2 extended to int32 (its high int16, 0 or the sign, meets the zero
// weight). Each column then costs two vpdpwssd per output pixel that reads
// it, accumulating onto bias + input_offset * tap_sum (activations are
// multiplied raw, as in the AVX2 kernel: the same int32 sum mod 2^32, the
// padding reading the zero-point row). As in the AVX2 kernel, at stride 1
// or 2 without horizontal dilation the columns a pixel shares with the next
// are kept in registers, so each input column is widened once per output
// row and block. The 16 sums are requantized at once by requant-avx512.h
// (each mode its own instantiation) and stored with vpmovdb.
//
// Channels past the last block of 16 run as one more block with masked
// loads and stores, its weights gathered from the packed tail per call.
#include <immintrin.h>

// GCC 12 reports _mm512_cvtepu8_epi32's own _mm512_undefined_epi32() as
// maybe uninitialized after a masked load; the value is never read.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <cstring>
#include <type_traits>

#include "kernels/qdwconv.h"
#include "kernels/requant-avx512.h"

namespace edgeinfer::kernels {
namespace {

// One input column of a 3x3 window, 16 channels: rows 0 and 1 as int16
// pairs, row 2 as int32.
struct Column {
  __m512i pair, row2;
};

// The weights of one block: per filter column, (rows 0, 1) and (row 2, 0).
struct Weights3x3 {
  __m512i pair[3], row2[3];
};

template <typename T>
inline __m512i Widen32(__m128i v) {
  return std::is_same_v<T, uint8_t> ? _mm512_cvtepu8_epi32(v) : _mm512_cvtepi8_epi32(v);
}

// 16 bytes at p, or the first `mask` bits' bytes (kMasked: the tail block,
// which must not read past the channels).
template <bool kMasked, typename T>
inline __m128i Load16(const T* p, __mmask16 mask) {
  if constexpr (kMasked) {
    return _mm_maskz_loadu_epi8(mask, p);
  } else {
    (void)mask;
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  }
}

template <bool kMasked, typename T>
inline Column LoadColumn(const T* r0, const T* r1, const T* r2, __mmask16 mask) {
  const __m512i x0 = Widen32<T>(Load16<kMasked>(r0, mask));
  const __m512i x1 = _mm512_slli_epi32(Widen32<T>(Load16<kMasked>(r1, mask)), 16);
  Column col;
  col.pair = _mm512_mask_blend_epi16(0xAAAAAAAAu, x0, x1);
  col.row2 = Widen32<T>(Load16<kMasked>(r2, mask));
  return col;
}

inline __m512i MulAdd(__m512i acc, const Column& col, const Weights3x3& w, int kx) {
  acc = _mm512_dpwssd_epi32(acc, col.pair, w.pair[kx]);
  return _mm512_dpwssd_epi32(acc, col.row2, w.row2[kx]);
}

// start + the three columns of one output pixel times the weights.
inline __m512i Pixel3x3(__m512i start, const Column& a, const Column& b, const Column& c, const Weights3x3& w) {
  return MulAdd(MulAdd(MulAdd(start, a, w, 0), b, w, 1), c, w, 2);
}

// One block of 16 channels (kMasked: the last `count` < 16) of one output
// row. rows/steps: per window row, the input row (at the block's first
// channel) and its pixel step, or the zero row with step 0 in the padding.
template <RequantMode M, int kStride, bool kMasked, typename T>
inline void Row3x3(const ConvGeometry& g, const Weights3x3& w, __m512i start, const avx512::Channels16& rq,
                   const T* const* rows, const size_t* steps, const T* z, int32_t ox_lo, int32_t ox_hi, int32_t count,
                   T* out) {
  const int32_t channels = g.input_channels, width = g.input_width;
  const int32_t stride = kStride != 0 ? kStride : g.stride_w, dilation = kStride != 0 ? 1 : g.dilation_w;
  const __mmask16 mask = static_cast<__mmask16>((1u << count) - 1);
  const T* r0 = rows[0];
  const T* r1 = rows[1];
  const T* r2 = rows[2];
  auto column = [&](int32_t ix) {
    if (static_cast<uint32_t>(ix) < static_cast<uint32_t>(width)) {
      const size_t x = static_cast<size_t>(ix);
      return LoadColumn<kMasked>(r0 + x * steps[0], r1 + x * steps[1], r2 + x * steps[2], mask);
    }
    return LoadColumn<kMasked>(z, z, z, mask);
  };
  auto store = [&](__m512i acc, T* o) {
    avx512::Store16(avx512::Requantize16<M>(acc, rq), o, kMasked ? count : 16);
  };
  int32_t ox = 0;
  if constexpr (kStride == 1) {
    Column a = column(-g.pad_left), b = column(1 - g.pad_left);
    while (ox < g.output_width) {
      if (ox >= ox_lo && ox + 2 <= ox_hi) {
        // The interior, two pixels per step, column pointers advanced.
        const size_t x = static_cast<size_t>(ox - g.pad_left + 2);
        const size_t s0 = steps[0], s1 = steps[1], s2 = steps[2];
        const T* q0 = r0 + x * s0;
        const T* q1 = r1 + x * s1;
        const T* q2 = r2 + x * s2;
        for (; ox + 2 <= ox_hi; ox += 2) {
          const Column c1 = LoadColumn<kMasked>(q0, q1, q2, mask);
          const Column c2 = LoadColumn<kMasked>(q0 + s0, q1 + s1, q2 + s2, mask);
          const __m512i acc0 = Pixel3x3(start, a, b, c1, w);
          const __m512i acc1 = Pixel3x3(start, b, c1, c2, w);
          store(acc0, out);
          store(acc1, out + channels);
          out += 2 * channels;
          q0 += 2 * s0;
          q1 += 2 * s1;
          q2 += 2 * s2;
          a = c1;
          b = c2;
        }
      } else {
        const Column c1 = column(ox - g.pad_left + 2);
        store(Pixel3x3(start, a, b, c1, w), out);
        out += channels;
        ox += 1;
        a = b;
        b = c1;
      }
    }
  } else if constexpr (kStride == 2) {
    Column a = column(-g.pad_left);
    while (ox < g.output_width) {
      if (ox >= ox_lo && ox < ox_hi) {
        const size_t x = static_cast<size_t>(2 * ox - g.pad_left + 1);
        const size_t s0 = steps[0], s1 = steps[1], s2 = steps[2];
        const T* q0 = r0 + x * s0;
        const T* q1 = r1 + x * s1;
        const T* q2 = r2 + x * s2;
        for (; ox < ox_hi; ++ox, out += channels) {
          const Column c1 = LoadColumn<kMasked>(q0, q1, q2, mask);
          const Column c2 = LoadColumn<kMasked>(q0 + s0, q1 + s1, q2 + s2, mask);
          store(Pixel3x3(start, a, c1, c2, w), out);
          q0 += 2 * s0;
          q1 += 2 * s1;
          q2 += 2 * s2;
          a = c2;
        }
      } else {
        const int32_t ix = 2 * ox - g.pad_left;
        const Column c1 = column(ix + 1), c2 = column(ix + 2);
        store(Pixel3x3(start, a, c1, c2, w), out);
        a = c2;
        ++ox;
        out += channels;
      }
    }
  } else {
    (void)ox_lo;
    (void)ox_hi;
    for (; ox < g.output_width; ++ox, out += channels) {
      const int32_t ix = ox * stride - g.pad_left;
      store(Pixel3x3(start, column(ix), column(ix + dilation), column(ix + 2 * dilation), w), out);
    }
  }
}

inline Weights3x3 LoadWeights(const int16_t* wb) {
  Weights3x3 w;
  for (int kx = 0; kx < 3; ++kx) {
    w.pair[kx] = _mm512_loadu_si512(wb + kx * 64);
    w.row2[kx] = _mm512_loadu_si512(wb + kx * 64 + 32);
  }
  return w;
}

// kStride: 1 or 2 (horizontal stride, no horizontal dilation: columns
// carried to the next pixel), or 0 (any stride and dilation).
template <RequantMode M, int kStride, typename T>
void DwConv3x3(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
               const T* input, const T* zero_row, T* output) {
  const int32_t channels = g.input_channels, width = g.input_width;
  const size_t row_bytes = static_cast<size_t>(width) * channels;
  const __m512i offset = _mm512_set1_epi32(input_offset);
  const int32_t stride = kStride != 0 ? kStride : g.stride_w, dilation = kStride != 0 ? 1 : g.dilation_w;
  // Output pixels [ox_lo, ox_hi) read only columns inside the image (the
  // columns they load, with a carried one: kStride - 1 .. 2 of the window).
  const int32_t first_new = kStride == 1 ? 2 : kStride == 2 ? 1 : 0;
  int32_t ox_lo = 0, ox_hi = g.output_width;
  while (ox_lo < ox_hi && ox_lo * stride - g.pad_left + first_new * dilation < 0) ++ox_lo;
  while (ox_hi > ox_lo && (ox_hi - 1) * stride - g.pad_left + 2 * dilation >= width) --ox_hi;

  // The tail block's weights in the rows3 layout, zero past the channels.
  const int32_t tail_c0 = w.blocks * 16, tail = channels - tail_c0;
  alignas(64) int16_t tail_weights[3 * 64] = {};
  if (tail > 0) {
    for (int32_t kx = 0; kx < 3; ++kx) {
      for (int32_t j = 0; j < tail; ++j) {
        tail_weights[kx * 64 + 2 * j] = static_cast<int16_t>(w.tail[static_cast<size_t>(kx) * tail + j]);
        tail_weights[kx * 64 + 2 * j + 1] = static_cast<int16_t>(w.tail[static_cast<size_t>(3 + kx) * tail + j]);
        tail_weights[kx * 64 + 32 + 2 * j] = static_cast<int16_t>(w.tail[static_cast<size_t>(6 + kx) * tail + j]);
      }
    }
  }

  const int16_t* weights = w.rows3_data();
  const int32_t blocks = w.blocks + (tail > 0 ? 1 : 0);
  for (int32_t oy = 0; oy < g.output_height; ++oy) {
    // Per window row: the input row and its pixel step, or the zero row
    // with step 0 when the row lies in the padding.
    const T* rows[3];
    size_t steps[3];
    for (int32_t ky = 0; ky < 3; ++ky) {
      const int32_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
      const bool inside = iy >= 0 && iy < g.input_height;
      rows[ky] = inside ? input + static_cast<size_t>(iy) * row_bytes : zero_row;
      steps[ky] = inside ? static_cast<size_t>(channels) : 0;
    }
    T* out_row = output + static_cast<size_t>(oy) * g.output_width * channels;
    for (int32_t b = 0; b < blocks; ++b) {
      const int32_t c = b * 16;
      const bool masked = b == w.blocks;
      const Weights3x3 wb = LoadWeights(masked ? tail_weights : weights + static_cast<size_t>(b) * 192);
      const avx512::Channels16 rq = avx512::LoadChannels16<M>(r, c);
      const __m512i start = _mm512_add_epi32(_mm512_loadu_si512(&r.bias[c]),
                                             _mm512_mullo_epi32(offset, _mm512_loadu_si512(&w.tap_sum[c])));
      const T* block_rows[3] = {rows[0] + c, rows[1] + c, rows[2] + c};
      if (masked) {
        Row3x3<M, kStride, true>(g, wb, start, rq, block_rows, steps, zero_row + c, ox_lo, ox_hi, tail, out_row + c);
      } else {
        Row3x3<M, kStride, false>(g, wb, start, rq, block_rows, steps, zero_row + c, ox_lo, ox_hi, 16, out_row + c);
      }
    }
  }
}

template <RequantMode M, typename T>
void DwConvMode(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
                const T* input, const T* zero_row, T* output) {
  if (g.dilation_w == 1 && g.stride_w == 1) {
    DwConv3x3<M, 1>(g, w, r, input_offset, input, zero_row, output);
  } else if (g.dilation_w == 1 && g.stride_w == 2) {
    DwConv3x3<M, 2>(g, w, r, input_offset, input, zero_row, output);
  } else {
    DwConv3x3<M, 0>(g, w, r, input_offset, input, zero_row, output);
  }
}

template <typename T>
void DwConv(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
            const T* input, const T* zero_row, T* output) {
  if (g.filter_height != 3 || g.filter_width != 3 || w.rows3_data() == nullptr || w.taps != 9) {
    QDwConvAvx2(g, w, r, input_offset, input, zero_row, output);
    return;
  }
  switch (r.mode) {
    case RequantMode::kSingleRounding:
      DwConvMode<RequantMode::kSingleRounding>(g, w, r, input_offset, input, zero_row, output);
      break;
    case RequantMode::kHalfEven:
      DwConvMode<RequantMode::kHalfEven>(g, w, r, input_offset, input, zero_row, output);
      break;
    case RequantMode::kDoubleRounding:
    default:
      DwConvMode<RequantMode::kDoubleRounding>(g, w, r, input_offset, input, zero_row, output);
      break;
  }
}

}  // namespace

void QDwConvAvx512Vnni(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
                       const uint8_t* input, const uint8_t* zero_row, uint8_t* output) {
  DwConv(g, w, r, input_offset, input, zero_row, output);
}

void QDwConvAvx512Vnni(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
                       const int8_t* input, const int8_t* zero_row, int8_t* output) {
  DwConv(g, w, r, input_offset, input, zero_row, output);
}

}  // namespace edgeinfer::kernels
