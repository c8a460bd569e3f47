// The per-output-channel requantization tables the INT8 microkernels read:
// RequantParams (ops/common/conv_common.h) unpacked once at kernel creation
// into arrays padded to a whole number of vectors, so the vector code loads
// 8 channels at a time and never branches on the channel count. The
// arithmetic itself is RequantizeAndClamp's, bit for bit.
#pragma once

#include <cstdint>
#include <type_traits>
#include <vector>

#include "ops/common/conv_common.h"

namespace edgeinfer::kernels {

enum class RequantMode : uint8_t {
  kDoubleRounding,  // TFLite reference/gemmlowp: MultiplyByQuantizedMultiplier
  kSingleRounding,  // ruy: MultiplyByQuantizedMultiplierSingleRounding
  kHalfEven,        // ONNX Runtime: float(acc) * scale, round half to even
};

// Calls f(std::integral_constant<RequantMode, mode>{}): the kernels turn
// the run-time mode into a template argument once per call, so their
// per-vector code has no branch on it.
template <class F>
inline void WithRequantMode(RequantMode mode, F&& f) {
  switch (mode) {
    case RequantMode::kSingleRounding:
      return f(std::integral_constant<RequantMode, RequantMode::kSingleRounding>{});
    case RequantMode::kHalfEven:
      return f(std::integral_constant<RequantMode, RequantMode::kHalfEven>{});
    case RequantMode::kDoubleRounding:
    default:
      return f(std::integral_constant<RequantMode, RequantMode::kDoubleRounding>{});
  }
}

struct QRequant {
  RequantMode mode = RequantMode::kDoubleRounding;
  int32_t channels = 0, padded_channels = 0;
  // Each padded_channels long; padding channels hold harmless values.
  std::vector<int32_t> bias;
  std::vector<int32_t> multiplier, shift;      // TFLite's tables, as RequantParams has them
  std::vector<int32_t> left_shift, right_shift;  // double rounding: max(shift, 0), max(-shift, 0)
  std::vector<int32_t> total_shift;            // single rounding: 31 - shift, in [1, 62]
  std::vector<float> scale;                    // half-even
  bool any_left_shift = false;  // double rounding: some channel shifts left
  int32_t output_offset = 0;
  // The clamp with the output offset taken out: [act_min, act_max] - offset.
  int32_t min_less_offset = 0, max_less_offset = 0;
  // The same parameters for scalar tails (RequantizeAndClamp), pointing
  // into this object's tables: rebind after copying (Bind).
  RequantParams params;

  void Bind() {
    params.multiplier = multiplier.data();
    params.shift = shift.data();
    params.scale = scale.data();
  }
};

inline int32_t RoundUp(int32_t n, int32_t multiple) { return (n + multiple - 1) / multiple * multiple; }

// `bias` may be null (no bias). Channels are padded to a multiple of 16.
inline void PrepareQRequant(const RequantParams& q, const int32_t* bias, int32_t channels, QRequant* r) {
  r->mode = q.rounding == Rounding::kHalfEven ? RequantMode::kHalfEven
            : q.single_rounding               ? RequantMode::kSingleRounding
                                              : RequantMode::kDoubleRounding;
  r->channels = channels;
  r->any_left_shift = false;
  r->padded_channels = RoundUp(channels, 16);
  const size_t n = static_cast<size_t>(r->padded_channels);
  r->bias.assign(n, 0);
  r->multiplier.assign(n, 0);
  r->shift.assign(n, 0);
  r->left_shift.assign(n, 0);
  r->right_shift.assign(n, 0);
  r->total_shift.assign(n, 31);
  r->scale.assign(n, 0.f);
  for (int32_t c = 0; c < channels; ++c) {
    r->bias[c] = bias != nullptr ? bias[c] : 0;
    if (r->mode == RequantMode::kHalfEven) {
      r->scale[c] = q.scale[c];
    } else {
      r->multiplier[c] = q.multiplier[c];
      r->shift[c] = q.shift[c];
      r->left_shift[c] = q.shift[c] > 0 ? q.shift[c] : 0;
      r->any_left_shift = r->any_left_shift || q.shift[c] > 0;
      r->right_shift[c] = q.shift[c] > 0 ? 0 : -q.shift[c];
      r->total_shift[c] = 31 - q.shift[c];
    }
  }
  r->output_offset = q.output_offset;
  r->min_less_offset = q.act_min - q.output_offset;
  r->max_less_offset = q.act_max - q.output_offset;
  r->params = q;
  r->Bind();
}

}  // namespace edgeinfer::kernels
