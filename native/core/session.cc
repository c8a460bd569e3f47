#include "edgeinfer/session.h"

#include <cstring>
#include <string>
#include <new>

#include "core/planner.h"
#include "core/thread_pool.h"

namespace edgeinfer {

namespace {

// The instruction set a session's kernels may use: SessionOptions::isa
// resolved against this CPU and EDGEINFER_ISA (see session.h).
Status ResolveIsa(const std::string& name, kernels::Isa* isa) {
  using kernels::Isa;
  const Isa best = kernels::BestIsa();
  if (name.empty()) {
    *isa = best;
    return Status::Ok();
  }
  static const Isa all[] = {Isa::kReference, Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni, Isa::kNeon, Isa::kNeonDot};
  std::string names;
  for (Isa candidate : all) {
    if (name == kernels::IsaName(candidate)) {
      // The other architecture's ISA leaves the reference, as EDGEINFER_ISA does.
      const bool arm = candidate == Isa::kNeon || candidate == Isa::kNeonDot;
      if (arm && !kernels::CpuSupports(Isa::kNeon)) candidate = Isa::kReference;
      for (int i = static_cast<int>(candidate); i >= 0; --i) {
        const Isa below = static_cast<Isa>(i);
        if (kernels::CpuSupports(below) && i <= static_cast<int>(best)) {
          *isa = below;
          return Status::Ok();
        }
      }
      *isa = Isa::kReference;
      return Status::Ok();
    }
    names += std::string(names.empty() ? "" : ", ") + kernels::IsaName(candidate);
  }
  return OptionError("Expected one of " + names + " for isa but received '" + name + "'");
}

}  // namespace

Session::Session() = default;
Session::~Session() = default;

Status Session::Create(std::shared_ptr<const Graph> graph, const SessionOptions& options,
                       std::unique_ptr<Session>* session) {
  std::unique_ptr<Session> s(new Session());
  s->graph_ = std::move(graph);
  s->options_ = options;
  if (s->options_.threads <= 0) s->options_.threads = DefaultThreadCount();
  if (s->options_.threads > 1) s->pool_ = std::make_unique<ThreadPool>(s->options_.threads);
  const Graph& g = *s->graph_;
  KernelConfig config;
  EI_RETURN_IF_ERROR(ResolveIsa(s->options_.isa, &config.isa));
  config.threads = s->options_.threads;
  s->options_.isa = kernels::IsaName(config.isa);

  s->kernels_.reserve(g.nodes.size());
  size_t scratch_bytes = 0;
  for (const Node& node : g.nodes) {
    std::unique_ptr<Kernel> kernel;
    EI_RETURN_IF_ERROR(CreateKernel(g, node, config, &kernel));
    scratch_bytes = std::max(scratch_bytes, kernel->scratch_bytes());
    s->kernels_.push_back(std::move(kernel));
  }

  const ArenaPlan plan = PlanArena(g);
  const size_t scratch_offset = (plan.bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
  s->arena_bytes_ = scratch_offset + scratch_bytes;
  s->arena_storage_.reset(new (std::nothrow) uint8_t[s->arena_bytes_ + kArenaAlignment]);
  if (!s->arena_storage_) {
    return Status(StatusCode::kInternal,
                  "cannot allocate " + std::to_string(s->arena_bytes_) + " bytes of activation memory");
  }
  uint8_t* arena = s->arena_storage_.get();
  arena += (kArenaAlignment - reinterpret_cast<uintptr_t>(arena) % kArenaAlignment) % kArenaAlignment;
  s->scratch_ = arena + scratch_offset;

  s->tensor_data_.assign(g.tensors.size(), nullptr);
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    if (g.tensors[t].is_constant()) {
      s->tensor_data_[t] = const_cast<uint8_t*>(g.tensors[t].data);
    } else if (plan.offsets[t] != kNotInArena) {
      s->tensor_data_[t] = arena + plan.offsets[t];
    }
  }

  std::vector<bool> written(g.tensors.size(), false);
  for (const Node& node : g.nodes)
    for (int32_t t : node.outputs) written[t] = true;
  // A graph output is written in place when a node produces it; otherwise
  // (a pass-through input or constant, or a tensor listed twice) copied.
  std::vector<bool> bound(g.tensors.size(), false);
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    const int32_t t = g.outputs[i];
    if (written[t] && !bound[t]) {
      bound[t] = true;
      s->output_bindings_.push_back({i, t});
    } else {
      s->output_copies_.push_back({i, t});
    }
  }
  *session = std::move(s);
  return Status::Ok();
}

Status Session::Run(const void* const* inputs, void* const* outputs) {
  const Graph& g = *graph_;
  for (size_t i = 0; i < g.inputs.size(); ++i) tensor_data_[g.inputs[i]] = const_cast<void*>(inputs[i]);
  for (const OutputSlot& o : output_bindings_) tensor_data_[o.tensor] = outputs[o.output_index];

  RunContext ctx{tensor_data_.data(), scratch_, pool_.get()};
  for (const auto& kernel : kernels_) kernel->Run(ctx);

  for (const OutputSlot& c : output_copies_) {
    const void* src = tensor_data_[c.tensor];
    if (src != outputs[c.output_index]) std::memcpy(outputs[c.output_index], src, g.tensors[c.tensor].byte_size());
  }
  return Status::Ok();
}

}  // namespace edgeinfer
