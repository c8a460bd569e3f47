// CONV_2D reference kernels: the ground truth, bit-exact with TensorFlow
// Lite's reference_ops::Conv (uint8, per-tensor), reference_integer_ops::
// ConvPerChannel (int8) and reference_ops::Conv (float32), that optimized
// kernels are tested against.
//
// Layouts: input [N,H,W,C], filter [OC,KH,KW,C/groups], bias [OC] (may be
// null), output [N,OH,OW,OC]. Grouped convolutions have
// filter_channels < input_channels; output channel c reads group
// c / (OC / groups).
#pragma once

#include <cstdint>
#include <memory>

#include "ops/common/conv_common.h"

namespace edgeinfer {

// Quantized: activations (input and output) and weights each uint8 or int8.
void Conv2DReference(const ConvGeometry& g, const RequantParams& q, const uint8_t* input, const uint8_t* filter,
    const int32_t* bias, uint8_t* output);
void Conv2DReference(const ConvGeometry& g, const RequantParams& q, const uint8_t* input, const int8_t* filter,
    const int32_t* bias, uint8_t* output);
void Conv2DReference(const ConvGeometry& g, const RequantParams& q, const int8_t* input, const uint8_t* filter,
    const int32_t* bias, int8_t* output);
void Conv2DReference(const ConvGeometry& g, const RequantParams& q, const int8_t* input, const int8_t* filter,
    const int32_t* bias, int8_t* output);
void Conv2DReference(const ConvGeometry& g, const FloatClamp& clamp, const float* input, const float* filter,
                     const float* bias, float* output);

// The factory with the optimized kernel `config` allows, where one covers
// the node (the ops.h one uses DefaultKernelConfig()).
Status CreateConv2DKernel(const Graph& graph, const Node& node, const KernelConfig& config,
                          std::unique_ptr<Kernel>* kernel);

}  // namespace edgeinfer
