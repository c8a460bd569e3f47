// The IR every model importer (.tflite now, .onnx later) produces and every
// backend consumes. Activations are NHWC. Nodes are stored in execution
// (topological) order. Tensors own no weight bytes when the model file
// already holds them: `data` points into the model's bytes, which `storage`
// keeps alive.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "edgeinfer/types.h"

namespace edgeinfer {

enum class OpType : uint8_t {
  kConv2D,
  kDepthwiseConv2D,
  kFullyConnected,
  kAdd,
  kMul,
  kAveragePool2D,
  kMaxPool2D,
  kMean,
  kReshape,
  kSqueeze,
  kSoftmax,
  kLogistic,
  kHardSwish,
  kPad,
  kTranspose,
  kConcatenation,
  kResizeBilinear,
  kArgMax,
  kQuantize,
  kDequantize,
  kClip,       // ONNX Relu and Clip: clamp to [min, max]
  kLeakyRelu,  // ONNX LeakyRelu
  kConvInteger,  // ONNX ConvInteger and MatMulInteger: int32 sums, no requantization
};

const char* OpTypeName(OpType op);

// Fused activation: the requantized output is clamped to the activation's
// range (a fused Conv+ReLU is a convolution with a narrower clamp).
enum class Activation : uint8_t { kNone, kRelu, kReluN1To1, kRelu6 };

// The real-valued clamp an ONNX Relu or Clip folded into the node before it
// becomes: quantized nodes clamp to [Q(min), Q(max)] with the output's
// QuantizeLinear (round half to even), float nodes to [min, max]. TFLite
// nodes leave it open and use Activation.
struct FusedClamp {
  float min = -std::numeric_limits<float>::infinity();
  float max = std::numeric_limits<float>::infinity();
  bool is_open() const { return min == -std::numeric_limits<float>::infinity() && max == std::numeric_limits<float>::infinity(); }
};

// Explicit padding in elements. Importers resolve SAME/VALID (TFLite) or
// pads (ONNX) into these numbers once, at load.
struct Padding2D {
  int32_t top = 0, left = 0, bottom = 0, right = 0;
};

// CONV_2D and DEPTHWISE_CONV_2D.
// Inputs: input [N,H,W,C], filter, bias (optional, tensor index -1).
// Conv filter: [OC, KH, KW, IC]. Depthwise filter: [1, KH, KW, IC*depth_multiplier].
struct ConvAttrs {
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  Padding2D pad;
  int32_t depth_multiplier = 1;  // depthwise only
  Activation activation = Activation::kNone;
  FusedClamp clamp;
};

// FULLY_CONNECTED. Inputs: input [..., IC], weights [OC, IC], bias [OC] or -1.
struct FullyConnectedAttrs {
  Activation activation = Activation::kNone;
  bool keep_num_dims = false;
  FusedClamp clamp;
};

// ADD, MUL (with broadcasting of the two inputs).
struct ElementwiseAttrs {
  Activation activation = Activation::kNone;
};

// AVERAGE_POOL_2D, MAX_POOL_2D.
struct PoolAttrs {
  int32_t filter_h = 1, filter_w = 1;
  int32_t stride_h = 1, stride_w = 1;
  Padding2D pad;
  Activation activation = Activation::kNone;
};

// MEAN over `axes` (already normalized to be non-negative and sorted).
struct ReduceAttrs {
  std::vector<int32_t> axes;
  bool keep_dims = false;
};

// SOFTMAX over the last axis.
struct SoftmaxAttrs {
  float beta = 1.0f;
};

// PAD: (before, after) per dimension of the input; the pad value is the
// output's zero point (quantized) or 0 (float).
struct PadAttrs {
  std::vector<int32_t> before, after;
};

// TRANSPOSE: output dim i is input dim perm[i].
struct TransposeAttrs {
  std::vector<int32_t> perm;
};

// CONCATENATION along a non-negative axis.
struct ConcatAttrs {
  int32_t axis = 0;
  Activation activation = Activation::kNone;
};

// RESIZE_BILINEAR; the output size is the output tensor's shape.
struct ResizeAttrs {
  bool align_corners = false;
  bool half_pixel_centers = false;
};

// ARG_MAX along a non-negative axis; the output dtype is the output tensor's.
struct ArgMaxAttrs {
  int32_t axis = 0;
};

// CLIP: clamp to [clamp.min, clamp.max]; quantized tensors clamp to the
// bounds quantized with the output's parameters (same as input's).
struct ClipAttrs {
  FusedClamp clamp;
};

// LEAKY_RELU: x < 0 ? alpha * x : x.
struct LeakyReluAttrs {
  float alpha = 0.01f;
};

// RESHAPE, SQUEEZE, LOGISTIC, HARD_SWISH, QUANTIZE, DEQUANTIZE carry no
// attributes: everything they need is in their tensors' shapes and params.
using NodeAttrs = std::variant<std::monostate, ConvAttrs, FullyConnectedAttrs, ElementwiseAttrs, PoolAttrs,
                               ReduceAttrs, SoftmaxAttrs, PadAttrs, TransposeAttrs, ConcatAttrs, ResizeAttrs,
                               ArgMaxAttrs, ClipAttrs, LeakyReluAttrs>;

struct Tensor {
  std::string name;
  DType dtype = DType::kFloat32;
  Shape shape;
  Quantization quant;
  // Constant data, or nullptr for activations. Points into the model's
  // bytes (no copy) or into `owned` when an importer had to produce it.
  const uint8_t* data = nullptr;
  size_t data_bytes = 0;
  std::vector<uint8_t> owned;

  bool is_constant() const { return data != nullptr; }
  int64_t num_elements() const { return NumElements(shape); }
  size_t byte_size() const { return static_cast<size_t>(NumElements(shape)) * DTypeSize(dtype); }
};

struct Node {
  OpType op;
  std::vector<int32_t> inputs;   // tensor indices; -1 for an omitted optional input
  std::vector<int32_t> outputs;  // tensor indices
  NodeAttrs attrs;
  Rounding rounding = Rounding::kTfliteFixedPoint;
  // Where the node came from, for error messages: index in the model file,
  // the operator's name there and its version.
  int32_t source_index = 0;
  std::string source_op;
  int32_t source_version = 1;
};

struct Graph {
  std::vector<Tensor> tensors;
  std::vector<Node> nodes;  // execution order
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  std::string format;  // "tflite", "onnx"
  // Keeps the model's bytes alive for tensors whose data points into them.
  std::shared_ptr<const void> storage;
};

// "CONV_2D v3 (node 7)": the way error messages name a node.
std::string DescribeNode(const Node& node);

}  // namespace edgeinfer
