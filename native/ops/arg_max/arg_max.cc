#include "ops/arg_max/arg_max.h"

#include "kernels/cpu_features.h"
#include "ops/ops.h"

namespace edgeinfer {
namespace {

template <typename T, typename Index>
class ArgMaxKernel final : public Kernel {
 public:
  ArgMaxKernel(const ArgMaxParams& params, int32_t input, int32_t output, bool avx2)
      : params_(params), input_(input), output_(output), avx2_(avx2) {}

  const char* isa() const override { return avx2_ ? "avx2" : nullptr; }

  void Run(const RunContext& ctx) const override {
#if defined(__x86_64__) || defined(_M_X64)
    if constexpr (sizeof(T) == 1) {
      if (avx2_) {
        ArgMaxLastAxisAvx2(params_.outer_size, params_.axis_size, ctx.in<T>(input_), ctx.out<Index>(output_));
        return;
      }
    }
#endif
    ArgMax(params_, ctx.in<T>(input_), ctx.out<Index>(output_));
  }

 private:
  ArgMaxParams params_;
  int32_t input_, output_;
  bool avx2_;
};

template <typename T>
std::unique_ptr<Kernel> Make(DType index_type, const ArgMaxParams& params, int32_t input, int32_t output,
                             kernels::Isa isa) {
  const bool avx2 = sizeof(T) == 1 && params.inner_size == 1 && params.axis_size <= 32 &&
                    (isa == kernels::Isa::kAvx2 || isa == kernels::Isa::kAvxVnni || isa == kernels::Isa::kAvx512Vnni);
  if (index_type == DType::kInt32) return std::make_unique<ArgMaxKernel<T, int32_t>>(params, input, output, avx2);
  return std::make_unique<ArgMaxKernel<T, int64_t>>(params, input, output, avx2);
}

}  // namespace

Status CreateArgMaxKernel(const Graph& graph, const Node& node, const KernelConfig& config,
                          std::unique_ptr<Kernel>* kernel) {
  const int32_t num_tensors = static_cast<int32_t>(graph.tensors.size());
  const auto* attrs = std::get_if<ArgMaxAttrs>(&node.attrs);
  // ARG_MAX carries its axis as a second input; the importer already moved it
  // into the attributes.
  if (attrs == nullptr || node.inputs.empty() || node.outputs.size() != 1 || node.inputs[0] < 0 ||
      node.inputs[0] >= num_tensors || node.outputs[0] < 0 || node.outputs[0] >= num_tensors) {
    return ModelFormatError(DescribeNode(node) + ": expects one input, one output and an axis");
  }
  const Tensor& input = graph.tensors[node.inputs[0]];
  const Tensor& output = graph.tensors[node.outputs[0]];
  const int rank = static_cast<int>(input.shape.size());
  const int axis = attrs->axis;
  if (axis < 0 || axis >= rank) {
    return ModelFormatError(DescribeNode(node) + ": axis " + std::to_string(axis) + " outside the input's rank " +
                            std::to_string(rank));
  }
  if (output.dtype != DType::kInt32 && output.dtype != DType::kInt64) {
    return UnsupportedError(DescribeNode(node) + ": " + DTypeName(output.dtype) + " output (int32 or int64 only)");
  }
  if (input.num_elements() < 0 || input.shape[axis] < 1) {
    return ModelFormatError(DescribeNode(node) + ": input shape " + ShapeToString(input.shape) +
                            " has no element along axis " + std::to_string(axis));
  }
  // TFLite drops the reduced axis; ONNX keeps it as 1 by default.
  Shape dropped(input.shape), kept(input.shape);
  dropped.erase(dropped.begin() + axis);
  kept[axis] = 1;
  if (output.shape != dropped && output.shape != kept) {
    return ModelFormatError(DescribeNode(node) + ": output shape " + ShapeToString(output.shape) + ", expected " +
                            ShapeToString(dropped));
  }

  ArgMaxParams params{1, input.shape[axis], 1};
  for (int d = 0; d < axis; ++d) params.outer_size *= input.shape[d];
  for (int d = axis + 1; d < rank; ++d) params.inner_size *= input.shape[d];
  const int32_t in = node.inputs[0], out = node.outputs[0];
  switch (input.dtype) {
    case DType::kFloat32: *kernel = Make<float>(output.dtype, params, in, out, config.isa); break;
    case DType::kInt8: *kernel = Make<int8_t>(output.dtype, params, in, out, config.isa); break;
    case DType::kUInt8:
    case DType::kBool: *kernel = Make<uint8_t>(output.dtype, params, in, out, config.isa); break;
    case DType::kInt16: *kernel = Make<int16_t>(output.dtype, params, in, out, config.isa); break;
    case DType::kInt32: *kernel = Make<int32_t>(output.dtype, params, in, out, config.isa); break;
    case DType::kInt64: *kernel = Make<int64_t>(output.dtype, params, in, out, config.isa); break;
  }
  return Status::Ok();
}

}  // namespace edgeinfer
