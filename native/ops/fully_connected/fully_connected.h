// FULLY_CONNECTED reference kernels: the ground truth, bit-exact with
// TensorFlow Lite's reference_ops::FullyConnected (uint8 per-tensor),
// reference_integer_ops::FullyConnected (int8, per-tensor weights, which may
// have a zero point) and FullyConnectedPerChannel (int8, symmetric
// per-channel weights), and the float32 reference_ops::FullyConnected.
//
// Layouts: input [batches, input_depth] (any [..., IC] flattened), weights
// [output_depth, input_depth], bias [output_depth] (may be null), output
// [batches, output_depth].
#pragma once

#include <cstdint>
#include <memory>

#include "ops/common/conv_common.h"

namespace edgeinfer {

struct FullyConnectedGeometry {
  int32_t batches = 1;
  int32_t input_depth = 1;
  int32_t output_depth = 1;
};

// Quantized: activations (input and output) and weights each uint8 or int8.
void FullyConnectedReference(const FullyConnectedGeometry& g, const RequantParams& q, const uint8_t* input,
                             const uint8_t* weights, const int32_t* bias, uint8_t* output);
void FullyConnectedReference(const FullyConnectedGeometry& g, const RequantParams& q, const uint8_t* input,
                             const int8_t* weights, const int32_t* bias, uint8_t* output);
void FullyConnectedReference(const FullyConnectedGeometry& g, const RequantParams& q, const int8_t* input,
                             const uint8_t* weights, const int32_t* bias, int8_t* output);
void FullyConnectedReference(const FullyConnectedGeometry& g, const RequantParams& q, const int8_t* input,
                             const int8_t* weights, const int32_t* bias, int8_t* output);
void FullyConnectedReference(const FullyConnectedGeometry& g, const FloatClamp& clamp, const float* input,
                             const float* weights, const float* bias, float* output);

// The factory with the optimized kernel `config` allows, where one covers
// the node (the ops.h one uses DefaultKernelConfig()).
Status CreateFullyConnectedKernel(const Graph& graph, const Node& node, const KernelConfig& config,
                                  std::unique_ptr<Kernel>* kernel);

}  // namespace edgeinfer
