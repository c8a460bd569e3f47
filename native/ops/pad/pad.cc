#include "ops/pad/pad.h"

#include "ops/ops.h"

namespace edgeinfer {
namespace {

// The pad value's bytes are kept as a T of the element's size, so one
// instantiation per element size covers every dtype.
template <typename T>
class PadKernel final : public Kernel {
 public:
  PadKernel(const PadParams& params, int32_t input, int32_t output, T pad_value)
      : params_(params), input_(input), output_(output), pad_value_(pad_value) {}

  void Run(const RunContext& ctx) const override {
    Pad(params_, ctx.in<T>(input_), pad_value_, ctx.out<T>(output_));
  }

 private:
  PadParams params_;
  int32_t input_, output_;
  T pad_value_;
};

template <typename T, typename V>
std::unique_ptr<Kernel> MakePadKernel(const PadParams& params, int32_t input, int32_t output, V value) {
  T bits;
  static_assert(sizeof(T) == sizeof(V), "pad value must have the element's size");
  std::memcpy(&bits, &value, sizeof(T));
  return std::make_unique<PadKernel<T>>(params, input, output, bits);
}

}  // namespace

Status CreatePadKernel(const Graph& graph, const Node& node, std::unique_ptr<Kernel>* kernel) {
  const int32_t num_tensors = static_cast<int32_t>(graph.tensors.size());
  const auto* attrs = std::get_if<PadAttrs>(&node.attrs);
  // PAD carries its paddings as a second input; the importer already moved
  // them into the attributes.
  if (attrs == nullptr || node.inputs.empty() || node.outputs.size() != 1 || node.inputs[0] < 0 ||
      node.inputs[0] >= num_tensors || node.outputs[0] < 0 || node.outputs[0] >= num_tensors) {
    return ModelFormatError(DescribeNode(node) + ": expects one input, one output and its paddings");
  }
  const Tensor& input = graph.tensors[node.inputs[0]];
  const Tensor& output = graph.tensors[node.outputs[0]];
  const int rank = static_cast<int>(input.shape.size());
  if (rank > kMaxPadRank) {
    return UnsupportedError(DescribeNode(node) + ": input of rank " + std::to_string(rank) + " (at most " +
                            std::to_string(kMaxPadRank) + ")");
  }
  if (attrs->before.size() != input.shape.size() || attrs->after.size() != input.shape.size()) {
    return ModelFormatError(DescribeNode(node) + ": paddings do not match the input's rank " + std::to_string(rank));
  }
  if (input.dtype != output.dtype) {
    return ModelFormatError(DescribeNode(node) + ": input is " + DTypeName(input.dtype) + " but output is " +
                            DTypeName(output.dtype));
  }
  if (input.quant.scale != output.quant.scale || input.quant.zero_point != output.quant.zero_point) {
    return UnsupportedError(DescribeNode(node) + ": input and output quantization differ");
  }
  if (input.num_elements() < 0) {
    return ModelFormatError(DescribeNode(node) + ": invalid input shape " + ShapeToString(input.shape));
  }

  PadParams params;
  const int lead = kMaxPadRank - rank;
  for (int d = 0; d < kMaxPadRank; ++d) {
    params.input_shape[d] = d < lead ? 1 : input.shape[d - lead];
    params.before[d] = d < lead ? 0 : attrs->before[d - lead];
    params.after[d] = d < lead ? 0 : attrs->after[d - lead];
  }
  Shape expected(input.shape);
  for (int d = 0; d < rank; ++d) {
    const int64_t size = int64_t{attrs->before[d]} + input.shape[d] + attrs->after[d];
    if (attrs->before[d] < 0 || attrs->after[d] < 0 || size > INT32_MAX) {
      return ModelFormatError(DescribeNode(node) + ": invalid padding (" + std::to_string(attrs->before[d]) + ", " +
                              std::to_string(attrs->after[d]) + ") of dimension " + std::to_string(d));
    }
    expected[d] = static_cast<int32_t>(size);
  }
  if (output.shape != expected) {
    return ModelFormatError(DescribeNode(node) + ": output shape " + ShapeToString(output.shape) + ", expected " +
                            ShapeToString(expected));
  }

  // Trailing dimensions without padding are copied whole: fold each into
  // the dimension outside it, so an NHWC image padded in H and W copies rows
  // of W*C elements instead of one row of C per pixel.
  while (params.before[kMaxPadRank - 1] == 0 && params.after[kMaxPadRank - 1] == 0 && params.input_shape[0] == 1 &&
         params.before[0] == 0 && params.after[0] == 0) {
    const int64_t inner = params.input_shape[kMaxPadRank - 1];
    const int d = kMaxPadRank - 2;
    const int64_t outer_size = (int64_t{params.before[d]} + params.input_shape[d] + params.after[d]) * inner;
    if (inner == 1 || outer_size > INT32_MAX) break;
    params.input_shape[d] = static_cast<int32_t>(params.input_shape[d] * inner);
    params.before[d] = static_cast<int32_t>(params.before[d] * inner);
    params.after[d] = static_cast<int32_t>(params.after[d] * inner);
    for (int k = kMaxPadRank - 1; k > 0; --k) {
      params.input_shape[k] = params.input_shape[k - 1];
      params.before[k] = params.before[k - 1];
      params.after[k] = params.after[k - 1];
    }
    params.input_shape[0] = 1;
    params.before[0] = params.after[0] = 0;
  }

  const int32_t in = node.inputs[0], out = node.outputs[0];
  // Quantized tensors pad with the value that means 0.0: the zero point.
  const int64_t zero_point = output.quant.zero_point.empty() ? 0 : output.quant.zero_point[0];
  switch (output.dtype) {
    case DType::kFloat32: *kernel = MakePadKernel<uint32_t>(params, in, out, 0.0f); break;
    case DType::kInt8: *kernel = MakePadKernel<uint8_t>(params, in, out, static_cast<int8_t>(zero_point)); break;
    case DType::kUInt8: *kernel = MakePadKernel<uint8_t>(params, in, out, static_cast<uint8_t>(zero_point)); break;
    case DType::kInt16: *kernel = MakePadKernel<uint16_t>(params, in, out, static_cast<int16_t>(zero_point)); break;
    case DType::kInt32: *kernel = MakePadKernel<uint32_t>(params, in, out, static_cast<int32_t>(zero_point)); break;
    case DType::kInt64: *kernel = MakePadKernel<uint64_t>(params, in, out, zero_point); break;
    default:
      return UnsupportedError(DescribeNode(node) + ": " + DTypeName(output.dtype) + " tensors");
  }
  return Status::Ok();
}

}  // namespace edgeinfer
