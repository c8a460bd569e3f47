#include <utility>
#include <vector>

#include "core/passes/qdq_fusion.h"
#include "edgeinfer/session.h"
#include "format/onnx/onnx_import.h"
#include "format/onnx/onnx_model.h"
#include "format/tflite/tflite_reader.h"

namespace edgeinfer {
namespace {

// Keeps the model's bytes and any external data files alive together.
struct ModelStorage {
  std::shared_ptr<const void> model;
  std::vector<ModelBytes> external;
};

std::string FolderOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string(".") : (slash == 0 ? std::string("/") : path.substr(0, slash));
}

}  // namespace

Status LoadGraph(const uint8_t* data, size_t size, std::shared_ptr<const void> storage, const LoadOptions& options,
                 std::shared_ptr<Graph>* graph) {
  auto g = std::make_shared<Graph>();
  if (LooksLikeTflite(data, size)) {
    if (!options.shapes.empty()) {
      return OptionError("option 'shapes' applies to ONNX models; a .tflite model's input shapes are fixed");
    }
    EI_RETURN_IF_ERROR(ReadTflite(data, size, g.get()));
    g->storage = std::move(storage);
  } else if (LooksLikeOnnx(data, size)) {
    OnnxImportOptions o;
    o.model_dir = options.model_path.empty() ? std::string() : FolderOf(options.model_path);
    o.shapes = options.shapes;
    auto kept = std::make_shared<ModelStorage>();
    kept->model = std::move(storage);
    EI_RETURN_IF_ERROR(ImportOnnx(data, size, o, g.get(), &kept->external));
    g->storage = std::move(kept);
    EI_RETURN_IF_ERROR(RunQdqFusion(g.get()));
  } else {
    return ModelFormatError(
        "not a model edgeinfer can read: expected a TensorFlow Lite flatbuffer (file identifier 'TFL3' at byte 4) "
        "or an ONNX protobuf (ModelProto with a graph), got " +
        std::to_string(size) + " bytes that are neither");
  }
  *graph = std::move(g);
  return Status::Ok();
}

Status LoadGraph(const uint8_t* data, size_t size, std::shared_ptr<const void> storage,
                 std::shared_ptr<Graph>* graph) {
  return LoadGraph(data, size, std::move(storage), LoadOptions{}, graph);
}

}  // namespace edgeinfer
