#include "ops/average_pool2d/pool_geometry.h"

#include <cmath>
#include <limits>
#include <string>

#include "ops/common/node_checks.h"
#include "ops/common/quantization.h"

namespace edgeinfer {

Status PreparePool(const Graph& graph, const Node& node, PoolGeometry* g) {
  const int32_t num_tensors = static_cast<int32_t>(graph.tensors.size());
  if (node.inputs.size() != 1 || node.outputs.size() != 1 || node.inputs[0] < 0 || node.inputs[0] >= num_tensors ||
      node.outputs[0] < 0 || node.outputs[0] >= num_tensors) {
    return ModelFormatError(DescribeNode(node) + ": expects one input and one output tensor");
  }
  const auto* attrs = std::get_if<PoolAttrs>(&node.attrs);
  if (attrs == nullptr) return ModelFormatError(DescribeNode(node) + ": missing pool attributes");
  const Tensor& in = graph.tensors[node.inputs[0]];
  const Tensor& out = graph.tensors[node.outputs[0]];
  if (in.dtype != out.dtype) {
    return ModelFormatError(DescribeNode(node) + ": input is " + DTypeName(in.dtype) + " but output is " +
                            DTypeName(out.dtype));
  }
  if (in.dtype != DType::kInt8 && in.dtype != DType::kUInt8 && in.dtype != DType::kFloat32) {
    return UnsupportedError(DescribeNode(node) + ": " + DTypeName(in.dtype) + " is not supported");
  }
  if (in.shape.size() != 4 || out.shape.size() != 4 || in.num_elements() < 0 || out.num_elements() < 0 ||
      in.shape[0] != out.shape[0] || in.shape[3] != out.shape[3]) {
    return ModelFormatError(DescribeNode(node) + ": input " + ShapeToString(in.shape) + " and output " +
                            ShapeToString(out.shape) + " are not matching NHWC shapes");
  }
  const Padding2D& pad = attrs->pad;
  if (attrs->filter_h < 1 || attrs->filter_w < 1 || attrs->stride_h < 1 || attrs->stride_w < 1 || pad.top < 0 ||
      pad.left < 0 || pad.bottom < 0 || pad.right < 0) {
    return ModelFormatError(DescribeNode(node) + ": invalid filter, stride or padding");
  }
  *g = PoolGeometry{in.shape[0],       in.shape[1],    in.shape[2],    in.shape[3],
                    out.shape[1],      out.shape[2],   attrs->filter_h, attrs->filter_w,
                    attrs->stride_h,   attrs->stride_w, pad.top,        pad.left};
  // An empty window would divide by zero in the average; TFLite fails on it too.
  const bool windows_overlap =
      g->out_h == 0 || g->out_w == 0 ||
      (g->in_h > 0 && g->in_w > 0 && pad.top < g->filter_h && pad.left < g->filter_w &&
       static_cast<int64_t>(g->out_h - 1) * g->stride_h - pad.top < g->in_h &&
       static_cast<int64_t>(g->out_w - 1) * g->stride_w - pad.left < g->in_w);
  if (!windows_overlap) {
    return ModelFormatError(DescribeNode(node) + ": output " + ShapeToString(out.shape) +
                            " has pooling windows entirely outside input " + ShapeToString(in.shape));
  }
  // Window coordinates are int32 and the 8-bit sums int32: bound both.
  constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
  if (static_cast<int64_t>(g->out_h) * g->stride_h + g->filter_h > kInt32Max ||
      static_cast<int64_t>(g->out_w) * g->stride_w + g->filter_w > kInt32Max ||
      static_cast<int64_t>(g->in_h) + pad.top > kInt32Max || static_cast<int64_t>(g->in_w) + pad.left > kInt32Max ||
      static_cast<int64_t>(g->filter_h) * g->filter_w > (int64_t{1} << 23)) {
    return UnsupportedError(DescribeNode(node) + ": filter, stride or padding too large");
  }
  if (in.dtype == DType::kFloat32) return Status::Ok();

  EI_RETURN_IF_ERROR(CheckPerTensorQuantization(node, in, "input"));
  EI_RETURN_IF_ERROR(CheckPerTensorQuantization(node, out, "output"));
  // TFLite pools the raw 8-bit values and never requantizes.
  if (in.quant.zero_point[0] != out.quant.zero_point[0] ||
      std::abs(in.quant.scale[0] - out.quant.scale[0]) > 1e-6f) {
    return UnsupportedError(DescribeNode(node) + ": input and output quantization differ");
  }
  return Status::Ok();
}

}  // namespace edgeinfer
