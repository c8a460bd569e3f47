// Each fusion pass on a small hand-built graph: what it rewrites, and what
// it must leave alone.
#include "core/passes/qdq_fusion.h"

#include <cstring>
#include <string>
#include <vector>

#include "test/check.h"

namespace edgeinfer {
namespace {

Quantization Q(float scale, int64_t zp) {
  Quantization q;
  q.scale = {scale};
  q.zero_point = {zp};
  return q;
}

struct Builder {
  Graph g;

  int32_t Tensor(DType dtype, Shape shape, Quantization q = {}) {
    edgeinfer::Tensor t;
    t.name = "t" + std::to_string(g.tensors.size());
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.quant = std::move(q);
    g.tensors.push_back(std::move(t));
    return static_cast<int32_t>(g.tensors.size() - 1);
  }
  template <typename T>
  int32_t Constant(DType dtype, Shape shape, const std::vector<T>& values, Quantization q = {}) {
    const int32_t i = Tensor(dtype, std::move(shape), std::move(q));
    edgeinfer::Tensor& t = g.tensors[i];
    t.owned.resize(values.size() * sizeof(T));
    std::memcpy(t.owned.data(), values.data(), t.owned.size());
    t.data = t.owned.data();
    t.data_bytes = t.owned.size();
    return i;
  }
  Node& Add(OpType op, std::vector<int32_t> in, std::vector<int32_t> out, NodeAttrs attrs = std::monostate(),
            std::string source = "") {
    Node n;
    n.op = op;
    n.inputs = std::move(in);
    n.outputs = std::move(out);
    n.attrs = std::move(attrs);
    n.rounding = Rounding::kHalfEven;
    n.source_op = source.empty() ? OpTypeName(op) : source;
    g.nodes.push_back(std::move(n));
    return g.nodes.back();
  }
  int32_t Dequantize(int32_t q) {
    const int32_t f = Tensor(DType::kFloat32, g.tensors[q].shape);
    Add(OpType::kDequantize, {q}, {f});
    return f;
  }
};

std::vector<OpType> Ops(const Graph& g) {
  std::vector<OpType> ops;
  for (const Node& n : g.nodes) ops.push_back(n.op);
  return ops;
}

// x(u8) -> DQ -> Conv(DQ(w), DQ(b)) -> Clip(0, 6) -> Q(u8); `bias_scale`
// lets a test make the bias scale wrong.
Builder ConvChain(float bias_scale) {
  Builder b;
  const float xs = 0.5f, ws = 0.25f;
  const int32_t x = b.Tensor(DType::kUInt8, {1, 2, 2, 3}, Q(xs, 128));
  b.g.inputs = {x};
  const int32_t w = b.Constant<int8_t>(DType::kInt8, {4, 1, 1, 3}, std::vector<int8_t>(12, 1), Q(ws, 0));
  const int32_t bias = b.Constant<int32_t>(DType::kInt32, {4}, {1, 2, 3, 4}, Q(bias_scale, 0));
  const int32_t xf = b.Dequantize(x), wf = b.Dequantize(w), bf = b.Dequantize(bias);
  const int32_t conv = b.Tensor(DType::kFloat32, {1, 2, 2, 4});
  b.Add(OpType::kConv2D, {xf, wf, bf}, {conv}, ConvAttrs{}, "Conv");
  const int32_t clipped = b.Tensor(DType::kFloat32, {1, 2, 2, 4});
  ClipAttrs clip;
  clip.clamp.min = 0.f;
  clip.clamp.max = 6.f;
  b.Add(OpType::kClip, {conv}, {clipped}, clip, "Clip");
  const int32_t y = b.Tensor(DType::kUInt8, {1, 2, 2, 4}, Q(0.05f, 0));
  b.Add(OpType::kQuantize, {clipped}, {y});
  b.g.outputs = {y};
  return b;
}

TEST(qdq_conv_clip_becomes_one_integer_node) {
  Builder b = ConvChain(0.5f * 0.25f);
  CHECK_EQ(FuseQdqWeighted(&b.g), 1);
  RemoveDeadNodes(&b.g);
  CHECK(Ops(b.g) == std::vector<OpType>{OpType::kConv2D});
  const Node& n = b.g.nodes[0];
  CHECK(n.rounding == Rounding::kHalfEven);
  CHECK(n.source_op == "Conv+Clip");
  CHECK(std::get<ConvAttrs>(n.attrs).clamp.max == 6.f);
  CHECK(b.g.tensors[n.inputs[0]].dtype == DType::kUInt8);
  CHECK(b.g.tensors[n.inputs[1]].dtype == DType::kInt8);
  CHECK(b.g.tensors[n.inputs[2]].dtype == DType::kInt32);
  CHECK(b.g.tensors[n.outputs[0]].dtype == DType::kUInt8);
  CHECK_EQ(n.outputs[0], b.g.outputs[0]);
}

TEST(qdq_conv_with_a_bias_at_another_scale_stays_float) {
  Builder b = ConvChain(0.1f);
  CHECK_EQ(FuseQdqWeighted(&b.g), 0);
  CHECK(RunQdqFusion(&b.g).ok());
  // The constants' DEQUANTIZE nodes are folded; the rest stays.
  CHECK(Ops(b.g) == (std::vector<OpType>{OpType::kDequantize, OpType::kConv2D, OpType::kClip, OpType::kQuantize}));
}

TEST(matmul_then_add_of_a_constant_becomes_one_fully_connected) {
  Builder b;
  const int32_t x = b.Tensor(DType::kFloat32, {2, 3});
  b.g.inputs = {x};
  const int32_t w = b.Constant<float>(DType::kFloat32, {4, 3}, std::vector<float>(12, 0.5f));
  const int32_t mm = b.Tensor(DType::kFloat32, {2, 4});
  FullyConnectedAttrs fc;
  fc.keep_num_dims = true;
  b.Add(OpType::kFullyConnected, {x, w}, {mm}, fc, "MatMul");
  const int32_t bias = b.Constant<float>(DType::kFloat32, {4}, {1, 2, 3, 4});
  const int32_t y = b.Tensor(DType::kFloat32, {2, 4});
  b.Add(OpType::kAdd, {mm, bias}, {y}, ElementwiseAttrs{}, "Add");
  b.g.outputs = {y};
  CHECK_EQ(FuseMatMulAdd(&b.g), 1);
  RemoveDeadNodes(&b.g);
  CHECK(Ops(b.g) == std::vector<OpType>{OpType::kFullyConnected});
  CHECK(b.g.nodes[0].source_op == "MatMul+Add");
  CHECK_EQ(b.g.nodes[0].inputs.size(), size_t{3});
}

TEST(qdq_reshape_with_equal_parameters_runs_on_the_codes) {
  Builder b;
  const int32_t x = b.Tensor(DType::kInt8, {1, 2, 3}, Q(0.1f, -3));
  b.g.inputs = {x};
  const int32_t xf = b.Dequantize(x);
  const int32_t r = b.Tensor(DType::kFloat32, {6});
  b.Add(OpType::kReshape, {xf}, {r});
  const int32_t y = b.Tensor(DType::kInt8, {6}, Q(0.1f, -3));
  b.Add(OpType::kQuantize, {r}, {y});
  b.g.outputs = {y};
  CHECK_EQ(FuseQdqPassThrough(&b.g), 1);
  RemoveDeadNodes(&b.g);
  CHECK(Ops(b.g) == std::vector<OpType>{OpType::kReshape});
  CHECK(b.g.tensors[b.g.nodes[0].inputs[0]].dtype == DType::kInt8);

  // Different output parameters: the reshape would need a requantization.
  Builder c;
  const int32_t x2 = c.Tensor(DType::kInt8, {1, 2, 3}, Q(0.1f, -3));
  c.g.inputs = {x2};
  const int32_t xf2 = c.Dequantize(x2);
  const int32_t r2 = c.Tensor(DType::kFloat32, {6});
  c.Add(OpType::kReshape, {xf2}, {r2});
  const int32_t y2 = c.Tensor(DType::kInt8, {6}, Q(0.2f, -3));
  c.Add(OpType::kQuantize, {r2}, {y2});
  c.g.outputs = {y2};
  CHECK_EQ(FuseQdqPassThrough(&c.g), 0);
}

TEST(dequantize_then_quantize_with_the_same_parameters_cancels) {
  Builder b;
  const int32_t x = b.Tensor(DType::kUInt8, {4}, Q(0.1f, 7));
  b.g.inputs = {x};
  const int32_t xf = b.Dequantize(x);
  const int32_t q = b.Tensor(DType::kUInt8, {4}, Q(0.1f, 7));
  b.Add(OpType::kQuantize, {xf}, {q});
  const int32_t y = b.Dequantize(q);
  b.g.outputs = {y};
  CHECK_EQ(CancelDequantizeQuantize(&b.g), 1);
  RemoveDeadNodes(&b.g);
  CHECK(Ops(b.g) == std::vector<OpType>{OpType::kDequantize});
  CHECK_EQ(b.g.nodes[0].inputs[0], b.g.inputs[0]);
}

TEST(two_reshapes_collapse_into_one) {
  Builder b;
  const int32_t x = b.Tensor(DType::kFloat32, {1, 1, 1, 8});
  b.g.inputs = {x};
  const int32_t m = b.Tensor(DType::kFloat32, {1, 8, 1, 1});
  b.Add(OpType::kReshape, {x}, {m});
  const int32_t y = b.Tensor(DType::kFloat32, {1, 8});
  b.Add(OpType::kReshape, {m}, {y});
  b.g.outputs = {y};
  CHECK_EQ(CollapseReshapes(&b.g), 1);
  RemoveDeadNodes(&b.g);
  CHECK(Ops(b.g) == std::vector<OpType>{OpType::kReshape});
  CHECK_EQ(b.g.nodes[0].inputs[0], b.g.inputs[0]);
}

// ONNX DequantizeLinear, per axis: (q - zero_point) * scale in float.
TEST(constant_dequantize_folds_per_axis) {
  Builder b;
  Quantization q;
  q.scale = {0.5f, 0.25f};
  q.zero_point = {1, -2};
  q.axis = 1;
  const int32_t c = b.Constant<int8_t>(DType::kInt8, {2, 2}, {3, 2, -1, 6}, q);
  const int32_t f = b.Dequantize(c);
  const int32_t x = b.Tensor(DType::kFloat32, {2, 2});
  b.g.inputs = {x};
  const int32_t y = b.Tensor(DType::kFloat32, {2, 2});
  b.Add(OpType::kAdd, {x, f}, {y}, ElementwiseAttrs{});
  b.g.outputs = {y};
  CHECK_EQ(FoldConstantDequantize(&b.g), 1);
  const Tensor& folded = b.g.tensors[f];
  CHECK(folded.is_constant());
  float v[4];
  std::memcpy(v, folded.data, sizeof(v));
  CHECK(v[0] == 1.0f && v[1] == 1.0f && v[2] == -1.0f && v[3] == 2.0f);
}

}  // namespace
}  // namespace edgeinfer
