// What CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED share: the window
// geometry, the requantization parameters their reference functions take,
// and the node checks and multiplier computation their factories run once
// at kernel creation.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "core/thread_pool.h"
#include "edgeinfer/graph.h"
#include "edgeinfer/kernel.h"
#include "edgeinfer/status.h"
#include "ops/common/quantization.h"

namespace edgeinfer {

// One NHWC convolution window; depthwise uses depth_multiplier, a plain
// convolution filter_channels (input_channels / groups).
struct ConvGeometry {
  int32_t batches = 1;
  int32_t input_height = 1, input_width = 1, input_channels = 1;
  int32_t output_height = 1, output_width = 1, output_channels = 1;
  int32_t filter_height = 1, filter_width = 1, filter_channels = 1;
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  int32_t pad_top = 0, pad_left = 0;
  int32_t depth_multiplier = 1;
};

// Calls body(sub, input_batch, output_rows) for output rows [begin, end)
// of all batches (rows counted across batches), one call per batch the
// range touches: sub is the same convolution on a geometry of one batch,
// fewer output rows and pad_top moved by the rows skipped, so each call
// gives exactly the bytes the whole run would.
template <typename In, typename Out, typename Body>
void ForOutputRows(const ConvGeometry& g, const In* input, Out* output, int64_t begin, int64_t end, const Body& body) {
  const size_t input_batch = static_cast<size_t>(g.input_height) * g.input_width * g.input_channels;
  const size_t output_row = static_cast<size_t>(g.output_width) * g.output_channels;
  for (int64_t r = begin; r < end;) {
    const int64_t b = r / g.output_height;
    const int32_t y0 = static_cast<int32_t>(r % g.output_height);
    const int32_t y1 = static_cast<int32_t>(std::min<int64_t>(g.output_height, y0 + (end - r)));
    ConvGeometry sub = g;
    sub.batches = 1;
    sub.output_height = y1 - y0;
    sub.pad_top = g.pad_top - y0 * g.stride_h;
    body(sub, input + b * input_batch, output + (b * g.output_height + y0) * output_row);
    r += y1 - y0;
  }
}

// Runs a convolution split into ranges of output rows across the pool (see
// ForOutputRows for what body gets).
template <typename In, typename Out, typename Body>
void ForEachOutputRowRange(ThreadPool* pool, const ConvGeometry& g, const In* input, Out* output, const Body& body) {
  ParallelFor(pool, static_cast<int64_t>(g.batches) * g.output_height,
              [&](int64_t begin, int64_t end) { ForOutputRows(g, input, output, begin, end, body); });
}

// As ForEachOutputRowRange, in at most max_chunks ranges, each run by one
// thread at a time and numbered: body(sub, input, output, chunk) with chunk
// in [0, max_chunks), so a kernel can give each range its own scratch.
template <typename In, typename Out, typename Body>
void ForEachOutputRowChunk(ThreadPool* pool, int max_chunks, const ConvGeometry& g, const In* input, Out* output,
                           const Body& body) {
  const int64_t rows = static_cast<int64_t>(g.batches) * g.output_height;
  int64_t chunks = pool == nullptr ? 1 : std::min<int64_t>(rows, std::min(pool->threads(), max_chunks));
  if (chunks < 1) chunks = 1;
  auto range = [&](int64_t chunk) {
    ForOutputRows(g, input, output, rows * chunk / chunks, rows * (chunk + 1) / chunks,
                  [&](const ConvGeometry& sub, const In* in, Out* out) { body(sub, in, out, chunk); });
  };
  if (chunks == 1) {
    range(0);
    return;
  }
  using Range = decltype(range);
  pool->Run(chunks, [](void* context, int64_t chunk) { (*static_cast<const Range*>(context))(chunk); },
            const_cast<void*>(static_cast<const void*>(&range)));
}

// TFLite's quantized convolution arithmetic:
//   acc = bias[c] + sum((filter + filter_offset) * (input + input_offset))
//   out = clamp(MultiplyByQuantizedMultiplier(acc, multiplier[c], shift[c]) + output_offset)
// multiplier and shift have one entry per output channel, per-tensor
// quantization repeating the same pair, so every kernel runs one loop.
// single_rounding selects ruy's rounding
// (MultiplyByQuantizedMultiplierSingleRounding) for the nodes TFLite runs
// through its GEMM (see CONV_2D and FULLY_CONNECTED); the others round
// twice, as TFLite's reference and hand-written kernels do.
struct RequantParams {
  int32_t input_offset = 0;   // -input zero point
  int32_t filter_offset = 0;  // -filter zero point (0 for symmetric int8 weights)
  int32_t output_offset = 0;  // output zero point
  const int32_t* multiplier = nullptr;
  const int32_t* shift = nullptr;  // TFLite's sign: positive shifts left
  int32_t act_min = 0, act_max = 0;
  bool single_rounding = false;
  // ONNX models (Rounding::kHalfEven) requantize as ONNX Runtime's MLAS
  // does instead: float(acc) * scale[c], clamped, rounded half to even.
  // scale[c] = input_scale * filter_scale[c] / output_scale in float.
  Rounding rounding = Rounding::kTfliteFixedPoint;
  const float* scale = nullptr;
};

// The accumulation runs in uint32 so that a sum past int32 (possible only
// with hostile weights) wraps as TFLite's int32 accumulator does on real
// hardware instead of being undefined behaviour.
inline uint32_t AccumulateProduct(uint32_t acc, int32_t a, int32_t b) {
  return acc + static_cast<uint32_t>(a * b);
}

// The zero point is added in int64: a requantized value near INT32_MAX
// (hostile scales) plus the offset must clamp, not overflow.
inline int32_t RequantizeAndClamp(uint32_t acc, int32_t channel, const RequantParams& q) {
  const int32_t x = static_cast<int32_t>(acc);
  if (q.rounding == Rounding::kHalfEven) return RequantizeHalfEven(x, q.scale[channel], q.output_offset, q.act_min, q.act_max);
  const int32_t multiplier = q.multiplier[channel], shift = q.shift[channel];
  const int32_t scaled = q.single_rounding ? MultiplyByQuantizedMultiplierSingleRounding(x, multiplier, shift)
                                           : MultiplyByQuantizedMultiplier(x, multiplier, shift);
  int64_t v = int64_t{scaled} + q.output_offset;
  v = v < q.act_min ? q.act_min : v;
  return static_cast<int32_t>(v > q.act_max ? q.act_max : v);
}

inline float ClampFloat(float v, const FloatClamp& c) {
  return v < c.min ? c.min : (v > c.max ? c.max : v);
}

// TensorFlow's GetWindowedOutputSize with the padding already explicit; -1
// when the window does not fit.
inline int64_t WindowedOutputSize(int64_t input, int64_t filter, int64_t stride, int64_t dilation, int64_t pad_before,
                                  int64_t pad_after) {
  const int64_t effective_filter = (filter - 1) * dilation + 1;
  const int64_t span = input + pad_before + pad_after - effective_filter;
  if (span < 0) return -1;
  return span / stride + 1;
}

// The two ways TFLite derives a real multiplier from the scales, kept apart
// because they round differently: GetQuantizedConvolutionMultipler (uint8
// convolutions, per-tensor FULLY_CONNECTED) multiplies input and filter
// scales in float; PopulateConvolutionQuantizationParams' per-channel path
// (int8 convolutions, per-channel FULLY_CONNECTED) in double.
inline double MultiplierFromFloatProduct(float input_scale, float filter_scale, float output_scale) {
  const float product = input_scale * filter_scale;
  return static_cast<double>(product) / static_cast<double>(output_scale);
}
inline double MultiplierFromDoubleProduct(float input_scale, float filter_scale, float output_scale) {
  return static_cast<double>(input_scale) * static_cast<double>(filter_scale) / static_cast<double>(output_scale);
}

// Looks up a node operand; *tensor is nullptr for an omitted optional one
// (index -1).
inline Status NodeTensor(const Graph& graph, const Node& node, int32_t index, const Tensor** tensor) {
  *tensor = nullptr;
  if (index == -1) return Status::Ok();
  if (index < 0 || static_cast<size_t>(index) >= graph.tensors.size()) {
    return ModelFormatError(DescribeNode(node) + ": tensor index " + std::to_string(index) + " out of range");
  }
  *tensor = &graph.tensors[index];
  return Status::Ok();
}

inline Status CheckConstantSize(const Node& node, const Tensor& t) {
  if (t.is_constant() && (t.num_elements() < 0 || t.data_bytes < t.byte_size())) {
    return ModelFormatError(DescribeNode(node) + ": constant tensor '" + t.name + "' " + ShapeToString(t.shape) +
                            " has " + std::to_string(t.data_bytes) + " bytes of data, needs " +
                            std::to_string(t.byte_size()));
  }
  return Status::Ok();
}

inline Status CheckShapeNonNegative(const Node& node, const Tensor& t) {
  for (int32_t d : t.shape) {
    if (d < 0) return ModelFormatError(DescribeNode(node) + ": tensor '" + t.name + "' has shape " + ShapeToString(t.shape));
  }
  return Status::Ok();
}

inline bool ValidScale(float s) { return std::isfinite(s) && s > 0.f; }

// A per-tensor activation quantization (input or output): one positive
// scale, a zero point inside the dtype's range.
inline Status CheckActivationQuant(const Node& node, const Tensor& t, const char* role) {
  const std::string what = DescribeNode(node) + ": " + role + " '" + t.name + "'";
  if (t.quant.empty() || t.quant.zero_point.size() != t.quant.scale.size()) {
    return ModelFormatError(what + " has no quantization parameters");
  }
  if (t.quant.per_channel()) return UnsupportedError(what + " is quantized per channel");
  if (!ValidScale(t.quant.scale[0])) return ModelFormatError(what + " has scale " + std::to_string(t.quant.scale[0]));
  const int64_t zp = t.quant.zero_point[0];
  if (zp < QuantizedMin(t.dtype) || zp > QuantizedMax(t.dtype)) {
    return ModelFormatError(what + " has zero point " + std::to_string(zp) + " outside " + DTypeName(t.dtype));
  }
  return Status::Ok();
}

// Filter quantization: per tensor, or per output channel along
// `channel_axis` (int8 symmetric weights only, as TFLite requires).
inline Status CheckFilterQuant(const Node& node, const Tensor& t, int32_t channels, int32_t channel_axis) {
  const std::string what = DescribeNode(node) + ": filter '" + t.name + "'";
  const Quantization& q = t.quant;
  if (q.empty() || q.zero_point.size() != q.scale.size()) return ModelFormatError(what + " has no quantization parameters");
  for (float s : q.scale) {
    if (!ValidScale(s)) return ModelFormatError(what + " has scale " + std::to_string(s));
  }
  if (q.per_channel()) {
    if (t.dtype != DType::kInt8) return UnsupportedError(what + ": per-channel quantization needs int8 weights");
    if (q.axis != channel_axis) {
      return UnsupportedError(what + " is quantized along axis " + std::to_string(q.axis) + ", expected " +
                              std::to_string(channel_axis));
    }
    if (q.scale.size() != static_cast<size_t>(channels)) {
      return ModelFormatError(what + " has " + std::to_string(q.scale.size()) + " scales for " +
                              std::to_string(channels) + " output channels");
    }
  }
  for (int64_t zp : q.zero_point) {
    if (zp < QuantizedMin(t.dtype) || zp > QuantizedMax(t.dtype)) {
      return ModelFormatError(what + " has zero point " + std::to_string(zp) + " outside " + DTypeName(t.dtype));
    }
  }
  return Status::Ok();
}

// Bias: absent, or a vector of `channels` int32 (quantized ops) or float32.
inline Status CheckBias(const Node& node, const Tensor* bias, DType expected, int32_t channels) {
  if (bias == nullptr) return Status::Ok();
  const std::string what = DescribeNode(node) + ": bias '" + bias->name + "'";
  if (bias->dtype != expected) {
    return UnsupportedError(what + " is " + DTypeName(bias->dtype) + ", expected " + DTypeName(expected));
  }
  if (bias->num_elements() != channels) {
    return ModelFormatError(what + " has shape " + ShapeToString(bias->shape) + " for " + std::to_string(channels) +
                            " output channels");
  }
  return CheckConstantSize(node, *bias);
}

// Per-output-channel multipliers and shifts, TFLite's way for each scheme.
// uint8 kernels run TFLite's per-tensor path (float scale product); int8
// ones its per-channel path (double product), per-tensor weights included.
// FULLY_CONNECTED passes per_tensor_uses_float_product = true for int8 too:
// its per-tensor path is the float one whatever the dtype.
inline void ComputeChannelMultipliers(const Tensor& input, const Tensor& filter, const Tensor& output,
                                      int32_t channels, bool per_tensor_uses_float_product,
                                      std::vector<int32_t>* multipliers, std::vector<int32_t>* shifts) {
  multipliers->resize(channels);
  shifts->resize(channels);
  const float in_scale = input.quant.scale[0], out_scale = output.quant.scale[0];
  const bool per_channel = filter.quant.per_channel();
  for (int32_t c = 0; c < channels; ++c) {
    const float f_scale = per_channel ? filter.quant.scale[c] : filter.quant.scale[0];
    const double real = (!per_channel && per_tensor_uses_float_product)
                            ? MultiplierFromFloatProduct(in_scale, f_scale, out_scale)
                            : MultiplierFromDoubleProduct(in_scale, f_scale, out_scale);
    int shift = 0;
    QuantizeMultiplier(real, &(*multipliers)[c], &shift);
    (*shifts)[c] = shift;
  }
}

// The checks CONV_2D and DEPTHWISE_CONV_2D share: ranks, a window that fits,
// an output shape equal to what stride, dilation and padding give. For a
// plain convolution the filter is [OC,KH,KW,C/groups]; for a depthwise one
// [1,KH,KW,C*depth_multiplier].
inline Status MakeConvGeometry(const Node& node, const ConvAttrs& attrs, const Tensor& input, const Tensor& filter,
                               const Tensor& output, bool depthwise, ConvGeometry* g) {
  const std::string name = DescribeNode(node);
  for (const Tensor* t : {&input, &filter, &output}) {
    if (t->shape.size() != 4) {
      return ModelFormatError(name + ": tensor '" + t->name + "' has shape " + ShapeToString(t->shape) +
                              ", expected 4 dimensions");
    }
    for (int32_t d : t->shape) {
      if (d <= 0) return ModelFormatError(name + ": tensor '" + t->name + "' has shape " + ShapeToString(t->shape));
    }
  }
  if (attrs.stride_h < 1 || attrs.stride_w < 1 || attrs.dilation_h < 1 || attrs.dilation_w < 1) {
    return ModelFormatError(name + ": strides and dilations must be positive");
  }
  const Padding2D& pad = attrs.pad;
  if (pad.top < 0 || pad.left < 0 || pad.bottom < 0 || pad.right < 0) {
    return ModelFormatError(name + ": negative padding");
  }
  // Keeps every padded coordinate the kernels compute inside int32.
  constexpr int64_t kMaxPaddedExtent = INT32_MAX / 2;
  if (int64_t{input.shape[1]} + pad.top + pad.bottom > kMaxPaddedExtent ||
      int64_t{input.shape[2]} + pad.left + pad.right > kMaxPaddedExtent ||
      int64_t{filter.shape[1] - 1} * attrs.dilation_h >= kMaxPaddedExtent ||
      int64_t{filter.shape[2] - 1} * attrs.dilation_w >= kMaxPaddedExtent) {
    return ModelFormatError(name + ": padding or dilation too large");
  }
  g->batches = input.shape[0];
  g->input_height = input.shape[1];
  g->input_width = input.shape[2];
  g->input_channels = input.shape[3];
  g->filter_height = filter.shape[1];
  g->filter_width = filter.shape[2];
  g->stride_h = attrs.stride_h;
  g->stride_w = attrs.stride_w;
  g->dilation_h = attrs.dilation_h;
  g->dilation_w = attrs.dilation_w;
  g->pad_top = pad.top;
  g->pad_left = pad.left;
  if (depthwise) {
    if (filter.shape[0] != 1) {
      return ModelFormatError(name + ": depthwise filter has shape " + ShapeToString(filter.shape) +
                              ", expected [1,KH,KW,C*depth_multiplier]");
    }
    g->output_channels = filter.shape[3];
    g->filter_channels = 1;
    if (g->output_channels % g->input_channels != 0) {
      return ModelFormatError(name + ": filter channels " + std::to_string(g->output_channels) +
                              " are not a multiple of input channels " + std::to_string(g->input_channels));
    }
    g->depth_multiplier = g->output_channels / g->input_channels;
    // The attribute is redundant with the shapes; 0 means the model left it out.
    if (attrs.depth_multiplier != 0 && attrs.depth_multiplier != g->depth_multiplier) {
      return ModelFormatError(name + ": depth_multiplier " + std::to_string(attrs.depth_multiplier) +
                              " does not match filter " + ShapeToString(filter.shape) + " and input " +
                              ShapeToString(input.shape));
    }
  } else {
    g->output_channels = filter.shape[0];
    g->filter_channels = filter.shape[3];
    const int32_t groups = g->input_channels / g->filter_channels;
    if (g->input_channels % g->filter_channels != 0 || g->output_channels % groups != 0) {
      return ModelFormatError(name + ": filter " + ShapeToString(filter.shape) + " does not fit input " +
                              ShapeToString(input.shape));
    }
  }
  const int64_t oh = WindowedOutputSize(g->input_height, g->filter_height, g->stride_h, g->dilation_h, pad.top, pad.bottom);
  const int64_t ow = WindowedOutputSize(g->input_width, g->filter_width, g->stride_w, g->dilation_w, pad.left, pad.right);
  const Shape expected = {g->batches, static_cast<int32_t>(oh), static_cast<int32_t>(ow), g->output_channels};
  if (oh < 1 || ow < 1 || output.shape != expected) {
    return ModelFormatError(name + ": output has shape " + ShapeToString(output.shape) + ", the window gives " +
                            (oh < 1 || ow < 1 ? std::string("no output") : ShapeToString(expected)));
  }
  g->output_height = static_cast<int32_t>(oh);
  g->output_width = static_cast<int32_t>(ow);
  return Status::Ok();
}

// Input, filter and output share one element type: float32, uint8 or int8.
// ONNX models (half-even rounding) may also pair uint8 activations with
// int8 weights or the reverse, as QLinearConv and ONNX Runtime's quantizer
// do; the output keeps the input's type.
inline Status CheckSameDType(const Node& node, const Tensor& input, const Tensor& filter, const Tensor& output) {
  const DType t = input.dtype;
  if (t != DType::kFloat32 && t != DType::kUInt8 && t != DType::kInt8) {
    return UnsupportedError(DescribeNode(node) + ": " + DTypeName(t) + " input is not supported");
  }
  const bool mixed_ok = node.rounding == Rounding::kHalfEven && t != DType::kFloat32 &&
                        (filter.dtype == DType::kUInt8 || filter.dtype == DType::kInt8);
  if ((filter.dtype != t && !mixed_ok) || output.dtype != t) {
    return UnsupportedError(DescribeNode(node) + ": " + DTypeName(t) + " input with " + DTypeName(filter.dtype) +
                            " weights and " + DTypeName(output.dtype) + " output is not supported");
  }
  return Status::Ok();
}

// The per-output-channel tables a quantized kernel owns and its
// RequantParams point at: multipliers and shifts (TFLite), or float scales
// (half-even).
struct RequantTables {
  std::vector<int32_t> multipliers, shifts;
  std::vector<float> scales;
  void Bind(RequantParams* q) const {
    q->multiplier = multipliers.data();
    q->shift = shifts.data();
    q->scale = scales.data();
  }
};

// A prepared CONV_2D or DEPTHWISE_CONV_2D node: Reference(sub, params,
// input, filter, bias, output) run over ranges of output rows across the
// session's threads. Quantized kernels own their requantization tables,
// which `params` points at.
template <typename T, typename W, typename Bias, typename Params,
          void (*Reference)(const ConvGeometry&, const Params&, const T*, const W*, const Bias*, T*)>
class ConvKernel final : public Kernel {
 public:
  ConvKernel(const Node& node, const ConvGeometry& g, const Params& params, RequantTables tables = {})
      : input_(node.inputs[0]), filter_(node.inputs[1]), bias_(node.inputs.size() > 2 ? node.inputs[2] : -1),
        output_(node.outputs[0]), g_(g), params_(params), tables_(std::move(tables)) {
    if constexpr (std::is_same_v<Params, RequantParams>) tables_.Bind(&params_);
  }

  void Run(const RunContext& ctx) const override {
    const W* filter = ctx.in<W>(filter_);
    const Bias* bias = bias_ < 0 ? nullptr : ctx.in<Bias>(bias_);
    ForEachOutputRowRange(ctx.pool, g_, ctx.in<T>(input_), ctx.out<T>(output_),
                          [&](const ConvGeometry& sub, const T* input, T* output) {
                            Reference(sub, params_, input, filter, bias, output);
                          });
  }

 private:
  int32_t input_, filter_, bias_, output_;
  ConvGeometry g_;
  Params params_;
  RequantTables tables_;
};

// Creates Kernel<T, W> for a quantized node's activation and weight types
// (uint8/int8 each; CheckSameDType has vetted the pair).
template <template <typename, typename> class KernelT, typename... Args>
std::unique_ptr<Kernel> MakeQuantizedKernel(DType activation, DType weights, Args&&... args) {
  const bool u8 = activation == DType::kUInt8, w_u8 = weights == DType::kUInt8;
  if (u8 && w_u8) return std::make_unique<KernelT<uint8_t, uint8_t>>(std::forward<Args>(args)...);
  if (u8) return std::make_unique<KernelT<uint8_t, int8_t>>(std::forward<Args>(args)...);
  if (w_u8) return std::make_unique<KernelT<int8_t, uint8_t>>(std::forward<Args>(args)...);
  return std::make_unique<KernelT<int8_t, int8_t>>(std::forward<Args>(args)...);
}

// The tensors of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED: input,
// weights, an optional bias (nullptr when omitted) and output.
struct WeightedNodeTensors {
  const Tensor* input = nullptr;
  const Tensor* weights = nullptr;
  const Tensor* bias = nullptr;
  const Tensor* output = nullptr;
};

inline Status ResolveWeightedNode(const Graph& graph, const Node& node, WeightedNodeTensors* t) {
  if (node.inputs.size() < 2 || node.inputs.size() > 3 || node.outputs.size() != 1) {
    return ModelFormatError(DescribeNode(node) + ": expected 2 or 3 inputs and 1 output");
  }
  EI_RETURN_IF_ERROR(NodeTensor(graph, node, node.inputs[0], &t->input));
  EI_RETURN_IF_ERROR(NodeTensor(graph, node, node.inputs[1], &t->weights));
  EI_RETURN_IF_ERROR(NodeTensor(graph, node, node.inputs.size() > 2 ? node.inputs[2] : -1, &t->bias));
  EI_RETURN_IF_ERROR(NodeTensor(graph, node, node.outputs[0], &t->output));
  if (t->input == nullptr || t->weights == nullptr || t->output == nullptr) {
    return ModelFormatError(DescribeNode(node) + ": input, weights and output are required");
  }
  return Status::Ok();
}

// What CONV_2D and DEPTHWISE_CONV_2D check before their own preparation:
// the tensors, the window geometry, constant sizes and one dtype throughout.
inline Status PrepareConvNode(const Graph& graph, const Node& node, bool depthwise, const ConvAttrs** attrs,
                              WeightedNodeTensors* t, ConvGeometry* g) {
  *attrs = std::get_if<ConvAttrs>(&node.attrs);
  if (*attrs == nullptr) return InternalError(DescribeNode(node) + ": missing convolution attributes");
  EI_RETURN_IF_ERROR(ResolveWeightedNode(graph, node, t));
  EI_RETURN_IF_ERROR(MakeConvGeometry(node, **attrs, *t->input, *t->weights, *t->output, depthwise, g));
  EI_RETURN_IF_ERROR(CheckConstantSize(node, *t->input));
  EI_RETURN_IF_ERROR(CheckConstantSize(node, *t->weights));
  return CheckSameDType(node, *t->input, *t->weights, *t->output);
}

// Checks a quantized node's quantization and computes everything its
// requantization needs. `q` gets offsets, bounds and the rounding; its table
// pointers are left for the kernel to point at its own copy of `tables`.
// TFLite applies a nonzero filter zero point only in per-tensor uint8 paths
// and the per-tensor int8 FULLY_CONNECTED (allow_int8_filter_offset). ONNX
// (half-even) allows any weight zero point that is the same for every
// channel.
inline Status PrepareRequant(const Node& node, Activation activation, const FusedClamp& clamp, const Tensor& input,
                             const Tensor& filter,
                             const Tensor* bias, const Tensor& output, int32_t channels, int32_t channel_axis,
                             bool per_tensor_uses_float_product, bool allow_int8_filter_offset,
                             RequantTables* tables, RequantParams* q) {
  EI_RETURN_IF_ERROR(CheckActivationQuant(node, input, "input"));
  EI_RETURN_IF_ERROR(CheckActivationQuant(node, output, "output"));
  EI_RETURN_IF_ERROR(CheckBias(node, bias, DType::kInt32, channels));
  const bool half_even = node.rounding == Rounding::kHalfEven;
  if (half_even) {
    const Quantization& fq = filter.quant;
    const std::string what = DescribeNode(node) + ": filter '" + filter.name + "'";
    if (fq.empty() || fq.zero_point.size() != fq.scale.size()) return ModelFormatError(what + " has no quantization parameters");
    if (fq.per_channel() && (fq.axis != channel_axis || fq.scale.size() != static_cast<size_t>(channels))) {
      return ModelFormatError(what + " has " + std::to_string(fq.scale.size()) + " scales along axis " +
                              std::to_string(fq.axis) + " for " + std::to_string(channels) + " output channels");
    }
    for (float s : fq.scale) {
      if (!ValidScale(s)) return ModelFormatError(what + " has scale " + std::to_string(s));
    }
    for (int64_t zp : fq.zero_point) {
      if (zp < QuantizedMin(filter.dtype) || zp > QuantizedMax(filter.dtype)) {
        return ModelFormatError(what + " has zero point " + std::to_string(zp) + " outside " + DTypeName(filter.dtype));
      }
      if (zp != fq.zero_point[0]) return UnsupportedError(what + " has different zero points per channel");
    }
    // ONNX Runtime's QLinearConv and QGemm: x_scale * w_scale / y_scale in float.
    tables->scales.resize(channels);
    for (int32_t c = 0; c < channels; ++c) {
      const float w_scale = fq.per_channel() ? fq.scale[c] : fq.scale[0];
      tables->scales[c] = input.quant.scale[0] * w_scale / output.quant.scale[0];
    }
  } else {
    EI_RETURN_IF_ERROR(CheckFilterQuant(node, filter, channels, channel_axis));
    if (filter.dtype == DType::kInt8 && (filter.quant.per_channel() || !allow_int8_filter_offset)) {
      for (int64_t zp : filter.quant.zero_point) {
        if (zp != 0) {
          return UnsupportedError(DescribeNode(node) + ": int8 filter '" + filter.name + "' has zero point " +
                                  std::to_string(zp) + ", only symmetric int8 weights are supported");
        }
      }
    }
    ComputeChannelMultipliers(input, filter, output, channels, per_tensor_uses_float_product, &tables->multipliers,
                              &tables->shifts);
  }
  q->rounding = node.rounding;
  q->input_offset = -static_cast<int32_t>(input.quant.zero_point[0]);
  q->filter_offset = -static_cast<int32_t>(filter.quant.zero_point[0]);
  q->output_offset = static_cast<int32_t>(output.quant.zero_point[0]);
  // A bound that does not fit int32 once quantized (TFLite refuses it too).
  if ((activation == Activation::kRelu6 || activation == Activation::kReluN1To1) &&
      !(std::fabs(6.0f / output.quant.scale[0]) < 1073741824.0f)) {
    return ModelFormatError(DescribeNode(node) + ": output scale " + std::to_string(output.quant.scale[0]) +
                            " is too small for the fused activation");
  }
  QuantizedActivationRange(activation, output.quant.scale[0], q->output_offset, output.dtype, &q->act_min, &q->act_max);
  // An ONNX Relu or Clip folded in by the fusion passes.
  QuantizedClampRange(clamp, output.quant.scale[0], q->output_offset, output.dtype, &q->act_min, &q->act_max);
  return Status::Ok();
}

}  // namespace edgeinfer
