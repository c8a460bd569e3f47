#include "core/passes/qdq_fusion.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "edgeinfer/kernel.h"

namespace edgeinfer {
namespace {

// Who reads and writes each tensor, rebuilt after every rewrite (graphs are
// small: a few hundred nodes). The passes only ask whether a tensor has no
// reader or exactly one, so a count and the last reader do: no list per
// tensor to allocate on every rebuild.
struct Uses {
  std::vector<int32_t> producer;      // node index or -1
  std::vector<int32_t> reader_count;  // reads by nodes (a node reading t twice counts twice)
  std::vector<int32_t> last_reader;   // node index or -1
  std::vector<uint8_t> is_output;
  std::vector<uint8_t> dead;          // per node: removed by a rewrite

  explicit Uses(const Graph& g)
      : producer(g.tensors.size(), -1), reader_count(g.tensors.size(), 0), last_reader(g.tensors.size(), -1),
        is_output(g.tensors.size(), 0), dead(g.nodes.size(), 0) {
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      for (int32_t t : g.nodes[i].inputs) {
        if (t < 0) continue;
        ++reader_count[t];
        last_reader[t] = static_cast<int32_t>(i);
      }
      for (int32_t t : g.nodes[i].outputs) producer[t] = static_cast<int32_t>(i);
    }
    for (int32_t t : g.outputs) is_output[t] = 1;
  }

  // The single node reading t, when t is not a graph output; -1 otherwise.
  int32_t SoleReader(int32_t t) const {
    if (is_output[t] || reader_count[t] != 1) return -1;
    return last_reader[t];
  }
};

bool IsQuantizedActivation(const Tensor& t) {
  return !t.is_constant() && (t.dtype == DType::kInt8 || t.dtype == DType::kUInt8) && t.quant.scale.size() == 1 &&
         t.quant.zero_point.size() == 1;
}

bool SameQuantization(const Tensor& a, const Tensor& b) {
  return a.dtype == b.dtype && a.quant.scale == b.quant.scale && a.quant.zero_point == b.quant.zero_point &&
         a.quant.scale.size() == 1;
}

// The quantized activation a DEQUANTIZE turned into float tensor t, or -1.
int32_t DequantizedActivation(const Graph& g, const Uses& u, int32_t t) {
  if (t < 0) return -1;
  const int32_t p = u.producer[t];
  if (p < 0 || u.dead[p] || g.nodes[p].op != OpType::kDequantize) return -1;
  const int32_t q = g.nodes[p].inputs[0];
  return IsQuantizedActivation(g.tensors[q]) ? q : -1;
}

// The constant a DEQUANTIZE turned into float tensor t, or -1.
int32_t DequantizedConstant(const Graph& g, const Uses& u, int32_t t) {
  if (t < 0) return -1;
  const int32_t p = u.producer[t];
  if (p < 0 || u.dead[p] || g.nodes[p].op != OpType::kDequantize) return -1;
  const int32_t c = g.nodes[p].inputs[0];
  return g.tensors[c].is_constant() ? c : -1;
}

// The QUANTIZE node that is the sole reader of t, or -1.
int32_t SoleQuantize(const Graph& g, const Uses& u, int32_t t) {
  const int32_t r = u.SoleReader(t);
  if (r < 0 || g.nodes[r].op != OpType::kQuantize) return -1;
  const Tensor& out = g.tensors[g.nodes[r].outputs[0]];
  return IsQuantizedActivation(out) ? r : -1;
}

// Commits `candidate` in place of node `index` when a kernel can run it.
// The reference kernels validate exactly what the optimized ones do (the
// factories check first, then choose) and pack nothing, so they are the
// cheap way to ask.
bool TryReplace(Graph* g, size_t index, const Node& candidate) {
  std::unique_ptr<Kernel> k;
  Node saved = g->nodes[index];
  g->nodes[index] = candidate;
  KernelConfig reference;
  reference.isa = kernels::Isa::kReference;
  if (CreateKernel(*g, g->nodes[index], reference, &k).ok()) return true;
  g->nodes[index] = std::move(saved);
  return false;
}

std::string Joined(const Node& a, const Node* b) {
  return b == nullptr ? a.source_op : a.source_op + "+" + b->source_op;
}

// Clamp of a float CLIP node.
FusedClamp ClampOf(const Node& clip) { return std::get<ClipAttrs>(clip.attrs).clamp; }

}  // namespace

int FuseMatMulAdd(Graph* g) {
  int fused = 0;
  Uses u(*g);
  for (size_t i = 0; i < g->nodes.size(); ++i) {
    const Node& fc = g->nodes[i];
    if (u.dead[i] || fc.op != OpType::kFullyConnected || fc.inputs.size() > 2) continue;
    const Tensor& out = g->tensors[fc.outputs[0]];
    if (out.dtype != DType::kFloat32) continue;
    const int32_t r = u.SoleReader(fc.outputs[0]);
    if (r < 0 || g->nodes[r].op != OpType::kAdd) continue;
    const Node& add = g->nodes[r];
    const int32_t other = add.inputs[0] == fc.outputs[0] ? add.inputs[1] : add.inputs[0];
    const Tensor& b = g->tensors[other];
    const bool constant = b.is_constant() || DequantizedConstant(*g, u, other) >= 0;
    // The kernel takes any bias of one value per output (e.g. [N] or [1, N]).
    if (!constant || b.num_elements() != out.shape.back() || b.dtype != DType::kFloat32) continue;
    if (g->tensors[add.outputs[0]].shape != out.shape) continue;
    Node candidate = fc;
    candidate.inputs.push_back(other);
    candidate.outputs = {add.outputs[0]};
    candidate.source_op = fc.source_op + "+Add";
    if (!TryReplace(g, i, candidate)) continue;
    u.dead[r] = 1;
    g->nodes[r].inputs.clear();
    g->nodes[r].outputs.clear();
    ++fused;
    u = Uses(*g);
  }
  return fused;
}

int FuseQdqWeighted(Graph* g) {
  int fused = 0;
  Uses u(*g);
  for (size_t i = 0; i < g->nodes.size(); ++i) {
    const Node& n = g->nodes[i];
    if (u.dead[i]) continue;
    if (n.op != OpType::kConv2D && n.op != OpType::kDepthwiseConv2D && n.op != OpType::kFullyConnected) continue;
    if (g->tensors[n.outputs[0]].dtype != DType::kFloat32) continue;
    const int32_t x = DequantizedActivation(*g, u, n.inputs[0]);
    const int32_t w = DequantizedConstant(*g, u, n.inputs[1]);
    if (x < 0 || w < 0) continue;
    const Tensor& xt = g->tensors[x];
    const Tensor& wt = g->tensors[w];
    if (wt.dtype != DType::kInt8 && wt.dtype != DType::kUInt8) continue;
    // The integer kernel adds the bias to the x*w products: it must be
    // int32 quantized at exactly input scale times weight scale, zero point
    // 0 (what quantizers write), or a float constant, which is quantized
    // so here (round half to even), as ONNX Runtime's MatMul+Add fusion does.
    int32_t b = -1;
    std::vector<int32_t> float_bias;
    if (n.inputs.size() > 2 && n.inputs[2] >= 0) {
      b = DequantizedConstant(*g, u, n.inputs[2]);
      const Tensor& fb = g->tensors[n.inputs[2]];
      if (b >= 0 && g->tensors[b].dtype == DType::kInt32) {
        const Tensor& bt = g->tensors[b];
        // Quantizers compute the bias scale in double or float; ONNX
        // Runtime's fused kernels use the int32 bias as if at exactly
        // x_scale * w_scale. Scales that agree to float rounding (relative
        // 1e-6) are the same scale; a bias quantized at another scale stays
        // float.
        bool same = bt.quant.scale.size() == wt.quant.scale.size() || bt.quant.scale.size() == 1;
        for (size_t c = 0; same && c < bt.quant.scale.size(); ++c) {
          const float ws = wt.quant.scale[wt.quant.scale.size() == 1 ? 0 : c];
          const double want = static_cast<double>(xt.quant.scale[0] * ws);
          same = std::fabs(bt.quant.scale[c] - want) <= 1e-6 * want && bt.quant.zero_point[c] == 0;
        }
        if (!same) continue;
      } else if (fb.is_constant() && fb.dtype == DType::kFloat32 && fb.data_bytes >= fb.byte_size()) {
        b = -1;
        const int64_t count = fb.num_elements();
        for (int64_t c = 0; c < count; ++c) {
          float v;
          std::memcpy(&v, fb.data + 4 * c, 4);
          const float ws = wt.quant.scale[wt.quant.scale.size() == 1 ? 0 : c];
          const double q = std::nearbyint(static_cast<double>(v) / (static_cast<double>(xt.quant.scale[0] * ws)));
          if (!(q >= -2147483648.0 && q <= 2147483647.0)) break;
          float_bias.push_back(static_cast<int32_t>(q));
        }
        if (static_cast<int64_t>(float_bias.size()) != count) continue;
      } else {
        continue;  // a computed bias: stays float
      }
    }
    // Optional CLIP (Relu, Clip) between the operator and the QUANTIZE.
    int32_t clip = u.SoleReader(n.outputs[0]);
    int32_t q;
    if (clip >= 0 && g->nodes[clip].op == OpType::kClip) {
      q = SoleQuantize(*g, u, g->nodes[clip].outputs[0]);
    } else {
      clip = -1;
      q = SoleQuantize(*g, u, n.outputs[0]);
    }
    if (q < 0) continue;
    const int32_t y = g->nodes[q].outputs[0];
    if (g->tensors[y].dtype != xt.dtype) continue;
    if (!float_bias.empty()) {
      Tensor t;
      t.name = g->tensors[n.inputs[2]].name + "_int32";
      t.dtype = DType::kInt32;
      t.shape = {static_cast<int32_t>(float_bias.size())};
      t.owned.resize(4 * float_bias.size());
      std::memcpy(t.owned.data(), float_bias.data(), t.owned.size());
      t.data = t.owned.data();
      t.data_bytes = t.owned.size();
      g->tensors.push_back(std::move(t));
      b = static_cast<int32_t>(g->tensors.size() - 1);
    }
    const Node& node = g->nodes[i];
    Node candidate = node;
    candidate.inputs = {x, w};
    if (b >= 0) candidate.inputs.push_back(b);
    candidate.outputs = {y};
    candidate.rounding = Rounding::kHalfEven;
    candidate.source_op = Joined(node, clip >= 0 ? &g->nodes[clip] : nullptr);
    if (clip >= 0) {
      const FusedClamp c = ClampOf(g->nodes[clip]);
      if (auto* a = std::get_if<ConvAttrs>(&candidate.attrs)) a->clamp = c;
      if (auto* a = std::get_if<FullyConnectedAttrs>(&candidate.attrs)) a->clamp = c;
    }
    if (!TryReplace(g, i, candidate)) continue;
    u.dead[q] = 1;
    g->nodes[q].inputs.clear();
    g->nodes[q].outputs.clear();
    if (clip >= 0) {
      u.dead[clip] = 1;
      g->nodes[clip].inputs.clear();
      g->nodes[clip].outputs.clear();
    }
    ++fused;
    u = Uses(*g);
  }
  return fused;
}

namespace {

// DQ(x_1..x_k) -> n -> Q(y) becomes n(x_1..x_k) -> y when n is `eligible`,
// every x_i is a quantized activation of y's type and, where
// `same_parameters` says n needs it, of y's scale and zero point too.
int FuseOnQuantizedValues(Graph* g, bool (*eligible)(OpType), bool (*same_parameters)(OpType)) {
  int fused = 0;
  Uses u(*g);
  for (size_t i = 0; i < g->nodes.size(); ++i) {
    const Node& n = g->nodes[i];
    if (u.dead[i] || !eligible(n.op) || n.inputs.empty() || n.outputs.size() != 1 ||
        g->tensors[n.outputs[0]].dtype != DType::kFloat32) {
      continue;
    }
    const int32_t q = SoleQuantize(*g, u, n.outputs[0]);
    if (q < 0) continue;
    const int32_t y = g->nodes[q].outputs[0];
    std::vector<int32_t> quantized;
    bool ok = true;
    for (int32_t t : n.inputs) {
      const int32_t x = DequantizedActivation(*g, u, t);
      ok = ok && x >= 0 && g->tensors[x].dtype == g->tensors[y].dtype &&
           (!same_parameters(n.op) || SameQuantization(g->tensors[x], g->tensors[y]));
      quantized.push_back(x);
    }
    if (!ok) continue;
    Node candidate = n;
    candidate.inputs = quantized;
    candidate.outputs = {y};
    candidate.rounding = Rounding::kHalfEven;
    if (!TryReplace(g, i, candidate)) continue;
    u.dead[q] = 1;
    g->nodes[q].inputs.clear();
    g->nodes[q].outputs.clear();
    ++fused;
    u = Uses(*g);
  }
  return fused;
}

}  // namespace

int FuseQdqElementwise(Graph* g) {
  return FuseOnQuantizedValues(
      g, [](OpType op) { return op == OpType::kAdd || op == OpType::kMean || op == OpType::kClip; },
      [](OpType op) { return op == OpType::kClip; });
}

int FuseQdqPassThrough(Graph* g) {
  return FuseOnQuantizedValues(
      g,
      [](OpType op) {
        return op == OpType::kReshape || op == OpType::kSqueeze || op == OpType::kTranspose ||
               op == OpType::kMaxPool2D || op == OpType::kPad || op == OpType::kConcatenation;
      },
      [](OpType) { return true; });
}

int CancelDequantizeQuantize(Graph* g) {
  int cancelled = 0;
  Uses u(*g);
  for (size_t i = 0; i < g->nodes.size(); ++i) {
    Node& n = g->nodes[i];
    if (u.dead[i] || n.op != OpType::kQuantize || n.outputs.size() != 1) continue;
    const int32_t x = DequantizedActivation(*g, u, n.inputs[0]);
    const int32_t y = n.outputs[0];
    if (x < 0 || !SameQuantization(g->tensors[x], g->tensors[y])) continue;
    // A graph input passed straight out would need its own copy: keep those.
    if (u.is_output[y]) continue;
    for (Node& r : g->nodes) {
      for (int32_t& t : r.inputs) {
        if (t == y) t = x;
      }
    }
    n.inputs.clear();
    n.outputs.clear();
    ++cancelled;
    u = Uses(*g);
  }
  return cancelled;
}

int CollapseReshapes(Graph* g) {
  int collapsed = 0;
  Uses u(*g);
  for (size_t i = 0; i < g->nodes.size(); ++i) {
    Node& n = g->nodes[i];
    if (n.op != OpType::kReshape && n.op != OpType::kSqueeze) continue;
    if (n.inputs.empty() || n.inputs[0] < 0) continue;
    const int32_t p = u.producer[n.inputs[0]];
    if (p < 0 || u.dead[p]) continue;
    const Node& first = g->nodes[p];
    if ((first.op != OpType::kReshape && first.op != OpType::kSqueeze) || u.SoleReader(n.inputs[0]) != static_cast<int32_t>(i)) {
      continue;
    }
    const Tensor& src = g->tensors[first.inputs[0]];
    const Tensor& dst = g->tensors[n.outputs[0]];
    if (src.dtype != dst.dtype || src.quant.scale != dst.quant.scale || src.quant.zero_point != dst.quant.zero_point) {
      continue;
    }
    n.inputs[0] = first.inputs[0];
    ++collapsed;
    u = Uses(*g);
  }
  return collapsed;
}

int RemoveDeadNodes(Graph* g) {
  int removed = 0;
  for (bool changed = true; changed;) {
    changed = false;
    Uses u(*g);
    std::vector<Node> kept;
    kept.reserve(g->nodes.size());
    for (Node& n : g->nodes) {
      bool used = false;
      for (int32_t t : n.outputs) used = used || u.is_output[t] || u.reader_count[t] != 0;
      if (used) {
        kept.push_back(std::move(n));
      } else {
        ++removed;
        changed = true;
      }
    }
    g->nodes = std::move(kept);
  }
  // Tensors nothing refers to any more (folded constants, dropped
  // intermediates) are compacted away so the planner never sees them.
  std::vector<int32_t> remap(g->tensors.size(), -1);
  std::vector<uint8_t> referenced(g->tensors.size(), 0);
  for (const Node& n : g->nodes) {
    for (int32_t t : n.inputs) {
      if (t >= 0) referenced[t] = 1;
    }
    for (int32_t t : n.outputs) referenced[t] = 1;
  }
  for (int32_t t : g->inputs) referenced[t] = 1;
  for (int32_t t : g->outputs) referenced[t] = 1;
  std::vector<Tensor> tensors;
  for (size_t t = 0; t < g->tensors.size(); ++t) {
    if (!referenced[t]) continue;
    remap[t] = static_cast<int32_t>(tensors.size());
    tensors.push_back(std::move(g->tensors[t]));
  }
  g->tensors = std::move(tensors);
  for (Node& n : g->nodes) {
    for (int32_t& t : n.inputs) {
      if (t >= 0) t = remap[t];
    }
    for (int32_t& t : n.outputs) t = remap[t];
  }
  for (int32_t& t : g->inputs) t = remap[t];
  for (int32_t& t : g->outputs) t = remap[t];
  return removed;
}

int FoldConstantDequantize(Graph* g) {
  int folded = 0;
  for (Node& n : g->nodes) {
    if (n.op != OpType::kDequantize || n.inputs.size() != 1 || n.outputs.size() != 1) continue;
    const Tensor& c = g->tensors[n.inputs[0]];
    Tensor& out = g->tensors[n.outputs[0]];
    if (!c.is_constant() || out.dtype != DType::kFloat32 || c.quant.empty()) continue;
    const int64_t count = c.num_elements();
    if (count < 0 || out.num_elements() != count || c.data_bytes < c.byte_size()) continue;
    const size_t channels = c.quant.scale.size();
    int64_t inner = 1;
    if (c.quant.per_channel()) {
      if (c.quant.axis < 0 || c.quant.axis >= static_cast<int32_t>(c.shape.size()) ||
          c.shape[c.quant.axis] != static_cast<int32_t>(channels)) {
        continue;
      }
      for (size_t d = c.quant.axis + 1; d < c.shape.size(); ++d) inner *= c.shape[d];
    }
    std::vector<uint8_t> bytes(static_cast<size_t>(count) * 4);
    for (int64_t k = 0; k < count; ++k) {
      const size_t ch = channels == 1 ? 0 : static_cast<size_t>((k / inner) % static_cast<int64_t>(channels));
      int64_t v;
      switch (c.dtype) {
        case DType::kInt8: v = static_cast<int8_t>(c.data[k]); break;
        case DType::kUInt8: v = c.data[k]; break;
        case DType::kInt32: {
          int32_t x;
          std::memcpy(&x, c.data + 4 * k, 4);
          v = x;
          break;
        }
        default: v = 0;
      }
      // ONNX DequantizeLinear: (x - zero_point) * scale in float.
      const float f = static_cast<float>(static_cast<int32_t>(v - c.quant.zero_point[ch])) * c.quant.scale[ch];
      std::memcpy(bytes.data() + 4 * k, &f, 4);
    }
    if (c.dtype != DType::kInt8 && c.dtype != DType::kUInt8 && c.dtype != DType::kInt32) continue;
    out.owned = std::move(bytes);
    out.data = out.owned.data();
    out.data_bytes = out.owned.size();
    n.inputs.clear();
    n.outputs.clear();
    ++folded;
  }
  return folded;
}

Status RunQdqFusion(Graph* g) {
  FuseMatMulAdd(g);
  RemoveDeadNodes(g);
  for (int round = 0; round < 8; ++round) {
    int changes = FuseQdqWeighted(g);
    changes += FuseQdqElementwise(g);
    changes += FuseQdqPassThrough(g);
    changes += CancelDequantizeQuantize(g);
    changes += CollapseReshapes(g);
    changes += RemoveDeadNodes(g);
    if (changes == 0) break;
  }
  FoldConstantDequantize(g);
  // Folding leaves DEQUANTIZE nodes without inputs or outputs.
  std::vector<Node> kept;
  for (Node& n : g->nodes) {
    if (!n.outputs.empty()) kept.push_back(std::move(n));
  }
  g->nodes = std::move(kept);
  RemoveDeadNodes(g);
  return Status::Ok();
}

}  // namespace edgeinfer
