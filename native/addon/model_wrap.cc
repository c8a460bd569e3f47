#include "addon/model_wrap.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "addon/addon.h"
#include "addon/errors.h"
#include "addon/typed_arrays.h"

namespace edgeinfer::addon {
namespace {

Napi::Object TensorInfo(Napi::Env env, const Tensor& t) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", t.name);
  o.Set("dtype", DTypeName(t.dtype));
  Napi::Array shape = Napi::Array::New(env, t.shape.size());
  for (size_t i = 0; i < t.shape.size(); ++i) shape.Set(static_cast<uint32_t>(i), t.shape[i]);
  o.Set("shape", shape);
  if (!t.quant.empty()) {
    Napi::Object q = Napi::Object::New(env);
    Napi::Array scale = Napi::Array::New(env, t.quant.scale.size());
    Napi::Array zero_point = Napi::Array::New(env, t.quant.zero_point.size());
    for (size_t i = 0; i < t.quant.scale.size(); ++i) scale.Set(static_cast<uint32_t>(i), t.quant.scale[i]);
    for (size_t i = 0; i < t.quant.zero_point.size(); ++i) {
      zero_point.Set(static_cast<uint32_t>(i), static_cast<double>(t.quant.zero_point[i]));
    }
    q.Set("scale", scale);
    q.Set("zeroPoint", zero_point);
    q.Set("axis", t.quant.axis);
    o.Set("quantization", q);
  }
  return o;
}

Napi::Array TensorInfos(Napi::Env env, const Graph& g, const std::vector<int32_t>& ids) {
  Napi::Array list = Napi::Array::New(env, ids.size());
  for (size_t i = 0; i < ids.size(); ++i) list.Set(static_cast<uint32_t>(i), TensorInfo(env, g.tensors[ids[i]]));
  return list;
}

// Runs a session on the thread pool. The input and output arrays stay
// referenced (alive) until the promise settles; the session handle stays
// alive even if the model is disposed meanwhile.
class RunWorker : public Napi::AsyncWorker {
 public:
  RunWorker(Napi::Env env, std::shared_ptr<SessionHandle> handle, std::vector<void*> inputs,
            std::vector<void*> outputs, Napi::Value input_list, Napi::Value output_list)
      : Napi::AsyncWorker(env, "edgeinfer.run"),
        deferred_(Napi::Promise::Deferred::New(env)),
        handle_(std::move(handle)),
        inputs_(std::move(inputs)),
        outputs_(std::move(outputs)),
        input_ref_(Napi::Persistent(input_list.As<Napi::Object>())),
        output_ref_(Napi::Persistent(output_list.As<Napi::Object>())) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override {
    std::lock_guard<std::mutex> lock(handle_->run_mutex);
    status_ = handle_->session->Run(inputs_.data(), outputs_.data());
  }
  void OnOK() override {
    if (status_.ok()) {
      deferred_.Resolve(Env().Undefined());
    } else {
      deferred_.Reject(MakeError(Env(), status_).Value());
    }
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<SessionHandle> handle_;
  std::vector<void*> inputs_, outputs_;
  Napi::ObjectReference input_ref_, output_ref_;
  Status status_;
};

// A rough count of multiply-accumulates: each node's output elements times
// the inner length of its weights (or 1), summed.
int64_t EstimateMacs(const Graph& g) {
  int64_t macs = 0;
  for (const Node& n : g.nodes) {
    int64_t inner = 1;
    for (int32_t t : n.inputs) {
      if (t < 0 || !g.tensors[t].is_constant() || g.tensors[t].shape.size() < 2) continue;
      const Tensor& w = g.tensors[t];
      inner = std::max<int64_t>(inner, w.num_elements() / std::max<int32_t>(1, w.shape[0]));
    }
    for (int32_t t : n.outputs) macs += g.tensors[t].num_elements() * inner;
  }
  return macs;
}

}  // namespace

Napi::Function ModelWrap::DefineClass(Napi::Env env) {
  return ObjectWrap<ModelWrap>::DefineClass(env, "NativeModel",
                                            {
                                                InstanceMethod<&ModelWrap::Info>("info"),
                                                InstanceMethod<&ModelWrap::RunSync>("runSync"),
                                                InstanceMethod<&ModelWrap::Run>("run"),
                                                InstanceMethod<&ModelWrap::Dispose>("dispose"),
                                            });
}

Napi::Object ModelWrap::NewInstance(Napi::Env env, std::shared_ptr<SessionHandle> handle) {
  Napi::Object obj = env.GetInstanceData<Addon>()->model_constructor.New({});
  ModelWrap* wrap = ModelWrap::Unwrap(obj);
  const Graph& g = handle->session->graph();
  wrap->input_slots_.resize(g.inputs.size());
  wrap->output_slots_.resize(g.outputs.size());
  wrap->run_inline_ = EstimateMacs(g) < kInlineRunMacs;
  wrap->handle_ = std::move(handle);
  return obj;
}

ModelWrap::ModelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ModelWrap>(info) {}

const std::shared_ptr<SessionHandle>& ModelWrap::Live(Napi::Env env) const {
  if (!handle_) Throw(env, StatusCode::kDisposed, "the model was disposed: load it again to use it");
  return handle_;
}

// What a node computes, as a user reads it: the fused integer kernels are
// "Conv+ReLU" (a convolution whose output clamp starts at real zero, from a
// folded Relu/Clip or the output's own range) and "MatMul+Add" (a fully
// connected node with its bias); anything else is its operator's name.
std::string KernelLabel(const Graph& g, const Node& n) {
  const bool quantized = !n.outputs.empty() && g.tensors[n.outputs[0]].dtype != DType::kFloat32;
  const char* prefix = quantized ? "int8 " : "";
  if (quantized && g.tensors[n.outputs[0]].dtype == DType::kUInt8) prefix = "uint8 ";
  if (n.op == OpType::kConv2D || n.op == OpType::kDepthwiseConv2D) {
    const auto& a = std::get<ConvAttrs>(n.attrs);
    bool relu = a.activation != Activation::kNone || a.clamp.min >= 0.f;
    if (quantized) {
      const Tensor& out = g.tensors[n.outputs[0]];
      relu = relu || out.quant.zero_point.at(0) == (out.dtype == DType::kInt8 ? -128 : 0);
    }
    const char* conv = n.op == OpType::kConv2D ? "Conv" : "DepthwiseConv";
    return std::string(prefix) + conv + (relu ? "+ReLU" : "");
  }
  if (n.op == OpType::kFullyConnected) {
    const bool bias = n.inputs.size() > 2 && n.inputs[2] >= 0;
    return std::string(prefix) + (bias ? "MatMul+Add" : "MatMul");
  }
  return std::string(prefix) + OpTypeName(n.op);
}

Napi::Value ModelWrap::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Session& session = *Live(env)->session;
  const Graph& g = session.graph();
  Napi::Object o = Napi::Object::New(env);
  o.Set("format", g.format);
  o.Set("arenaBytes", static_cast<double>(session.arena_bytes()));
  o.Set("threads", session.options().threads);
  o.Set("isa", session.options().isa);
  o.Set("nodes", static_cast<double>(g.nodes.size()));
  o.Set("inputs", TensorInfos(env, g, g.inputs));
  o.Set("outputs", TensorInfos(env, g, g.outputs));
  std::map<std::string, int> counts;
  for (const Node& n : g.nodes) ++counts[OpTypeName(n.op)];
  Napi::Object ops = Napi::Object::New(env);
  for (const auto& [name, count] : counts) ops.Set(name, count);
  o.Set("operators", ops);
  // The graph as it runs (after the ONNX fusion passes): each node's
  // operator, what it came from in the model, and whether it computes in
  // float. QUANTIZE and DEQUANTIZE convert at the edges of integer work and
  // are not counted as float nodes.
  Napi::Array list = Napi::Array::New(env, g.nodes.size());
  int float_nodes = 0;
  std::map<std::string, int> isa_counts;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    bool is_float = false;
    if (n.op != OpType::kQuantize && n.op != OpType::kDequantize) {
      for (int32_t t : n.inputs) is_float = is_float || (t >= 0 && g.tensors[t].dtype == DType::kFloat32);
      for (int32_t t : n.outputs) is_float = is_float || g.tensors[t].dtype == DType::kFloat32;
    }
    float_nodes += is_float;
    Napi::Object node = Napi::Object::New(env);
    node.Set("op", OpTypeName(n.op));
    node.Set("source", n.source_op.empty() ? std::string(OpTypeName(n.op)) : n.source_op);
    node.Set("dtype", n.outputs.empty() ? std::string("none") : std::string(DTypeName(g.tensors[n.outputs[0]].dtype)));
    node.Set("float", is_float);
    node.Set("kernel", KernelLabel(g, n));
    const char* isa = session.kernel(i).isa();
    const std::string isa_name = isa != nullptr ? isa : "portable";
    ++isa_counts[isa_name];
    node.Set("isa", isa_name);
    node.Set("output", n.outputs.empty() ? std::string() : g.tensors[n.outputs[0]].name);
    list.Set(static_cast<uint32_t>(i), node);
  }
  o.Set("graph", list);
  o.Set("floatNodes", float_nodes);
  Napi::Object isas = Napi::Object::New(env);
  for (const auto& [name, count] : isa_counts) isas.Set(name, count);
  o.Set("nodeIsas", isas);
  return o;
}

Napi::Value ModelWrap::RunSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::shared_ptr<SessionHandle>& handle = Live(env);
  const Graph& g = handle->session->graph();
  BindTypedArrays(env, g, g.inputs, info[0], "input", input_slots_.data());
  BindTypedArrays(env, g, g.outputs, info[1], "output", output_slots_.data());
  CheckNoAliasing(env, g, input_slots_.data(), output_slots_.data());
  std::lock_guard<std::mutex> lock(handle->run_mutex);
  ThrowIfError(env, handle->session->Run(input_slots_.data(), output_slots_.data()));
  return env.Undefined();
}

Napi::Value ModelWrap::Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::shared_ptr<SessionHandle>& handle = Live(env);
  const Graph& g = handle->session->graph();
  std::vector<void*> inputs(g.inputs.size()), outputs(g.outputs.size());
  BindTypedArrays(env, g, g.inputs, info[0], "input", inputs.data());
  BindTypedArrays(env, g, g.outputs, info[1], "output", outputs.data());
  CheckNoAliasing(env, g, inputs.data(), outputs.data());
  if (run_inline_) {
    auto deferred = Napi::Promise::Deferred::New(env);
    std::lock_guard<std::mutex> lock(handle->run_mutex);
    const Status status = handle->session->Run(inputs.data(), outputs.data());
    if (status.ok()) {
      deferred.Resolve(env.Undefined());
    } else {
      deferred.Reject(MakeError(env, status).Value());
    }
    return deferred.Promise();
  }
  auto* worker = new RunWorker(env, handle, std::move(inputs), std::move(outputs), info[0], info[1]);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value ModelWrap::Dispose(const Napi::CallbackInfo& info) {
  handle_.reset();
  return info.Env().Undefined();
}

}  // namespace edgeinfer::addon
