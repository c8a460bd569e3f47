// RequantizeAndClamp on 8 channels at once, for the AVX2 kernels only
// (include it from *-avx2.cc files, which are built with -mavx2). Each mode
// reproduces the scalar arithmetic of ops/common/quantization.h exactly:
//
// Double rounding: SaturatingRoundingDoublingHighMul(a, m) is
// trunc((a*m + nudge) / 2^31) with nudge = 2^30 or 1 - 2^30 by the sign of
// a*m; for integers that equals floor((a*m + 2^30) / 2^31) in both cases,
// so one 64-bit add and a shift do it (the saturating case a = m = INT32_MIN
// cannot occur: multipliers are non-negative). Its low 32 bits come from a
// logical shift as well as an arithmetic one, since the result fits int32.
// RoundingDivideByPOT then runs per lane with variable shifts.
//
// Single rounding: (a*m + 2^(s-1)) >> s in int64 with s = 31 - shift, an
// arithmetic shift built from a logical one (x ^ sign) >> s ^ sign, then
// clamped in 64 bits. Clamping the 64-bit value to [act_min, act_max] less
// the offset gives what saturating to int32, adding the offset and clamping
// does, because both bounds lie inside int32.
//
// Half-even: float(acc) * scale, clamped with max(lo, v) / min(hi, v) so a
// NaN passes through as it does in the scalar code, then cvtps2dq (round to
// nearest even in the default MXCSR mode, as nearbyint).
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/requant.h"

namespace edgeinfer::kernels::avx2 {

inline __m256i Load8(const int32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

// One group of 8 channels' requantization parameters in registers, loaded
// once and applied to every row of a tile (and hoisted out of the loops
// that store bytes, which may alias anything).
struct Channels8 {
  RequantMode mode;
  bool left_shift;
  __m256i multiplier, shift_a, shift_b;  // double: left, right; single: total (shift_a)
  __m256i multiplier_odd;                // the odd lanes' multipliers in the even positions
  __m256i mask, half_mask;               // double: 2^right - 1 and its half
  __m256 scale;
  __m256i lo, hi, offset;                 // int32 clamp less offset (int64 for single rounding)
};

inline Channels8 LoadChannels8(const QRequant& r, int32_t c) {
  Channels8 p;
  p.mode = r.mode;
  p.left_shift = r.any_left_shift;
  p.offset = _mm256_set1_epi32(r.output_offset);
  switch (r.mode) {
    case RequantMode::kDoubleRounding:
      p.multiplier = Load8(&r.multiplier[c]);
      p.shift_a = Load8(&r.left_shift[c]);
      p.shift_b = Load8(&r.right_shift[c]);
      p.multiplier_odd = _mm256_srli_epi64(p.multiplier, 32);
      p.mask = _mm256_sub_epi32(_mm256_sllv_epi32(_mm256_set1_epi32(1), p.shift_b), _mm256_set1_epi32(1));
      p.half_mask = _mm256_srli_epi32(p.mask, 1);
      p.lo = _mm256_set1_epi32(r.min_less_offset);
      p.hi = _mm256_set1_epi32(r.max_less_offset);
      break;
    case RequantMode::kSingleRounding:
      p.multiplier = Load8(&r.multiplier[c]);
      p.shift_a = Load8(&r.total_shift[c]);
      p.lo = _mm256_set1_epi64x(r.min_less_offset);
      p.hi = _mm256_set1_epi64x(r.max_less_offset);
      break;
    case RequantMode::kHalfEven:
    default:
      p.scale = _mm256_loadu_ps(&r.scale[c]);
      p.lo = _mm256_castps_si256(_mm256_set1_ps(static_cast<float>(r.min_less_offset)));
      p.hi = _mm256_castps_si256(_mm256_set1_ps(static_cast<float>(r.max_less_offset)));
      break;
  }
  return p;
}

// One multiplier and shift for all 8 lanes (a per-tensor rescale, e.g.
// MultiplyByQuantizedMultiplier(x, multiplier, shift) in ADD and QUANTIZE),
// for RequantizeDoubleRounding: clamped to [lo, hi], then offset. shift in
// [-31, 30], as QuantizeMultiplier gives.
inline Channels8 PerTensorDoubleRounding(int32_t multiplier, int shift, int32_t lo, int32_t hi, int32_t offset) {
  Channels8 c;
  c.mode = RequantMode::kDoubleRounding;
  c.left_shift = shift > 0;
  const int right = shift > 0 ? 0 : -shift;
  c.multiplier = c.multiplier_odd = _mm256_set1_epi32(multiplier);
  c.shift_a = _mm256_set1_epi32(shift > 0 ? shift : 0);
  c.shift_b = _mm256_set1_epi32(right);
  c.mask = _mm256_set1_epi32(static_cast<int32_t>((uint32_t{1} << right) - 1));
  c.half_mask = _mm256_srli_epi32(c.mask, 1);
  c.lo = _mm256_set1_epi32(lo);
  c.hi = _mm256_set1_epi32(hi);
  c.offset = _mm256_set1_epi32(offset);
  return c;
}

inline __m256i RequantizeDoubleRounding(__m256i acc, const Channels8& p) {
  const __m256i x = p.left_shift ? _mm256_sllv_epi32(acc, p.shift_a) : acc;
  const __m256i half = _mm256_set1_epi64x(int64_t{1} << 30);
  __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, p.multiplier), half);
  even = _mm256_srli_epi64(even, 31);
  __m256i odd = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), p.multiplier_odd), half);
  odd = _mm256_slli_epi64(odd, 1);
  const __m256i high = _mm256_blend_epi32(even, odd, 0xAA);
  // RoundingDivideByPOT(high, right_shift)
  const __m256i remainder = _mm256_and_si256(high, p.mask);
  const __m256i threshold = _mm256_sub_epi32(p.half_mask, _mm256_cmpgt_epi32(_mm256_setzero_si256(), high));
  __m256i v = _mm256_sub_epi32(_mm256_srav_epi32(high, p.shift_b), _mm256_cmpgt_epi32(remainder, threshold));
  v = _mm256_max_epi32(v, p.lo);
  v = _mm256_min_epi32(v, p.hi);
  return _mm256_add_epi32(v, p.offset);
}

// (p + 2^(s-1)) >> s for int64 lanes p, counts s in [1, 62] in each lane's
// low 64 bits, clamped to [lo, hi].
inline __m256i ShiftRoundClamp64(__m256i p, __m256i s, __m256i lo, __m256i hi) {
  const __m256i one = _mm256_set1_epi64x(1);
  p = _mm256_add_epi64(p, _mm256_sllv_epi64(one, _mm256_sub_epi64(s, one)));
  const __m256i sign = _mm256_cmpgt_epi64(_mm256_setzero_si256(), p);
  __m256i v = _mm256_xor_si256(_mm256_srlv_epi64(_mm256_xor_si256(p, sign), s), sign);
  v = _mm256_blendv_epi8(v, lo, _mm256_cmpgt_epi64(lo, v));
  return _mm256_blendv_epi8(v, hi, _mm256_cmpgt_epi64(v, hi));
}

inline __m256i RequantizeSingleRounding(__m256i acc, const Channels8& p) {
  const __m256i m = p.multiplier;
  const __m256i total = p.shift_a;
  const __m256i low32 = _mm256_set1_epi64x(0xFFFFFFFFll);
  const __m256i even = ShiftRoundClamp64(_mm256_mul_epi32(acc, m), _mm256_and_si256(total, low32), p.lo, p.hi);
  const __m256i odd = ShiftRoundClamp64(_mm256_mul_epi32(_mm256_srli_epi64(acc, 32), _mm256_srli_epi64(m, 32)),
                                        _mm256_srli_epi64(total, 32), p.lo, p.hi);
  const __m256i v = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  return _mm256_add_epi32(v, p.offset);
}

inline __m256i RequantizeHalfEven(__m256i acc, const Channels8& p) {
  __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), p.scale);
  v = _mm256_max_ps(_mm256_castsi256_ps(p.lo), v);
  v = _mm256_min_ps(_mm256_castsi256_ps(p.hi), v);
  return _mm256_add_epi32(_mm256_cvtps_epi32(v), p.offset);
}

// acc: the 8 channels of p with their bias added. Returns the clamped outputs.
inline __m256i Requantize(__m256i acc, const Channels8& p) {
  switch (p.mode) {
    case RequantMode::kSingleRounding: return RequantizeSingleRounding(acc, p);
    case RequantMode::kHalfEven: return RequantizeHalfEven(acc, p);
    case RequantMode::kDoubleRounding:
    default: return RequantizeDoubleRounding(acc, p);
  }
}

// Requantize with the mode fixed at compile time (for loops specialized
// per mode).
template <RequantMode kMode>
inline __m256i RequantizeAs(__m256i acc, const Channels8& p) {
  if constexpr (kMode == RequantMode::kHalfEven) {
    return RequantizeHalfEven(acc, p);
  } else if constexpr (kMode == RequantMode::kSingleRounding) {
    return RequantizeSingleRounding(acc, p);
  } else {
    return RequantizeDoubleRounding(acc, p);
  }
}

inline __m256i Requantize(__m256i acc, const QRequant& r, int32_t c) { return Requantize(acc, LoadChannels8(r, c)); }

// Stores `count` (1..8) outputs, already inside T's range.
template <typename T>
inline void Store8(__m256i v, T* out, int32_t count) {
  const __m128i w16 = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  const __m128i b = std::is_same_v<T, uint8_t> ? _mm_packus_epi16(w16, w16) : _mm_packs_epi16(w16, w16);
  if (count == 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out), b);
  } else {
    alignas(16) uint8_t tmp[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(tmp), b);
    std::memcpy(out, tmp, static_cast<size_t>(count));
  }
}

// Stores 16 outputs, channels 0-7 in v0 and 8-15 in v1, already inside T's
// range, with one 16-byte store: packssdw interleaves the 128-bit lanes
// (v0 0-3, v1 0-3 | v0 4-7, v1 4-7), vpermq puts them back in order.
template <typename T>
inline void Store16(__m256i v0, __m256i v1, T* out) {
  const __m256i w16 = _mm256_permute4x64_epi64(_mm256_packs_epi32(v0, v1), 0xD8);
  const __m128i lo = _mm256_castsi256_si128(w16), hi = _mm256_extracti128_si256(w16, 1);
  const __m128i b = std::is_same_v<T, uint8_t> ? _mm_packus_epi16(lo, hi) : _mm_packs_epi16(lo, hi);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), b);
}

// Stores 32 values in four vectors of 8 int32, already inside T's range,
// as 32 bytes in order.
template <typename T>
inline void Store32(__m256i v0, __m256i v1, __m256i v2, __m256i v3, T* out) {
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  const __m256i lo = _mm256_packs_epi32(v0, v1), hi = _mm256_packs_epi32(v2, v3);
  const __m256i bytes = std::is_same_v<T, uint8_t> ? _mm256_packus_epi16(lo, hi) : _mm256_packs_epi16(lo, hi);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_permutevar8x32_epi32(bytes, order));
}

// 8 activations zero- or sign-extended to int32.
inline __m256i Widen8To32(const uint8_t* p) {
  return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}
inline __m256i Widen8To32(const int8_t* p) {
  return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}

// 16 activations widened to int16 with the input offset added: exact, as
// x + offset lies in [-255, 255].
inline __m256i Widen16(const uint8_t* p, __m256i offset) {
  return _mm256_add_epi16(_mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))), offset);
}
inline __m256i Widen16(const int8_t* p, __m256i offset) {
  return _mm256_add_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))), offset);
}

inline __m128i Widen8(const uint8_t* p, __m128i offset) {
  return _mm_add_epi16(_mm_cvtepu8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))), offset);
}
inline __m128i Widen8(const int8_t* p, __m128i offset) {
  return _mm_add_epi16(_mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))), offset);
}

}  // namespace edgeinfer::kernels::avx2
