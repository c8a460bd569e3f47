// AVX2 INT8 depthwise convolution (see qdwconv.h). Activations are
// multiplied raw (zero- or sign-extended, no offset), and input_offset *
// tap_sum is added once per channel: the same sum mod 2^32, with fewer
// instructions per tap. Every path is compiled once per requantization mode,
// so no mode is tested per vector, and stores 16 outputs at a time.
//
// 3x3 filters (the rows3 layout): per output row and block of 16 channels,
// the row's pixels are walked left to right. An input column (rows 0-2 of
// the window at one x) is widened once into int16 pairs (rows 0 and 1
// interleaved by channel, row 2 with a zero partner) and, for stride 1 or 2
// without horizontal dilation, kept in registers for the next output pixel
// whose window holds it: per output pixel 6 (stride 1) or 12 (stride 2)
// shuffles instead of 20. Padding columns and rows read the zero-point row.
//
// Other filters: 16 channels of two adjacent output pixels per step, two
// taps per vpmaddwd, each weight vector loaded once for both pixels.
#include <immintrin.h>

#include <cstring>
#include <type_traits>

#include "kernels/qdwconv.h"
#include "kernels/requant-avx2.h"

namespace edgeinfer::kernels {
namespace {

inline __m256i Load8(const int32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

// ---- Requantization, one mode per instantiation ---------------------------
// The arithmetic of requant-avx2.h (each mode bit-identical to
// RequantizeAndClamp), written here with the mode as a template argument.

// Per tensor: the clamp bounds less the output offset (int32, int64 or float
// bits by mode) and the output offset.
struct RqConsts {
  __m256i lo, hi, offset16;  // offset16: the output offset in each int16 lane
  bool left_shift;
};

template <RequantMode M>
RqConsts MakeConsts(const QRequant& r) {
  RqConsts k;
  k.offset16 = _mm256_set1_epi16(static_cast<int16_t>(r.output_offset));
  k.left_shift = r.any_left_shift;
  if constexpr (M == RequantMode::kDoubleRounding) {
    k.lo = _mm256_set1_epi32(r.min_less_offset);
    k.hi = _mm256_set1_epi32(r.max_less_offset);
  } else if constexpr (M == RequantMode::kSingleRounding) {
    k.lo = _mm256_set1_epi64x(r.min_less_offset);
    k.hi = _mm256_set1_epi64x(r.max_less_offset);
  } else {
    k.lo = _mm256_castps_si256(_mm256_set1_ps(static_cast<float>(r.min_less_offset)));
    k.hi = _mm256_castps_si256(_mm256_set1_ps(static_cast<float>(r.max_less_offset)));
  }
  return k;
}

// Per 8 channels.
struct Rq8 {
  __m256i multiplier, multiplier_odd, shift_a, shift_b, mask, half_mask;
  __m256 scale;
};

template <RequantMode M>
inline Rq8 LoadRq8(const QRequant& r, int32_t c) {
  Rq8 p;
  if constexpr (M == RequantMode::kDoubleRounding) {
    p.multiplier = Load8(&r.multiplier[c]);
    p.multiplier_odd = _mm256_srli_epi64(p.multiplier, 32);
    p.shift_a = Load8(&r.left_shift[c]);
    p.shift_b = Load8(&r.right_shift[c]);
    p.mask = _mm256_sub_epi32(_mm256_sllv_epi32(_mm256_set1_epi32(1), p.shift_b), _mm256_set1_epi32(1));
    p.half_mask = _mm256_srli_epi32(p.mask, 1);
  } else if constexpr (M == RequantMode::kSingleRounding) {
    p.multiplier = Load8(&r.multiplier[c]);
    p.multiplier_odd = _mm256_srli_epi64(p.multiplier, 32);
    p.shift_a = Load8(&r.total_shift[c]);
    p.shift_b = _mm256_srli_epi64(p.shift_a, 32);
    p.shift_a = _mm256_and_si256(p.shift_a, _mm256_set1_epi64x(0xFFFFFFFFll));
  } else {
    p.scale = _mm256_loadu_ps(&r.scale[c]);
  }
  return p;
}

// (p + 2^(s-1)) >> s for int64 lanes p, counts s in [1, 62], clamped to [lo, hi].
inline __m256i ShiftRoundClamp64(__m256i p, __m256i s, __m256i lo, __m256i hi) {
  const __m256i one = _mm256_set1_epi64x(1);
  p = _mm256_add_epi64(p, _mm256_sllv_epi64(one, _mm256_sub_epi64(s, one)));
  const __m256i sign = _mm256_cmpgt_epi64(_mm256_setzero_si256(), p);
  __m256i v = _mm256_xor_si256(_mm256_srlv_epi64(_mm256_xor_si256(p, sign), s), sign);
  v = _mm256_blendv_epi8(v, lo, _mm256_cmpgt_epi64(lo, v));
  return _mm256_blendv_epi8(v, hi, _mm256_cmpgt_epi64(v, hi));
}

// acc: 8 channels with their bias added. Returns the clamped outputs less
// the output offset (which Store16 adds in int16: exact, as the clamped
// value plus the offset lies in T's range).
template <RequantMode M>
inline __m256i Requant8(__m256i acc, const Rq8& p, const RqConsts& k) {
  if constexpr (M == RequantMode::kDoubleRounding) {
    const __m256i x = k.left_shift ? _mm256_sllv_epi32(acc, p.shift_a) : acc;
    const __m256i half = _mm256_set1_epi64x(int64_t{1} << 30);
    __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, p.multiplier), half);
    even = _mm256_srli_epi64(even, 31);
    __m256i odd = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), p.multiplier_odd), half);
    odd = _mm256_slli_epi64(odd, 1);
    const __m256i high = _mm256_blend_epi32(even, odd, 0xAA);
    const __m256i remainder = _mm256_and_si256(high, p.mask);
    const __m256i threshold = _mm256_sub_epi32(p.half_mask, _mm256_cmpgt_epi32(_mm256_setzero_si256(), high));
    __m256i v = _mm256_sub_epi32(_mm256_srav_epi32(high, p.shift_b), _mm256_cmpgt_epi32(remainder, threshold));
    v = _mm256_max_epi32(v, k.lo);
    return _mm256_min_epi32(v, k.hi);
  } else if constexpr (M == RequantMode::kSingleRounding) {
    const __m256i even = ShiftRoundClamp64(_mm256_mul_epi32(acc, p.multiplier), p.shift_a, k.lo, k.hi);
    const __m256i odd =
        ShiftRoundClamp64(_mm256_mul_epi32(_mm256_srli_epi64(acc, 32), p.multiplier_odd), p.shift_b, k.lo, k.hi);
    return _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  } else {
    __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), p.scale);
    v = _mm256_max_ps(_mm256_castsi256_ps(k.lo), v);
    v = _mm256_min_ps(_mm256_castsi256_ps(k.hi), v);
    return _mm256_cvtps_epi32(v);
  }
}

// Stores channels 0-7 (a) and 8-15 (b), Requant8's results, plus the
// output offset with one 16-byte store.
template <typename T>
inline void Store16(__m256i a, __m256i b, __m256i offset16, T* out) {
  const __m256i w16 =
      _mm256_permute4x64_epi64(_mm256_adds_epi16(_mm256_packs_epi32(a, b), offset16), 0xD8);
  const __m128i lo = _mm256_castsi256_si128(w16), hi = _mm256_extracti128_si256(w16, 1);
  const __m128i bytes = std::is_same_v<T, uint8_t> ? _mm_packus_epi16(lo, hi) : _mm_packs_epi16(lo, hi);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), bytes);
}

// The requantization of one block of 16 channels: parameters and
// bias + input_offset * tap_sum, loaded once and used for many pixels.
template <RequantMode M>
struct Block16Rq {
  Rq8 p0, p1;
  __m256i start0, start1;
  Block16Rq(const PackedQDwWeights& w, const QRequant& r, __m256i offset, int32_t c)
      : p0(LoadRq8<M>(r, c)), p1(LoadRq8<M>(r, c + 8)),
        start0(_mm256_add_epi32(Load8(&r.bias[c]), _mm256_mullo_epi32(offset, Load8(&w.tap_sum[c])))),
        start1(_mm256_add_epi32(Load8(&r.bias[c + 8]), _mm256_mullo_epi32(offset, Load8(&w.tap_sum[c + 8])))) {}
  // acc0, acc1: channels 0-7 and 8-15 without bias.
  template <typename T>
  void Store(__m256i acc0, __m256i acc1, const RqConsts& k, T* out) const {
    Store16(Requant8<M>(_mm256_add_epi32(acc0, start0), p0, k), Requant8<M>(_mm256_add_epi32(acc1, start1), p1, k),
            k.offset16, out);
  }
};

// ---- Shared pieces ---------------------------------------------------------

inline __m256i WidenRaw(const uint8_t* p) {
  return _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
inline __m256i WidenRaw(const int8_t* p) {
  return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
template <typename T>
inline __m256i Widen16(__m128i v) {
  return std::is_same_v<T, uint8_t> ? _mm256_cvtepu8_epi16(v) : _mm256_cvtepi8_epi16(v);
}
// 8 activations widened to int32 (as int16 pairs: the value, then 0 or its
// sign, which meets a zero weight).
inline __m256i Widen32(const uint8_t* p) {
  return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}
inline __m256i Widen32(const int8_t* p) {
  return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
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

void TapOffsets(const ConvGeometry& g, size_t* offsets) {
  for (int32_t ky = 0, t = 0; ky < g.filter_height; ++ky) {
    for (int32_t kx = 0; kx < g.filter_width; ++kx, ++t) {
      offsets[t] = (static_cast<size_t>(ky) * g.dilation_h * g.input_width + static_cast<size_t>(kx) * g.dilation_w) *
                   g.input_channels;
    }
  }
}

// Channels past the last block of 16 (all of them below 16 channels, e.g.
// person_detect's 8): 8 at once when there are 8, as (x + input_offset) *
// (w + filter_offset) in int32 lanes (vpmulld, wrapping mod 2^32 like the
// reference's uint32 sum) requantized by requant-avx2.h; the rest with the
// reference's scalar arithmetic.
template <typename T>
void ScalarTail(const PackedQDwWeights& w, const QRequant& r, int32_t input_offset, const T* const* taps, T* output) {
  const int32_t tail_c0 = w.blocks * 16, tail = w.channels - tail_c0;
  int32_t first_scalar = 0;
  if (tail >= 8) {
    const __m256i offset = _mm256_set1_epi32(input_offset);
    __m256i acc = avx2::Load8(&r.bias[tail_c0]);
    for (int32_t k = 0; k < w.taps; ++k) {
      const __m256i x = _mm256_add_epi32(avx2::Widen8To32(taps[k] + tail_c0), offset);
      acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(x, avx2::Load8(&w.tail[static_cast<size_t>(k) * tail])));
    }
    avx2::Store8(avx2::Requantize(acc, r, tail_c0), output + tail_c0, 8);
    first_scalar = 8;
  }
  for (int32_t i = first_scalar; i < tail; ++i) {
    const int32_t c = tail_c0 + i;
    uint32_t acc = 0;
    for (int32_t k = 0; k < w.taps; ++k) {
      acc = AccumulateProduct(acc, w.tail[static_cast<size_t>(k) * tail + i], taps[k][c] + input_offset);
    }
    acc += static_cast<uint32_t>(r.bias[c]);
    output[c] = static_cast<T>(RequantizeAndClamp(acc, c, r.params));
  }
}

// The scalar tail of every pixel of output rows [0, g.output_height).
template <typename T>
void ScalarTailRows(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
                    const T* input, const T* zero_row, T* output) {
  if (w.blocks * 16 == w.channels) return;
  size_t offsets[kMaxDwTaps];
  TapOffsets(g, offsets);
  const T* taps[kMaxDwTaps + 1];
  for (int32_t oy = 0; oy < g.output_height; ++oy) {
    for (int32_t ox = 0; ox < g.output_width; ++ox) {
      PixelTaps(g, offsets, oy, ox, input, zero_row, taps);
      ScalarTail(w, r, input_offset, taps, output);
      output += g.input_channels;
    }
  }
}

// ---- 3x3 -------------------------------------------------------------------

// One input column of a 3x3 window, 16 channels: rows 0 and 1 as int16
// pairs (channels 0-7, 8-15), row 2 as int32 (channels 0-7, 8-15).
struct Column {
  __m256i p0, p1, s0, s1;
};

template <typename T>
inline Column LoadColumn(const T* r0, const T* r1, const T* r2) {
  const __m128i x0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r0));
  const __m128i x1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r1));
  Column col;
  col.p0 = Widen16<T>(_mm_unpacklo_epi8(x0, x1));
  col.p1 = Widen16<T>(_mm_unpackhi_epi8(x0, x1));
  col.s0 = Widen32(r2);
  col.s1 = Widen32(r2 + 8);
  return col;
}

// acc += column x the weights of one filter column (4 vectors at wk).
inline void MulAddColumn(const Column& col, const __m256i* wk, __m256i* acc0, __m256i* acc1) {
  *acc0 = _mm256_add_epi32(*acc0, _mm256_add_epi32(_mm256_madd_epi16(col.p0, _mm256_load_si256(wk)),
                                                   _mm256_madd_epi16(col.s0, _mm256_load_si256(wk + 2))));
  *acc1 = _mm256_add_epi32(*acc1, _mm256_add_epi32(_mm256_madd_epi16(col.p1, _mm256_load_si256(wk + 1)),
                                                   _mm256_madd_epi16(col.s1, _mm256_load_si256(wk + 3))));
}

// acc = the three columns of one output pixel times the weights at wb.
inline void Pixel3x3(const Column& a, const Column& b, const Column& c, const __m256i* wb, __m256i* acc0,
                     __m256i* acc1) {
  *acc0 = _mm256_setzero_si256();
  *acc1 = _mm256_setzero_si256();
  MulAddColumn(a, wb, acc0, acc1);
  MulAddColumn(b, wb + 4, acc0, acc1);
  MulAddColumn(c, wb + 8, acc0, acc1);
}

// kStride: 1 or 2 (horizontal stride, no horizontal dilation: columns
// carried to the next pixel), or 0 (any stride and dilation).
template <RequantMode M, int kStride, typename T>
void DwConv3x3(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
               const T* input, const T* zero_row, T* output) {
  const int32_t channels = g.input_channels, width = g.input_width;
  const size_t row_bytes = static_cast<size_t>(width) * channels;
  const __m256i offset = _mm256_set1_epi32(input_offset);
  const RqConsts k = MakeConsts<M>(r);
  const __m256i* weights = reinterpret_cast<const __m256i*>(w.rows3_data());
  const int32_t stride = kStride != 0 ? kStride : g.stride_w, dilation = kStride != 0 ? 1 : g.dilation_w;
  // Output pixels [ox_lo, ox_hi) read only columns inside the image (the
  // columns they load, with a carried one: kStride - 1 .. 2 of the window).
  const int32_t first_new = kStride == 1 ? 2 : kStride == 2 ? 1 : 0;
  int32_t ox_lo = 0, ox_hi = g.output_width;
  while (ox_lo < ox_hi && ox_lo * stride - g.pad_left + first_new * dilation < 0) ++ox_lo;
  while (ox_hi > ox_lo && (ox_hi - 1) * stride - g.pad_left + 2 * dilation >= width) --ox_hi;
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
    for (int32_t b = 0; b < w.blocks; ++b) {
      const int32_t c = b * 16;
      const __m256i* wb = weights + static_cast<size_t>(b) * 12;
      const Block16Rq<M> rq(w, r, offset, c);
      const T* r0 = rows[0] + c;
      const T* r1 = rows[1] + c;
      const T* r2 = rows[2] + c;
      const T* z = zero_row + c;
      auto column = [&](int32_t ix) {
        if (static_cast<uint32_t>(ix) < static_cast<uint32_t>(width)) {
          const size_t x = static_cast<size_t>(ix);
          return LoadColumn(r0 + x * steps[0], r1 + x * steps[1], r2 + x * steps[2]);
        }
        return LoadColumn(z, z, z);
      };
      T* out = out_row + c;
      __m256i acc0, acc1;
      int32_t ox = 0;
      if constexpr (kStride == 1) {
        Column a = column(-g.pad_left), bc = column(1 - g.pad_left);
        while (ox < g.output_width) {
          if (ox >= ox_lo && ox + 2 <= ox_hi) {
            // The interior, two pixels per step, column pointers advanced.
            const size_t x = static_cast<size_t>(ox - g.pad_left + 2);
            const size_t s0 = steps[0], s1 = steps[1], s2 = steps[2];
            const T* q0 = r0 + x * s0;
            const T* q1 = r1 + x * s1;
            const T* q2 = r2 + x * s2;
            for (; ox + 2 <= ox_hi; ox += 2) {
              const Column c1 = LoadColumn(q0, q1, q2);
              Pixel3x3(a, bc, c1, wb, &acc0, &acc1);
              rq.Store(acc0, acc1, k, out);
              const Column c2 = LoadColumn(q0 + s0, q1 + s1, q2 + s2);
              Pixel3x3(bc, c1, c2, wb, &acc0, &acc1);
              rq.Store(acc0, acc1, k, out + channels);
              out += 2 * channels;
              q0 += 2 * s0;
              q1 += 2 * s1;
              q2 += 2 * s2;
              a = c1;
              bc = c2;
            }
          } else {
            const Column c1 = column(ox - g.pad_left + 2);
            Pixel3x3(a, bc, c1, wb, &acc0, &acc1);
            rq.Store(acc0, acc1, k, out);
            out += channels;
            ox += 1;
            a = bc;
            bc = c1;
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
              const Column c1 = LoadColumn(q0, q1, q2), c2 = LoadColumn(q0 + s0, q1 + s1, q2 + s2);
              Pixel3x3(a, c1, c2, wb, &acc0, &acc1);
              rq.Store(acc0, acc1, k, out);
              q0 += 2 * s0;
              q1 += 2 * s1;
              q2 += 2 * s2;
              a = c2;
            }
          } else {
            const int32_t ix = 2 * ox - g.pad_left;
            const Column c1 = column(ix + 1), c2 = column(ix + 2);
            Pixel3x3(a, c1, c2, wb, &acc0, &acc1);
            rq.Store(acc0, acc1, k, out);
            a = c2;
            ++ox;
            out += channels;
          }
        }
      } else {
        for (; ox < g.output_width; ++ox, out += channels) {
          const int32_t ix = ox * stride - g.pad_left;
          Pixel3x3(column(ix), column(ix + dilation), column(ix + 2 * dilation), wb, &acc0, &acc1);
          rq.Store(acc0, acc1, k, out);
        }
      }
    }
  }
  ScalarTailRows(g, w, r, input_offset, input, zero_row, output);
}

// ---- Any filter --------------------------------------------------------------

// 16 channels from c of one or two pixels (taps_a, taps_b).
template <RequantMode M, bool kTwo, typename T>
inline void Block16(const PackedQDwWeights& w, const Block16Rq<M>& rq, const RqConsts& k, int32_t c,
                    const int16_t* wp, const T* const* taps_a, const T* const* taps_b, T* out_a, T* out_b) {
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
  // The accumulators hold channels 0-3, 8-11 (lo) and 4-7, 12-15 (hi).
  rq.Store(_mm256_permute2x128_si256(a_lo, a_hi, 0x20), _mm256_permute2x128_si256(a_lo, a_hi, 0x31), k, out_a + c);
  if constexpr (kTwo) {
    rq.Store(_mm256_permute2x128_si256(b_lo, b_hi, 0x20), _mm256_permute2x128_si256(b_lo, b_hi, 0x31), k,
             out_b + c);
  }
}

template <RequantMode M, typename T>
void DwConvAny(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
               const T* input, const T* zero_row, T* output) {
  const int32_t channels = g.input_channels;
  const __m256i offset = _mm256_set1_epi32(input_offset);
  const RqConsts k = MakeConsts<M>(r);
  const int16_t* weights = w.data();
  const size_t block_weights = static_cast<size_t>(w.tap_pairs) * 32;
  const T* taps_a[kMaxDwTaps + 1];
  const T* taps_b[kMaxDwTaps + 1];
  size_t offsets[kMaxDwTaps];
  TapOffsets(g, offsets);
  T* out = output;
  for (int32_t oy = 0; oy < g.output_height; ++oy) {
    int32_t ox = 0;
    for (; ox + 2 <= g.output_width; ox += 2) {
      PixelTaps(g, offsets, oy, ox, input, zero_row, taps_a);
      PixelTaps(g, offsets, oy, ox + 1, input, zero_row, taps_b);
      for (int32_t b = 0; b < w.blocks; ++b) {
        const Block16Rq<M> rq(w, r, offset, b * 16);
        Block16<M, true>(w, rq, k, b * 16, weights + b * block_weights, taps_a, taps_b, out, out + channels);
      }
      out += 2 * channels;
    }
    if (ox < g.output_width) {
      PixelTaps(g, offsets, oy, ox, input, zero_row, taps_a);
      for (int32_t b = 0; b < w.blocks; ++b) {
        const Block16Rq<M> rq(w, r, offset, b * 16);
        Block16<M, false>(w, rq, k, b * 16, weights + b * block_weights, taps_a, taps_a, out, out);
      }
      out += channels;
    }
  }
  ScalarTailRows(g, w, r, input_offset, input, zero_row, output);
}

template <RequantMode M, typename T>
void DwConvMode(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
                const T* input, const T* zero_row, T* output) {
  if (g.filter_height == 3 && g.filter_width == 3 && w.rows3_data() != nullptr) {
    if (g.dilation_w == 1 && g.stride_w == 1) {
      DwConv3x3<M, 1>(g, w, r, input_offset, input, zero_row, output);
    } else if (g.dilation_w == 1 && g.stride_w == 2) {
      DwConv3x3<M, 2>(g, w, r, input_offset, input, zero_row, output);
    } else {
      DwConv3x3<M, 0>(g, w, r, input_offset, input, zero_row, output);
    }
    return;
  }
  DwConvAny<M>(g, w, r, input_offset, input, zero_row, output);
}

template <typename T>
void DwConv(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
            const T* input, const T* zero_row, T* output) {
  WithRequantMode(r.mode, [&](auto mode) { DwConvMode<mode()>(g, w, r, input_offset, input, zero_row, output); });
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
