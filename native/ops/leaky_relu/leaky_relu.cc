#include "ops/leaky_relu/leaky_relu.h"

#include <cmath>

#include "ops/common/node_checks.h"
#include "ops/ops.h"

namespace edgeinfer {
namespace {

class LeakyReluKernel final : public Kernel {
 public:
  LeakyReluKernel(int64_t n, float alpha, int32_t in, int32_t out) : n_(n), alpha_(alpha), in_(in), out_(out) {}
  void Run(const RunContext& ctx) const override {
    LeakyReluReference(n_, alpha_, ctx.in<float>(in_), ctx.out<float>(out_));
  }

 private:
  int64_t n_;
  float alpha_;
  int32_t in_, out_;
};

}  // namespace

Status CreateLeakyReluKernel(const Graph& graph, const Node& node, std::unique_ptr<Kernel>* kernel) {
  const auto* attrs = std::get_if<LeakyReluAttrs>(&node.attrs);
  if (attrs == nullptr) return InternalError(DescribeNode(node) + ": missing LeakyRelu attributes");
  if (node.inputs.size() != 1 || node.outputs.size() != 1 || !ValidTensorIndex(graph, node.inputs[0]) ||
      !ValidTensorIndex(graph, node.outputs[0])) {
    return ModelFormatError(DescribeNode(node) + ": expects one input and one output tensor");
  }
  const Tensor& in = graph.tensors[node.inputs[0]];
  const Tensor& out = graph.tensors[node.outputs[0]];
  if (in.dtype != DType::kFloat32 || out.dtype != DType::kFloat32) {
    return UnsupportedError(DescribeNode(node) + ": only float32 is supported");
  }
  if (in.shape != out.shape || in.num_elements() < 0) {
    return ModelFormatError(DescribeNode(node) + ": input and output shapes differ");
  }
  *kernel = std::make_unique<LeakyReluKernel>(in.num_elements(), attrs->alpha, node.inputs[0], node.outputs[0]);
  return Status::Ok();
}

}  // namespace edgeinfer
