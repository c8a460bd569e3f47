// What the broadcasting binary operators (ADD, MUL) share: the node checks,
// the broadcast plan and the kernel shell. Each operator only computes its
// own parameters and supplies its reference function.
#pragma once

#include <memory>
#include <string>

#include "edgeinfer/kernel.h"
#include "ops/common/broadcast.h"
#include "ops/common/node_checks.h"

namespace edgeinfer {

struct BinaryNode {
  const Tensor* in1 = nullptr;
  const Tensor* in2 = nullptr;
  const Tensor* out = nullptr;
  Activation activation = Activation::kNone;
  BroadcastPlan plan;
};

// Checks two inputs and one output of one dtype (int8, uint8 or float32)
// that broadcast to the output's shape, with per-tensor quantization when
// quantized, and fills `b`.
inline Status PrepareBinaryElementwise(const Graph& graph, const Node& node, BinaryNode* b) {
  if (node.inputs.size() != 2 || node.outputs.size() != 1 || !ValidTensorIndex(graph, node.inputs[0]) ||
      !ValidTensorIndex(graph, node.inputs[1]) || !ValidTensorIndex(graph, node.outputs[0])) {
    return ModelFormatError(DescribeNode(node) + ": expects two input tensors and one output tensor");
  }
  const auto* attrs = std::get_if<ElementwiseAttrs>(&node.attrs);
  if (attrs == nullptr) return ModelFormatError(DescribeNode(node) + ": missing its attributes");
  const Tensor& in1 = graph.tensors[node.inputs[0]];
  const Tensor& in2 = graph.tensors[node.inputs[1]];
  const Tensor& out = graph.tensors[node.outputs[0]];
  if (in1.dtype != out.dtype || in2.dtype != out.dtype) {
    return ModelFormatError(DescribeNode(node) + ": inputs " + DTypeName(in1.dtype) + " and " +
                            DTypeName(in2.dtype) + " do not match output " + DTypeName(out.dtype));
  }
  if (out.dtype != DType::kInt8 && out.dtype != DType::kUInt8 && out.dtype != DType::kFloat32) {
    return UnsupportedError(DescribeNode(node) + ": " + DTypeName(out.dtype) + " is not supported");
  }
  Shape shape;
  if (!BroadcastShape(in1.shape, in2.shape, &shape) || shape != out.shape || in1.num_elements() < 0 ||
      in2.num_elements() < 0) {
    return ModelFormatError(DescribeNode(node) + ": inputs " + ShapeToString(in1.shape) + " and " +
                            ShapeToString(in2.shape) + " do not broadcast to output " + ShapeToString(out.shape));
  }
  if (shape.size() > kMaxBroadcastRank) {
    return UnsupportedError(DescribeNode(node) + ": more than " + std::to_string(kMaxBroadcastRank) +
                            " dimensions are not supported");
  }
  if (out.dtype != DType::kFloat32) {
    EI_RETURN_IF_ERROR(CheckPerTensorQuantization(node, in1, "input 1"));
    EI_RETURN_IF_ERROR(CheckPerTensorQuantization(node, in2, "input 2"));
    EI_RETURN_IF_ERROR(CheckPerTensorQuantization(node, out, "output"));
  }
  b->in1 = &in1;
  b->in2 = &in2;
  b->out = &out;
  b->activation = attrs->activation;
  b->plan = MakeBroadcastPlan(in1.shape, in2.shape, shape);
  return Status::Ok();
}

// The instruction set a BinaryKernel with these params runs (see
// Kernel::isa): portable unless an operator overloads this.
template <class Params>
const char* KernelIsa(const Params&) {
  return nullptr;
}

// A prepared binary node: Fn(params, plan, in1, in2, out) on the node's tensors.
template <typename Params, typename T, void (*Fn)(const Params&, const BroadcastPlan&, const T*, const T*, T*)>
class BinaryKernel final : public Kernel {
 public:
  BinaryKernel(const Params& params, const BroadcastPlan& plan, const Node& node)
      : params_(params), plan_(plan), in1_(node.inputs[0]), in2_(node.inputs[1]), out_(node.outputs[0]) {}

  void Run(const RunContext& ctx) const override {
    Fn(params_, plan_, ctx.in<T>(in1_), ctx.in<T>(in2_), ctx.out<T>(out_));
  }

  // KernelIsa(params): an overload for Params whose Fn has SIMD paths
  // (found by argument-dependent lookup), else the portable one below.
  const char* isa() const override { return KernelIsa(params_); }

 private:
  Params params_;
  BroadcastPlan plan_;
  int32_t in1_, in2_, out_;
};

}  // namespace edgeinfer
