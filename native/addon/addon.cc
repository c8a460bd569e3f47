#include "addon/addon.h"

#include <limits>
#include <string>

#include "addon/errors.h"
#include "addon/model_wrap.h"
#include "edgeinfer/model_bytes.h"
#include "edgeinfer/session.h"

namespace edgeinfer::addon {
namespace {

struct LoadRequest {
  std::string path;     // set when loading from a file
  ModelBytes bytes;     // set when loading from caller's bytes (already copied)
  SessionOptions options;
  LoadOptions load;
};

LoadRequest ParseLoadArgs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LoadRequest req;
  Napi::Value source = info[0];
  if (source.IsString()) {
    req.path = source.As<Napi::String>().Utf8Value();
  } else if (source.IsTypedArray() && source.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
    Napi::Uint8Array bytes = source.As<Napi::Uint8Array>();
    if (bytes.ArrayBuffer().IsDetached()) Throw(env, StatusCode::kInput, "the model bytes' ArrayBuffer is detached");
    ThrowIfError(env, CopyModelBytes(bytes.Data(), bytes.ByteLength(), &req.bytes));
  } else {
    Throw(env, StatusCode::kInput, "expected a file path (string) or the model's bytes (Uint8Array/Buffer)");
  }
  // The TypeScript layer has validated the options: { threads, shapes }.
  if (info[1].IsObject()) {
    Napi::Object o = info[1].As<Napi::Object>();
    Napi::Value threads = o.Get("threads");
    if (threads.IsNumber()) req.options.threads = threads.As<Napi::Number>().Int32Value();
    Napi::Value isa = o.Get("isa");
    if (isa.IsString()) req.options.isa = isa.As<Napi::String>().Utf8Value();
    Napi::Value shapes = o.Get("shapes");
    if (shapes.IsObject()) {
      Napi::Object by_name = shapes.As<Napi::Object>();
      Napi::Array names = by_name.GetPropertyNames();
      for (uint32_t i = 0; i < names.Length(); ++i) {
        const std::string name = names.Get(i).As<Napi::String>().Utf8Value();
        Napi::Value dims = by_name.Get(name);
        if (!dims.IsArray()) Throw(env, StatusCode::kOption, "option 'shapes': '" + name + "' must be an array of dimensions");
        Napi::Array a = dims.As<Napi::Array>();
        std::vector<int64_t> shape;
        for (uint32_t k = 0; k < a.Length(); ++k) {
          Napi::Value d = a.Get(k);
          if (!d.IsNumber()) Throw(env, StatusCode::kOption, "option 'shapes': '" + name + "' must hold numbers");
          shape.push_back(d.As<Napi::Number>().Int64Value());
        }
        req.load.shapes[name] = std::move(shape);
      }
    }
  }
  req.load.model_path = req.path;
  return req;
}

Status Prepare(LoadRequest& req, std::shared_ptr<SessionHandle>* handle) {
  if (!req.path.empty()) EI_RETURN_IF_ERROR(MapModelFile(req.path, &req.bytes));
  std::shared_ptr<Graph> graph;
  EI_RETURN_IF_ERROR(LoadGraph(req.bytes.data, req.bytes.size, req.bytes.owner, req.load, &graph));
  auto h = std::make_shared<SessionHandle>();
  EI_RETURN_IF_ERROR(Session::Create(std::move(graph), req.options, &h->session));
  ReleaseResidentPages(req.bytes);
  *handle = std::move(h);
  return Status::Ok();
}

Status PrepareNoThrow(LoadRequest& req, std::shared_ptr<SessionHandle>* handle) {
  try {
    return Prepare(req, handle);
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::kInternal, "out of memory while loading the model");
  }
}

// Reads, checks and prepares a model on the thread pool.
class LoadWorker : public Napi::AsyncWorker {
 public:
  LoadWorker(Napi::Env env, LoadRequest req)
      : Napi::AsyncWorker(env, "edgeinfer.load"), deferred_(Napi::Promise::Deferred::New(env)), req_(std::move(req)) {}
  Napi::Promise Promise() const { return deferred_.Promise(); }
  void Execute() override { status_ = PrepareNoThrow(req_, &handle_); }
  void OnOK() override {
    if (status_.ok()) {
      deferred_.Resolve(ModelWrap::NewInstance(Env(), std::move(handle_)));
    } else {
      deferred_.Reject(MakeError(Env(), status_).Value());
    }
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  LoadRequest req_;
  std::shared_ptr<SessionHandle> handle_;
  Status status_;
};

}  // namespace

Addon::Addon(Napi::Env env, Napi::Object exports) {
  model_constructor = Napi::Persistent(ModelWrap::DefineClass(env));
  DefineAddon(exports, {
                           InstanceMethod<&Addon::SetErrorClass>("setErrorClass"),
                           InstanceMethod<&Addon::LoadSync>("loadSync"),
                           InstanceMethod<&Addon::Load>("load"),
                       });
}

Napi::Value Addon::SetErrorClass(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) Throw(info.Env(), StatusCode::kInternal, "setErrorClass expects a constructor");
  error_constructor = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Value Addon::LoadSync(const Napi::CallbackInfo& info) {
  LoadRequest req = ParseLoadArgs(info);
  std::shared_ptr<SessionHandle> handle;
  ThrowIfError(info.Env(), PrepareNoThrow(req, &handle));
  return ModelWrap::NewInstance(info.Env(), std::move(handle));
}

Napi::Value Addon::Load(const Napi::CallbackInfo& info) {
  auto* worker = new LoadWorker(info.Env(), ParseLoadArgs(info));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace edgeinfer::addon

// The registration macro pastes the class name into an identifier: no '::'.
using EdgeinferAddon = edgeinfer::addon::Addon;
NODE_API_ADDON(EdgeinferAddon)
