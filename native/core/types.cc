#include "edgeinfer/graph.h"
#include "edgeinfer/status.h"
#include "edgeinfer/types.h"

#include <limits>

namespace edgeinfer {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kModelFormat: return "E_MODEL_FORMAT";
    case StatusCode::kUnsupportedOp: return "E_UNSUPPORTED_OP";
    case StatusCode::kInput: return "E_INPUT";
    case StatusCode::kDisposed: return "E_DISPOSED";
    case StatusCode::kIo: return "E_IO";
    case StatusCode::kBackend: return "E_BACKEND";
    case StatusCode::kOption: return "E_OPTION";
    case StatusCode::kDynamicShape: return "E_DYNAMIC_SHAPE";
    case StatusCode::kInternal: return "E_INTERNAL";
  }
  return "E_INTERNAL";
}

size_t DTypeSize(DType t) {
  switch (t) {
    case DType::kInt8:
    case DType::kUInt8:
    case DType::kBool: return 1;
    case DType::kInt16: return 2;
    case DType::kInt32:
    case DType::kFloat32: return 4;
    case DType::kInt64: return 8;
  }
  return 1;
}

const char* DTypeName(DType t) {
  switch (t) {
    case DType::kInt8: return "int8";
    case DType::kUInt8: return "uint8";
    case DType::kInt16: return "int16";
    case DType::kInt32: return "int32";
    case DType::kInt64: return "int64";
    case DType::kFloat32: return "float32";
    case DType::kBool: return "bool";
  }
  return "unknown";
}

int64_t NumElements(const Shape& shape) {
  int64_t n = 1;
  for (int32_t d : shape) {
    if (d < 0) return -1;
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d) return -1;
    n *= d;
  }
  return n;
}

std::string ShapeToString(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

const char* OpTypeName(OpType op) {
  switch (op) {
    case OpType::kConv2D: return "CONV_2D";
    case OpType::kDepthwiseConv2D: return "DEPTHWISE_CONV_2D";
    case OpType::kFullyConnected: return "FULLY_CONNECTED";
    case OpType::kAdd: return "ADD";
    case OpType::kMul: return "MUL";
    case OpType::kAveragePool2D: return "AVERAGE_POOL_2D";
    case OpType::kMaxPool2D: return "MAX_POOL_2D";
    case OpType::kMean: return "MEAN";
    case OpType::kReshape: return "RESHAPE";
    case OpType::kSqueeze: return "SQUEEZE";
    case OpType::kSoftmax: return "SOFTMAX";
    case OpType::kLogistic: return "LOGISTIC";
    case OpType::kHardSwish: return "HARD_SWISH";
    case OpType::kPad: return "PAD";
    case OpType::kTranspose: return "TRANSPOSE";
    case OpType::kConcatenation: return "CONCATENATION";
    case OpType::kResizeBilinear: return "RESIZE_BILINEAR";
    case OpType::kArgMax: return "ARG_MAX";
    case OpType::kQuantize: return "QUANTIZE";
    case OpType::kDequantize: return "DEQUANTIZE";
    case OpType::kClip: return "CLIP";
    case OpType::kLeakyRelu: return "LEAKY_RELU";
    case OpType::kConvInteger: return "CONV_INTEGER";
  }
  return "UNKNOWN";
}

std::string DescribeNode(const Node& node) {
  const std::string name = node.source_op.empty() ? OpTypeName(node.op) : node.source_op;
  return name + " v" + std::to_string(node.source_version) + " (node " + std::to_string(node.source_index) + ")";
}

}  // namespace edgeinfer
