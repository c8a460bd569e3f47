// CLIP (ONNX Relu and Clip): clamps every element to [min, max]. Float
// tensors clamp the values; quantized ones (int8, uint8, with the input's
// quantization equal to the output's) clamp the codes to the bounds
// quantized as ONNX's QuantizeLinear does, which is exactly what
// DequantizeLinear -> Clip -> QuantizeLinear gives.
#pragma once

#include <cstdint>

namespace edgeinfer {

template <typename T>
void ClipReference(int64_t n, T lo, T hi, const T* input, T* output) {
  for (int64_t i = 0; i < n; ++i) {
    const T v = input[i];
    output[i] = v < lo ? lo : (v > hi ? hi : v);
  }
}

}  // namespace edgeinfer
