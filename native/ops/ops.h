// One factory per operator; each lives in native/ops/<op>/ beside its
// reference implementation and test. core/registry.cc maps OpType to these.
#pragma once

#include <memory>

#include "edgeinfer/kernel.h"

namespace edgeinfer {

#define EI_DECLARE_KERNEL_FACTORY(Name) \
  Status Create##Name##Kernel(const Graph& graph, const Node& node, std::unique_ptr<Kernel>* kernel)

EI_DECLARE_KERNEL_FACTORY(Conv2D);
EI_DECLARE_KERNEL_FACTORY(DepthwiseConv2D);
EI_DECLARE_KERNEL_FACTORY(FullyConnected);
EI_DECLARE_KERNEL_FACTORY(Mul);
EI_DECLARE_KERNEL_FACTORY(AveragePool2D);
EI_DECLARE_KERNEL_FACTORY(MaxPool2D);
EI_DECLARE_KERNEL_FACTORY(Mean);
EI_DECLARE_KERNEL_FACTORY(Reshape);  // RESHAPE and SQUEEZE: a copy, shapes fixed at load
EI_DECLARE_KERNEL_FACTORY(Softmax);
EI_DECLARE_KERNEL_FACTORY(Logistic);
EI_DECLARE_KERNEL_FACTORY(HardSwish);
EI_DECLARE_KERNEL_FACTORY(Pad);
EI_DECLARE_KERNEL_FACTORY(Transpose);
EI_DECLARE_KERNEL_FACTORY(Concatenation);
EI_DECLARE_KERNEL_FACTORY(Dequantize);
EI_DECLARE_KERNEL_FACTORY(Clip);
EI_DECLARE_KERNEL_FACTORY(LeakyRelu);
EI_DECLARE_KERNEL_FACTORY(ConvInteger);

// Factories with a vector path pick it when config.isa allows.
Status CreateAddKernel(const Graph& graph, const Node& node, const KernelConfig& config,
                       std::unique_ptr<Kernel>* kernel);
Status CreateArgMaxKernel(const Graph& graph, const Node& node, const KernelConfig& config,
                          std::unique_ptr<Kernel>* kernel);
Status CreateResizeBilinearKernel(const Graph& graph, const Node& node, const KernelConfig& config,
                                  std::unique_ptr<Kernel>* kernel);
Status CreateQuantizeKernel(const Graph& graph, const Node& node, const KernelConfig& config,
                            std::unique_ptr<Kernel>* kernel);

#undef EI_DECLARE_KERNEL_FACTORY

}  // namespace edgeinfer
