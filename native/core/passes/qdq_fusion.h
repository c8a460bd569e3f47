// Graph rewrites that turn an imported ONNX graph's DequantizeLinear ->
// float operator -> QuantizeLinear patterns into integer nodes, each a
// small, separately tested pass. A pass rewrites only what a kernel can run
// (it asks CreateKernel before committing), so anything it leaves alone
// stays correct through float.
//
// Each pass returns how many patterns it rewrote. Nodes a pass makes
// unused are left in place; RemoveDeadNodes drops them.
#pragma once

#include "edgeinfer/graph.h"
#include "edgeinfer/status.h"

namespace edgeinfer {

// FULLY_CONNECTED without bias whose only consumer is an ADD of a constant
// vector of its output width (or a DEQUANTIZE of one): the bias joins the
// FULLY_CONNECTED (ONNX MatMul + Add).
int FuseMatMulAdd(Graph* g);

// DQ -> CONV_2D | DEPTHWISE_CONV_2D | FULLY_CONNECTED -> [CLIP] -> Q, with
// constant DQ'd weights and an int32 bias quantized at input scale times
// weight scale: one integer node with the clip folded into its clamp
// (fused Conv+ReLU, fused MatMul+Add).
int FuseQdqWeighted(Graph* g);

// DQ, DQ -> ADD -> Q: an integer ADD. DQ -> MEAN -> Q (GlobalAveragePool):
// an integer MEAN. DQ -> CLIP -> Q: an integer CLIP.
int FuseQdqElementwise(Graph* g);

// DQ -> RESHAPE | SQUEEZE | TRANSPOSE | MAX_POOL_2D | PAD | CONCATENATION -> Q
// where every DQ and the Q share one scale, zero point and type: the
// operator runs on the quantized values, which is exact.
int FuseQdqPassThrough(Graph* g);

// DQ(x) -> Q with the same parameters and type gives x back: the Q's output
// is replaced by x.
int CancelDequantizeQuantize(Graph* g);

// RESHAPE (or SQUEEZE) of a tensor only a RESHAPE reads: one RESHAPE (a
// layout change followed by the model's own Reshape, for instance).
int CollapseReshapes(Graph* g);

// Removes nodes none of whose outputs is read or is a graph output, then
// tensors nothing refers to.
int RemoveDeadNodes(Graph* g);

// DQ of a constant becomes a float constant (computed here, once).
int FoldConstantDequantize(Graph* g);

// All of the above, in order, until nothing changes.
Status RunQdqFusion(Graph* g);

}  // namespace edgeinfer
