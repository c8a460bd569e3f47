// RequantizeAndClamp on 4 channels at once, for the NEON kernels only
// (include it from *-neon.cc files). Each mode follows the scalar
// arithmetic of ops/common/quantization.h step for step:
//
// Double rounding: SaturatingRoundingDoublingHighMul is exactly sqrdmulh
// ((2ab + 2^31) >> 32, saturating the one case a = b = INT32_MIN, as the
// scalar code does); RoundingDivideByPOT runs per lane with the reference's
// mask / remainder / threshold.
// Single rounding: (a*m + 2^(s-1)) >> s in int64 (smull, sshl by -s), then
// clamped in 64 bits, which equals saturating to int32, adding the offset
// and clamping, as both bounds lie inside int32.
// Half-even: float(acc) * scale, clamped with fmax/fmin (NaN passes
// through, as in the scalar code), then fcvtns (round to nearest even).
#pragma once

#include <arm_neon.h>

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/requant.h"

namespace edgeinfer::kernels::neon {

inline int32x4_t RequantizeDoubleRounding(int32x4_t acc, const QRequant& r, int32_t c) {
  const int32x4_t x = vshlq_s32(acc, vld1q_s32(&r.left_shift[c]));
  const int32x4_t high = vqrdmulhq_s32(x, vld1q_s32(&r.multiplier[c]));
  const int32x4_t exponent = vld1q_s32(&r.right_shift[c]);
  const int32x4_t one = vdupq_n_s32(1);
  const int32x4_t mask = vsubq_s32(vshlq_s32(one, exponent), one);
  const int32x4_t remainder = vandq_s32(high, mask);
  // x < 0 is all ones (-1): subtracting it adds 1.
  const int32x4_t negative = vreinterpretq_s32_u32(vcltq_s32(high, vdupq_n_s32(0)));
  const int32x4_t threshold = vsubq_s32(vshrq_n_s32(mask, 1), negative);
  const int32x4_t round_up = vreinterpretq_s32_u32(vcgtq_s32(remainder, threshold));
  int32x4_t v = vsubq_s32(vshlq_s32(high, vnegq_s32(exponent)), round_up);
  v = vmaxq_s32(v, vdupq_n_s32(r.min_less_offset));
  v = vminq_s32(v, vdupq_n_s32(r.max_less_offset));
  return vaddq_s32(v, vdupq_n_s32(r.output_offset));
}

inline int64x2_t ShiftRoundClamp64(int64x2_t p, int64x2_t s, int64x2_t lo, int64x2_t hi) {
  const int64x2_t one = vdupq_n_s64(1);
  p = vaddq_s64(p, vshlq_s64(one, vsubq_s64(s, one)));
  int64x2_t v = vshlq_s64(p, vnegq_s64(s));
  v = vbslq_s64(vcgtq_s64(lo, v), lo, v);
  return vbslq_s64(vcgtq_s64(v, hi), hi, v);
}

inline int32x4_t RequantizeSingleRounding(int32x4_t acc, const QRequant& r, int32_t c) {
  const int32x4_t m = vld1q_s32(&r.multiplier[c]);
  const int32x4_t total = vld1q_s32(&r.total_shift[c]);
  const int64x2_t lo = vdupq_n_s64(r.min_less_offset), hi = vdupq_n_s64(r.max_less_offset);
  const int64x2_t v0 = ShiftRoundClamp64(vmull_s32(vget_low_s32(acc), vget_low_s32(m)), vmovl_s32(vget_low_s32(total)), lo, hi);
  const int64x2_t v1 = ShiftRoundClamp64(vmull_high_s32(acc, m), vmovl_high_s32(total), lo, hi);
  return vaddq_s32(vcombine_s32(vmovn_s64(v0), vmovn_s64(v1)), vdupq_n_s32(r.output_offset));
}

inline int32x4_t RequantizeHalfEven(int32x4_t acc, const QRequant& r, int32_t c) {
  float32x4_t v = vmulq_f32(vcvtq_f32_s32(acc), vld1q_f32(&r.scale[c]));
  v = vmaxq_f32(vdupq_n_f32(static_cast<float>(r.min_less_offset)), v);
  v = vminq_f32(vdupq_n_f32(static_cast<float>(r.max_less_offset)), v);
  return vaddq_s32(vcvtnq_s32_f32(v), vdupq_n_s32(r.output_offset));
}

// acc: channels c..c+3 with their bias added. Returns the clamped outputs.
inline int32x4_t Requantize(int32x4_t acc, const QRequant& r, int32_t c) {
  switch (r.mode) {
    case RequantMode::kSingleRounding: return RequantizeSingleRounding(acc, r, c);
    case RequantMode::kHalfEven: return RequantizeHalfEven(acc, r, c);
    case RequantMode::kDoubleRounding:
    default: return RequantizeDoubleRounding(acc, r, c);
  }
}

// Stores `count` (1..8) outputs of channels c..c+7, already inside T's range.
template <typename T>
inline void Store8(int32x4_t lo, int32x4_t hi, T* out, int32_t count) {
  const int16x8_t w16 = vcombine_s16(vmovn_s32(lo), vmovn_s32(hi));
  uint8_t bytes[8];
  if constexpr (std::is_same_v<T, uint8_t>) {
    vst1_u8(bytes, vqmovun_s16(w16));
  } else {
    vst1_s8(reinterpret_cast<int8_t*>(bytes), vqmovn_s16(w16));
  }
  std::memcpy(out, bytes, static_cast<size_t>(count));
}

// 8 activations widened to int16 with the input offset added (exact).
inline int16x8_t Widen8(const uint8_t* p, int16x8_t offset) {
  return vaddq_s16(vreinterpretq_s16_u16(vmovl_u8(vld1_u8(p))), offset);
}
inline int16x8_t Widen8(const int8_t* p, int16x8_t offset) { return vaddq_s16(vmovl_s8(vld1_s8(p)), offset); }

}  // namespace edgeinfer::kernels::neon
