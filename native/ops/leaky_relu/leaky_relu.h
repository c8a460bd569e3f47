// LEAKY_RELU (ONNX LeakyRelu) on float32: x < 0 ? alpha * x : x, as ONNX
// Runtime computes it (one float multiply). Quantized models run it between
// DequantizeLinear and QuantizeLinear.
#pragma once

#include <cstdint>

namespace edgeinfer {

inline void LeakyReluReference(int64_t n, float alpha, const float* input, float* output) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = input[i];
    output[i] = v < 0.f ? v * alpha : v;
  }
}

}  // namespace edgeinfer
