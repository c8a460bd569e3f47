// ADD reference kernels, bit-exact with TFLite's builtin ADD
// (kernels/add.cc Prepare + reference_integer_ops/add.h): each input is
// offset, left-shifted by 20 bits and rescaled to a common scale of twice the
// larger input scale, the sum is rescaled to the output, offset and clamped.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstdint>

#include "ops/common/binary.h"
#include "ops/common/broadcast.h"
#include "ops/common/quantization.h"

namespace edgeinfer {

struct QuantizedAddParams {
  int32_t input1_offset = 0, input2_offset = 0, output_offset = 0;  // offsets are -zero_point for inputs
  int left_shift = 20;
  int32_t input1_multiplier = 0, input2_multiplier = 0, output_multiplier = 0;
  int input1_shift = 0, input2_shift = 0, output_shift = 0;  // all <= 0
  int32_t act_min = 0, act_max = 0;
  // Both operands have the output's shape and the AVX2 path may run.
  bool same_shape_avx2 = false;
  // ... and so may the AVX-512 path (a session allowed AVX-512 VNNI).
  bool same_shape_avx512 = false;
  int64_t size = 0;
};

// Same-shape operands run the AVX-512 or AVX2 loop (add-avx512vnni.cc,
// add-avx2.cc).
inline const char* KernelIsa(const QuantizedAddParams& p) {
  return p.same_shape_avx512 ? "avx512vnni" : p.same_shape_avx2 ? "avx2" : nullptr;
}

#if defined(__x86_64__) || defined(_M_X64)
// add-avx2.cc: AddQuantized (TFLite's arithmetic) for same-shape operands,
// bit-identical.
void AddTfliteSameShapeAvx2(const QuantizedAddParams& p, const int8_t* a, const int8_t* b, int64_t n, int8_t* out);
void AddTfliteSameShapeAvx2(const QuantizedAddParams& p, const uint8_t* a, const uint8_t* b, int64_t n,
                            uint8_t* out);
// add-avx512vnni.cc: the same on 16 lanes (built with the AVX-512 flags;
// call only where the CPU has AVX-512 VNNI).
void AddTfliteSameShapeAvx512(const QuantizedAddParams& p, const int8_t* a, const int8_t* b, int64_t n,
                              int8_t* out);
void AddTfliteSameShapeAvx512(const QuantizedAddParams& p, const uint8_t* a, const uint8_t* b, int64_t n,
                              uint8_t* out);
#endif

inline int32_t QuantizedAddElement(const QuantizedAddParams& p, int32_t a, int32_t b) {
  const int32_t shifted1 = (a + p.input1_offset) * (1 << p.left_shift);
  const int32_t shifted2 = (b + p.input2_offset) * (1 << p.left_shift);
  const int32_t scaled1 = MultiplyByQuantizedMultiplier(shifted1, p.input1_multiplier, p.input1_shift);
  const int32_t scaled2 = MultiplyByQuantizedMultiplier(shifted2, p.input2_multiplier, p.input2_shift);
  const int32_t raw = MultiplyByQuantizedMultiplier(scaled1 + scaled2, p.output_multiplier, p.output_shift) +
                      p.output_offset;
  return std::min(p.act_max, std::max(p.act_min, raw));
}

// ONNX models (Rounding::kHalfEven) add as ONNX Runtime's QLinearAdd does
// on x86-64 with AVX2 (MLAS's AVX2 kernel): in float, with the ratios of
// the scales and the zero points folded into one constant,
//   t = fma(a, ratio1, fma(b, ratio2, fixed)),  fixed = zp_c - (ratio1*zp_a + ratio2*zp_b)
// (an operand that is one element for the whole tensor is folded into
// `fixed` first, with a separate multiply and add), then converted rounding
// half to even with cvtps2dq's overflow value and saturated to the type.
struct OnnxAddParams {
  float ratio1 = 0.f, ratio2 = 0.f;
  float fixed = 0.f;
  bool in1_scalar = false, in2_scalar = false;
  int32_t qmin = 0, qmax = 0;
  // Both operands have the output's shape and the AVX2 path may run.
  bool same_shape_avx2 = false;
  int64_t size = 0;
};

// Same-shape operands run the AVX2 loop (add-avx2.cc).
inline const char* KernelIsa(const OnnxAddParams& p) { return p.same_shape_avx2 ? "avx2" : nullptr; }

#if defined(__x86_64__) || defined(_M_X64)
// add-avx2.cc: AddOnnx for same-shape operands, bit-identical.
void AddOnnxSameShapeAvx2(const OnnxAddParams& p, const int8_t* a, const int8_t* b, int64_t n, int8_t* out);
void AddOnnxSameShapeAvx2(const OnnxAddParams& p, const uint8_t* a, const uint8_t* b, int64_t n, uint8_t* out);
#endif

inline int32_t OnnxAddElement(const OnnxAddParams& p, int32_t a, int32_t b) {
  float t;
  if (p.in1_scalar) {
    t = std::fma(static_cast<float>(b), p.ratio2, p.fixed + static_cast<float>(a) * p.ratio1);
  } else if (p.in2_scalar) {
    t = std::fma(static_cast<float>(a), p.ratio1, p.fixed + static_cast<float>(b) * p.ratio2);
  } else {
    t = std::fma(static_cast<float>(a), p.ratio1, std::fma(static_cast<float>(b), p.ratio2, p.fixed));
  }
  // cvtps2dq gives INT32_MIN for anything outside int32 (and NaN).
  const int32_t r = t >= -2147483648.f && t < 2147483648.f ? static_cast<int32_t>(std::nearbyint(t))
                                                           : std::numeric_limits<int32_t>::min();
  return std::min(p.qmax, std::max(p.qmin, r));
}

template <typename T>
void AddOnnx(const OnnxAddParams& p, const BroadcastPlan& plan, const T* in1, const T* in2, T* out) {
#if defined(__x86_64__) || defined(_M_X64)
  if (p.same_shape_avx2) {
    AddOnnxSameShapeAvx2(p, in1, in2, p.size, out);
    return;
  }
#endif
  ForEachBroadcast(plan, [&](int64_t o, int64_t i1, int64_t i2) {
    out[o] = static_cast<T>(OnnxAddElement(p, in1[i1], in2[i2]));
  });
}

template <typename T>
void AddQuantized(const QuantizedAddParams& p, const BroadcastPlan& plan, const T* in1, const T* in2, T* out) {
#if defined(__x86_64__) || defined(_M_X64)
  if (p.same_shape_avx512) {
    AddTfliteSameShapeAvx512(p, in1, in2, p.size, out);
    return;
  }
  if (p.same_shape_avx2) {
    AddTfliteSameShapeAvx2(p, in1, in2, p.size, out);
    return;
  }
#endif
  ForEachBroadcast(plan, [&](int64_t o, int64_t i1, int64_t i2) {
    out[o] = static_cast<T>(QuantizedAddElement(p, in1[i1], in2[i2]));
  });
}

inline void AddFloat(const FloatClamp& clamp, const BroadcastPlan& plan, const float* in1, const float* in2,
                     float* out) {
  ForEachBroadcast(plan, [&](int64_t o, int64_t i1, int64_t i2) {
    out[o] = std::min(clamp.max, std::max(clamp.min, in1[i1] + in2[i2]));
  });
}

}  // namespace edgeinfer
