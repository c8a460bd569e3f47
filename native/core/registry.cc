#include "ops/conv2d/conv2d.h"
#include "ops/depthwise_conv2d/depthwise_conv2d.h"
#include "ops/fully_connected/fully_connected.h"
#include "ops/ops.h"

namespace edgeinfer {

KernelConfig DefaultKernelConfig() {
  KernelConfig config;
  config.isa = kernels::BestIsa();
  return config;
}

Status CreateKernel(const Graph& graph, const Node& node, std::unique_ptr<Kernel>* kernel) {
  return CreateKernel(graph, node, DefaultKernelConfig(), kernel);
}

Status CreateKernel(const Graph& graph, const Node& node, const KernelConfig& config,
                    std::unique_ptr<Kernel>* kernel) {
  switch (node.op) {
    case OpType::kConv2D: return CreateConv2DKernel(graph, node, config, kernel);
    case OpType::kDepthwiseConv2D: return CreateDepthwiseConv2DKernel(graph, node, config, kernel);
    case OpType::kFullyConnected: return CreateFullyConnectedKernel(graph, node, config, kernel);
    case OpType::kAdd: return CreateAddKernel(graph, node, config, kernel);
    case OpType::kMul: return CreateMulKernel(graph, node, kernel);
    case OpType::kAveragePool2D: return CreateAveragePool2DKernel(graph, node, kernel);
    case OpType::kMaxPool2D: return CreateMaxPool2DKernel(graph, node, kernel);
    case OpType::kMean: return CreateMeanKernel(graph, node, kernel);
    case OpType::kReshape:
    case OpType::kSqueeze: return CreateReshapeKernel(graph, node, kernel);
    case OpType::kSoftmax: return CreateSoftmaxKernel(graph, node, kernel);
    case OpType::kLogistic: return CreateLogisticKernel(graph, node, kernel);
    case OpType::kHardSwish: return CreateHardSwishKernel(graph, node, kernel);
    case OpType::kPad: return CreatePadKernel(graph, node, kernel);
    case OpType::kTranspose: return CreateTransposeKernel(graph, node, kernel);
    case OpType::kConcatenation: return CreateConcatenationKernel(graph, node, kernel);
    case OpType::kResizeBilinear: return CreateResizeBilinearKernel(graph, node, config, kernel);
    case OpType::kArgMax: return CreateArgMaxKernel(graph, node, config, kernel);
    case OpType::kQuantize: return CreateQuantizeKernel(graph, node, config, kernel);
    case OpType::kDequantize: return CreateDequantizeKernel(graph, node, kernel);
    case OpType::kClip: return CreateClipKernel(graph, node, kernel);
    case OpType::kLeakyRelu: return CreateLeakyReluKernel(graph, node, kernel);
    case OpType::kConvInteger: return CreateConvIntegerKernel(graph, node, kernel);
  }
  return InternalError("unknown operator type in graph: " + DescribeNode(node));
}

}  // namespace edgeinfer
