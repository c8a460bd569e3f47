#include "ops/transpose/transpose.h"

#include <algorithm>

#include "ops/ops.h"

namespace edgeinfer {
namespace {

template <typename T>
class TransposeKernel final : public Kernel {
 public:
  TransposeKernel(const TransposeParams& params, bool batched_2d, const Batched2D& b2d, int32_t input, int32_t output)
      : params_(params), b2d_(b2d), batched_2d_(batched_2d), input_(input), output_(output) {}

  void Run(const RunContext& ctx) const override {
    if (batched_2d_) {
      TransposeBatched2D(b2d_, ctx.in<T>(input_), ctx.out<T>(output_));
    } else {
      Transpose(params_, ctx.in<T>(input_), ctx.out<T>(output_));
    }
  }

 private:
  TransposeParams params_;
  Batched2D b2d_;
  bool batched_2d_;
  int32_t input_, output_;
};

}  // namespace

bool AsBatched2D(const std::vector<int32_t>& shape, const std::vector<int32_t>& perm, Batched2D* out) {
  const int rank = static_cast<int>(shape.size());
  // Input dimensions of size 1 dropped; `index` renumbers the rest.
  std::vector<int> index(rank, -1);
  std::vector<int64_t> dims;
  for (int d = 0; d < rank; ++d) {
    if (shape[d] != 1) {
      index[d] = static_cast<int>(dims.size());
      dims.push_back(shape[d]);
    }
  }
  std::vector<int> order;  // output order of the kept dimensions
  for (int32_t d : perm) {
    if (index[d] >= 0) order.push_back(index[d]);
  }
  // Runs of the output order that are adjacent and increasing in the input
  // merge into one dimension: group[d] numbers the run of input dimension d.
  const int n = static_cast<int>(order.size());
  std::vector<int> run_order;  // output order of the runs, by first input dimension
  for (int i = 0; i < n; ++i) {
    if (i == 0 || order[i] != order[i - 1] + 1) run_order.push_back(order[i]);
  }
  // Runs in input order: a run starts at each input dimension that starts one in run_order.
  std::vector<int> starts(run_order);
  std::sort(starts.begin(), starts.end());
  std::vector<int64_t> run_size(starts.size(), 1);
  for (size_t k = 0; k < starts.size(); ++k) {
    const int end = k + 1 < starts.size() ? starts[k + 1] : n;  // runs are intervals of input dimensions
    for (int d = starts[k]; d < end; ++d) run_size[k] *= dims[d];
  }
  std::vector<int> out_runs;  // output order as indices into starts
  for (int s : run_order) {
    out_runs.push_back(static_cast<int>(std::lower_bound(starts.begin(), starts.end(), s) - starts.begin()));
  }
  Batched2D b;
  if (out_runs.size() <= 1) {
    b.cols = out_runs.empty() ? 1 : run_size[0];
  } else if (out_runs.size() == 2 && out_runs[0] == 1 && out_runs[1] == 0) {
    b.rows = run_size[0];
    b.cols = run_size[1];
  } else if (out_runs.size() == 3 && out_runs[0] == 0 && out_runs[1] == 2 && out_runs[2] == 1) {
    b.batches = run_size[0];
    b.rows = run_size[1];
    b.cols = run_size[2];
  } else {
    return false;
  }
  *out = b;
  return true;
}

Status CreateTransposeKernel(const Graph& graph, const Node& node, std::unique_ptr<Kernel>* kernel) {
  const int32_t num_tensors = static_cast<int32_t>(graph.tensors.size());
  const auto* attrs = std::get_if<TransposeAttrs>(&node.attrs);
  // TRANSPOSE carries its permutation as a second input; the importer already
  // moved it into the attributes.
  if (attrs == nullptr || node.inputs.empty() || node.outputs.size() != 1 || node.inputs[0] < 0 ||
      node.inputs[0] >= num_tensors || node.outputs[0] < 0 || node.outputs[0] >= num_tensors) {
    return ModelFormatError(DescribeNode(node) + ": expects one input, one output and a permutation");
  }
  const Tensor& input = graph.tensors[node.inputs[0]];
  const Tensor& output = graph.tensors[node.outputs[0]];
  const int rank = static_cast<int>(input.shape.size());
  if (rank > kMaxTransposeRank) {
    return UnsupportedError(DescribeNode(node) + ": input of rank " + std::to_string(rank) + " (at most " +
                            std::to_string(kMaxTransposeRank) + ")");
  }
  if (input.dtype != output.dtype) {
    return ModelFormatError(DescribeNode(node) + ": input is " + DTypeName(input.dtype) + " but output is " +
                            DTypeName(output.dtype));
  }
  if (input.quant.scale != output.quant.scale || input.quant.zero_point != output.quant.zero_point) {
    return UnsupportedError(DescribeNode(node) + ": input and output quantization differ");
  }
  if (input.num_elements() < 0) {
    return ModelFormatError(DescribeNode(node) + ": invalid input shape " + ShapeToString(input.shape));
  }
  const std::vector<int32_t>& perm = attrs->perm;
  std::vector<bool> seen(rank, false);
  bool valid = static_cast<int>(perm.size()) == rank;
  for (size_t i = 0; valid && i < perm.size(); ++i) {
    valid = perm[i] >= 0 && perm[i] < rank && !seen[perm[i]];
    if (valid) seen[perm[i]] = true;
  }
  if (!valid) {
    return ModelFormatError(DescribeNode(node) + ": permutation " + ShapeToString(perm) +
                            " is not one of the input's " + std::to_string(rank) + " dimensions");
  }
  Shape expected(rank);
  for (int i = 0; i < rank; ++i) expected[i] = input.shape[perm[i]];
  if (output.shape != expected) {
    return ModelFormatError(DescribeNode(node) + ": output shape " + ShapeToString(output.shape) + ", expected " +
                            ShapeToString(expected));
  }

  int64_t stride[kMaxTransposeRank];
  int64_t s = 1;
  for (int d = rank - 1; d >= 0; --d) {
    stride[d] = s;
    s *= input.shape[d];
  }
  TransposeParams params;
  const int lead = kMaxTransposeRank - rank;
  for (int i = 0; i < kMaxTransposeRank; ++i) {
    params.output_shape[i] = i < lead ? 1 : expected[i - lead];
    params.input_stride[i] = i < lead ? 0 : stride[perm[i - lead]];
  }

  Batched2D b2d;
  const bool batched_2d = AsBatched2D(input.shape, perm, &b2d);
  const int32_t in = node.inputs[0], out = node.outputs[0];
  switch (DTypeSize(input.dtype)) {
    case 1: *kernel = std::make_unique<TransposeKernel<uint8_t>>(params, batched_2d, b2d, in, out); break;
    case 2: *kernel = std::make_unique<TransposeKernel<uint16_t>>(params, batched_2d, b2d, in, out); break;
    case 4: *kernel = std::make_unique<TransposeKernel<uint32_t>>(params, batched_2d, b2d, in, out); break;
    case 8: *kernel = std::make_unique<TransposeKernel<uint64_t>>(params, batched_2d, b2d, in, out); break;
    default: return UnsupportedError(DescribeNode(node) + ": " + DTypeName(input.dtype) + " tensors");
  }
  return Status::Ok();
}

}  // namespace edgeinfer
