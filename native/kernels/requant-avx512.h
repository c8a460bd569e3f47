// RequantizeAndClamp on 16 channels at once, for kernels built with the
// AVX-512 flags (F, BW, DQ, VL): requant-avx2.h's arithmetic, lane for lane
// the same operations, twice as wide (see that file for why each mode is
// exact). Everything has internal linkage, for the reason qgemm-dot-x86.h
// gives (no AVX-512 copy may be picked by the linker for another ISA).
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <type_traits>

#include "kernels/requant.h"

// GCC 12 reports the "undefined" pass-through operand inside AVX-512
// intrinsics (_mm512_cvtepu8_epi32, _mm512_extracti64x4_epi64, ...) as
// (maybe-)uninitialized: a false positive, silenced for the files that
// include this one (all of them built with the AVX-512 flags).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace edgeinfer::kernels {
namespace {
namespace avx512 {

// One group of 16 channels' parameters in registers, for one mode.
struct Channels16 {
  bool left_shift;
  __m512i multiplier, multiplier_odd;
  __m512i shift_a, shift_b;  // double: left, right; single: even and odd lanes' total shifts (int64)
  __m512i mask, half_mask;   // double: 2^right - 1 and its half
  __m512 scale;
  __m512i lo, hi, offset;  // clamp less offset: int32, int64 (single rounding) or float bits (half-even)
};

template <RequantMode kMode>
inline Channels16 LoadChannels16(const QRequant& r, int32_t c) {
  Channels16 p;
  p.left_shift = r.any_left_shift;
  p.offset = _mm512_set1_epi32(r.output_offset);
  if constexpr (kMode == RequantMode::kDoubleRounding) {
    p.multiplier = _mm512_loadu_si512(&r.multiplier[c]);
    p.multiplier_odd = _mm512_srli_epi64(p.multiplier, 32);
    p.shift_a = _mm512_loadu_si512(&r.left_shift[c]);
    p.shift_b = _mm512_loadu_si512(&r.right_shift[c]);
    p.mask = _mm512_sub_epi32(_mm512_sllv_epi32(_mm512_set1_epi32(1), p.shift_b), _mm512_set1_epi32(1));
    p.half_mask = _mm512_srli_epi32(p.mask, 1);
    p.lo = _mm512_set1_epi32(r.min_less_offset);
    p.hi = _mm512_set1_epi32(r.max_less_offset);
  } else if constexpr (kMode == RequantMode::kSingleRounding) {
    p.multiplier = _mm512_loadu_si512(&r.multiplier[c]);
    p.multiplier_odd = _mm512_srli_epi64(p.multiplier, 32);
    const __m512i total = _mm512_loadu_si512(&r.total_shift[c]);
    p.shift_a = _mm512_and_si512(total, _mm512_set1_epi64(0xFFFFFFFFll));
    p.shift_b = _mm512_srli_epi64(total, 32);
    p.lo = _mm512_set1_epi64(r.min_less_offset);
    p.hi = _mm512_set1_epi64(r.max_less_offset);
  } else {
    p.scale = _mm512_loadu_ps(&r.scale[c]);
    p.lo = _mm512_castps_si512(_mm512_set1_ps(static_cast<float>(r.min_less_offset)));
    p.hi = _mm512_castps_si512(_mm512_set1_ps(static_cast<float>(r.max_less_offset)));
  }
  return p;
}

// One multiplier and shift for all 16 lanes (a per-tensor rescale,
// MultiplyByQuantizedMultiplier(x, multiplier, shift)) in double rounding,
// clamped to [lo, hi], then offset; shift in [-31, 30].
inline Channels16 PerTensorDoubleRounding(int32_t multiplier, int shift, int32_t lo, int32_t hi, int32_t offset) {
  Channels16 p;
  const int right = shift > 0 ? 0 : -shift;
  p.left_shift = shift > 0;
  p.multiplier = p.multiplier_odd = _mm512_set1_epi32(multiplier);
  p.shift_a = _mm512_set1_epi32(shift > 0 ? shift : 0);
  p.shift_b = _mm512_set1_epi32(right);
  p.mask = _mm512_set1_epi32(static_cast<int32_t>((uint32_t{1} << right) - 1));
  p.half_mask = _mm512_srli_epi32(p.mask, 1);
  p.lo = _mm512_set1_epi32(lo);
  p.hi = _mm512_set1_epi32(hi);
  p.offset = _mm512_set1_epi32(offset);
  return p;
}

// (v + 2^(s-1)) >> s (arithmetic) for int64 lanes, s in [1, 62], clamped.
inline __m512i ShiftRoundClamp64(__m512i v, __m512i s, __m512i lo, __m512i hi) {
  const __m512i one = _mm512_set1_epi64(1);
  v = _mm512_add_epi64(v, _mm512_sllv_epi64(one, _mm512_sub_epi64(s, one)));
  v = _mm512_srav_epi64(v, s);
  return _mm512_min_epi64(_mm512_max_epi64(v, lo), hi);
}

// acc: 16 channels with their bias added. Returns the clamped outputs.
template <RequantMode kMode>
inline __m512i Requantize16(__m512i acc, const Channels16& p) {
  if constexpr (kMode == RequantMode::kHalfEven) {
    __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), p.scale);
    v = _mm512_max_ps(_mm512_castsi512_ps(p.lo), v);  // NaN passes through, as in the scalar code
    v = _mm512_min_ps(_mm512_castsi512_ps(p.hi), v);
    return _mm512_add_epi32(_mm512_cvtps_epi32(v), p.offset);  // round half to even (MXCSR default)
  } else if constexpr (kMode == RequantMode::kSingleRounding) {
    const __m512i even = ShiftRoundClamp64(_mm512_mul_epi32(acc, p.multiplier), p.shift_a, p.lo, p.hi);
    const __m512i odd =
        ShiftRoundClamp64(_mm512_mul_epi32(_mm512_srli_epi64(acc, 32), p.multiplier_odd), p.shift_b, p.lo, p.hi);
    const __m512i v = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
    return _mm512_add_epi32(v, p.offset);
  } else {
    const __m512i x = p.left_shift ? _mm512_sllv_epi32(acc, p.shift_a) : acc;
    const __m512i half = _mm512_set1_epi64(int64_t{1} << 30);
    const __m512i even = _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epi32(x, p.multiplier), half), 31);
    const __m512i odd = _mm512_slli_epi64(
        _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), p.multiplier_odd), half), 1);
    const __m512i high = _mm512_mask_blend_epi32(0xAAAA, even, odd);
    // RoundingDivideByPOT(high, right): + 1 where the remainder exceeds
    // half_mask + (high < 0).
    const __m512i remainder = _mm512_and_si512(high, p.mask);
    const __m512i threshold = _mm512_sub_epi32(p.half_mask, _mm512_srai_epi32(high, 31));
    __m512i v = _mm512_srav_epi32(high, p.shift_b);
    v = _mm512_mask_add_epi32(v, _mm512_cmpgt_epi32_mask(remainder, threshold), v, _mm512_set1_epi32(1));
    v = _mm512_min_epi32(_mm512_max_epi32(v, p.lo), p.hi);
    return _mm512_add_epi32(v, p.offset);
  }
}

// Stores 16 outputs already inside T's range (so vpmovdb's truncation is
// exact); count < 16 stores the first count with a byte mask.
template <typename T>
inline void Store16(__m512i v, T* out, int32_t count = 16) {
  const __m128i b = _mm512_cvtepi32_epi8(v);
  if (count == 16) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), b);
  } else {
    _mm_mask_storeu_epi8(out, static_cast<__mmask16>((1u << count) - 1), b);
  }
}

}  // namespace avx512
}  // namespace
}  // namespace edgeinfer::kernels
