#include "format/onnx/onnx_import.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "format/onnx/onnx_model.h"

namespace edgeinfer {
namespace {

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

bool MapDType(int32_t onnx, DType* out) {
  switch (onnx) {
    case kOnnxFloat: *out = DType::kFloat32; return true;
    case kOnnxUInt8: *out = DType::kUInt8; return true;
    case kOnnxInt8: *out = DType::kInt8; return true;
    case kOnnxInt16: *out = DType::kInt16; return true;
    case kOnnxInt32: *out = DType::kInt32; return true;
    case kOnnxInt64: *out = DType::kInt64; return true;
    case kOnnxBool: *out = DType::kBool; return true;
    default: return false;
  }
}

const char* OnnxTypeName(int32_t t) {
  switch (t) {
    case kOnnxFloat: return "float";
    case kOnnxUInt8: return "uint8";
    case kOnnxInt8: return "int8";
    case kOnnxUInt16: return "uint16";
    case kOnnxInt16: return "int16";
    case kOnnxInt32: return "int32";
    case kOnnxInt64: return "int64";
    case kOnnxString: return "string";
    case kOnnxBool: return "bool";
    case kOnnxFloat16: return "float16";
    case kOnnxDouble: return "double";
    case kOnnxUInt32: return "uint32";
    case kOnnxUInt64: return "uint64";
    case kOnnxBFloat16: return "bfloat16";
    case kOnnxUInt4: return "uint4";
    case kOnnxInt4: return "int4";
    default: return "an unknown type";
  }
}

const OnnxAttribute* FindAttr(const OnnxNode& n, std::string_view name) {
  for (const OnnxAttribute& a : n.attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

// The permutation from NCHW to NHWC and back.
constexpr int32_t kToNhwc[4] = {0, 2, 3, 1};  // nhwc[i] = nchw[kToNhwc[i]]
constexpr int32_t kToNchw[4] = {0, 3, 1, 2};  // nchw[i] = nhwc[kToNchw[i]]
// Where NCHW axis a lives in an NHWC tensor.
constexpr int32_t kNchwAxisInNhwc[4] = {0, 3, 1, 2};

Shape Permute(const Shape& s, const int32_t* perm) {
  Shape out(s.size());
  for (size_t i = 0; i < s.size(); ++i) out[i] = s[perm[i]];
  return out;
}

// Copies `src` (shape `shape`, elements of `elem` bytes) permuted by `perm`
// (out dim i = in dim perm[i]), walking the output in order with the
// source offset updated incrementally (weights of a whole network go
// through here at load).
template <typename E>
void PermuteElements(const uint8_t* src, const Shape& shape, const std::vector<int32_t>& perm, uint8_t* dst) {
  const size_t rank = shape.size();
  std::vector<int64_t> in_stride(rank, 1);
  for (size_t i = rank; i-- > 1;) in_stride[i - 1] = in_stride[i] * shape[i];
  std::vector<int64_t> step(rank), extent(rank);
  for (size_t i = 0; i < rank; ++i) {
    step[i] = in_stride[perm[i]];
    extent[i] = shape[perm[i]];
  }
  const int64_t n = NumElements(shape);
  if (n <= 0) return;
  E* out = reinterpret_cast<E*>(dst);
  std::vector<int64_t> idx(rank, 0);
  int64_t offset = 0;
  const int64_t inner = rank == 0 ? 1 : extent[rank - 1], inner_step = rank == 0 ? 0 : step[rank - 1];
  for (int64_t o = 0; o < n; o += inner) {
    for (int64_t k = 0; k < inner; ++k) {
      E v;
      std::memcpy(&v, src + (offset + k * inner_step) * sizeof(E), sizeof(E));
      *out++ = v;
    }
    for (size_t i = rank - 1; i-- > 0;) {
      offset += step[i];
      if (++idx[i] < extent[i]) break;
      offset -= step[i] * extent[i];
      idx[i] = 0;
    }
  }
}

std::vector<uint8_t> PermuteBytes(const uint8_t* src, const Shape& shape, const std::vector<int32_t>& perm,
                                  size_t elem) {
  std::vector<uint8_t> out(static_cast<size_t>(std::max<int64_t>(NumElements(shape), 0)) * elem);
  switch (elem) {
    case 1: PermuteElements<uint8_t>(src, shape, perm, out.data()); break;
    case 2: PermuteElements<uint16_t>(src, shape, perm, out.data()); break;
    case 4: PermuteElements<uint32_t>(src, shape, perm, out.data()); break;
    default: PermuteElements<uint64_t>(src, shape, perm, out.data()); break;
  }
  return out;
}

class Importer {
 public:
  Importer(const OnnxModel& m, const OnnxImportOptions& o, Graph* g, std::vector<ModelBytes>* external)
      : m_(m), options_(o), g_(g), external_(external), files_(o.model_dir) {}

  Status Import() {
    g_->format = "onnx";
    EI_RETURN_IF_ERROR(CheckOpsets());
    const OnnxGraph& graph = m_.graph;
    for (const OnnxTensor& t : graph.initializers) {
      int32_t index;
      EI_RETURN_IF_ERROR(MakeConstant(t, std::string(t.name), &index));
      values_[std::string(t.name)] = index;
    }
    for (const auto& [name, shape] : options_.shapes) {
      bool found = false;
      for (const OnnxValueInfo& v : graph.inputs) found = found || v.name == name;
      if (!found) return OptionError("option 'shapes' names input " + Quote(name) + ", which the model does not have");
    }
    for (const OnnxValueInfo& v : graph.inputs) {
      if (values_.count(std::string(v.name))) continue;  // an initializer listed as an input (IR < 4)
      EI_RETURN_IF_ERROR(AddGraphInput(v));
    }
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      node_index_ = static_cast<int32_t>(i);
      const OnnxNode& n = graph.nodes[i];
      Status s = ImportNode(n);
      if (!s.ok()) return s;
    }
    for (const OnnxValueInfo& v : graph.outputs) {
      auto it = values_.find(std::string(v.name));
      if (it == values_.end()) return Malformed("graph output " + Quote(v.name) + " is not produced by any node");
      node_index_ = static_cast<int32_t>(graph.nodes.size());
      int32_t t;
      EI_RETURN_IF_ERROR(InLayout(it->second, /*nhwc=*/false, &t));
      g_->outputs.push_back(t);
    }
    return Status::Ok();
  }

 private:
  // ---------------------------------------------------------------- errors

  Status Malformed(const std::string& what) const { return ModelFormatError("malformed ONNX model: " + what); }

  std::string NodeName(const OnnxNode& n) const {
    std::string domain = n.domain.empty() ? "" : std::string(n.domain) + ".";
    return domain + std::string(n.op_type) + " (node " + std::to_string(node_index_) +
           (n.name.empty() ? "" : " " + Quote(n.name)) + ")";
  }

  // ---------------------------------------------------------------- opsets

  Status CheckOpsets() {
    for (const OnnxOpsetId& o : m_.opset_import) {
      if (o.domain.empty() || o.domain == "ai.onnx") {
        opset_ = o.version;
      } else if (o.domain == "com.microsoft") {
        ms_opset_ = o.version;
      }
    }
    if (opset_ == 0) return Malformed("no opset_import for the default domain");
    if (opset_ < kOnnxMinOpset || opset_ > kOnnxMaxOpset) {
      return UnsupportedError("ONNX opset " + std::to_string(opset_) + " of the default domain is not supported (" +
                              std::to_string(kOnnxMinOpset) + " to " + std::to_string(kOnnxMaxOpset) +
                              " are); convert the model with onnx.version_converter");
    }
    return Status::Ok();
  }

  // ---------------------------------------------------------------- tensors

  int32_t NewTensor(std::string name, DType dtype, Shape shape, Quantization quant = {}) {
    Tensor t;
    t.name = std::move(name);
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.quant = std::move(quant);
    g_->tensors.push_back(std::move(t));
    nhwc_.push_back(0);
    other_layout_.push_back(-1);
    producer_.push_back(-1);
    return static_cast<int32_t>(g_->tensors.size() - 1);
  }

  int32_t NewConstant(std::string name, DType dtype, Shape shape, std::vector<uint8_t> bytes) {
    const int32_t i = NewTensor(std::move(name), dtype, std::move(shape));
    Tensor& t = g_->tensors[i];
    t.owned = std::move(bytes);
    static const uint8_t kEmpty[8] = {};
    t.data = t.owned.empty() ? kEmpty : t.owned.data();
    t.data_bytes = t.owned.size();
    return i;
  }

  Status MakeShape(const std::vector<int64_t>& dims, const std::string& what, Shape* shape) const {
    shape->clear();
    int64_t n = 1;
    for (int64_t d : dims) {
      if (d < 0 || d > std::numeric_limits<int32_t>::max()) {
        return Malformed(what + " has dimension " + std::to_string(d));
      }
      n *= std::max<int64_t>(d, 1);
      if (n > (int64_t{1} << 40)) return Malformed(what + " is too large");
      shape->push_back(static_cast<int32_t>(d));
    }
    return Status::Ok();
  }

  Status MakeConstant(const OnnxTensor& t, std::string name, int32_t* index) {
    const std::string what = "tensor " + Quote(name);
    DType dtype;
    if (!MapDType(t.data_type, &dtype)) {
      return UnsupportedError(what + " is " + OnnxTypeName(t.data_type) + ", which edgeinfer does not support");
    }
    if (t.has_undecoded_data) return UnsupportedError(what + " stores its data in a form edgeinfer does not read");
    Shape shape;
    EI_RETURN_IF_ERROR(MakeShape(t.dims, what, &shape));
    const size_t elem = DTypeSize(dtype);
    const size_t count = static_cast<size_t>(NumElements(shape));
    const size_t bytes = count * elem;
    const uint8_t* data = nullptr;
    if (t.data_location == OnnxDataLocation::kExternal) {
      if (options_.model_dir.empty()) {
        return Status(StatusCode::kIo, what + " keeps its data in an external file; load the model from its path "
                                              "(Model.load('model.onnx')) so the file beside it can be found");
      }
      OnnxExternalData ext;
      EI_RETURN_IF_ERROR(files_.Resolve(t, &ext));
      external_->push_back(ext.file);  // keeps the mapping alive with the graph
      if (ext.size < bytes) {
        return Malformed(what + " needs " + std::to_string(bytes) + " bytes, its external data has " +
                         std::to_string(ext.size));
      }
      data = ext.data;
    } else if (t.has_raw_data) {
      if (t.raw_data_size != bytes) {
        return Malformed(what + " has " + std::to_string(t.raw_data_size) + " bytes of raw_data, its shape needs " +
                         std::to_string(bytes));
      }
      data = t.raw_data;
    }
    if (data != nullptr) {
      const int32_t i = NewTensor(std::move(name), dtype, std::move(shape));
      Tensor& tensor = g_->tensors[i];
      // Kernels read typed elements; copy data the file does not align.
      if (reinterpret_cast<uintptr_t>(data) % elem != 0) {
        tensor.owned.assign(data, data + bytes);
        data = tensor.owned.data();
      }
      static const uint8_t kEmpty[8] = {};
      tensor.data = bytes == 0 ? kEmpty : data;
      tensor.data_bytes = bytes;
      *index = i;
      return Status::Ok();
    }
    // Typed fields.
    std::vector<uint8_t> out(bytes);
    auto wrong_count = [&](size_t have) {
      return Malformed(what + " has " + std::to_string(have) + " values, its shape needs " + std::to_string(count));
    };
    switch (dtype) {
      case DType::kFloat32:
        if (t.float_data.size() != count) return wrong_count(t.float_data.size());
        if (bytes) std::memcpy(out.data(), t.float_data.data(), bytes);
        break;
      case DType::kInt64:
        if (t.int64_data.size() != count) return wrong_count(t.int64_data.size());
        if (bytes) std::memcpy(out.data(), t.int64_data.data(), bytes);
        break;
      case DType::kInt32:
        if (t.int32_data.size() != count) return wrong_count(t.int32_data.size());
        if (bytes) std::memcpy(out.data(), t.int32_data.data(), bytes);
        break;
      case DType::kInt8:
      case DType::kUInt8:
      case DType::kBool:
      case DType::kInt16:
        if (t.int32_data.size() != count) return wrong_count(t.int32_data.size());
        for (size_t k = 0; k < count; ++k) {
          const int32_t v = t.int32_data[k];
          if (dtype == DType::kInt16) {
            const int16_t s = static_cast<int16_t>(v);
            std::memcpy(out.data() + 2 * k, &s, 2);
          } else {
            out[k] = static_cast<uint8_t>(v);
          }
        }
        break;
    }
    *index = NewConstant(std::move(name), dtype, std::move(shape), std::move(out));
    return Status::Ok();
  }

  Status AddGraphInput(const OnnxValueInfo& v) {
    const std::string name(v.name);
    if (!v.is_tensor) return UnsupportedError("graph input " + Quote(name) + " is not a tensor");
    DType dtype;
    if (!MapDType(v.elem_type, &dtype)) {
      return UnsupportedError("graph input " + Quote(name) + " is " + OnnxTypeName(v.elem_type));
    }
    Shape shape;
    auto given = options_.shapes.find(name);
    std::string declared = "[";
    for (size_t i = 0; i < v.dims.size(); ++i) {
      declared += (i ? "," : "") + (v.dims[i].has_value ? std::to_string(v.dims[i].value)
                                                         : (v.dims[i].param.empty() ? std::string("?")
                                                                                    : std::string(v.dims[i].param)));
    }
    declared += "]";
    if (given != options_.shapes.end()) {
      const std::vector<int64_t>& s = given->second;
      if (v.has_shape && s.size() != v.dims.size()) {
        return OptionError("option 'shapes' gives input " + Quote(name) + " " + std::to_string(s.size()) +
                           " dimensions; the model declares " + declared);
      }
      for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] < 1 || s[i] > std::numeric_limits<int32_t>::max()) {
          return OptionError("option 'shapes' gives input " + Quote(name) + " dimension " + std::to_string(s[i]));
        }
        if (v.has_shape && v.dims[i].has_value && v.dims[i].value != s[i]) {
          return OptionError("option 'shapes' gives input " + Quote(name) + " dimension " + std::to_string(i) + " = " +
                             std::to_string(s[i]) + "; the model fixes it to " + std::to_string(v.dims[i].value));
        }
        shape.push_back(static_cast<int32_t>(s[i]));
      }
    } else {
      if (!v.has_shape) {
        return Status(StatusCode::kDynamicShape, "graph input " + Quote(name) +
                                                     " has no declared shape; give one with Model.load(src, { shapes: "
                                                     "{ '" + name + "': [...] } })");
      }
      for (const OnnxDim& d : v.dims) {
        if (!d.has_value || d.value < 1) {
          return Status(StatusCode::kDynamicShape,
                        "graph input " + Quote(name) + " has shape " + declared +
                            " with a symbolic dimension; fix it with Model.load(src, { shapes: { '" + name +
                            "': [...] } }), e.g. batch 1");
        }
        if (d.value > std::numeric_limits<int32_t>::max()) return Malformed("graph input " + Quote(name) + " is too large");
        shape.push_back(static_cast<int32_t>(d.value));
      }
    }
    if (NumElements(shape) > (int64_t{1} << 40)) return Malformed("graph input " + Quote(name) + " is too large");
    const int32_t t = NewTensor(name, dtype, shape);
    g_->inputs.push_back(t);
    values_[name] = t;
    return Status::Ok();
  }

  // The logical (ONNX, NCHW) shape of tensor t.
  Shape LogicalShape(int32_t t) const {
    const Shape& s = g_->tensors[t].shape;
    return nhwc_[t] ? Permute(s, kToNchw) : s;
  }

  const Tensor& T(int32_t t) const { return g_->tensors[t]; }

  // ---------------------------------------------------------------- nodes

  Node& AddNode(OpType op, std::vector<int32_t> inputs, std::vector<int32_t> outputs, NodeAttrs attrs,
                std::string_view source_op) {
    Node n;
    n.op = op;
    n.inputs = std::move(inputs);
    n.outputs = std::move(outputs);
    n.attrs = std::move(attrs);
    n.rounding = Rounding::kHalfEven;
    n.source_index = node_index_;
    n.source_op = std::string(source_op);
    n.source_version = static_cast<int32_t>(opset_);
    for (int32_t o : n.outputs) producer_[o] = static_cast<int32_t>(g_->nodes.size());
    g_->nodes.push_back(std::move(n));
    return g_->nodes.back();
  }

  // Tensor t in the wanted layout (only 4-D tensors have two). A tensor a
  // DEQUANTIZE produced from an activation is converted before the
  // dequantization, on the narrow type, so the fusion passes still see
  // DEQUANTIZE right before the operator.
  Status InLayout(int32_t t, bool nhwc, int32_t* out) {
    if (T(t).shape.size() != 4 || static_cast<bool>(nhwc_[t]) == nhwc) {
      *out = t;
      return Status::Ok();
    }
    if (other_layout_[t] >= 0) {
      *out = other_layout_[t];
      return Status::Ok();
    }
    const int32_t* perm = nhwc ? kToNhwc : kToNchw;
    // A copy: the recursion and new tensors below may move the tensors.
    const Tensor src_view = TensorHeader(t);
    const Tensor& src = src_view;
    const std::string name = src.name + (nhwc ? "_nhwc" : "_nchw");
    int32_t converted;
    if (T(t).is_constant()) {
      std::vector<int32_t> p(perm, perm + 4);
      std::vector<uint8_t> bytes = PermuteBytes(T(t).data, src.shape, p, DTypeSize(src.dtype));
      converted = NewConstant(name, src.dtype, Permute(src.shape, perm), std::move(bytes));
      Quantization q = src.quant;
      if (q.per_channel()) q.axis = nhwc ? kNchwAxisInNhwc[q.axis] : kToNhwc[q.axis];
      g_->tensors[converted].quant = q;
    } else if (producer_[t] >= 0 && g_->nodes[producer_[t]].op == OpType::kDequantize &&
               !T(g_->nodes[producer_[t]].inputs[0]).is_constant()) {
      const int32_t q_in = g_->nodes[producer_[t]].inputs[0];
      int32_t q_conv;
      EI_RETURN_IF_ERROR(InLayout(q_in, nhwc, &q_conv));
      const std::string source = g_->nodes[producer_[t]].source_op;
      converted = NewTensor(name, src.dtype, Permute(src.shape, perm), src.quant);
      AddNode(OpType::kDequantize, {q_conv}, {converted}, std::monostate(), source);
    } else {
      converted = NewTensor(name, src.dtype, Permute(src.shape, perm), src.quant);
      AddLayoutChange(t, converted, perm);
    }
    nhwc_[converted] = nhwc;
    other_layout_[t] = converted;
    other_layout_[converted] = t;
    *out = converted;
    return Status::Ok();
  }

  // Tensor t's name, type, shape and quantization, without its data.
  Tensor TensorHeader(int32_t t) const {
    Tensor h;
    h.name = T(t).name;
    h.dtype = T(t).dtype;
    h.shape = T(t).shape;
    h.quant = T(t).quant;
    return h;
  }

  // A TRANSPOSE from `from` to `to`, or a RESHAPE where only dimensions of
  // size 1 move (the bytes stay in order).
  void AddLayoutChange(int32_t from, int32_t to, const int32_t* perm) {
    const Shape& s = T(from).shape;
    std::vector<int32_t> moved;
    for (int i = 0; i < 4; ++i) {
      if (s[perm[i]] != 1) moved.push_back(perm[i]);
    }
    if (std::is_sorted(moved.begin(), moved.end())) {
      AddNode(OpType::kReshape, {from}, {to}, std::monostate(), "layout");
    } else {
      TransposeAttrs a;
      a.perm.assign(perm, perm + 4);
      AddNode(OpType::kTranspose, {from}, {to}, a, "layout");
    }
  }

  // ---------------------------------------------------------------- inputs of a node

  Status Input(const OnnxNode& n, size_t i, int32_t* t) const {
    if (i >= n.inputs.size() || n.inputs[i].empty()) {
      return Malformed(NodeName(n) + " is missing input " + std::to_string(i));
    }
    auto it = values_.find(std::string(n.inputs[i]));
    if (it == values_.end()) {
      return Malformed(NodeName(n) + " reads " + Quote(n.inputs[i]) + " before any node produces it");
    }
    *t = it->second;
    return Status::Ok();
  }

  bool HasInput(const OnnxNode& n, size_t i) const { return i < n.inputs.size() && !n.inputs[i].empty(); }

  Status ConstantInput(const OnnxNode& n, size_t i, const char* what, int32_t* t) const {
    EI_RETURN_IF_ERROR(Input(n, i, t));
    if (!T(*t).is_constant()) return UnsupportedError(NodeName(n) + ": non-constant " + what + " is not supported");
    return Status::Ok();
  }

  Status ConstantInts(const OnnxNode& n, size_t i, const char* what, std::vector<int64_t>* out) const {
    int32_t t;
    EI_RETURN_IF_ERROR(ConstantInput(n, i, what, &t));
    const Tensor& c = T(t);
    const int64_t count = c.num_elements();
    out->clear();
    if (c.dtype == DType::kInt64) {
      for (int64_t k = 0; k < count; ++k) {
        int64_t v;
        std::memcpy(&v, c.data + 8 * k, 8);
        out->push_back(v);
      }
    } else if (c.dtype == DType::kInt32) {
      for (int64_t k = 0; k < count; ++k) {
        int32_t v;
        std::memcpy(&v, c.data + 4 * k, 4);
        out->push_back(v);
      }
    } else {
      return Malformed(NodeName(n) + ": " + what + " must be int64");
    }
    return Status::Ok();
  }

  Status ConstantFloat(const OnnxNode& n, size_t i, const char* what, float* out) const {
    int32_t t;
    EI_RETURN_IF_ERROR(ConstantInput(n, i, what, &t));
    const Tensor& c = T(t);
    if (c.dtype != DType::kFloat32 || c.num_elements() != 1) {
      return UnsupportedError(NodeName(n) + ": " + what + " must be one float32 value");
    }
    std::memcpy(out, c.data, 4);
    return Status::Ok();
  }

  int64_t IntAttr(const OnnxNode& n, std::string_view name, int64_t def) const {
    const OnnxAttribute* a = FindAttr(n, name);
    return a != nullptr && a->type == OnnxAttributeType::kInt ? a->i : def;
  }
  float FloatAttr(const OnnxNode& n, std::string_view name, float def) const {
    const OnnxAttribute* a = FindAttr(n, name);
    return a != nullptr && a->type == OnnxAttributeType::kFloat ? a->f : def;
  }
  std::vector<int64_t> IntsAttr(const OnnxNode& n, std::string_view name) const {
    const OnnxAttribute* a = FindAttr(n, name);
    return a != nullptr && a->type == OnnxAttributeType::kInts ? a->ints : std::vector<int64_t>{};
  }
  std::string_view StringAttr(const OnnxNode& n, std::string_view name, std::string_view def) const {
    const OnnxAttribute* a = FindAttr(n, name);
    return a != nullptr && a->type == OnnxAttributeType::kString ? a->s : def;
  }

  Status Output(const OnnxNode& n, size_t i, std::string* name) const {
    if (i >= n.outputs.size() || n.outputs[i].empty()) return Malformed(NodeName(n) + " is missing output " + std::to_string(i));
    *name = std::string(n.outputs[i]);
    if (values_.count(*name)) return Malformed(NodeName(n) + " writes " + Quote(*name) + ", which already exists");
    return Status::Ok();
  }

  // A new output tensor for node output i, recorded under its ONNX name.
  Status NewOutput(const OnnxNode& n, size_t i, DType dtype, Shape shape, bool nhwc, int32_t* t,
                   Quantization quant = {}) {
    std::string name;
    EI_RETURN_IF_ERROR(Output(n, i, &name));
    if (NumElements(shape) < 0 || NumElements(shape) > (int64_t{1} << 40)) {
      return Malformed(NodeName(n) + ": output shape " + ShapeToString(shape) + " is too large");
    }
    *t = NewTensor(name, dtype, std::move(shape), std::move(quant));
    nhwc_[*t] = nhwc;
    values_[name] = *t;
    return Status::Ok();
  }

  void Alias(const OnnxNode& n, size_t i, int32_t t) { values_[std::string(n.outputs[i])] = t; }

  // ---------------------------------------------------------------- Q / DQ

  // Scale and zero point of a QuantizeLinear/DequantizeLinear (or a QLinear*
  // operand): constants, per tensor or along `axis` of the data.
  Status QuantParams(const OnnxNode& n, size_t scale_i, size_t zp_i, const Shape& data_shape, int64_t axis,
                     DType* q_dtype, Quantization* q) {
    int32_t ts;
    EI_RETURN_IF_ERROR(ConstantInput(n, scale_i, "scale", &ts));
    const Tensor& s = T(ts);
    if (s.dtype != DType::kFloat32) return UnsupportedError(NodeName(n) + ": scale must be float32");
    const int64_t count = s.num_elements();
    if (count < 1 || s.shape.size() > 1) return UnsupportedError(NodeName(n) + ": scale must be a scalar or a 1-D tensor");
    q->scale.resize(count);
    std::memcpy(q->scale.data(), s.data, 4 * count);
    for (float f : q->scale) {
      if (!(f > 0.f) || !std::isfinite(f)) return Malformed(NodeName(n) + ": scale " + std::to_string(f));
    }
    *q_dtype = DType::kUInt8;  // ONNX's default when the zero point is omitted
    q->zero_point.assign(count, 0);
    if (HasInput(n, zp_i)) {
      int32_t tz;
      EI_RETURN_IF_ERROR(ConstantInput(n, zp_i, "zero point", &tz));
      const Tensor& z = T(tz);
      if (z.num_elements() != count) return Malformed(NodeName(n) + ": scale and zero point differ in size");
      *q_dtype = z.dtype;
      for (int64_t k = 0; k < count; ++k) {
        switch (z.dtype) {
          case DType::kInt8: q->zero_point[k] = static_cast<int8_t>(z.data[k]); break;
          case DType::kUInt8: q->zero_point[k] = z.data[k]; break;
          case DType::kInt32: {
            int32_t v;
            std::memcpy(&v, z.data + 4 * k, 4);
            q->zero_point[k] = v;
            break;
          }
          default:
            return UnsupportedError(NodeName(n) + ": zero point of type " + DTypeName(z.dtype) + " is not supported");
        }
      }
    }
    q->axis = 0;
    if (count > 1 || s.shape.size() == 1) {
      const int64_t rank = static_cast<int64_t>(data_shape.size());
      const int64_t a = axis < 0 ? axis + rank : axis;
      if (a < 0 || a >= rank) return Malformed(NodeName(n) + ": axis " + std::to_string(axis) + " outside rank");
      if (count > 1 && data_shape[a] != count) {
        return Malformed(NodeName(n) + ": " + std::to_string(count) + " scales for dimension " + std::to_string(data_shape[a]));
      }
      q->axis = static_cast<int32_t>(a);
      if (count == 1) {
        // One scale given as a 1-element vector: per tensor.
      }
    }
    return Status::Ok();
  }

  // DequantizeLinear of tensor `in` with `q` into a new float tensor. A
  // constant input gets the parameters itself (the fusion passes read them
  // there); an activation whose parameters differ from the ones it already
  // carries is copied first, since an IR tensor has one quantization.
  Status Dequantize(int32_t in, const Quantization& q, DType q_dtype, const std::string& out_name, std::string_view op,
                    int32_t* out) {
    if (T(in).dtype != q_dtype) {
      return Malformed(std::string(op) + " (node " + std::to_string(node_index_) + "): input is " +
                       DTypeName(T(in).dtype) + ", its zero point " + DTypeName(q_dtype));
    }
    if (q_dtype != DType::kInt8 && q_dtype != DType::kUInt8 && q_dtype != DType::kInt32) {
      return UnsupportedError(std::string(op) + " (node " + std::to_string(node_index_) + ") of " + DTypeName(q_dtype));
    }
    Quantization qq = q;
    if (nhwc_[in] && qq.per_channel()) qq.axis = kNchwAxisInNhwc[qq.axis];
    in = WithQuantization(in, qq);
    *out = NewTensor(out_name, DType::kFloat32, T(in).shape);
    nhwc_[*out] = nhwc_[in];
    AddNode(OpType::kDequantize, {in}, {*out}, std::monostate(), op);
    return Status::Ok();
  }

  // Makes constant `to` hold `from`'s data: the same bytes when they live in
  // the model file, a copy when `from` owns them (the fusion passes may
  // drop `from`).
  void ShareData(int32_t from, int32_t to) {
    const Tensor& src = g_->tensors[from];
    Tensor& dst = g_->tensors[to];
    if (src.owned.empty()) {
      dst.data = src.data;
    } else {
      dst.owned = src.owned;
      dst.data = dst.owned.data();
    }
    dst.data_bytes = src.data_bytes;
  }

  int32_t WithQuantization(int32_t t, const Quantization& q) {
    Tensor& tensor = g_->tensors[t];
    if (tensor.quant.empty()) {
      tensor.quant = q;
      return t;
    }
    if (tensor.quant.scale == q.scale && tensor.quant.zero_point == q.zero_point && tensor.quant.axis == q.axis) return t;
    const int32_t copy = NewTensor(tensor.name + "_requantized", tensor.dtype, tensor.shape, q);
    nhwc_[copy] = nhwc_[t];
    if (T(t).is_constant()) {
      ShareData(t, copy);
      return copy;
    }
    AddNode(OpType::kReshape, {t}, {copy}, std::monostate(), "requantize view");
    return copy;
  }

  Status Quantize(int32_t in, const Quantization& q, DType q_dtype, const OnnxNode& n, size_t out_i, std::string_view op,
                  int32_t* out) {
    if (q.per_channel()) return UnsupportedError(NodeName(n) + ": per-axis quantization of an activation is not supported");
    if (q_dtype != DType::kInt8 && q_dtype != DType::kUInt8) {
      return UnsupportedError(NodeName(n) + ": quantizing to " + DTypeName(q_dtype) + " is not supported");
    }
    if (T(in).dtype != DType::kFloat32) return Malformed(NodeName(n) + ": quantizes a " + DTypeName(T(in).dtype) + " tensor");
    Quantization qq = q;
    qq.axis = 0;
    EI_RETURN_IF_ERROR(NewOutput(n, out_i, q_dtype, T(in).shape, nhwc_[in], out, qq));
    AddNode(OpType::kQuantize, {in}, {*out}, std::monostate(), op);
    return Status::Ok();
  }

  // ---------------------------------------------------------------- operators

  Status ImportNode(const OnnxNode& n) {
    const std::string_view op = n.op_type;
    const bool ms = n.domain == "com.microsoft";
    if (!n.domain.empty() && n.domain != "ai.onnx" && !ms) {
      return UnsupportedError("unsupported operator " + NodeName(n) + " from domain " + Quote(n.domain));
    }
    if (!ms) {
      if (op == "QuantizeLinear") return ImportQuantizeLinear(n);
      if (op == "DequantizeLinear") return ImportDequantizeLinear(n);
      if (op == "Conv") return ImportConv(n, 0, 1, 2);
      if (op == "Gemm") return ImportGemm(n);
      if (op == "MatMul") return ImportMatMul(n);
      if (op == "Add") return ImportBinary(n, OpType::kAdd);
      if (op == "Mul") return ImportBinary(n, OpType::kMul);
      if (op == "Relu") return ImportClip(n, 0.f, std::numeric_limits<float>::infinity());
      if (op == "Clip") return ImportClipOp(n);
      if (op == "LeakyRelu") return ImportUnary(n, OpType::kLeakyRelu, LeakyReluAttrs{FloatAttr(n, "alpha", 0.01f)});
      if (op == "HardSwish") return ImportUnary(n, OpType::kHardSwish, std::monostate());
      if (op == "Sigmoid") return ImportUnary(n, OpType::kLogistic, std::monostate());
      if (op == "MaxPool") return ImportPool(n, OpType::kMaxPool2D);
      if (op == "AveragePool") return ImportPool(n, OpType::kAveragePool2D);
      if (op == "GlobalAveragePool") return ImportGlobalAveragePool(n);
      if (op == "Reshape") return ImportReshape(n);
      if (op == "Flatten") return ImportFlatten(n);
      if (op == "Squeeze") return ImportSqueeze(n, /*unsqueeze=*/false);
      if (op == "Unsqueeze") return ImportSqueeze(n, /*unsqueeze=*/true);
      if (op == "Transpose") return ImportTranspose(n);
      if (op == "Concat") return ImportConcat(n, 0);
      if (op == "Pad") return ImportPad(n);
      if (op == "Softmax") return ImportSoftmax(n);
      if (op == "ArgMax") return ImportArgMax(n);
      if (op == "Resize") return ImportResize(n);
      if (op == "Identity" || op == "Dropout") return ImportIdentity(n);
      if (op == "Constant") return ImportConstant(n);
      if (op == "QLinearConv") return ImportQLinearConv(n);
      if (op == "ConvInteger") return ImportConvInteger(n);
      if (op == "MatMulInteger") return ImportMatMulInteger(n);
      if (op == "QLinearMatMul") return ImportQLinearMatMul(n);
    } else {
      if (op == "QLinearAdd") return ImportQLinearBinary(n, OpType::kAdd);
      if (op == "QLinearMul") return ImportQLinearBinary(n, OpType::kMul);
      if (op == "QLinearGlobalAveragePool") return ImportQLinearUnary(n, "GlobalAveragePool");
      if (op == "QLinearAveragePool") return ImportQLinearUnary(n, "AveragePool");
      if (op == "QLinearSigmoid") return ImportQLinearUnary(n, "Sigmoid");
      if (op == "QLinearLeakyRelu") return ImportQLinearUnary(n, "LeakyRelu");
      if (op == "QLinearSoftmax") return ImportQLinearUnary(n, "Softmax");
      if (op == "QLinearConcat") return ImportQLinearConcat(n);
    }
    return UnsupportedError("unsupported operator " + NodeName(n) + ", opset " +
                            std::to_string(ms ? ms_opset_ : opset_) +
                            (n.domain.empty() ? std::string() : ", domain " + Quote(n.domain)) +
                            "; see the operator table in the README for what edgeinfer runs");
  }

  Status ImportConstant(const OnnxNode& n) {
    const OnnxAttribute* a = FindAttr(n, "value");
    std::string name;
    EI_RETURN_IF_ERROR(Output(n, 0, &name));
    int32_t t;
    if (a != nullptr && a->type == OnnxAttributeType::kTensor && a->t) {
      EI_RETURN_IF_ERROR(MakeConstant(*a->t, name, &t));
    } else if ((a = FindAttr(n, "value_float")) != nullptr && a->type == OnnxAttributeType::kFloat) {
      std::vector<uint8_t> b(4);
      std::memcpy(b.data(), &a->f, 4);
      t = NewConstant(name, DType::kFloat32, {}, std::move(b));
    } else if ((a = FindAttr(n, "value_int")) != nullptr && a->type == OnnxAttributeType::kInt) {
      std::vector<uint8_t> b(8);
      std::memcpy(b.data(), &a->i, 8);
      t = NewConstant(name, DType::kInt64, {}, std::move(b));
    } else if ((a = FindAttr(n, "value_ints")) != nullptr && a->type == OnnxAttributeType::kInts) {
      std::vector<uint8_t> b(8 * a->ints.size());
      if (!b.empty()) std::memcpy(b.data(), a->ints.data(), b.size());
      t = NewConstant(name, DType::kInt64, {static_cast<int32_t>(a->ints.size())}, std::move(b));
    } else {
      return UnsupportedError(NodeName(n) + ": only tensor, float, int and ints values are supported");
    }
    values_[name] = t;
    return Status::Ok();
  }

  Status ImportIdentity(const OnnxNode& n) {
    int32_t in;
    EI_RETURN_IF_ERROR(Input(n, 0, &in));
    std::string name;
    EI_RETURN_IF_ERROR(Output(n, 0, &name));
    Alias(n, 0, in);
    return Status::Ok();
  }

  Status ImportQuantizeLinear(const OnnxNode& n) {
    int32_t in;
    EI_RETURN_IF_ERROR(Input(n, 0, &in));
    if (IntAttr(n, "saturate", 1) != 1) return UnsupportedError(NodeName(n) + ": saturate=0 is not supported");
    Quantization q;
    DType dt;
    EI_RETURN_IF_ERROR(QuantParams(n, 1, 2, LogicalShape(in), IntAttr(n, "axis", 1), &dt, &q));
    if (FindAttr(n, "block_size") && IntAttr(n, "block_size", 0) != 0) {
      return UnsupportedError(NodeName(n) + ": blocked quantization is not supported");
    }
    int32_t out;
    return Quantize(in, q, dt, n, 0, "QuantizeLinear", &out);
  }

  Status ImportDequantizeLinear(const OnnxNode& n) {
    int32_t in;
    EI_RETURN_IF_ERROR(Input(n, 0, &in));
    if (FindAttr(n, "block_size") && IntAttr(n, "block_size", 0) != 0) {
      return UnsupportedError(NodeName(n) + ": blocked quantization is not supported");
    }
    Quantization q;
    DType dt;
    EI_RETURN_IF_ERROR(QuantParams(n, 1, 2, LogicalShape(in), IntAttr(n, "axis", 1), &dt, &q));
    std::string name;
    EI_RETURN_IF_ERROR(Output(n, 0, &name));
    int32_t out;
    EI_RETURN_IF_ERROR(Dequantize(in, q, dt, name, "DequantizeLinear", &out));
    values_[name] = out;
    return Status::Ok();
  }

  // The constant behind a weight operand: a constant itself, or the input of
  // the DEQUANTIZE that produced it. Permuting a weight permutes that
  // constant and re-creates the DEQUANTIZE.
  struct WeightRef {
    int32_t constant = -1;  // the constant tensor
    int32_t dequantize = -1;  // its DEQUANTIZE node, or -1 for a float constant
  };
  Status ResolveWeight(const OnnxNode& n, int32_t t, const char* what, WeightRef* w) const {
    if (T(t).is_constant()) {
      w->constant = t;
      return Status::Ok();
    }
    const int32_t p = producer_[t];
    if (p >= 0 && g_->nodes[p].op == OpType::kDequantize && T(g_->nodes[p].inputs[0]).is_constant()) {
      w->constant = g_->nodes[p].inputs[0];
      w->dequantize = p;
      return Status::Ok();
    }
    return UnsupportedError(NodeName(n) + ": " + what + " must be constant (an initializer, optionally behind "
                                                      "DequantizeLinear)");
  }

  static std::vector<int32_t> Identity(size_t rank) {
    std::vector<int32_t> p(rank);
    for (size_t i = 0; i < rank; ++i) p[i] = static_cast<int32_t>(i);
    return p;
  }

  // A new float weight operand with the constant permuted by `perm` and
  // reshaped to `shape`; its quantization axis moved with it.
  Status PermutedWeight(const OnnxNode& n, const WeightRef& w, const std::vector<int32_t>& perm, const Shape& shape,
                        int32_t* out) {
    // Copies, not references: adding tensors below may move them.
    const Tensor& constant = T(w.constant);
    const std::string name = constant.name;
    const DType dtype = constant.dtype;
    const Shape cshape = constant.shape;
    Quantization q = constant.quant;
    Shape permuted(perm.size());
    for (size_t i = 0; i < perm.size(); ++i) permuted[i] = cshape[perm[i]];
    if (NumElements(permuted) != NumElements(shape)) return InternalError(NodeName(n) + ": weight reshape");
    // A permutation that moves only dimensions of size 1 (1x1 convolution
    // weights, a transposed Gemm's) keeps the bytes in order: the weights
    // are used where they lie in the model file, not copied.
    std::vector<int32_t> non_unit;
    for (int32_t d : perm) {
      if (cshape[d] != 1) non_unit.push_back(d);
    }
    int32_t k;
    if (std::is_sorted(non_unit.begin(), non_unit.end())) {
      k = NewTensor(name + "_packed", dtype, shape);
      ShareData(w.constant, k);
    } else {
      std::vector<uint8_t> bytes = PermuteBytes(T(w.constant).data, cshape, perm, DTypeSize(dtype));
      k = NewConstant(name + "_packed", dtype, shape, std::move(bytes));
    }
    if (q.per_channel()) {
      // Permutations move the axis with its dimension; the only reshape
      // used here flattens a bias to 1-D.
      if (shape == permuted) {
        int32_t moved = -1;
        for (size_t i = 0; i < perm.size(); ++i) {
          if (perm[i] == q.axis) moved = static_cast<int32_t>(i);
        }
        q.axis = moved;
      } else if (shape.size() == 1) {
        q.axis = 0;
      } else {
        return UnsupportedError(NodeName(n) + ": per-channel weights along this axis are not supported");
      }
    }
    g_->tensors[k].quant = q;
    if (w.dequantize < 0) {
      *out = k;
      return Status::Ok();
    }
    *out = NewTensor(name + "_packed_dequantized", DType::kFloat32, shape);
    AddNode(OpType::kDequantize, {k}, {*out}, std::monostate(), "DequantizeLinear");
    return Status::Ok();
  }

  // Explicit padding from pads / auto_pad, ONNX's rules.
  Status ResolvePads(const OnnxNode& n, const Shape& in_hw, const int64_t* kernel, const int64_t* stride,
                     const int64_t* dilation, bool ceil_mode, Padding2D* pad, int32_t* out_hw) const {
    const std::string_view auto_pad = StringAttr(n, "auto_pad", "NOTSET");
    int64_t begin[2] = {0, 0}, end[2] = {0, 0};
    if (auto_pad == "NOTSET") {
      const std::vector<int64_t> pads = IntsAttr(n, "pads");
      if (!pads.empty()) {
        if (pads.size() != 4) return UnsupportedError(NodeName(n) + ": only 2-D pads are supported");
        begin[0] = pads[0];
        begin[1] = pads[1];
        end[0] = pads[2];
        end[1] = pads[3];
      }
    } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      for (int i = 0; i < 2; ++i) {
        const int64_t out = (in_hw[i] + stride[i] - 1) / stride[i];
        const int64_t total = std::max<int64_t>(0, (out - 1) * stride[i] + (kernel[i] - 1) * dilation[i] + 1 - in_hw[i]);
        begin[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
        end[i] = total - begin[i];
      }
    } else if (auto_pad != "VALID") {
      return Malformed(NodeName(n) + ": auto_pad " + Quote(auto_pad));
    }
    for (int i = 0; i < 2; ++i) {
      if (begin[i] < 0 || end[i] < 0 || begin[i] > (1 << 20) || end[i] > (1 << 20)) {
        return UnsupportedError(NodeName(n) + ": negative or huge pads are not supported");
      }
      if (kernel[i] < 1 || stride[i] < 1 || dilation[i] < 1 || kernel[i] > (1 << 20) || stride[i] > (1 << 20) ||
          dilation[i] > (1 << 20)) {
        return Malformed(NodeName(n) + ": kernel, strides and dilations must be positive");
      }
      const int64_t span = in_hw[i] + begin[i] + end[i] - ((kernel[i] - 1) * dilation[i] + 1);
      if (span < 0) return Malformed(NodeName(n) + ": the window is larger than the padded input");
      int64_t out = span / stride[i] + 1;
      if (ceil_mode && span % stride[i] != 0) {
        // ceil_mode adds an output whose window starts inside the input;
        // padding the end by the missing part gives the same windows.
        const int64_t extra = stride[i] - span % stride[i];
        if ((out) * stride[i] < in_hw[i] + begin[i]) {
          end[i] += extra;
          out += 1;
        }
      }
      out_hw[i] = static_cast<int32_t>(out);
    }
    pad->top = static_cast<int32_t>(begin[0]);
    pad->left = static_cast<int32_t>(begin[1]);
    pad->bottom = static_cast<int32_t>(end[0]);
    pad->right = static_cast<int32_t>(end[1]);
    return Status::Ok();
  }

  Status Ints2(const OnnxNode& n, std::string_view name, int64_t def, int64_t* out) const {
    const std::vector<int64_t> v = IntsAttr(n, name);
    if (v.empty()) {
      out[0] = out[1] = def;
      return Status::Ok();
    }
    if (v.size() != 2) return UnsupportedError(NodeName(n) + ": only 2-D " + std::string(name) + " are supported");
    out[0] = v[0];
    out[1] = v[1];
    return Status::Ok();
  }

  // The window of a Conv or ConvInteger (NCHW input `xs`, OIHW weights
  // `ws`): strides, dilations and padding into `a`, the output's height and
  // width into `out_hw`.
  Status ConvWindow(const OnnxNode& n, const Shape& xs, const Shape& ws, ConvAttrs* a, int32_t* out_hw) const {
    int64_t kernel[2] = {ws[2], ws[3]}, stride[2], dilation[2];
    const std::vector<int64_t> ks = IntsAttr(n, "kernel_shape");
    if (!ks.empty() && (ks.size() != 2 || ks[0] != ws[2] || ks[1] != ws[3])) {
      return Malformed(NodeName(n) + ": kernel_shape does not match the weights");
    }
    EI_RETURN_IF_ERROR(Ints2(n, "strides", 1, stride));
    EI_RETURN_IF_ERROR(Ints2(n, "dilations", 1, dilation));
    EI_RETURN_IF_ERROR(ResolvePads(n, {xs[2], xs[3]}, kernel, stride, dilation, false, &a->pad, out_hw));
    a->stride_h = static_cast<int32_t>(stride[0]);
    a->stride_w = static_cast<int32_t>(stride[1]);
    a->dilation_h = static_cast<int32_t>(dilation[0]);
    a->dilation_w = static_cast<int32_t>(dilation[1]);
    return Status::Ok();
  }

  // Conv (and the float core of QLinearConv): x at input x_i, weights at w_i,
  // bias at b_i (optional).
  Status ImportConv(const OnnxNode& n, size_t x_i, size_t w_i, size_t b_i, int32_t* result = nullptr,
                    std::string_view source = "Conv") {
    int32_t x, w;
    EI_RETURN_IF_ERROR(Input(n, x_i, &x));
    EI_RETURN_IF_ERROR(Input(n, w_i, &w));
    const Shape xs = LogicalShape(x), ws = LogicalShape(w);
    if (xs.size() != 4 || ws.size() != 4) {
      return UnsupportedError(NodeName(n) + ": only 2-D convolutions (4-D input and weights) are supported");
    }
    if (T(x).dtype != DType::kFloat32) return Malformed(NodeName(n) + ": input must be float (DequantizeLinear first)");
    WeightRef wr;
    EI_RETURN_IF_ERROR(ResolveWeight(n, w, "weights", &wr));
    const int64_t group = IntAttr(n, "group", 1);
    const int32_t oc = ws[0], ic = xs[1];
    if (group < 1 || ic % group != 0 || oc % group != 0 || ws[1] != ic / group) {
      return Malformed(NodeName(n) + ": weights " + ShapeToString(ws) + " do not fit input " + ShapeToString(xs) +
                       " with group " + std::to_string(group));
    }
    ConvAttrs a;
    int32_t out_hw[2];
    EI_RETURN_IF_ERROR(ConvWindow(n, xs, ws, &a, out_hw));
    const bool depthwise = group == ic && group > 1 && ws[1] == 1;
    int32_t packed;
    if (depthwise) {
      // [C*M, 1, KH, KW] -> [1, KH, KW, C*M]
      EI_RETURN_IF_ERROR(PermutedWeight(n, wr, {1, 2, 3, 0}, {1, ws[2], ws[3], oc}, &packed));
      a.depth_multiplier = oc / ic;
    } else {
      // [OC, IC/g, KH, KW] -> [OC, KH, KW, IC/g]
      EI_RETURN_IF_ERROR(PermutedWeight(n, wr, {0, 2, 3, 1}, {oc, ws[2], ws[3], ws[1]}, &packed));
    }
    int32_t bias = -1;
    if (HasInput(n, b_i)) {
      EI_RETURN_IF_ERROR(Input(n, b_i, &bias));
      WeightRef br;
      EI_RETURN_IF_ERROR(ResolveWeight(n, bias, "bias", &br));
      if (T(bias).num_elements() != oc) return Malformed(NodeName(n) + ": bias size does not match the output channels");
      if (T(bias).shape.size() != 1) EI_RETURN_IF_ERROR(PermutedWeight(n, br, Identity(T(br.constant).shape.size()), {oc}, &bias));
    }
    int32_t xin;
    EI_RETURN_IF_ERROR(InLayout(x, /*nhwc=*/true, &xin));
    int32_t out;
    const Shape out_shape = {xs[0], out_hw[0], out_hw[1], oc};
    if (result != nullptr) {
      out = NewTensor(std::string(n.outputs.empty() ? "" : n.outputs[0]) + "_float", DType::kFloat32, out_shape);
      nhwc_[out] = 1;
      *result = out;
    } else {
      EI_RETURN_IF_ERROR(NewOutput(n, 0, DType::kFloat32, out_shape, /*nhwc=*/true, &out));
    }
    std::vector<int32_t> inputs = {xin, packed};
    if (bias >= 0) inputs.push_back(bias);
    AddNode(depthwise ? OpType::kDepthwiseConv2D : OpType::kConv2D, inputs, {out}, a, source);
    return Status::Ok();
  }

  // A fully connected node: x [..., K] times weights (constant, ONNX [K, N]
  // when !transposed, [N, K] when transposed) plus optional bias [N].
  Status FullyConnected(const OnnxNode& n, int32_t x, int32_t w, bool transposed, int32_t bias, std::string_view source,
                        int32_t* result) {
    const Shape xs = LogicalShape(x), ws = LogicalShape(w);
    if (ws.size() != 2) return UnsupportedError(NodeName(n) + ": only 2-D constant weights are supported");
    if (T(x).dtype != DType::kFloat32) return Malformed(NodeName(n) + ": input must be float");
    WeightRef wr;
    EI_RETURN_IF_ERROR(ResolveWeight(n, w, "the second operand", &wr));
    const int32_t k = transposed ? ws[1] : ws[0], out_n = transposed ? ws[0] : ws[1];
    if (xs.empty() || xs.back() != k) {
      return Malformed(NodeName(n) + ": shapes " + ShapeToString(xs) + " and " + ShapeToString(ws) + " do not multiply");
    }
    int32_t packed;
    EI_RETURN_IF_ERROR(PermutedWeight(n, wr, transposed ? std::vector<int32_t>{0, 1} : std::vector<int32_t>{1, 0},
                                      {out_n, k}, &packed));
    int32_t xin;
    EI_RETURN_IF_ERROR(InLayout(x, /*nhwc=*/false, &xin));
    FullyConnectedAttrs a;
    a.keep_num_dims = true;
    Shape out_shape = xs;
    out_shape.back() = out_n;
    *result = NewTensor(std::string(n.outputs.empty() ? "" : n.outputs[0]), DType::kFloat32, out_shape);
    std::vector<int32_t> inputs = {xin, packed};
    if (bias >= 0) {
      WeightRef br;
      EI_RETURN_IF_ERROR(ResolveWeight(n, bias, "bias", &br));
      if (T(bias).num_elements() != out_n) return UnsupportedError(NodeName(n) + ": only a bias of one value per output is supported");
      if (T(bias).shape.size() != 1) {
        EI_RETURN_IF_ERROR(PermutedWeight(n, br, Identity(T(br.constant).shape.size()), {out_n}, &bias));
      }
      inputs.push_back(bias);
    }
    AddNode(OpType::kFullyConnected, inputs, {*result}, a, source);
    return Status::Ok();
  }

  Status ImportGemm(const OnnxNode& n) {
    int32_t a, b, c = -1;
    EI_RETURN_IF_ERROR(Input(n, 0, &a));
    EI_RETURN_IF_ERROR(Input(n, 1, &b));
    if (IntAttr(n, "transA", 0) != 0) return UnsupportedError(NodeName(n) + ": transA=1 is not supported");
    if (FloatAttr(n, "alpha", 1.f) != 1.f || (HasInput(n, 2) && FloatAttr(n, "beta", 1.f) != 1.f)) {
      return UnsupportedError(NodeName(n) + ": alpha and beta other than 1 are not supported");
    }
    if (LogicalShape(a).size() != 2) return Malformed(NodeName(n) + ": A must be 2-D");
    if (HasInput(n, 2)) EI_RETURN_IF_ERROR(Input(n, 2, &c));
    int32_t out;
    EI_RETURN_IF_ERROR(FullyConnected(n, a, b, IntAttr(n, "transB", 0) != 0, c, "Gemm", &out));
    return Record(n, 0, out);
  }

  Status ImportMatMul(const OnnxNode& n) {
    int32_t a, b;
    EI_RETURN_IF_ERROR(Input(n, 0, &a));
    EI_RETURN_IF_ERROR(Input(n, 1, &b));
    if (LogicalShape(a).size() < 2) return UnsupportedError(NodeName(n) + ": a 1-D first operand is not supported");
    int32_t out;
    EI_RETURN_IF_ERROR(FullyConnected(n, a, b, false, -1, "MatMul", &out));
    return Record(n, 0, out);
  }

  // Names an already-created tensor with node output i.
  Status Record(const OnnxNode& n, size_t i, int32_t t) {
    std::string name;
    EI_RETURN_IF_ERROR(Output(n, i, &name));
    g_->tensors[t].name = name;
    values_[name] = t;
    return Status::Ok();
  }

  // Right-aligned broadcast of the logical shapes.
  static bool Broadcast(const Shape& a, const Shape& b, Shape* out) {
    const size_t r = std::max(a.size(), b.size());
    out->assign(r, 1);
    for (size_t i = 0; i < r; ++i) {
      const int32_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
      const int32_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
      if (da != db && da != 1 && db != 1) return false;
      (*out)[i] = da == 1 ? db : da;
    }
    return true;
  }

  // An operand of rank < 4 broadcast against a 4-D NHWC tensor: reshaped to
  // 4-D (right-aligned), then converted like any 4-D tensor.
  Status To4D(int32_t t, int32_t* out) {
    const Shape s = LogicalShape(t);
    if (s.size() == 4) {
      *out = t;
      return Status::Ok();
    }
    Shape s4(4 - s.size(), 1);
    s4.insert(s4.end(), s.begin(), s.end());
    const Tensor& src = T(t);
    if (src.is_constant()) {
      *out = NewTensor(src.name + "_4d", src.dtype, s4, src.quant);
      ShareData(t, *out);
      Tensor& c = g_->tensors[*out];
      if (c.quant.per_channel()) c.quant.axis += static_cast<int32_t>(4 - s.size());
      return Status::Ok();
    }
    *out = NewTensor(src.name + "_4d", src.dtype, s4, src.quant);
    AddNode(OpType::kReshape, {t}, {*out}, std::monostate(), "layout");
    return Status::Ok();
  }

  // Two operands in one layout: NHWC when either is a 4-D NHWC activation
  // and the broadcast result is 4-D.
  Status SameLayout(const OnnxNode& n, int32_t* a, int32_t* b, bool* nhwc, Shape* logical_out) {
    if (!Broadcast(LogicalShape(*a), LogicalShape(*b), logical_out)) {
      return Malformed(NodeName(n) + ": shapes " + ShapeToString(LogicalShape(*a)) + " and " +
                       ShapeToString(LogicalShape(*b)) + " do not broadcast");
    }
    *nhwc = logical_out->size() == 4 && (nhwc_[*a] || nhwc_[*b]);
    if (*nhwc) {
      EI_RETURN_IF_ERROR(To4D(*a, a));
      EI_RETURN_IF_ERROR(To4D(*b, b));
    }
    EI_RETURN_IF_ERROR(InLayout(*a, *nhwc, a));
    EI_RETURN_IF_ERROR(InLayout(*b, *nhwc, b));
    return Status::Ok();
  }

  Status ImportBinary(const OnnxNode& n, OpType op) {
    int32_t a, b;
    EI_RETURN_IF_ERROR(Input(n, 0, &a));
    EI_RETURN_IF_ERROR(Input(n, 1, &b));
    if (T(a).dtype != DType::kFloat32 || T(b).dtype != DType::kFloat32) {
      return UnsupportedError(NodeName(n) + ": only float operands are supported (quantized ones through "
                                             "DequantizeLinear)");
    }
    bool nhwc;
    Shape logical;
    EI_RETURN_IF_ERROR(SameLayout(n, &a, &b, &nhwc, &logical));
    int32_t out;
    EI_RETURN_IF_ERROR(NewOutput(n, 0, DType::kFloat32, nhwc ? Permute(logical, kToNhwc) : logical, nhwc, &out));
    AddNode(op, {a, b}, {out}, ElementwiseAttrs{}, n.op_type);
    return Status::Ok();
  }

  Status ImportClip(const OnnxNode& n, float lo, float hi) {
    int32_t x;
    EI_RETURN_IF_ERROR(Input(n, 0, &x));
    if (T(x).dtype != DType::kFloat32) return UnsupportedError(NodeName(n) + ": only float input is supported");
    ClipAttrs a;
    a.clamp.min = lo;
    a.clamp.max = hi;
    int32_t out;
    EI_RETURN_IF_ERROR(NewOutput(n, 0, DType::kFloat32, T(x).shape, nhwc_[x], &out));
    AddNode(OpType::kClip, {x}, {out}, a, n.op_type);
    return Status::Ok();
  }

  Status ImportClipOp(const OnnxNode& n) {
    float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
    if (opset_ < 11) {
      lo = FloatAttr(n, "min", lo);
      hi = FloatAttr(n, "max", hi);
    } else {
      if (HasInput(n, 1)) EI_RETURN_IF_ERROR(ConstantFloat(n, 1, "min", &lo));
      if (HasInput(n, 2)) EI_RETURN_IF_ERROR(ConstantFloat(n, 2, "max", &hi));
    }
    if (std::isnan(lo) || std::isnan(hi) || lo > hi) return UnsupportedError(NodeName(n) + ": min > max is not supported");
    return ImportClip(n, lo, hi);
  }

  Status ImportUnary(const OnnxNode& n, OpType op, NodeAttrs attrs) {
    int32_t x;
    EI_RETURN_IF_ERROR(Input(n, 0, &x));
    if (T(x).dtype != DType::kFloat32) return UnsupportedError(NodeName(n) + ": only float input is supported");
    int32_t out;
    EI_RETURN_IF_ERROR(NewOutput(n, 0, DType::kFloat32, T(x).shape, nhwc_[x], &out));
    AddNode(op, {x}, {out}, std::move(attrs), n.op_type);
    return Status::Ok();
  }

  Status ImportPool(const OnnxNode& n, OpType op) {
    int32_t x;
    EI_RETURN_IF_ERROR(Input(n, 0, &x));
    const Shape xs = LogicalShape(x);
    if (xs.size() != 4) return UnsupportedError(NodeName(n) + ": only 2-D pooling is supported");
    if (n.outputs.size() > 1 && !n.outputs[1].empty()) return UnsupportedError(NodeName(n) + ": Indices output is not supported");
    int64_t kernel[2], stride[2], dilation[2];
    const std::vector<int64_t> ks = IntsAttr(n, "kernel_shape");
    if (ks.size() != 2) return Malformed(NodeName(n) + ": kernel_shape must have 2 values");
    kernel[0] = ks[0];
    kernel[1] = ks[1];
    EI_RETURN_IF_ERROR(Ints2(n, "strides", 1, stride));
    EI_RETURN_IF_ERROR(Ints2(n, "dilations", 1, dilation));
    if (dilation[0] != 1 || dilation[1] != 1) return UnsupportedError(NodeName(n) + ": dilated pooling is not supported");
    if (IntAttr(n, "storage_order", 0) != 0) return UnsupportedError(NodeName(n) + ": storage_order 1 is not supported");
    const bool ceil_mode = IntAttr(n, "ceil_mode", 0) != 0;
    PoolAttrs a;
    int32_t out_hw[2];
    EI_RETURN_IF_ERROR(ResolvePads(n, {xs[2], xs[3]}, kernel, stride, dilation, ceil_mode, &a.pad, out_hw));
    if (op == OpType::kAveragePool2D && IntAttr(n, "count_include_pad", 0) != 0 &&
        (a.pad.top || a.pad.left || a.pad.bottom || a.pad.right)) {
      return UnsupportedError(NodeName(n) + ": count_include_pad=1 with padding is not supported");
    }
    a.filter_h = static_cast<int32_t>(kernel[0]);
    a.filter_w = static_cast<int32_t>(kernel[1]);
    a.stride_h = static_cast<int32_t>(stride[0]);
    a.stride_w = static_cast<int32_t>(stride[1]);
    int32_t xin;
    EI_RETURN_IF_ERROR(InLayout(x, true, &xin));
    int32_t out;
    if (op == OpType::kAveragePool2D && T(x).dtype != DType::kFloat32) {
      return Malformed(NodeName(n) + ": input must be float (DequantizeLinear first)");
    }
    EI_RETURN_IF_ERROR(NewOutput(n, 0, T(x).dtype, {xs[0], out_hw[0], out_hw[1], xs[1]}, true, &out, T(xin).quant));
    AddNode(op, {xin}, {out}, a, n.op_type);
    return Status::Ok();
  }

  Status ImportGlobalAveragePool(const OnnxNode& n, int32_t* result = nullptr) {
    int32_t x;
    EI_RETURN_IF_ERROR(Input(n, 0, &x));
    const Shape xs = LogicalShape(x);
    if (xs.size() != 4) return UnsupportedError(NodeName(n) + ": only 4-D input is supported");
    int32_t xin;
    EI_RETURN_IF_ERROR(InLayout(x, true, &xin));
    ReduceAttrs a;
    a.axes = {1, 2};
    a.keep_dims = true;
    int32_t out;
    const Shape out_shape = {xs[0], 1, 1, xs[1]};
    if (result != nullptr) {
      out = NewTensor(std::string(n.outputs[0]) + "_float", DType::kFloat32, out_shape);
      nhwc_[out] = 1;
      *result = out;
    } else {
      EI_RETURN_IF_ERROR(NewOutput(n, 0, T(x).dtype, out_shape, true, &out));
    }
    AddNode(OpType::kMean, {xin}, {out}, a, "GlobalAveragePool");
    return Status::Ok();
  }

  // Reshape-like operators: the data in NCHW order with a new shape.
  Status Reshaped(const OnnxNode& n, int32_t x, const Shape& shape) {
    if (NumElements(shape) != NumElements(LogicalShape(x))) {
      return Malformed(NodeName(n) + ": cannot reshape " + ShapeToString(LogicalShape(x)) + " to " + ShapeToString(shape));
    }
    int32_t xin;
    EI_RETURN_IF_ERROR(InLayout(x, false, &xin));
    int32_t out;
    EI_RETURN_IF_ERROR(NewOutput(n, 0, T(x).dtype, shape, false, &out, T(xin).quant.per_channel() ? Quantization{} : T(xin).quant));
    AddNode(OpType::kReshape, {xin}, {out}, std::monostate(), n.op_type);
    return Status::Ok();
  }

  Status ImportReshape(const OnnxNode& n) {
    int32_t x;
    EI_RETURN_IF_ERROR(Input(n, 0, &x));
    std::vector<int64_t> spec;
    EI_RETURN_IF_ERROR(ConstantInts(n, 1, "shape", &spec));
    const Shape in = LogicalShape(x);
    const bool allowzero = IntAttr(n, "allowzero", 0) != 0;
    Shape shape;
    int infer = -1;
    int64_t known = 1;
    for (size_t i = 0; i < spec.size(); ++i) {
      int64_t d = spec[i];
      if (d == 0 && !allowzero) {
        if (i >= in.size()) return Malformed(NodeName(n) + ": 0 in shape past the input's rank");
        d = in[i];
      }
      if (d == -1) {
        if (infer >= 0) return Malformed(NodeName(n) + ": two -1 in shape");
        infer = static_cast<int>(i);
        shape.push_back(1);
        continue;
      }
      if (d < 0 || d > std::numeric_limits<int32_t>::max()) return Malformed(NodeName(n) + ": shape value " + std::to_string(d));
      known *= std::max<int64_t>(d, 1);
      if (known > (int64_t{1} << 40)) return Malformed(NodeName(n) + ": shape too large");
      shape.push_back(static_cast<int32_t>(d));
    }
    if (infer >= 0) {
      const int64_t total = NumElements(in);
      if (known == 0 || total % known != 0) return Malformed(NodeName(n) + ": cannot infer the -1 dimension");
      shape[infer] = static_cast<int32_t>(total / known);
    }
    return Reshaped(n, x, shape);
  }

  Status ImportFlatten(const OnnxNode& n) {
    int32_t x;
    EI_RETURN_IF_ERROR(Input(n, 0, &x));
    const Shape in = LogicalShape(x);
    int64_t axis = IntAttr(n, "axis", 1);
    const int64_t r = static_cast<int64_t>(in.size());
    if (axis < 0) axis += r;
    if (axis < 0 || axis > r) return Malformed(NodeName(n) + ": axis outside rank");
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < r; ++i) (i < axis ? outer : inner) *= in[i];
    return Reshaped(n, x, {static_cast<int32_t>(outer), static_cast<int32_t>(inner)});
  }

  Status ImportSqueeze(const OnnxNode& n, bool unsqueeze) {
    int32_t x;
    EI_RETURN_IF_ERROR(Input(n, 0, &x));
    std::vector<int64_t> axes;
    if (opset_ >= 13) {
      if (HasInput(n, 1)) EI_RETURN_IF_ERROR(ConstantInts(n, 1, "axes", &axes));
    } else {
      axes = IntsAttr(n, "axes");
    }
    const Shape in = LogicalShape(x);
    Shape shape;
    if (!unsqueeze) {
      const int64_t r = static_cast<int64_t>(in.size());
      std::vector<bool> drop(in.size(), false);
      for (int64_t a : axes) {
        const int64_t k = a < 0 ? a + r : a;
        if (k < 0 || k >= r || in[k] != 1) return Malformed(NodeName(n) + ": cannot squeeze axis " + std::to_string(a));
        drop[k] = true;
      }
      for (size_t i = 0; i < in.size(); ++i) {
        if (axes.empty() ? in[i] != 1 : !drop[i]) shape.push_back(in[i]);
      }
    } else {
      const int64_t r = static_cast<int64_t>(in.size() + axes.size());
      std::vector<bool> add(r, false);
      for (int64_t a : axes) {
        const int64_t k = a < 0 ? a + r : a;
        if (k < 0 || k >= r || add[k]) return Malformed(NodeName(n) + ": bad unsqueeze axis " + std::to_string(a));
        add[k] = true;
      }
      size_t j = 0;
      for (int64_t i = 0; i < r; ++i) shape.push_back(add[i] ? 1 : in[j++]);
    }
    return Reshaped(n, x, shape);
  }

  Status ImportTranspose(const OnnxNode& n) {
    int32_t x;
    EI_RETURN_IF_ERROR(Input(n, 0, &x));
    const Shape in = LogicalShape(x);
    std::vector<int64_t> perm = IntsAttr(n, "perm");
    const size_t r = in.size();
    if (perm.empty()) {
      for (size_t i = 0; i < r; ++i) perm.push_back(static_cast<int64_t>(r - 1 - i));
    }
    std::vector<bool> seen(r, false);
    if (perm.size() != r) return Malformed(NodeName(n) + ": perm does not match the rank");
    for (int64_t p : perm) {
      if (p < 0 || p >= static_cast<int64_t>(r) || seen[p]) return Malformed(NodeName(n) + ": bad perm");
      seen[p] = true;
    }
    // A logical permutation of data stored NHWC composes with the layout.
    TransposeAttrs a;
    Shape out;
    for (size_t i = 0; i < r; ++i) {
      a.perm.push_back(nhwc_[x] ? kNchwAxisInNhwc[perm[i]] : static_cast<int32_t>(perm[i]));
      out.push_back(in[perm[i]]);
    }
    int32_t t;
    EI_RETURN_IF_ERROR(NewOutput(n, 0, T(x).dtype, out, false, &t, T(x).quant.per_channel() ? Quantization{} : T(x).quant));
    AddNode(OpType::kTranspose, {x}, {t}, a, n.op_type);
    return Status::Ok();
  }

  Status ImportConcat(const OnnxNode& n, size_t first, int32_t* result = nullptr, size_t stride = 1) {
    std::vector<int32_t> ins;
    for (size_t i = first; i < n.inputs.size(); i += stride) {
      int32_t t;
      EI_RETURN_IF_ERROR(Input(n, i, &t));
      ins.push_back(t);
    }
    if (ins.empty()) return Malformed(NodeName(n) + ": no inputs");
    const Shape s0 = LogicalShape(ins[0]);
    const int64_t r = static_cast<int64_t>(s0.size());
    int64_t axis = IntAttr(n, "axis", 0);
    if (axis < 0) axis += r;
    if (axis < 0 || axis >= r) return Malformed(NodeName(n) + ": axis outside rank");
    bool nhwc = r == 4;
    for (int32_t t : ins) nhwc = nhwc && nhwc_[t];
    Shape out = s0;
    out[axis] = 0;
    for (int32_t& t : ins) {
      const Shape s = LogicalShape(t);
      if (s.size() != s0.size() || T(t).dtype != T(ins[0]).dtype) return Malformed(NodeName(n) + ": inputs differ in rank or type");
      for (int64_t d = 0; d < r; ++d) {
        if (d != axis && s[d] != s0[d]) return Malformed(NodeName(n) + ": inputs differ outside the axis");
      }
      out[axis] += s[axis];
      EI_RETURN_IF_ERROR(InLayout(t, nhwc, &t));
    }
    ConcatAttrs a;
    a.axis = static_cast<int32_t>(nhwc ? kNchwAxisInNhwc[axis] : axis);
    int32_t t;
    const Shape stored = nhwc ? Permute(out, kToNhwc) : out;
    if (result != nullptr) {
      t = NewTensor(std::string(n.outputs[0]) + "_float", T(ins[0]).dtype, stored);
      nhwc_[t] = nhwc;
      *result = t;
    } else {
      EI_RETURN_IF_ERROR(NewOutput(n, 0, T(ins[0]).dtype, stored, nhwc, &t,
                                   T(ins[0]).quant.per_channel() ? Quantization{} : T(ins[0]).quant));
    }
    AddNode(OpType::kConcatenation, ins, {t}, a, "Concat");
    return Status::Ok();
  }

  Status ImportPad(const OnnxNode& n) {
    int32_t x;
    EI_RETURN_IF_ERROR(Input(n, 0, &x));
    if (StringAttr(n, "mode", "constant") != "constant") return UnsupportedError(NodeName(n) + ": only constant mode is supported");
    std::vector<int64_t> pads;
    if (opset_ < 11) {
      pads = IntsAttr(n, "pads");
      if (FloatAttr(n, "value", 0.f) != 0.f) return UnsupportedError(NodeName(n) + ": only zero padding is supported");
    } else {
      EI_RETURN_IF_ERROR(ConstantInts(n, 1, "pads", &pads));
      if (HasInput(n, 2)) {
        float v = 0.f;
        EI_RETURN_IF_ERROR(ConstantFloat(n, 2, "constant_value", &v));
        if (v != 0.f) return UnsupportedError(NodeName(n) + ": only zero padding is supported");
      }
      if (HasInput(n, 3)) return UnsupportedError(NodeName(n) + ": the axes input is not supported");
    }
    const Shape in = LogicalShape(x);
    const size_t r = in.size();
    if (pads.size() != 2 * r) return Malformed(NodeName(n) + ": pads must have 2 values per dimension");
    PadAttrs a;
    Shape out(r);
    for (size_t i = 0; i < r; ++i) {
      if (pads[i] < 0 || pads[r + i] < 0 || pads[i] > (1 << 20) || pads[r + i] > (1 << 20)) {
        return UnsupportedError(NodeName(n) + ": negative or huge pads are not supported");
      }
      out[i] = in[i] + static_cast<int32_t>(pads[i] + pads[r + i]);
    }
    const bool nhwc = nhwc_[x];
    for (size_t i = 0; i < r; ++i) {
      const size_t src = nhwc ? kToNhwc[i] : i;  // stored dim i is logical dim src
      a.before.push_back(static_cast<int32_t>(pads[src]));
      a.after.push_back(static_cast<int32_t>(pads[r + src]));
    }
    int32_t t;
    EI_RETURN_IF_ERROR(NewOutput(n, 0, T(x).dtype, nhwc ? Permute(out, kToNhwc) : out, nhwc, &t,
                                 T(x).quant.per_channel() ? Quantization{} : T(x).quant));
    AddNode(OpType::kPad, {x}, {t}, a, n.op_type);
    return Status::Ok();
  }

  Status ImportSoftmax(const OnnxNode& n, int32_t* result = nullptr, int32_t x = -1) {
    if (x < 0) EI_RETURN_IF_ERROR(Input(n, 0, &x));
    const Shape in = LogicalShape(x);
    const int64_t r = static_cast<int64_t>(in.size());
    int64_t axis = IntAttr(n, "axis", opset_ >= 13 ? -1 : 1);
    if (axis < 0) axis += r;
    // Before opset 13 Softmax flattens from `axis`: the same as the last
    // axis only when axis is the last one.
    if (axis != r - 1) return UnsupportedError(NodeName(n) + ": softmax over an axis other than the last is not supported");
    if (T(x).dtype != DType::kFloat32) return UnsupportedError(NodeName(n) + ": only float input is supported");
    int32_t xin;
    EI_RETURN_IF_ERROR(InLayout(x, false, &xin));
    int32_t t;
    if (result != nullptr) {
      t = NewTensor(std::string(n.outputs[0]) + "_float", DType::kFloat32, in);
      *result = t;
    } else {
      EI_RETURN_IF_ERROR(NewOutput(n, 0, DType::kFloat32, in, false, &t));
    }
    AddNode(OpType::kSoftmax, {xin}, {t}, SoftmaxAttrs{}, "Softmax");
    return Status::Ok();
  }

  Status ImportArgMax(const OnnxNode& n) {
    int32_t x;
    EI_RETURN_IF_ERROR(Input(n, 0, &x));
    if (IntAttr(n, "select_last_index", 0) != 0) return UnsupportedError(NodeName(n) + ": select_last_index=1 is not supported");
    const Shape in = LogicalShape(x);
    const int64_t r = static_cast<int64_t>(in.size());
    int64_t axis = IntAttr(n, "axis", 0);
    if (axis < 0) axis += r;
    if (axis < 0 || axis >= r) return Malformed(NodeName(n) + ": axis outside rank");
    const bool keep = IntAttr(n, "keepdims", 1) != 0;
    ArgMaxAttrs a;
    a.axis = static_cast<int32_t>(nhwc_[x] ? kNchwAxisInNhwc[axis] : axis);
    Shape reduced = T(x).shape;
    reduced.erase(reduced.begin() + a.axis);
    Shape logical = in;
    if (keep) {
      logical[axis] = 1;
    } else {
      logical.erase(logical.begin() + axis);
    }
    if (!keep && !nhwc_[x]) {
      int32_t t;
      EI_RETURN_IF_ERROR(NewOutput(n, 0, DType::kInt64, logical, false, &t));
      AddNode(OpType::kArgMax, {x}, {t}, a, n.op_type);
      return Status::Ok();
    }
    // ARG_MAX drops the axis; keepdims (or NHWC data) reshapes after it.
    const int32_t mid = NewTensor(std::string(n.outputs.empty() ? "" : n.outputs[0]) + "_argmax", DType::kInt64, reduced);
    AddNode(OpType::kArgMax, {x}, {mid}, a, n.op_type);
    if (nhwc_[x] && !keep) {
      // Stored order of the remaining dims is NHWC minus the axis; logical
      // order is NCHW minus it. They agree unless the channel dim remains.
      if (axis != 1) return UnsupportedError(NodeName(n) + ": ArgMax over a spatial axis of a 4-D tensor without keepdims");
    }
    int32_t t;
    EI_RETURN_IF_ERROR(NewOutput(n, 0, DType::kInt64, nhwc_[x] && keep ? Permute(logical, kToNhwc) : logical,
                                 nhwc_[x] && keep, &t));
    AddNode(OpType::kReshape, {mid}, {t}, std::monostate(), n.op_type);
    return Status::Ok();
  }

  // Resize, mode 'linear' on the two spatial axes of a 4-D tensor, as
  // RESIZE_BILINEAR in float (half_pixel, pytorch_half_pixel,
  // align_corners or asymmetric coordinates).
  Status ImportResize(const OnnxNode& n) {
    int32_t x;
    EI_RETURN_IF_ERROR(Input(n, 0, &x));
    const Shape in = LogicalShape(x);
    if (in.size() != 4) return UnsupportedError(NodeName(n) + ": only 4-D input is supported");
    if (T(x).dtype != DType::kFloat32) return UnsupportedError(NodeName(n) + ": only float input is supported");
    if (opset_ < 11) return UnsupportedError(NodeName(n) + ": Resize before opset 11 is not supported");
    if (StringAttr(n, "mode", "nearest") != "linear") return UnsupportedError(NodeName(n) + ": only mode 'linear' is supported");
    const std::string_view coords = StringAttr(n, "coordinate_transformation_mode", "half_pixel");
    ResizeAttrs a;
    if (coords == "align_corners") {
      a.align_corners = true;
    } else if (coords == "half_pixel" || coords == "pytorch_half_pixel") {
      a.half_pixel_centers = true;
    } else if (coords != "asymmetric") {
      return UnsupportedError(NodeName(n) + ": coordinate_transformation_mode " + Quote(coords) + " is not supported");
    }
    if (FindAttr(n, "antialias") && IntAttr(n, "antialias", 0) != 0) return UnsupportedError(NodeName(n) + ": antialias is not supported");
    Shape out = in;
    if (HasInput(n, 3)) {
      std::vector<int64_t> sizes;
      EI_RETURN_IF_ERROR(ConstantInts(n, 3, "sizes", &sizes));
      if (sizes.size() != 4) return UnsupportedError(NodeName(n) + ": sizes must give all 4 dimensions");
      for (int i = 0; i < 4; ++i) {
        if (sizes[i] < 1 || sizes[i] > (1 << 20)) return Malformed(NodeName(n) + ": size " + std::to_string(sizes[i]));
        out[i] = static_cast<int32_t>(sizes[i]);
      }
    } else {
      int32_t ts;
      EI_RETURN_IF_ERROR(ConstantInput(n, 2, "scales", &ts));
      if (T(ts).dtype != DType::kFloat32 || T(ts).num_elements() != 4) return UnsupportedError(NodeName(n) + ": scales must be 4 floats");
      float sc[4];
      std::memcpy(sc, T(ts).data, sizeof(sc));
      for (int i = 0; i < 4; ++i) {
        const double d = std::floor(static_cast<double>(in[i]) * sc[i]);
        if (!(d >= 1 && d <= (1 << 20))) return Malformed(NodeName(n) + ": scale " + std::to_string(sc[i]));
        out[i] = static_cast<int32_t>(d);
      }
    }
    if (out[0] != in[0] || out[1] != in[1]) return UnsupportedError(NodeName(n) + ": only the spatial axes may be resized");
    if (coords == "pytorch_half_pixel" && (out[2] == 1 || out[3] == 1)) {
      return UnsupportedError(NodeName(n) + ": pytorch_half_pixel to a size of 1 is not supported");
    }
    int32_t xin;
    EI_RETURN_IF_ERROR(InLayout(x, true, &xin));
    int32_t t;
    EI_RETURN_IF_ERROR(NewOutput(n, 0, DType::kFloat32, Permute(out, kToNhwc), true, &t));
    AddNode(OpType::kResizeBilinear, {xin}, {t}, a, n.op_type);
    return Status::Ok();
  }

  // ------------------------------------------------------------ integer ops

  // Zero points of an integer operand (scalar, or one per entry of `axis`
  // of a constant); none given means 0.
  Status IntegerZeroPoints(const OnnxNode& n, size_t i, DType dtype, std::vector<int64_t>* zps) const {
    zps->assign(1, 0);
    if (!HasInput(n, i)) return Status::Ok();
    int32_t tz;
    EI_RETURN_IF_ERROR(ConstantInput(n, i, "zero point", &tz));
    const Tensor& z = T(tz);
    if (z.dtype != dtype) return Malformed(NodeName(n) + ": zero point type differs from its operand's");
    zps->clear();
    for (int64_t k = 0; k < z.num_elements(); ++k) {
      zps->push_back(dtype == DType::kInt8 ? static_cast<int8_t>(z.data[k]) : z.data[k]);
    }
    if (zps->empty()) return Malformed(NodeName(n) + ": empty zero point");
    return Status::Ok();
  }

  // An 8-bit activation with zero point `zp` (and a unit scale where it has
  // none): CONV_INTEGER reads the zero point from the tensor.
  Status IntegerActivation(const OnnxNode& n, int32_t x, const std::vector<int64_t>& zps, int32_t* out) {
    const DType d = T(x).dtype;
    if (d != DType::kUInt8 && d != DType::kInt8) return UnsupportedError(NodeName(n) + ": input must be uint8 or int8");
    if (zps.size() != 1) return UnsupportedError(NodeName(n) + ": a per-row input zero point is not supported");
    Quantization q;
    q.scale = T(x).quant.scale.size() == 1 ? T(x).quant.scale : std::vector<float>{1.f};
    q.zero_point = {zps[0]};
    *out = WithQuantization(x, q);
    return Status::Ok();
  }

  Status IntegerWeights(const OnnxNode& n, int32_t w, const std::vector<int32_t>& perm, const Shape& shape,
                        const std::vector<int64_t>& zps, int32_t oc, int32_t* out) {
    const DType d = T(w).dtype;
    if (!T(w).is_constant()) return UnsupportedError(NodeName(n) + ": non-constant weights are not supported");
    if (d != DType::kUInt8 && d != DType::kInt8) return UnsupportedError(NodeName(n) + ": weights must be uint8 or int8");
    if (zps.size() != 1 && zps.size() != static_cast<size_t>(oc)) return Malformed(NodeName(n) + ": weight zero points do not match the outputs");
    WeightRef wr;
    wr.constant = w;
    EI_RETURN_IF_ERROR(PermutedWeight(n, wr, perm, shape, out));
    Quantization q;
    q.scale.assign(zps.size(), 1.f);
    q.zero_point = zps;
    q.axis = 0;
    g_->tensors[*out].quant = q;
    return Status::Ok();
  }

  Status ImportConvInteger(const OnnxNode& n) {
    int32_t x, w;
    EI_RETURN_IF_ERROR(Input(n, 0, &x));
    EI_RETURN_IF_ERROR(Input(n, 1, &w));
    const Shape xs = LogicalShape(x), ws = LogicalShape(w);
    if (xs.size() != 4 || ws.size() != 4) return UnsupportedError(NodeName(n) + ": only 2-D convolutions are supported");
    const int64_t group = IntAttr(n, "group", 1);
    const int32_t oc = ws[0], ic = xs[1];
    if (group < 1 || ic % group != 0 || oc % group != 0 || ws[1] != ic / group) {
      return Malformed(NodeName(n) + ": weights " + ShapeToString(ws) + " do not fit input " + ShapeToString(xs));
    }
    std::vector<int64_t> xzp, wzp;
    EI_RETURN_IF_ERROR(IntegerZeroPoints(n, 2, T(x).dtype, &xzp));
    EI_RETURN_IF_ERROR(IntegerZeroPoints(n, 3, T(w).dtype, &wzp));
    ConvAttrs a;
    int32_t out_hw[2];
    EI_RETURN_IF_ERROR(ConvWindow(n, xs, ws, &a, out_hw));
    int32_t xq, packed, xin;
    EI_RETURN_IF_ERROR(IntegerActivation(n, x, xzp, &xq));
    EI_RETURN_IF_ERROR(IntegerWeights(n, w, {0, 2, 3, 1}, {oc, ws[2], ws[3], ws[1]}, wzp, oc, &packed));
    EI_RETURN_IF_ERROR(InLayout(xq, true, &xin));
    int32_t out;
    EI_RETURN_IF_ERROR(NewOutput(n, 0, DType::kInt32, {xs[0], out_hw[0], out_hw[1], oc}, true, &out));
    AddNode(OpType::kConvInteger, {xin, packed}, {out}, a, n.op_type);
    return Status::Ok();
  }

  // MatMulInteger: A [..., K] times constant B [K, N] as a 1x1 CONV_INTEGER
  // over the rows of A, reshaped in and out.
  Status ImportMatMulInteger(const OnnxNode& n) {
    int32_t a, b;
    EI_RETURN_IF_ERROR(Input(n, 0, &a));
    EI_RETURN_IF_ERROR(Input(n, 1, &b));
    const Shape as = LogicalShape(a), bs = LogicalShape(b);
    if (as.size() < 2 || bs.size() != 2 || as.back() != bs[0]) {
      return UnsupportedError(NodeName(n) + ": only A [..., K] times a constant B [K, N] is supported");
    }
    std::vector<int64_t> azp, bzp;
    EI_RETURN_IF_ERROR(IntegerZeroPoints(n, 2, T(a).dtype, &azp));
    EI_RETURN_IF_ERROR(IntegerZeroPoints(n, 3, T(b).dtype, &bzp));
    const int32_t k = bs[0], cols = bs[1];
    const int32_t rows = static_cast<int32_t>(NumElements(as) / k);
    int32_t aq, packed, ain;
    EI_RETURN_IF_ERROR(IntegerActivation(n, a, azp, &aq));
    EI_RETURN_IF_ERROR(IntegerWeights(n, b, {1, 0}, {cols, 1, 1, k}, bzp, cols, &packed));
    EI_RETURN_IF_ERROR(InLayout(aq, false, &ain));
    const int32_t rows4 = NewTensor(T(ain).name + "_rows", T(ain).dtype, {1, 1, rows, k}, T(ain).quant);
    AddNode(OpType::kReshape, {ain}, {rows4}, std::monostate(), "MatMulInteger");
    const int32_t prod = NewTensor(std::string(n.outputs.empty() ? "" : n.outputs[0]) + "_rows", DType::kInt32, {1, 1, rows, cols});
    AddNode(OpType::kConvInteger, {rows4, packed}, {prod}, ConvAttrs{}, n.op_type);
    Shape out = as;
    out.back() = cols;
    int32_t t;
    EI_RETURN_IF_ERROR(NewOutput(n, 0, DType::kInt32, out, false, &t));
    AddNode(OpType::kReshape, {prod}, {t}, std::monostate(), "MatMulInteger");
    return Status::Ok();
  }

  // ------------------------------------------------------------ QOperator
  // Lowered to DEQUANTIZE -> float operator -> QUANTIZE; the fusion passes
  // make them integer nodes again.

  Status DequantizeOperand(const OnnxNode& n, size_t x_i, size_t s_i, size_t z_i, int64_t axis, int32_t* out) {
    int32_t x;
    EI_RETURN_IF_ERROR(Input(n, x_i, &x));
    Quantization q;
    DType dt;
    EI_RETURN_IF_ERROR(QuantParams(n, s_i, z_i, LogicalShape(x), axis, &dt, &q));
    const std::string name = std::string(n.inputs[x_i]) + "_dq" + std::to_string(node_index_);
    EI_RETURN_IF_ERROR(Dequantize(x, q, dt, name, std::string(n.op_type), out));
    return Status::Ok();
  }

  Status QuantizeResult(const OnnxNode& n, int32_t f, size_t s_i, size_t z_i) {
    Quantization q;
    DType dt;
    EI_RETURN_IF_ERROR(QuantParams(n, s_i, z_i, LogicalShape(f), 1, &dt, &q));
    int32_t out;
    return Quantize(f, q, dt, n, 0, n.op_type, &out);
  }

  // Runs `body` with the node's inputs re-pointed at dequantized operands:
  // the float import functions read inputs by ONNX name, so the lowered
  // operands are registered under temporary names.
  Status WithOperands(const OnnxNode& n, const std::vector<int32_t>& operands, OnnxNode* lowered) {
    lowered->name = n.name;
    lowered->op_type = n.op_type;
    lowered->domain = n.domain;
    lowered->inputs.clear();
    for (size_t i = 0; i < operands.size(); ++i) {
      scratch_names_.push_back("\x01lowered" + std::to_string(node_index_) + "_" + std::to_string(i));
      if (operands[i] >= 0) values_[scratch_names_.back()] = operands[i];
    }
    for (size_t i = 0; i < operands.size(); ++i) {
      lowered->inputs.push_back(operands[i] < 0 ? std::string_view() : std::string_view(scratch_names_[scratch_names_.size() - operands.size() + i]));
    }
    lowered->outputs = n.outputs;
    return Status::Ok();
  }

  Status ImportQLinearConv(const OnnxNode& n) {
    // x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B
    int32_t x, w, b = -1;
    EI_RETURN_IF_ERROR(DequantizeOperand(n, 0, 1, 2, 1, &x));
    EI_RETURN_IF_ERROR(DequantizeOperand(n, 3, 4, 5, 0, &w));
    if (HasInput(n, 8)) {
      int32_t bq;
      EI_RETURN_IF_ERROR(ConstantInput(n, 8, "bias", &bq));
      if (T(bq).dtype != DType::kInt32) return Malformed(NodeName(n) + ": bias must be int32");
      // The bias is quantized with x_scale * w_scale and zero point 0.
      const Tensor& xq = T(g_->nodes[producer_[x]].inputs[0]);
      const Tensor& wq = T(g_->nodes[producer_[w]].inputs[0]);
      Quantization q;
      q.axis = 0;
      for (float ws : wq.quant.scale) q.scale.push_back(xq.quant.scale[0] * ws);
      q.zero_point.assign(q.scale.size(), 0);
      b = NewTensor(std::string(n.inputs[8]) + "_dq" + std::to_string(node_index_), DType::kFloat32, T(bq).shape);
      AddNode(OpType::kDequantize, {WithQuantization(bq, q)}, {b}, std::monostate(), "QLinearConv");
    }
    OnnxNode lowered;
    lowered.attributes.reserve(n.attributes.size());
    EI_RETURN_IF_ERROR(WithOperands(n, {x, w, b}, &lowered));
    for (const OnnxAttribute& a : n.attributes) {
      OnnxAttribute c;
      c.name = a.name;
      c.type = a.type;
      c.f = a.f;
      c.i = a.i;
      c.s = a.s;
      c.ints = a.ints;
      c.floats = a.floats;
      lowered.attributes.push_back(std::move(c));
    }
    int32_t f;
    EI_RETURN_IF_ERROR(ImportConv(lowered, 0, 1, 2, &f, "QLinearConv"));
    return QuantizeResult(n, f, 6, 7);
  }

  Status ImportQLinearMatMul(const OnnxNode& n) {
    // a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp
    int32_t a, b;
    EI_RETURN_IF_ERROR(DequantizeOperand(n, 0, 1, 2, 1, &a));
    EI_RETURN_IF_ERROR(DequantizeOperand(n, 3, 4, 5, 1, &b));
    if (LogicalShape(a).size() < 2) return UnsupportedError(NodeName(n) + ": a 1-D first operand is not supported");
    int32_t f;
    EI_RETURN_IF_ERROR(FullyConnected(n, a, b, false, -1, "QLinearMatMul", &f));
    g_->tensors[f].name += "_float";
    return QuantizeResult(n, f, 6, 7);
  }

  Status ImportQLinearBinary(const OnnxNode& n, OpType op) {
    // A, A_scale, A_zp, B, B_scale, B_zp, C_scale, C_zp
    int32_t a, b;
    EI_RETURN_IF_ERROR(DequantizeOperand(n, 0, 1, 2, 1, &a));
    EI_RETURN_IF_ERROR(DequantizeOperand(n, 3, 4, 5, 1, &b));
    bool nhwc;
    Shape logical;
    EI_RETURN_IF_ERROR(SameLayout(n, &a, &b, &nhwc, &logical));
    const int32_t f = NewTensor(std::string(n.outputs.empty() ? "" : n.outputs[0]) + "_float", DType::kFloat32,
                                nhwc ? Permute(logical, kToNhwc) : logical);
    nhwc_[f] = nhwc;
    AddNode(op, {a, b}, {f}, ElementwiseAttrs{}, n.op_type);
    return QuantizeResult(n, f, 6, 7);
  }

  Status ImportQLinearUnary(const OnnxNode& n, std::string_view float_op) {
    // X, X_scale, X_zp, Y_scale, Y_zp
    int32_t x;
    EI_RETURN_IF_ERROR(DequantizeOperand(n, 0, 1, 2, 1, &x));
    int32_t f;
    const std::string name = std::string(n.outputs.empty() ? "" : n.outputs[0]) + "_float";
    if (float_op == "GlobalAveragePool") {
      if (IntAttr(n, "channels_last", 0) != 0) return UnsupportedError(NodeName(n) + ": channels_last=1 is not supported");
      OnnxNode lowered;
      EI_RETURN_IF_ERROR(WithOperands(n, {x}, &lowered));
      EI_RETURN_IF_ERROR(ImportGlobalAveragePool(lowered, &f));
    } else if (float_op == "Softmax") {
      if (IntAttr(n, "opset", 13) < 13 && IntAttr(n, "axis", -1) != -1) {
        return UnsupportedError(NodeName(n) + ": softmax over an axis other than the last is not supported");
      }
      EI_RETURN_IF_ERROR(ImportSoftmax(n, &f, x));
    } else if (float_op == "AveragePool") {
      if (IntAttr(n, "channels_last", 0) != 0) return UnsupportedError(NodeName(n) + ": channels_last=1 is not supported");
      return UnsupportedError(NodeName(n) + " is not supported yet; use the QDQ form (DequantizeLinear, AveragePool, "
                                             "QuantizeLinear)");
    } else {
      f = NewTensor(name, DType::kFloat32, T(x).shape);
      nhwc_[f] = nhwc_[x];
      if (float_op == "Sigmoid") {
        AddNode(OpType::kLogistic, {x}, {f}, std::monostate(), n.op_type);
      } else {
        AddNode(OpType::kLeakyRelu, {x}, {f}, LeakyReluAttrs{FloatAttr(n, "alpha", 0.01f)}, n.op_type);
      }
    }
    return QuantizeResult(n, f, 3, 4);
  }

  Status ImportQLinearConcat(const OnnxNode& n) {
    // Y_scale, Y_zp, then (X, X_scale, X_zp) per input.
    if (n.inputs.size() < 5 || (n.inputs.size() - 2) % 3 != 0) return Malformed(NodeName(n) + ": wrong number of inputs");
    std::vector<int32_t> operands;
    for (size_t i = 2; i < n.inputs.size(); i += 3) {
      int32_t x;
      EI_RETURN_IF_ERROR(DequantizeOperand(n, i, i + 1, i + 2, 1, &x));
      operands.push_back(x);
    }
    OnnxNode lowered;
    for (const OnnxAttribute& a : n.attributes) {
      OnnxAttribute c;
      c.name = a.name;
      c.type = a.type;
      c.i = a.i;
      lowered.attributes.push_back(std::move(c));
    }
    EI_RETURN_IF_ERROR(WithOperands(n, operands, &lowered));
    int32_t f;
    EI_RETURN_IF_ERROR(ImportConcat(lowered, 0, &f));
    return QuantizeResult(n, f, 0, 1);
  }

  const OnnxModel& m_;
  const OnnxImportOptions& options_;
  Graph* g_;
  std::vector<ModelBytes>* external_;
  OnnxExternalDataFiles files_;
  int64_t opset_ = 0, ms_opset_ = 0;
  int32_t node_index_ = 0;
  std::unordered_map<std::string, int32_t> values_;  // ONNX name -> tensor
  std::vector<uint8_t> nhwc_;             // per tensor: a 4-D tensor stored NHWC
  std::vector<int32_t> other_layout_;     // per tensor: the same data in the other layout, or -1
  std::vector<int32_t> producer_;         // per tensor: the node writing it, or -1
  std::deque<std::string> scratch_names_;  // names of lowered operands (stable addresses)
};

}  // namespace

Status ImportOnnx(const uint8_t* data, size_t size, const OnnxImportOptions& options, Graph* graph,
                  std::vector<ModelBytes>* external) {
  OnnxModel model;
  EI_RETURN_IF_ERROR(ParseOnnxModel(data, size, &model));
  if (!model.has_graph) return ModelFormatError("malformed ONNX model: no graph");
  Importer importer(model, options, graph, external);
  return importer.Import();
}

}  // namespace edgeinfer
