// Imports a parsed ONNX model into the IR the .tflite reader also feeds.
//
// Each ONNX operator becomes IR nodes with ONNX's own meaning: QuantizeLinear
// and DequantizeLinear stay QUANTIZE and DEQUANTIZE nodes around float
// operators, and the QOperator forms (QLinearConv, QLinearAdd, ...) are
// lowered to that same DQ -> float operator -> Q shape. The fusion passes
// (core/passes/qdq_fusion.h) then turn each pattern they can into one
// integer node, so both forms reach the same kernels and whatever cannot be
// fused stays correct through float.
//
// ONNX is NCHW, the kernels NHWC: 4-D activations are converted once where a
// layout-sensitive operator needs them (a TRANSPOSE node, or a RESHAPE when
// only dimensions of size 1 move), weights are permuted at load, and graph
// inputs and outputs keep the layout the model declares.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "edgeinfer/graph.h"
#include "edgeinfer/model_bytes.h"
#include "edgeinfer/status.h"

namespace edgeinfer {

struct OnnxImportOptions {
  // Folder of the .onnx file, for external data; empty for bytes handed
  // over by the caller (a model with external data then fails with a
  // message saying to load it from its path).
  std::string model_dir;
  // Static shapes for graph inputs with symbolic dimensions, by input name.
  std::map<std::string, std::vector<int64_t>> shapes;
};

// The opset versions of the default domain the importer understands.
constexpr int64_t kOnnxMinOpset = 10;
constexpr int64_t kOnnxMaxOpset = 22;

// Reads and imports the model; `external` receives the mapped external data
// files, which must stay alive with the graph. Runs no fusion pass.
Status ImportOnnx(const uint8_t* data, size_t size, const OnnxImportOptions& options, Graph* graph,
                  std::vector<ModelBytes>* external);

}  // namespace edgeinfer
