// DEPTHWISE_CONV_2D reference kernels: the ground truth, bit-exact with
// TensorFlow Lite's reference_ops::DepthwiseConv (uint8 per-tensor, whose
// reference rounds half away from zero like MultiplyByQuantizedMultiplier,
// unlike the optimized uint8 kernel's upward rounding),
// reference_integer_ops::DepthwiseConvPerChannel (int8) and the float32
// reference_ops::DepthwiseConv.
//
// Layouts: input [N,H,W,C], filter [1,KH,KW,C*M], bias [C*M] (may be null),
// output [N,OH,OW,C*M]; output channel c*M + m reads input channel c.
#pragma once

#include <cstdint>
#include <memory>

#include "ops/common/conv_common.h"

namespace edgeinfer {

// Quantized: activations (input and output) and weights each uint8 or int8.
void DepthwiseConv2DReference(const ConvGeometry& g, const RequantParams& q, const uint8_t* input, const uint8_t* filter,
    const int32_t* bias, uint8_t* output);
void DepthwiseConv2DReference(const ConvGeometry& g, const RequantParams& q, const uint8_t* input, const int8_t* filter,
    const int32_t* bias, uint8_t* output);
void DepthwiseConv2DReference(const ConvGeometry& g, const RequantParams& q, const int8_t* input, const uint8_t* filter,
    const int32_t* bias, int8_t* output);
void DepthwiseConv2DReference(const ConvGeometry& g, const RequantParams& q, const int8_t* input, const int8_t* filter,
    const int32_t* bias, int8_t* output);
void DepthwiseConv2DReference(const ConvGeometry& g, const FloatClamp& clamp, const float* input, const float* filter,
                              const float* bias, float* output);

// The factory with the optimized kernel `config` allows, where one covers
// the node (the ops.h one uses DefaultKernelConfig()).
Status CreateDepthwiseConv2DKernel(const Graph& graph, const Node& node, const KernelConfig& config,
                          std::unique_ptr<Kernel>* kernel);

}  // namespace edgeinfer
