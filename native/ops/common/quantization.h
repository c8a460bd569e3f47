// TFLite's fixed-point requantization, reproduced exactly: the double
// rounding of its reference and hand-written optimized kernels (the default
// build, without TFLITE_SINGLE_ROUNDING), the single rounding of ruy, which
// its int8 GEMM-backed kernels go through, and the activation clamp helpers
// every quantized kernel shares. These are the arithmetic that makes our
// results bit-identical to TFLite's kernels; change nothing here without the
// oracle tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "edgeinfer/graph.h"

namespace edgeinfer {

// multiplier = quantized_multiplier * 2^(shift - 31), quantized_multiplier in [2^30, 2^31).
inline void QuantizeMultiplier(double real_multiplier, int32_t* quantized_multiplier, int* shift) {
  if (real_multiplier == 0.0) {
    *quantized_multiplier = 0;
    *shift = 0;
    return;
  }
  const double q = std::frexp(real_multiplier, shift);
  int64_t q_fixed = static_cast<int64_t>(std::round(q * static_cast<double>(1LL << 31)));
  if (q_fixed == (1LL << 31)) {
    q_fixed /= 2;
    ++*shift;
  }
  if (*shift < -31) {
    *shift = 0;
    q_fixed = 0;
  }
  if (*shift > 30) {
    *shift = 30;
    q_fixed = (1LL << 31) - 1;
  }
  *quantized_multiplier = static_cast<int32_t>(q_fixed);
}

inline int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::max();
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  return static_cast<int32_t>((ab + nudge) / (1LL << 31));
}

// Rounds half away from zero, as gemmlowp does.
inline int32_t RoundingDivideByPOT(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((1LL << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * quantized_multiplier * 2^(shift - 31), with TFLite's double rounding.
inline int32_t MultiplyByQuantizedMultiplier(int32_t x, int32_t quantized_multiplier, int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  return RoundingDivideByPOT(
      SaturatingRoundingDoublingHighMul(static_cast<int32_t>(static_cast<uint32_t>(x) << left_shift),
                                        quantized_multiplier),
      right_shift);
}

// x * quantized_multiplier * 2^(shift - 31) rounded once, half up:
// (x * m + 2^(30 - shift)) >> (31 - shift). TFLite's GEMM-backed kernels
// (int8 CONV_2D through im2col, int8 FULLY_CONNECTED) requantize inside
// ruy, whose MultiplyByQuantizedMultiplier rounds this way, not twice like
// the reference kernels above; the two differ by 1 where the exact product
// lies within 2^-31 of a half step, or is a negative exact half.
// QuantizeMultiplier keeps shift in [-31, 30], so the shift is in [1, 62]
// and the int64 sum cannot overflow; the result can pass int32 only with
// hostile scales (ruy assumes it does not) and saturates.
inline int32_t MultiplyByQuantizedMultiplierSingleRounding(int32_t x, int32_t quantized_multiplier, int shift) {
  const int total_shift = 31 - shift;
  const int64_t round = int64_t{1} << (total_shift - 1);
  const int64_t result = (int64_t{x} * quantized_multiplier + round) >> total_shift;
  if (result > std::numeric_limits<int32_t>::max()) return std::numeric_limits<int32_t>::max();
  if (result < std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(result);
}

// ONNX Runtime's requantization (MLAS's MlasRequantizeOutput), which ONNX
// models are held to: the int32 accumulator converted to float, times the
// float scale, clamped to [qmin, qmax] less the zero point, rounded half to
// even (the default floating-point rounding mode, as cvtps2dq does), plus
// the zero point. Clamping before rounding gives the same result as after
// (the bounds are integers) and keeps the conversion inside int32.
inline int32_t RequantizeHalfEven(int32_t acc, float scale, int32_t zero_point, int32_t qmin, int32_t qmax) {
  float v = static_cast<float>(acc) * scale;
  const float lo = static_cast<float>(qmin - zero_point), hi = static_cast<float>(qmax - zero_point);
  v = v < lo ? lo : v;
  v = v > hi ? hi : v;
  return static_cast<int32_t>(std::nearbyint(v)) + zero_point;
}

inline int32_t QuantizedMin(DType t) {
  switch (t) {
    case DType::kInt8: return -128;
    case DType::kUInt8: return 0;
    case DType::kInt16: return -32768;
    default: return std::numeric_limits<int32_t>::min();
  }
}
inline int32_t QuantizedMax(DType t) {
  switch (t) {
    case DType::kInt8: return 127;
    case DType::kUInt8: return 255;
    case DType::kInt16: return 32767;
    default: return std::numeric_limits<int32_t>::max();
  }
}

// The clamp range of a fused activation on a quantized output, computed as
// TFLite's CalculateActivationRangeQuantized does (float division, round
// half away from zero).
inline void QuantizedActivationRange(Activation act, float scale, int32_t zero_point, DType dtype,
                                     int32_t* act_min, int32_t* act_max) {
  const int32_t qmin = QuantizedMin(dtype), qmax = QuantizedMax(dtype);
  auto quantize = [scale, zero_point](float f) { return zero_point + static_cast<int32_t>(std::round(f / scale)); };
  switch (act) {
    case Activation::kRelu:
      *act_min = std::max(qmin, quantize(0.0f));
      *act_max = qmax;
      break;
    case Activation::kRelu6:
      *act_min = std::max(qmin, quantize(0.0f));
      *act_max = std::min(qmax, quantize(6.0f));
      break;
    case Activation::kReluN1To1:
      *act_min = std::max(qmin, quantize(-1.0f));
      *act_max = std::min(qmax, quantize(1.0f));
      break;
    case Activation::kNone:
    default:
      *act_min = qmin;
      *act_max = qmax;
      break;
  }
}

// The clamp of a float operator's fused activation.
struct FloatClamp {
  float min = 0.f, max = 0.f;
};

// Narrows [*act_min, *act_max] to a real-valued clamp quantized as ONNX's
// QuantizeLinear does (x / scale in float, round half to even, plus the
// zero point), so a folded Relu or Clip clamps exactly where the float
// graph's Clip followed by QuantizeLinear would.
inline void QuantizedClampRange(const FusedClamp& clamp, float scale, int32_t zero_point, DType dtype,
                                int32_t* act_min, int32_t* act_max) {
  const float qmin = static_cast<float>(QuantizedMin(dtype)), qmax = static_cast<float>(QuantizedMax(dtype));
  auto quantize = [&](float v) {
    float q = std::nearbyint(v / scale) + static_cast<float>(zero_point);
    q = q < qmin ? qmin : q;  // also -inf
    q = q > qmax ? qmax : q;
    return static_cast<int32_t>(q);
  };
  if (clamp.min > -std::numeric_limits<float>::infinity()) *act_min = std::max(*act_min, quantize(clamp.min));
  if (clamp.max < std::numeric_limits<float>::infinity()) *act_max = std::min(*act_max, quantize(clamp.max));
}

inline void FloatActivationRange(Activation act, float* act_min, float* act_max) {
  switch (act) {
    case Activation::kRelu: *act_min = 0.f; *act_max = std::numeric_limits<float>::max(); break;
    case Activation::kRelu6: *act_min = 0.f; *act_max = 6.f; break;
    case Activation::kReluN1To1: *act_min = -1.f; *act_max = 1.f; break;
    default: *act_min = std::numeric_limits<float>::lowest(); *act_max = std::numeric_limits<float>::max();
  }
}

// A float node's clamp: its fused activation's range narrowed by a folded
// ONNX Relu or Clip.
inline FloatClamp FloatClampFor(Activation act, const FusedClamp& fused) {
  FloatClamp c;
  FloatActivationRange(act, &c.min, &c.max);
  c.min = std::max(c.min, fused.min);
  c.max = std::min(c.max, fused.max);
  return c;
}

}  // namespace edgeinfer
