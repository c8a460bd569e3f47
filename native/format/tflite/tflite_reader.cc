#include "format/tflite/tflite_reader.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "format/tflite/flatbuffer_view.h"
#include "format/tflite/tflite_schema.h"

namespace edgeinfer {
namespace {

using flatbuffer::Buffer;
using flatbuffer::Table;
using flatbuffer::Vector;

// Largest tensor we accept: kernels index bytes with 32-bit arithmetic.
constexpr int64_t kMaxTensorBytes = int64_t{1} << 31;

struct OperatorCode {
  int32_t builtin = 0;
  std::string custom;
  int32_t version = 1;
};

// What the reader knows about each builtin operator it maps to the IR: its
// options table and how many inputs it takes. Every one has one output.
struct OpSpec {
  int32_t builtin;
  OpType op;
  uint8_t options;  // expected BuiltinOptions type; kNoOptions when unused
  int min_inputs, max_inputs;
  int optional_input;  // index of an input that may be -1 (bias), or -1
};

constexpr int kAnyCount = std::numeric_limits<int>::max();

const OpSpec kOpSpecs[] = {
    {tflite::kConv2D, OpType::kConv2D, tflite::kConv2DOptions, 2, 3, 2},
    {tflite::kDepthwiseConv2D, OpType::kDepthwiseConv2D, tflite::kDepthwiseConv2DOptions, 2, 3, 2},
    {tflite::kFullyConnected, OpType::kFullyConnected, tflite::kFullyConnectedOptions, 2, 3, 2},
    {tflite::kAdd, OpType::kAdd, tflite::kAddOptions, 2, 2, -1},
    {tflite::kMul, OpType::kMul, tflite::kMulOptions, 2, 2, -1},
    {tflite::kAveragePool2D, OpType::kAveragePool2D, tflite::kPool2DOptions, 1, 1, -1},
    {tflite::kMaxPool2D, OpType::kMaxPool2D, tflite::kPool2DOptions, 1, 1, -1},
    {tflite::kMean, OpType::kMean, tflite::kReducerOptions, 2, 2, -1},
    {tflite::kReshape, OpType::kReshape, tflite::kNoOptions, 1, 2, 1},
    {tflite::kSqueeze, OpType::kSqueeze, tflite::kNoOptions, 1, 1, -1},
    {tflite::kSoftmax, OpType::kSoftmax, tflite::kSoftmaxOptions, 1, 1, -1},
    {tflite::kLogistic, OpType::kLogistic, tflite::kNoOptions, 1, 1, -1},
    {tflite::kHardSwish, OpType::kHardSwish, tflite::kNoOptions, 1, 1, -1},
    {tflite::kPad, OpType::kPad, tflite::kNoOptions, 2, 2, -1},
    {tflite::kTranspose, OpType::kTranspose, tflite::kNoOptions, 2, 2, -1},
    {tflite::kConcatenation, OpType::kConcatenation, tflite::kConcatenationOptions, 1, kAnyCount, -1},
    {tflite::kResizeBilinear, OpType::kResizeBilinear, tflite::kResizeBilinearOptions, 2, 2, -1},
    {tflite::kArgMax, OpType::kArgMax, tflite::kArgMaxOptions, 2, 2, -1},
    {tflite::kQuantize, OpType::kQuantize, tflite::kNoOptions, 1, 1, -1},
    {tflite::kDequantize, OpType::kDequantize, tflite::kNoOptions, 1, 1, -1},
};

const OpSpec* FindOpSpec(int32_t builtin) {
  for (const OpSpec& s : kOpSpecs) {
    if (s.builtin == builtin) return &s;
  }
  return nullptr;
}

bool MapTensorType(int8_t type, DType* dtype) {
  switch (type) {
    case tflite::kFloat32: *dtype = DType::kFloat32; return true;
    case tflite::kInt32: *dtype = DType::kInt32; return true;
    case tflite::kUInt8: *dtype = DType::kUInt8; return true;
    case tflite::kInt64: *dtype = DType::kInt64; return true;
    case tflite::kBool: *dtype = DType::kBool; return true;
    case tflite::kInt16: *dtype = DType::kInt16; return true;
    case tflite::kInt8: *dtype = DType::kInt8; return true;
    default: return false;
  }
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

class Reader {
 public:
  Reader(const uint8_t* data, size_t size, Graph* graph)
      : buf_(data, size), graph_(graph), budget_(2 * static_cast<uint64_t>(size) + 65536) {}

  Status Read() {
    if (buf_.size() < 8) return Malformed("the file is " + std::to_string(buf_.size()) + " bytes, too short");
    if (std::memcmp(buf_.data() + 4, tflite::kFileIdentifier, 4) != 0) {
      return Malformed("missing the file identifier 'TFL3' at byte 4");
    }
    const Table model = Table::At(&buf_, flatbuffer::Load<uint32_t>(buf_.data()));
    if (!model.valid()) return Malformed("the root table is out of bounds");
    bool ok = true;
    const uint32_t version = model.Scalar<uint32_t>(tflite::model::kVersion, 0, &ok);
    if (!ok) return Malformed("bad model version field");
    if (version != tflite::kSchemaVersion) {
      return ModelFormatError("unsupported TFLite schema version " + std::to_string(version) +
                              " (edgeinfer reads version 3)");
    }
    EI_RETURN_IF_ERROR(ReadOperatorCodes(model));
    const Vector subgraphs = model.VectorField(tflite::model::kSubgraphs, 4, &ok);
    if (!ok) return Malformed("bad subgraphs vector");
    if (subgraphs.size() == 0) return Malformed("the model has no subgraph");
    const Table subgraph = Table::VectorElement(&buf_, subgraphs, 0);
    if (!subgraph.valid()) return Malformed("subgraph 0 is out of bounds");
    buffers_ = model.VectorField(tflite::model::kBuffers, 4, &ok);
    if (!ok) return Malformed("bad buffers vector");

    const Vector operators = subgraph.VectorField(tflite::subgraph::kOperators, 4, &ok);
    if (!ok) return Malformed("bad operators vector");
    // Unsupported operators are reported before anything about tensors: a
    // model with an LSTM is best described by its LSTM, not by the state
    // tensors that LSTM needs.
    std::vector<Table> ops(operators.size());
    std::vector<const OpSpec*> specs(operators.size());
    std::vector<const OperatorCode*> codes(operators.size());
    EI_RETURN_IF_ERROR(Charge(uint64_t{operators.size()} * (sizeof(Table) + 2 * sizeof(void*))));
    for (uint32_t i = 0; i < operators.size(); ++i) {
      ops[i] = Table::VectorElement(&buf_, operators, i);
      if (!ops[i].valid()) return Malformed("operator " + std::to_string(i) + " is out of bounds");
      EI_RETURN_IF_ERROR(MapOperator(ops[i], i, &specs[i], &codes[i]));
    }

    EI_RETURN_IF_ERROR(ReadTensors(subgraph));
    EI_RETURN_IF_ERROR(ReadIndexList(subgraph, tflite::subgraph::kInputs, "graph inputs", &graph_->inputs));
    EI_RETURN_IF_ERROR(ReadIndexList(subgraph, tflite::subgraph::kOutputs, "graph outputs", &graph_->outputs));

    graph_->nodes.clear();
    graph_->nodes.reserve(ops.size());
    for (uint32_t i = 0; i < ops.size(); ++i) {
      graph_->nodes.emplace_back();
      EI_RETURN_IF_ERROR(ReadNode(ops[i], i, *specs[i], *codes[i], &graph_->nodes.back()));
    }
    EI_RETURN_IF_ERROR(ValidateDataflow());
    graph_->format = "tflite";
    return Status::Ok();
  }

 private:
  static Status Malformed(const std::string& what) {
    return ModelFormatError("malformed TFLite model: " + what);
  }

  // Everything the reader copies out of the file is charged here. Honest
  // files copy each byte at most once, so the budget (twice the file) is
  // never reached; a hostile file whose offsets all point at the same big
  // table or vector is stopped before it multiplies into gigabytes.
  Status Charge(uint64_t bytes) {
    if (bytes > budget_) return Malformed("the file references its own data too many times");
    budget_ -= bytes;
    return Status::Ok();
  }

  Status ReadOperatorCodes(const Table& model) {
    bool ok = true;
    const Vector codes = model.VectorField(tflite::model::kOperatorCodes, 4, &ok);
    if (!ok) return Malformed("bad operator_codes vector");
    EI_RETURN_IF_ERROR(Charge(uint64_t{codes.size()} * sizeof(OperatorCode)));
    opcodes_.resize(codes.size());
    for (uint32_t i = 0; i < codes.size(); ++i) {
      const Table t = Table::VectorElement(&buf_, codes, i);
      if (!t.valid()) return Malformed("operator code " + std::to_string(i) + " is out of bounds");
      OperatorCode& c = opcodes_[i];
      const int8_t deprecated = t.Scalar<int8_t>(tflite::operator_code::kDeprecatedBuiltinCode, 0, &ok);
      const int32_t extended = t.Scalar<int32_t>(tflite::operator_code::kBuiltinCode, 0, &ok);
      // Old writers fill only the int8 field, new ones both (the int8 one
      // saturated at 127): the larger is the operator.
      c.builtin = std::max<int32_t>(deprecated, extended);
      c.custom = t.String(tflite::operator_code::kCustomCode, &ok);
      c.version = t.Scalar<int32_t>(tflite::operator_code::kVersion, 1, &ok);
      if (!ok) return Malformed("bad operator code " + std::to_string(i));
      if (c.builtin < 0) return Malformed("operator code " + std::to_string(i) + " has a negative builtin code");
      EI_RETURN_IF_ERROR(Charge(c.custom.size()));
    }
    return Status::Ok();
  }

  Status MapOperator(const Table& op, uint32_t index, const OpSpec** spec, const OperatorCode** opcode) {
    bool ok = true;
    const uint32_t code_index = op.Scalar<uint32_t>(tflite::op::kOpcodeIndex, 0, &ok);
    if (!ok || code_index >= opcodes_.size()) {
      return Malformed("operator " + std::to_string(index) + " has an invalid opcode index");
    }
    const OperatorCode& code = opcodes_[code_index];
    *opcode = &code;
    Node named;
    named.op = OpType::kConv2D;
    named.source_index = static_cast<int32_t>(index);
    named.source_version = code.version;
    if (code.builtin == tflite::kCustom) {
      named.source_op = code.custom.empty() ? "CUSTOM" : code.custom;
      if (code.custom == "edgetpu-custom-op") {
        return UnsupportedError(
            DescribeNode(named) +
            ": this model was compiled for the Edge TPU and needs the Edge TPU backend (TensorFlow Lite with "
            "libedgetpu and a Coral device), which this version of edgeinfer does not include yet; run the "
            "original, non-compiled model on the CPU instead");
      }
      return UnsupportedError("unsupported custom operator " + DescribeNode(named) +
                              ": edgeinfer runs builtin TFLite operators only");
    }
    named.source_op = tflite::BuiltinOperatorName(code.builtin);
    *spec = FindOpSpec(code.builtin);
    if (*spec == nullptr) {
      return UnsupportedError("unsupported operator " + DescribeNode(named) +
                              ": edgeinfer's CPU runtime does not implement it");
    }
    return Status::Ok();
  }

  Status ReadTensors(const Table& subgraph) {
    bool ok = true;
    const Vector tensors = subgraph.VectorField(tflite::subgraph::kTensors, 4, &ok);
    if (!ok) return Malformed("bad tensors vector");
    EI_RETURN_IF_ERROR(Charge(uint64_t{tensors.size()} * 32));
    graph_->tensors.clear();
    graph_->tensors.resize(tensors.size());
    for (uint32_t i = 0; i < tensors.size(); ++i) {
      const Table t = Table::VectorElement(&buf_, tensors, i);
      if (!t.valid()) return Malformed("tensor " + std::to_string(i) + " is out of bounds");
      EI_RETURN_IF_ERROR(ReadTensor(t, i, &graph_->tensors[i]));
    }
    return Status::Ok();
  }

  Status ReadTensor(const Table& t, uint32_t index, Tensor* tensor) {
    bool ok = true;
    tensor->name = t.String(tflite::tensor::kName, &ok);
    if (!ok) return Malformed("tensor " + std::to_string(index) + " has a bad name");
    EI_RETURN_IF_ERROR(Charge(tensor->name.size()));
    const std::string what = "tensor " + std::to_string(index) + " (" + Quote(tensor->name) + ")";

    const Vector shape = t.VectorField(tflite::tensor::kShape, 4, &ok);
    const int8_t type = t.Scalar<int8_t>(tflite::tensor::kType, tflite::kFloat32, &ok);
    const uint32_t buffer_index = t.Scalar<uint32_t>(tflite::tensor::kBuffer, 0, &ok);
    const bool is_variable = t.Scalar<uint8_t>(tflite::tensor::kIsVariable, 0, &ok) != 0;
    const Table quant = t.SubTable(tflite::tensor::kQuantization, &ok);
    if (!ok) return Malformed(what + " has fields out of bounds");

    if (is_variable) return UnsupportedError(what + " is a variable tensor; edgeinfer has no mutable state");
    if (t.Has(tflite::tensor::kSparsity)) return UnsupportedError(what + " is sparse; edgeinfer reads dense tensors");
    if (!MapTensorType(type, &tensor->dtype)) {
      return UnsupportedError(what + " has type " + tflite::TensorTypeName(type) + ", which edgeinfer does not support");
    }

    EI_RETURN_IF_ERROR(Charge(uint64_t{shape.size()} * sizeof(int32_t)));
    tensor->shape.resize(shape.size());
    for (uint32_t d = 0; d < shape.size(); ++d) {
      tensor->shape[d] = shape.Get<int32_t>(d);
      if (tensor->shape[d] < 0) return Malformed(what + " has a negative dimension " + ShapeToString(tensor->shape));
    }
    const int64_t elements = tensor->num_elements();
    if (elements < 0 || elements > kMaxTensorBytes / static_cast<int64_t>(DTypeSize(tensor->dtype))) {
      return Malformed(what + " of shape " + ShapeToString(tensor->shape) + " is larger than 2 GiB");
    }

    EI_RETURN_IF_ERROR(ReadConstantData(buffer_index, what, tensor));
    if (quant.valid()) EI_RETURN_IF_ERROR(ReadQuantization(quant, what, tensor));
    return Status::Ok();
  }

  Status ReadConstantData(uint32_t buffer_index, const std::string& what, Tensor* tensor) {
    if (buffer_index == 0) return Status::Ok();  // buffer 0 is the empty sentinel
    if (buffer_index >= buffers_.size()) return Malformed(what + " refers to a missing buffer");
    const Table b = Table::VectorElement(&buf_, buffers_, buffer_index);
    if (!b.valid()) return Malformed(what + ": its buffer is out of bounds");
    bool ok = true;
    const Vector data = b.VectorField(tflite::buffer::kData, 1, &ok);
    const uint64_t offset = b.Scalar<uint64_t>(tflite::buffer::kOffset, 0, &ok);
    const uint64_t size = b.Scalar<uint64_t>(tflite::buffer::kSize, 0, &ok);
    if (!ok) return Malformed(what + ": its buffer has fields out of bounds");

    const uint8_t* bytes = nullptr;
    uint64_t n = 0;
    if (data.size() > 0) {
      bytes = data.data();
      n = data.size();
    } else if (offset > 1) {
      // Models over 2 GB keep weights after the flatbuffer, addressed from
      // the start of the file.
      if (!buf_.Contains(offset, size)) return Malformed(what + ": its data lies past the end of the file");
      bytes = buf_.data() + offset;
      n = size;
    }
    if (n == 0) return Status::Ok();
    if (n != tensor->byte_size()) {
      return Malformed(what + ": its constant data has " + std::to_string(n) + " bytes, a " +
                       DTypeName(tensor->dtype) + " tensor of shape " + ShapeToString(tensor->shape) + " needs " +
                       std::to_string(tensor->byte_size()));
    }
    // Kernels read constants as typed arrays; data the file leaves unaligned
    // for its type (possible only in hand-made or external-buffer files) is
    // copied so that they can.
    if (reinterpret_cast<uintptr_t>(bytes) % DTypeSize(tensor->dtype) != 0) {
      EI_RETURN_IF_ERROR(Charge(n));
      tensor->owned.assign(bytes, bytes + n);
      bytes = tensor->owned.data();
    }
    tensor->data = bytes;
    tensor->data_bytes = n;
    return Status::Ok();
  }

  Status ReadQuantization(const Table& q, const std::string& what, Tensor* tensor) {
    bool ok = true;
    const uint8_t details = q.Scalar<uint8_t>(tflite::quantization::kDetailsType, 0, &ok);
    const Vector scale = q.VectorField(tflite::quantization::kScale, 4, &ok);
    const Vector zero_point = q.VectorField(tflite::quantization::kZeroPoint, 8, &ok);
    const int32_t quantized_dimension = q.Scalar<int32_t>(tflite::quantization::kQuantizedDimension, 0, &ok);
    if (!ok) return Malformed(what + ": its quantization has fields out of bounds");
    if (details != 0) return UnsupportedError(what + " uses custom quantization, which edgeinfer does not support");
    // Like TFLite: no scales means not quantized (min/max alone are only
    // for converting back to TensorFlow).
    if (scale.size() == 0) return Status::Ok();
    if (zero_point.size() != scale.size()) {
      return Malformed(what + " has " + std::to_string(scale.size()) + " quantization scales but " +
                       std::to_string(zero_point.size()) + " zero points");
    }
    const uint32_t n = scale.size();
    int32_t axis = quantized_dimension;
    // Some converters give a per-channel bias its filter's axis (3 for a
    // depthwise filter); TFLite loads those files, and a 1-D tensor has only
    // one axis the scales can run along.
    if (n > 1 && tensor->shape.size() == 1 && tensor->shape[0] == static_cast<int64_t>(n)) axis = 0;
    if (n > 1) {
      if (axis < 0 || static_cast<size_t>(axis) >= tensor->shape.size()) {
        return Malformed(what + " is quantized along axis " + std::to_string(axis) + ", outside its shape " +
                         ShapeToString(tensor->shape));
      }
      if (static_cast<uint32_t>(tensor->shape[axis]) != n) {
        return Malformed(what + " has " + std::to_string(n) + " quantization scales along axis " +
                         std::to_string(axis) + " of size " + std::to_string(tensor->shape[axis]));
      }
    }
    int64_t zp_min = std::numeric_limits<int64_t>::min(), zp_max = std::numeric_limits<int64_t>::max();
    switch (tensor->dtype) {
      case DType::kInt8: zp_min = -128, zp_max = 127; break;
      case DType::kUInt8: zp_min = 0, zp_max = 255; break;
      case DType::kInt16: zp_min = -32768, zp_max = 32767; break;
      default: break;
    }
    EI_RETURN_IF_ERROR(Charge(uint64_t{n} * (sizeof(float) + sizeof(int64_t))));
    tensor->quant.scale.resize(n);
    tensor->quant.zero_point.resize(n);
    tensor->quant.axis = n > 1 ? axis : 0;
    for (uint32_t i = 0; i < n; ++i) {
      const float s = scale.Get<float>(i);
      const int64_t zp = zero_point.Get<int64_t>(i);
      if (!std::isfinite(s) || !(s > 0.0f)) {
        return Malformed(what + " has quantization scale " + std::to_string(s) + " (must be finite and > 0)");
      }
      if (zp < zp_min || zp > zp_max) {
        return Malformed(what + " has zero point " + std::to_string(zp) + " outside the range of " +
                         DTypeName(tensor->dtype));
      }
      tensor->quant.scale[i] = s;
      tensor->quant.zero_point[i] = zp;
    }
    return Status::Ok();
  }

  // A vector of tensor indices; each must name a tensor, or be -1 where
  // `allow_omitted`.
  Status ReadIndexList(const Table& t, int field, const std::string& what, std::vector<int32_t>* out,
                       bool allow_omitted = false) {
    bool ok = true;
    const Vector v = t.VectorField(field, 4, &ok);
    if (!ok) return Malformed("bad vector of " + what);
    EI_RETURN_IF_ERROR(Charge(uint64_t{v.size()} * sizeof(int32_t)));
    out->resize(v.size());
    const int64_t num_tensors = static_cast<int64_t>(graph_->tensors.size());
    for (uint32_t i = 0; i < v.size(); ++i) {
      const int32_t index = v.Get<int32_t>(i);
      if (!(index >= 0 && index < num_tensors) && !(allow_omitted && index == -1)) {
        return Malformed(what + " refer to tensor " + std::to_string(index) + ", but there are " +
                         std::to_string(num_tensors));
      }
      (*out)[i] = index;
    }
    return Status::Ok();
  }

  Status ReadNode(const Table& op, uint32_t index, const OpSpec& spec, const OperatorCode& code, Node* node) {
    node->op = spec.op;
    node->source_index = static_cast<int32_t>(index);
    node->source_op = tflite::BuiltinOperatorName(code.builtin);
    node->source_version = code.version;
    node->rounding = Rounding::kTfliteFixedPoint;
    const std::string name = DescribeNode(*node);
    EI_RETURN_IF_ERROR(ReadIndexList(op, tflite::op::kInputs, name + " inputs", &node->inputs, true));
    EI_RETURN_IF_ERROR(ReadIndexList(op, tflite::op::kOutputs, name + " outputs", &node->outputs));

    const int num_inputs = static_cast<int>(node->inputs.size());
    if (num_inputs < spec.min_inputs || num_inputs > spec.max_inputs) {
      return Malformed(name + " has " + std::to_string(num_inputs) + " inputs");
    }
    for (int i = 0; i < num_inputs; ++i) {
      if (node->inputs[i] == -1 && i != spec.optional_input) {
        return Malformed(name + ": input " + std::to_string(i) + " is required but omitted");
      }
    }
    if (node->outputs.size() != 1) {
      return Malformed(name + " has " + std::to_string(node->outputs.size()) + " outputs, expected 1");
    }

    Table options;
    if (spec.options != tflite::kNoOptions) {
      bool ok = true;
      const uint8_t type = op.Scalar<uint8_t>(tflite::op::kBuiltinOptionsType, 0, &ok);
      if (!ok) return Malformed(name + ": bad options type");
      if (type != tflite::kNoOptions) {
        if (type != spec.options) return Malformed(name + " carries options of another operator");
        options = op.SubTable(tflite::op::kBuiltinOptions, &ok);
        if (!ok) return Malformed(name + ": its options are out of bounds");
      }
    }
    // An absent options table reads as all defaults, as TFLite does.
    return ReadAttrs(options, name, node);
  }

  const Tensor& TensorAt(const Node& node, int input) const { return graph_->tensors[node.inputs[input]]; }
  const Tensor& Output(const Node& node) const { return graph_->tensors[node.outputs[0]]; }

  Status ReadAttrs(const Table& o, const std::string& name, Node* node) {
    bool ok = true;
    switch (node->op) {
      case OpType::kConv2D:
      case OpType::kDepthwiseConv2D: {
        const bool dw = node->op == OpType::kDepthwiseConv2D;
        ConvAttrs a;
        int8_t padding, activation;
        if (dw) {
          namespace f = tflite::depthwise_options;
          padding = o.Scalar<int8_t>(f::kPadding, tflite::kSame, &ok);
          a.stride_w = o.Scalar<int32_t>(f::kStrideW, 0, &ok);
          a.stride_h = o.Scalar<int32_t>(f::kStrideH, 0, &ok);
          activation = o.Scalar<int8_t>(f::kActivation, tflite::kNone, &ok);
          a.dilation_w = o.Scalar<int32_t>(f::kDilationW, 1, &ok);
          a.dilation_h = o.Scalar<int32_t>(f::kDilationH, 1, &ok);
        } else {
          namespace f = tflite::conv2d_options;
          padding = o.Scalar<int8_t>(f::kPadding, tflite::kSame, &ok);
          a.stride_w = o.Scalar<int32_t>(f::kStrideW, 0, &ok);
          a.stride_h = o.Scalar<int32_t>(f::kStrideH, 0, &ok);
          activation = o.Scalar<int8_t>(f::kActivation, tflite::kNone, &ok);
          a.dilation_w = o.Scalar<int32_t>(f::kDilationW, 1, &ok);
          a.dilation_h = o.Scalar<int32_t>(f::kDilationH, 1, &ok);
        }
        if (!ok) return Malformed(name + ": bad options");
        EI_RETURN_IF_ERROR(MapActivation(activation, name, &a.activation));
        const Tensor& input = TensorAt(*node, 0);
        const Tensor& filter = TensorAt(*node, 1);
        EI_RETURN_IF_ERROR(CheckRank(input, 4, name, "input"));
        EI_RETURN_IF_ERROR(CheckRank(filter, 4, name, "filter"));
        EI_RETURN_IF_ERROR(CheckRank(Output(*node), 4, name, "output"));
        if (dw) {
          // The options' depth_multiplier is redundant and unreliable in old
          // files (TFLite ignores it too): the shapes define it.
          const int32_t in_c = input.shape[3], out_c = filter.shape[3];
          if (in_c <= 0 || out_c % in_c != 0) {
            return Malformed(name + ": filter channels " + std::to_string(out_c) +
                             " are not a multiple of input channels " + std::to_string(in_c));
          }
          a.depth_multiplier = out_c / in_c;
        }
        EI_RETURN_IF_ERROR(ResolvePadding(padding, input.shape, filter.shape[1], filter.shape[2], a.stride_h,
                                          a.stride_w, a.dilation_h, a.dilation_w, Output(*node).shape, name, &a.pad));
        node->attrs = a;
        return Status::Ok();
      }
      case OpType::kAveragePool2D:
      case OpType::kMaxPool2D: {
        namespace f = tflite::pool2d_options;
        PoolAttrs a;
        const int8_t padding = o.Scalar<int8_t>(f::kPadding, tflite::kSame, &ok);
        a.stride_w = o.Scalar<int32_t>(f::kStrideW, 0, &ok);
        a.stride_h = o.Scalar<int32_t>(f::kStrideH, 0, &ok);
        a.filter_w = o.Scalar<int32_t>(f::kFilterWidth, 0, &ok);
        a.filter_h = o.Scalar<int32_t>(f::kFilterHeight, 0, &ok);
        const int8_t activation = o.Scalar<int8_t>(f::kActivation, tflite::kNone, &ok);
        if (!ok) return Malformed(name + ": bad options");
        EI_RETURN_IF_ERROR(MapActivation(activation, name, &a.activation));
        EI_RETURN_IF_ERROR(CheckRank(TensorAt(*node, 0), 4, name, "input"));
        EI_RETURN_IF_ERROR(CheckRank(Output(*node), 4, name, "output"));
        EI_RETURN_IF_ERROR(ResolvePadding(padding, TensorAt(*node, 0).shape, a.filter_h, a.filter_w, a.stride_h,
                                          a.stride_w, 1, 1, Output(*node).shape, name, &a.pad));
        node->attrs = a;
        return Status::Ok();
      }
      case OpType::kFullyConnected: {
        namespace f = tflite::fully_connected_options;
        FullyConnectedAttrs a;
        const int8_t activation = o.Scalar<int8_t>(f::kActivation, tflite::kNone, &ok);
        const int8_t weights_format = o.Scalar<int8_t>(f::kWeightsFormat, 0, &ok);
        a.keep_num_dims = o.Scalar<uint8_t>(f::kKeepNumDims, 0, &ok) != 0;
        if (!ok) return Malformed(name + ": bad options");
        EI_RETURN_IF_ERROR(MapActivation(activation, name, &a.activation));
        if (weights_format != 0) {
          return UnsupportedError(name + ": shuffled weights (weights_format " + std::to_string(weights_format) +
                                  ") are not supported");
        }
        node->attrs = a;
        return Status::Ok();
      }
      case OpType::kAdd:
      case OpType::kMul: {
        ElementwiseAttrs a;
        const int8_t activation = o.Scalar<int8_t>(tflite::elementwise_options::kActivation, tflite::kNone, &ok);
        if (!ok) return Malformed(name + ": bad options");
        EI_RETURN_IF_ERROR(MapActivation(activation, name, &a.activation));
        node->attrs = a;
        return Status::Ok();
      }
      case OpType::kMean: {
        ReduceAttrs a;
        a.keep_dims = o.Scalar<uint8_t>(tflite::reducer_options::kKeepDims, 0, &ok) != 0;
        if (!ok) return Malformed(name + ": bad options");
        std::vector<int64_t> axes;
        EI_RETURN_IF_ERROR(ReadConstantInts(*node, 1, "axes", &axes));
        const int64_t rank = static_cast<int64_t>(TensorAt(*node, 0).shape.size());
        for (int64_t axis : axes) {
          if (axis < -rank || axis >= rank) {
            return Malformed(name + ": axis " + std::to_string(axis) + " is outside rank " + std::to_string(rank));
          }
          a.axes.push_back(static_cast<int32_t>(axis < 0 ? axis + rank : axis));
        }
        std::sort(a.axes.begin(), a.axes.end());
        a.axes.erase(std::unique(a.axes.begin(), a.axes.end()), a.axes.end());
        node->attrs = std::move(a);
        return Status::Ok();
      }
      case OpType::kSoftmax: {
        SoftmaxAttrs a;
        a.beta = o.Scalar<float>(tflite::softmax_options::kBeta, 0.0f, &ok);
        if (!ok) return Malformed(name + ": bad options");
        if (!std::isfinite(a.beta)) return Malformed(name + ": beta is not finite");
        node->attrs = a;
        return Status::Ok();
      }
      case OpType::kPad: {
        PadAttrs a;
        std::vector<int64_t> paddings;
        EI_RETURN_IF_ERROR(ReadConstantInts(*node, 1, "paddings", &paddings));
        const Tensor& pads = TensorAt(*node, 1);
        const size_t rank = TensorAt(*node, 0).shape.size();
        if (pads.shape.size() != 2 || static_cast<size_t>(pads.shape[0]) != rank || pads.shape[1] != 2) {
          return Malformed(name + ": paddings of shape " + ShapeToString(pads.shape) + " for an input of rank " +
                           std::to_string(rank));
        }
        for (size_t d = 0; d < rank; ++d) {
          const int64_t before = paddings[2 * d], after = paddings[2 * d + 1];
          if (before < 0 || after < 0 || before > std::numeric_limits<int32_t>::max() ||
              after > std::numeric_limits<int32_t>::max()) {
            return Malformed(name + ": invalid padding (" + std::to_string(before) + ", " + std::to_string(after) +
                             ") for dimension " + std::to_string(d));
          }
          a.before.push_back(static_cast<int32_t>(before));
          a.after.push_back(static_cast<int32_t>(after));
        }
        node->attrs = std::move(a);
        return Status::Ok();
      }
      case OpType::kTranspose: {
        TransposeAttrs a;
        std::vector<int64_t> perm;
        EI_RETURN_IF_ERROR(ReadConstantInts(*node, 1, "permutation", &perm));
        const size_t rank = TensorAt(*node, 0).shape.size();
        std::vector<bool> seen(rank, false);
        if (perm.size() != rank) {
          return Malformed(name + ": a permutation of " + std::to_string(perm.size()) + " entries for rank " +
                           std::to_string(rank));
        }
        for (int64_t p : perm) {
          if (p < 0 || static_cast<size_t>(p) >= rank || seen[p]) {
            return Malformed(name + ": the permutation is not a permutation of the input's axes");
          }
          seen[p] = true;
          a.perm.push_back(static_cast<int32_t>(p));
        }
        node->attrs = std::move(a);
        return Status::Ok();
      }
      case OpType::kConcatenation: {
        namespace f = tflite::concatenation_options;
        ConcatAttrs a;
        const int32_t axis = o.Scalar<int32_t>(f::kAxis, 0, &ok);
        const int8_t activation = o.Scalar<int8_t>(f::kActivation, tflite::kNone, &ok);
        if (!ok) return Malformed(name + ": bad options");
        EI_RETURN_IF_ERROR(MapActivation(activation, name, &a.activation));
        EI_RETURN_IF_ERROR(NormalizeAxis(axis, Output(*node).shape.size(), name, &a.axis));
        node->attrs = a;
        return Status::Ok();
      }
      case OpType::kResizeBilinear: {
        namespace f = tflite::resize_bilinear_options;
        ResizeAttrs a;
        a.align_corners = o.Scalar<uint8_t>(f::kAlignCorners, 0, &ok) != 0;
        a.half_pixel_centers = o.Scalar<uint8_t>(f::kHalfPixelCenters, 0, &ok) != 0;
        if (!ok) return Malformed(name + ": bad options");
        node->attrs = a;
        return Status::Ok();
      }
      case OpType::kArgMax: {
        // ArgMaxOptions.output_type is not consulted: like TFLite's kernel,
        // the output tensor's dtype decides.
        ArgMaxAttrs a;
        std::vector<int64_t> axis;
        EI_RETURN_IF_ERROR(ReadConstantInts(*node, 1, "axis", &axis));
        if (axis.size() != 1) return Malformed(name + ": the axis input must hold one value");
        if (axis[0] < std::numeric_limits<int32_t>::min() || axis[0] > std::numeric_limits<int32_t>::max()) {
          return Malformed(name + ": axis " + std::to_string(axis[0]) + " is out of range");
        }
        EI_RETURN_IF_ERROR(
            NormalizeAxis(static_cast<int32_t>(axis[0]), TensorAt(*node, 0).shape.size(), name, &a.axis));
        node->attrs = a;
        return Status::Ok();
      }
      case OpType::kReshape:
      case OpType::kSqueeze:
      case OpType::kLogistic:
      case OpType::kHardSwish:
      case OpType::kQuantize:
      case OpType::kDequantize:
        node->attrs = std::monostate();
        return Status::Ok();
      case OpType::kClip:
      case OpType::kLeakyRelu:
      case OpType::kConvInteger:
        break;  // ONNX operators: no TFLite builtin maps to them
    }
    return InternalError(name + ": no attribute reader");
  }

  static Status MapActivation(int8_t activation, const std::string& name, Activation* out) {
    switch (activation) {
      case tflite::kNone: *out = Activation::kNone; return Status::Ok();
      case tflite::kRelu: *out = Activation::kRelu; return Status::Ok();
      case tflite::kReluN1To1: *out = Activation::kReluN1To1; return Status::Ok();
      case tflite::kRelu6: *out = Activation::kRelu6; return Status::Ok();
      case tflite::kTanh: return UnsupportedError(name + ": fused activation TANH is not supported");
      case tflite::kSignBit: return UnsupportedError(name + ": fused activation SIGN_BIT is not supported");
      default: return Malformed(name + ": unknown fused activation " + std::to_string(activation));
    }
  }

  static Status NormalizeAxis(int32_t axis, size_t rank, const std::string& name, int32_t* out) {
    const int64_t r = static_cast<int64_t>(rank);
    if (axis < -r || axis >= r) {
      return Malformed(name + ": axis " + std::to_string(axis) + " is outside rank " + std::to_string(rank));
    }
    *out = static_cast<int32_t>(axis < 0 ? axis + r : axis);
    return Status::Ok();
  }

  static Status CheckRank(const Tensor& t, size_t rank, const std::string& name, const char* role) {
    if (t.shape.size() != rank) {
      return Malformed(name + ": " + role + " of shape " + ShapeToString(t.shape) + ", expected rank " +
                       std::to_string(rank));
    }
    return Status::Ok();
  }

  // The values of a constant int32/int64 input that parametrizes the node
  // (axes, paddings, permutation).
  Status ReadConstantInts(const Node& node, int input, const char* what, std::vector<int64_t>* out) {
    const Tensor& t = TensorAt(node, input);
    const std::string name = DescribeNode(node);
    if (!t.is_constant()) return UnsupportedError(name + ": non-constant " + what + " are not supported");
    if (t.dtype != DType::kInt32 && t.dtype != DType::kInt64) {
      return Malformed(name + ": " + what + " must be int32 or int64, not " + DTypeName(t.dtype));
    }
    const size_t n = static_cast<size_t>(t.num_elements());
    EI_RETURN_IF_ERROR(Charge(uint64_t{n} * sizeof(int64_t)));
    out->resize(n);
    for (size_t i = 0; i < n; ++i) {
      if (t.dtype == DType::kInt32) {
        (*out)[i] = flatbuffer::Load<int32_t>(t.data + 4 * i);
      } else {
        (*out)[i] = flatbuffer::Load<int64_t>(t.data + 8 * i);
      }
    }
    return Status::Ok();
  }

  // SAME/VALID to explicit padding, exactly as TFLite's
  // ComputePaddingHeightWidth, checking that the output tensor has the size
  // TFLite would give it.
  static Status ResolvePadding(int8_t padding, const Shape& input, int64_t filter_h, int64_t filter_w,
                               int64_t stride_h, int64_t stride_w, int64_t dilation_h, int64_t dilation_w,
                               const Shape& output, const std::string& name, Padding2D* pad) {
    if (padding != tflite::kSame && padding != tflite::kValid) {
      return Malformed(name + ": unknown padding " + std::to_string(padding));
    }
    if (stride_h < 1 || stride_w < 1 || dilation_h < 1 || dilation_w < 1 || filter_h < 1 || filter_w < 1) {
      return Malformed(name + ": strides, dilations and filter sizes must be at least 1");
    }
    int32_t before[2], after[2];
    const int64_t in[2] = {input[1], input[2]};
    const int64_t filter[2] = {filter_h, filter_w};
    const int64_t stride[2] = {stride_h, stride_w};
    const int64_t dilation[2] = {dilation_h, dilation_w};
    const int64_t out[2] = {output[1], output[2]};
    for (int i = 0; i < 2; ++i) {
      const int64_t effective_filter = (filter[i] - 1) * dilation[i] + 1;
      if (effective_filter > std::numeric_limits<int32_t>::max()) return Malformed(name + ": the filter is too large");
      const int64_t expected = padding == tflite::kSame ? (in[i] + stride[i] - 1) / stride[i]
                                                        : (in[i] + stride[i] - effective_filter) / stride[i];
      if (expected <= 0 || expected != out[i]) {
        return Malformed(name + ": output " + ShapeToString(output) + " does not match input " +
                         ShapeToString(input) + " with this filter, stride and padding");
      }
      const int64_t total = std::max<int64_t>((out[i] - 1) * stride[i] + effective_filter - in[i], 0);
      if (total > std::numeric_limits<int32_t>::max()) return Malformed(name + ": the padding is too large");
      before[i] = static_cast<int32_t>(total / 2);
      after[i] = static_cast<int32_t>(total - total / 2);
    }
    pad->top = before[0];
    pad->bottom = after[0];
    pad->left = before[1];
    pad->right = after[1];
    return Status::Ok();
  }

  // Kernels trust that whatever they read was written before they run and
  // that they never overwrite a constant or an input.
  Status ValidateDataflow() {
    const size_t n = graph_->tensors.size();
    std::vector<uint8_t> available(n, 0), is_input(n, 0), written(n, 0);
    for (int32_t t : graph_->inputs) {
      if (is_input[t]) return Malformed("tensor " + std::to_string(t) + " is listed twice as a graph input");
      if (graph_->tensors[t].is_constant()) {
        return Malformed("graph input tensor " + std::to_string(t) + " is a constant");
      }
      is_input[t] = available[t] = 1;
    }
    for (const Node& node : graph_->nodes) {
      for (int32_t t : node.inputs) {
        if (t < 0) continue;
        const Tensor& tensor = graph_->tensors[t];
        if (!available[t] && !tensor.is_constant() && tensor.num_elements() != 0) {
          return Malformed(DescribeNode(node) + " reads tensor " + std::to_string(t) + " (" + Quote(tensor.name) +
                           ") before anything writes it");
        }
      }
      for (int32_t t : node.outputs) {
        const Tensor& tensor = graph_->tensors[t];
        if (tensor.is_constant() || is_input[t] || written[t]) {
          return Malformed(DescribeNode(node) + " writes tensor " + std::to_string(t) + " (" + Quote(tensor.name) +
                           "), which is a constant, a graph input or written by an earlier operator");
        }
        written[t] = available[t] = 1;
      }
    }
    std::vector<uint8_t> is_output(n, 0);
    for (int32_t t : graph_->outputs) {
      if (is_output[t]) return Malformed("tensor " + std::to_string(t) + " is listed twice as a graph output");
      if (!written[t]) {
        return Malformed("graph output tensor " + std::to_string(t) + " (" + Quote(graph_->tensors[t].name) +
                         ") is not written by any operator");
      }
      is_output[t] = 1;
    }
    return Status::Ok();
  }

  Buffer buf_;
  Graph* graph_;
  uint64_t budget_;
  Vector buffers_;
  std::vector<OperatorCode> opcodes_;
};

}  // namespace

bool LooksLikeTflite(const uint8_t* data, size_t size) {
  return data != nullptr && size >= 8 && std::memcmp(data + 4, tflite::kFileIdentifier, 4) == 0;
}

Status ReadTflite(const uint8_t* data, size_t size, Graph* graph) {
  if (data == nullptr) return ModelFormatError("no model bytes");
  return Reader(data, size, graph).Read();
}

}  // namespace edgeinfer
