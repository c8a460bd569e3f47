#include "ops/clip/clip.h"

#include <cmath>
#include <string>

#include "ops/common/node_checks.h"
#include "ops/ops.h"

namespace edgeinfer {
namespace {

template <typename T>
class ClipKernel final : public Kernel {
 public:
  ClipKernel(int64_t n, T lo, T hi, int32_t in, int32_t out) : n_(n), lo_(lo), hi_(hi), in_(in), out_(out) {}
  void Run(const RunContext& ctx) const override { ClipReference(n_, lo_, hi_, ctx.in<T>(in_), ctx.out<T>(out_)); }

 private:
  int64_t n_;
  T lo_, hi_;
  int32_t in_, out_;
};

}  // namespace

Status CreateClipKernel(const Graph& graph, const Node& node, std::unique_ptr<Kernel>* kernel) {
  const auto* attrs = std::get_if<ClipAttrs>(&node.attrs);
  if (attrs == nullptr) return InternalError(DescribeNode(node) + ": missing clip attributes");
  if (node.inputs.size() != 1 || node.outputs.size() != 1 || !ValidTensorIndex(graph, node.inputs[0]) ||
      !ValidTensorIndex(graph, node.outputs[0])) {
    return ModelFormatError(DescribeNode(node) + ": expects one input and one output tensor");
  }
  const Tensor& in = graph.tensors[node.inputs[0]];
  const Tensor& out = graph.tensors[node.outputs[0]];
  if (in.dtype != out.dtype || in.shape != out.shape || in.num_elements() < 0) {
    return ModelFormatError(DescribeNode(node) + ": input and output differ in type or shape");
  }
  const float lo = attrs->clamp.min, hi = attrs->clamp.max;
  if (std::isnan(lo) || std::isnan(hi)) return ModelFormatError(DescribeNode(node) + ": NaN bound");
  const int64_t n = in.num_elements();
  if (in.dtype == DType::kFloat32) {
    *kernel = std::make_unique<ClipKernel<float>>(n, lo, hi, node.inputs[0], node.outputs[0]);
    return Status::Ok();
  }
  if (in.dtype != DType::kInt8 && in.dtype != DType::kUInt8) {
    return UnsupportedError(DescribeNode(node) + ": " + DTypeName(in.dtype) + " is not supported");
  }
  EI_RETURN_IF_ERROR(CheckPerTensorQuantization(node, in, "input"));
  EI_RETURN_IF_ERROR(CheckPerTensorQuantization(node, out, "output"));
  if (in.quant.scale != out.quant.scale || in.quant.zero_point != out.quant.zero_point) {
    return UnsupportedError(DescribeNode(node) + ": quantized input and output must share scale and zero point");
  }
  int32_t qmin = QuantizedMin(in.dtype), qmax = QuantizedMax(in.dtype);
  QuantizedClampRange(attrs->clamp, out.quant.scale[0], static_cast<int32_t>(out.quant.zero_point[0]), out.dtype,
                      &qmin, &qmax);
  if (in.dtype == DType::kInt8) {
    *kernel = std::make_unique<ClipKernel<int8_t>>(n, static_cast<int8_t>(qmin), static_cast<int8_t>(qmax),
                                                   node.inputs[0], node.outputs[0]);
  } else {
    *kernel = std::make_unique<ClipKernel<uint8_t>>(n, static_cast<uint8_t>(qmin), static_cast<uint8_t>(qmax),
                                                    node.inputs[0], node.outputs[0]);
  }
  return Status::Ok();
}

}  // namespace edgeinfer
