// AVX-512 VNNI INT8 depthwise convolution (see qdwconv.h), for 3x3 filters
// only (any stride, dilation and padding; QDwConvFor sends other filters to
// the AVX2 kernel).
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
// row and block; at stride 1 in both directions (no vertical dilation) two
// output rows are computed at once from four input rows, rows (0, 1) and
// (2, 3) widened as pairs, so each column is widened once per two output
// rows. The 16 sums are requantized at once by requant-avx512.h
// (each mode its own instantiation) and stored with vpmovdb.
//
// Channels past the last block of 16 run as one more block with masked
// loads and stores, its weights the last block of rows3 (packed at load).
#include <immintrin.h>

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

// ---- Two output rows at once (stride 1, no vertical dilation) -------------
// Output rows oy and oy + 1 read input rows 0-3 (relative to oy's window).
// A column holds rows (0, 1) and (2, 3) as int16 pairs; row oy takes
// (0, 1) x (w0, w1) + (2, 3) x (w2, 0), row oy + 1 (0, 1) x (0, w0) +
// (2, 3) x (w1, w2): the same two vpdpwssd per pixel and column, but four
// rows widened per column for two pixels instead of six.
struct Column2 {
  __m512i p01, p23;
};

// Per filter column: a = (w0, w1), b = (w2, 0) for row oy; c = (0, w0),
// d = (w1, w2) for row oy + 1.
struct Weights2Rows {
  __m512i a[3], b[3], c[3], d[3];
};

inline Weights2Rows MakeWeights2Rows(const Weights3x3& w) {
  Weights2Rows v;
  for (int kx = 0; kx < 3; ++kx) {
    v.a[kx] = w.pair[kx];
    v.b[kx] = w.row2[kx];
    v.c[kx] = _mm512_slli_epi32(w.pair[kx], 16);
    v.d[kx] = _mm512_or_si512(_mm512_srli_epi32(w.pair[kx], 16), _mm512_slli_epi32(w.row2[kx], 16));
  }
  return v;
}

template <bool kMasked, typename T>
inline __m512i LoadPair(const T* r0, const T* r1, __mmask16 mask) {
  const __m512i x0 = Widen32<T>(Load16<kMasked>(r0, mask));
  const __m512i x1 = _mm512_slli_epi32(Widen32<T>(Load16<kMasked>(r1, mask)), 16);
  return _mm512_mask_blend_epi16(0xAAAAAAAAu, x0, x1);
}

template <bool kMasked, typename T>
inline Column2 LoadColumn2(const T* const* q, __mmask16 mask) {
  return {LoadPair<kMasked>(q[0], q[1], mask), LoadPair<kMasked>(q[2], q[3], mask)};
}

inline void Pixel2Rows(__m512i start, const Column2& x, const Column2& y, const Column2& z, const Weights2Rows& w,
                       __m512i* acc0, __m512i* acc1) {
  __m512i a = _mm512_dpwssd_epi32(start, x.p01, w.a[0]);
  __m512i b = _mm512_dpwssd_epi32(start, x.p01, w.c[0]);
  a = _mm512_dpwssd_epi32(a, x.p23, w.b[0]);
  b = _mm512_dpwssd_epi32(b, x.p23, w.d[0]);
  a = _mm512_dpwssd_epi32(a, y.p01, w.a[1]);
  b = _mm512_dpwssd_epi32(b, y.p01, w.c[1]);
  a = _mm512_dpwssd_epi32(a, y.p23, w.b[1]);
  b = _mm512_dpwssd_epi32(b, y.p23, w.d[1]);
  a = _mm512_dpwssd_epi32(a, z.p01, w.a[2]);
  b = _mm512_dpwssd_epi32(b, z.p01, w.c[2]);
  *acc0 = _mm512_dpwssd_epi32(a, z.p23, w.b[2]);
  *acc1 = _mm512_dpwssd_epi32(b, z.p23, w.d[2]);
}

// One block of 16 channels (kMasked: the last `count`) of output rows oy
// (out0) and oy + 1 (out1), horizontal stride 1 without dilation. rows,
// steps: the four input rows as in Row3x3.
template <RequantMode M, bool kMasked, typename T>
inline void TwoRows3x3(const ConvGeometry& g, const Weights2Rows& w, __m512i start, const avx512::Channels16& rq,
                       const T* const* rows, const size_t* steps, const T* z, int32_t ox_lo, int32_t ox_hi,
                       int32_t count, T* out0, T* out1) {
  const int32_t channels = g.input_channels, width = g.input_width;
  const __mmask16 mask = static_cast<__mmask16>((1u << count) - 1);
  auto column = [&](int32_t ix) {
    const T* q[4];
    const bool inside = static_cast<uint32_t>(ix) < static_cast<uint32_t>(width);
    for (int i = 0; i < 4; ++i) q[i] = inside ? rows[i] + static_cast<size_t>(ix) * steps[i] : z;
    return LoadColumn2<kMasked>(q, mask);
  };
  auto store = [&](__m512i acc0, __m512i acc1) {
    avx512::Store16(avx512::Requantize16<M>(acc0, rq), out0, kMasked ? count : 16);
    avx512::Store16(avx512::Requantize16<M>(acc1, rq), out1, kMasked ? count : 16);
    out0 += channels;
    out1 += channels;
  };
  Column2 a = column(-g.pad_left), b = column(1 - g.pad_left);
  int32_t ox = 0;
  while (ox < g.output_width) {
    __m512i acc0, acc1;
    if (ox >= ox_lo && ox < ox_hi) {
      const size_t x = static_cast<size_t>(ox - g.pad_left + 2);
      const T* q[4];
      for (int i = 0; i < 4; ++i) q[i] = rows[i] + x * steps[i];
      for (; ox < ox_hi; ++ox) {
        const Column2 c = LoadColumn2<kMasked>(q, mask);
        Pixel2Rows(start, a, b, c, w, &acc0, &acc1);
        store(acc0, acc1);
        for (int i = 0; i < 4; ++i) q[i] += steps[i];
        a = b;
        b = c;
      }
    } else {
      const Column2 c = column(ox - g.pad_left + 2);
      Pixel2Rows(start, a, b, c, w, &acc0, &acc1);
      store(acc0, acc1);
      ++ox;
      a = b;
      b = c;
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

  const int16_t* weights = w.rows3_data();
  const int32_t tail = channels - w.blocks * 16;
  const int32_t blocks = w.blocks + (tail > 0 ? 1 : 0);  // rows3 holds the tail block too
  // Calls run(masked, c, count, weights, requantization, bias +
  // input_offset * tap_sum) for every block of 16 channels, masked
  // (std::true_type) for the tail block of count < 16.
  auto each_block = [&](auto&& run) {
    for (int32_t b = 0; b < blocks; ++b) {
      const int32_t c = b * 16;
      const Weights3x3 wb = LoadWeights(weights + static_cast<size_t>(b) * 192);
      const avx512::Channels16 rq = avx512::LoadChannels16<M>(r, c);
      const __m512i start = _mm512_add_epi32(_mm512_loadu_si512(&r.bias[c]),
                                             _mm512_mullo_epi32(offset, _mm512_loadu_si512(&w.tap_sum[c])));
      if (b == w.blocks) {
        run(std::true_type{}, c, tail, wb, rq, start);
      } else {
        run(std::false_type{}, c, 16, wb, rq, start);
      }
    }
  };
  // Input row oy * stride_h - pad_top + k * dilation_h, or the zero row with
  // step 0 when it lies in the padding.
  auto input_row = [&](int32_t oy, int32_t k, const T** row, size_t* step) {
    const int32_t iy = oy * g.stride_h - g.pad_top + k * g.dilation_h;
    const bool inside = iy >= 0 && iy < g.input_height;
    *row = inside ? input + static_cast<size_t>(iy) * row_bytes : zero_row;
    *step = inside ? static_cast<size_t>(channels) : 0;
  };
  const bool two_rows = kStride == 1 && g.stride_h == 1 && g.dilation_h == 1;
  for (int32_t oy = 0; oy < g.output_height;) {
    const T* rows[4];
    size_t steps[4];
    T* out_row = output + static_cast<size_t>(oy) * g.output_width * channels;
    if constexpr (kStride == 1) {
      if (two_rows && oy + 2 <= g.output_height) {
        for (int32_t k = 0; k < 4; ++k) input_row(oy, k, &rows[k], &steps[k]);
        T* out_next = out_row + static_cast<size_t>(g.output_width) * channels;
        each_block([&](auto masked, int32_t c, int32_t count, const Weights3x3& wb, const avx512::Channels16& rq,
                       __m512i start) {
          const T* block_rows[4] = {rows[0] + c, rows[1] + c, rows[2] + c, rows[3] + c};
          TwoRows3x3<M, decltype(masked)::value>(g, MakeWeights2Rows(wb), start, rq, block_rows, steps,
                                                 zero_row + c, ox_lo, ox_hi, count, out_row + c, out_next + c);
        });
        oy += 2;
        continue;
      }
    }
    for (int32_t k = 0; k < 3; ++k) input_row(oy, k, &rows[k], &steps[k]);
    each_block([&](auto masked, int32_t c, int32_t count, const Weights3x3& wb, const avx512::Channels16& rq,
                   __m512i start) {
      const T* block_rows[3] = {rows[0] + c, rows[1] + c, rows[2] + c};
      Row3x3<M, kStride, decltype(masked)::value>(g, wb, start, rq, block_rows, steps, zero_row + c, ox_lo, ox_hi,
                                                 count, out_row + c);
    });
    ++oy;
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
  WithRequantMode(r.mode, [&](auto mode) { DwConvMode<mode()>(g, w, r, input_offset, input, zero_row, output); });
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
