// Differential tests: every optimized INT8 kernel against the reference,
// bit for bit, on every ISA this CPU runs (an ISA it lacks is skipped and
// says so). Two levels:
//  - microkernels called directly on random, often hostile, parameters the
//    factories would never produce (any rounding mode with any dtype pair,
//    any filter offset, multipliers and shifts over their whole range, clamp
//    bounds anywhere, int32-wrapping biases), the rows split at a random
//    point as threads split them;
//  - the operators' factories on one-node graphs with real quantization,
//    optimized (1 and 2 threads) against KernelConfig{kReference}, and a
//    session forced to the reference.
// Fixed seeds; sizes kept small so the ASan build stays quick.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "edgeinfer/session.h"
#include "kernels/conv_kernels.h"
#include "kernels/qdwconv.h"
#include "kernels/qgemm.h"
#include "ops/conv2d/conv2d.h"
#include "ops/conv2d/test_graph.h"
#include "ops/depthwise_conv2d/depthwise_conv2d.h"
#include "ops/fully_connected/fully_connected.h"
#include "test/check.h"

namespace edgeinfer::kernels {
namespace {

using Rng = std::mt19937;

int32_t Uniform(Rng& rng, int32_t lo, int32_t hi) { return std::uniform_int_distribution<int32_t>(lo, hi)(rng); }
template <typename V>
V Pick(Rng& rng, std::initializer_list<V> values) {
  return values.begin()[Uniform(rng, 0, static_cast<int32_t>(values.size()) - 1)];
}

// The ISAs with their own optimized kernels on this build (an ISA that
// reuses a lower one's kernels is not tested twice), each run when the CPU
// has it.
std::vector<Isa> IsasToTest(const char* what) {
  std::vector<Isa> isas;
  const void *last_gemm = nullptr, *last_dw = nullptr;
  for (Isa isa : {Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni, Isa::kNeon, Isa::kNeonDot}) {
    const void *gemm = SelectQConvGemm(isa), *dw = SelectQDwConv(isa);
    const bool own_kernels = (gemm != nullptr && gemm != last_gemm) || (dw != nullptr && dw != last_dw);
    last_gemm = gemm;
    last_dw = dw;
    if (!own_kernels) continue;
    if (!CpuSupports(isa)) {
      std::printf("  %s: %s kernels skipped, this CPU lacks %s\n", what, IsaName(isa), IsaName(isa));
      continue;
    }
    isas.push_back(isa);
  }
  if (isas.empty()) std::printf("  %s: no optimized kernels for this CPU, nothing to compare\n", what);
  return isas;
}

template <typename T>
int32_t Min() { return std::is_same_v<T, uint8_t> ? 0 : -128; }
template <typename T>
int32_t Max() { return std::is_same_v<T, uint8_t> ? 255 : 127; }

// Values skewed to the extremes, where sign and overflow slips show.
template <typename T>
void Fill(Rng& rng, std::vector<T>* v) {
  const int mode = Uniform(rng, 0, 3);
  for (auto& x : *v) {
    int32_t value = Uniform(rng, Min<T>(), Max<T>());
    if (mode == 1 && Uniform(rng, 0, 1)) value = Uniform(rng, 0, 1) ? Min<T>() : Max<T>();
    if (mode == 2) value = Uniform(rng, 0, 1) ? Min<T>() : Max<T>();
    x = static_cast<T>(value);
  }
}

template <typename T>
int32_t ZeroPoint(Rng& rng) {
  switch (Uniform(rng, 0, 3)) {
    case 0: return Min<T>();
    case 1: return Max<T>();
    case 2: return std::is_same_v<T, uint8_t> ? 128 : 0;
    default: return Uniform(rng, Min<T>(), Max<T>());
  }
}

// Random requantization for `channels`: any mode, multipliers and shifts
// over QuantizeMultiplier's whole range (hostile) or a typical one, float
// scales from tiny to huge, clamp bounds anywhere in T's range.
template <typename T, typename W>
struct RandomRequant {
  std::vector<int32_t> multiplier, shift, bias;
  std::vector<float> scale;
  RequantParams q;
  std::string description;

  RandomRequant(Rng& rng, int32_t channels, int mode) {
    const bool per_channel = Uniform(rng, 0, 1);
    const bool hostile = Uniform(rng, 0, 3) == 0;
    multiplier.resize(channels);
    shift.resize(channels);
    scale.resize(channels);
    bias.resize(channels);
    for (int32_t c = 0; c < channels; ++c) {
      const int32_t src = per_channel ? c : 0;
      if (src != c) {
        multiplier[c] = multiplier[0];
        shift[c] = shift[0];
        scale[c] = scale[0];
      } else {
        multiplier[c] = Uniform(rng, 0, 7) == 0 && hostile ? 0 : Uniform(rng, 1 << 30, INT32_MAX);
        shift[c] = hostile ? Uniform(rng, -31, 30) : Uniform(rng, -14, 1);
        const float exponent = hostile ? std::uniform_real_distribution<float>(-40.f, 30.f)(rng)
                                       : std::uniform_real_distribution<float>(-14.f, -2.f)(rng);
        scale[c] = std::ldexp(std::uniform_real_distribution<float>(1.f, 2.f)(rng), static_cast<int>(exponent));
      }
      bias[c] = hostile ? static_cast<int32_t>(rng()) : Uniform(rng, -20000, 20000);
    }
    q.input_offset = -ZeroPoint<T>(rng);
    q.filter_offset = Uniform(rng, 0, 2) == 0 ? 0 : -ZeroPoint<W>(rng);
    q.output_offset = ZeroPoint<T>(rng);
    q.act_min = Uniform(rng, Min<T>(), Max<T>());
    q.act_max = Uniform(rng, q.act_min, Max<T>());
    if (Uniform(rng, 0, 1)) {
      q.act_min = Min<T>();
      q.act_max = Max<T>();
    }
    q.rounding = mode == 2 ? Rounding::kHalfEven : Rounding::kTfliteFixedPoint;
    q.single_rounding = mode == 1;
    q.multiplier = multiplier.data();
    q.shift = shift.data();
    q.scale = scale.data();
    static const char* kModes[] = {"double-rounding", "single-rounding", "half-even"};
    description = std::string(kModes[mode]) + (per_channel ? " per-channel" : " per-tensor") +
                  (hostile ? " hostile" : "") + " io=" + std::to_string(q.input_offset) +
                  " fo=" + std::to_string(q.filter_offset) + " oo=" + std::to_string(q.output_offset) +
                  " clamp=[" + std::to_string(q.act_min) + "," + std::to_string(q.act_max) + "]";
  }
};

template <typename T>
bool SameBytes(const std::vector<T>& got, const std::vector<T>& want, const std::string& what) {
  for (size_t i = 0; i < want.size(); ++i) {
    if (got[i] != want[i]) {
      std::printf("  mismatch at %zu: got %d, want %d: %s\n", i, static_cast<int>(got[i]), static_cast<int>(want[i]),
                  what.c_str());
      return false;
    }
  }
  return true;
}

std::string Describe(const ConvGeometry& g) {
  char s[256];
  std::snprintf(s, sizeof s, "N%d %dx%dx%d -> %dx%dx%d, filter %dx%dx%d, stride %d,%d dilation %d,%d pad %d,%d",
                g.batches, g.input_height, g.input_width, g.input_channels, g.output_height, g.output_width,
                g.output_channels, g.filter_height, g.filter_width, g.filter_channels, g.stride_h, g.stride_w,
                g.dilation_h, g.dilation_w, g.pad_top, g.pad_left);
  return s;
}

// A random window that fits; `depthwise` gives filter_channels 1 and
// output_channels = input_channels.
ConvGeometry RandomGeometry(Rng& rng, bool depthwise) {
  ConvGeometry g;
  g.batches = Uniform(rng, 1, 2);
  g.input_channels = Pick(rng, {1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 48, 64, 96});
  g.output_channels = depthwise ? g.input_channels : Pick(rng, {1, 3, 7, 8, 9, 16, 17, 24, 32, 33, 40});
  g.filter_channels = depthwise ? 1 : g.input_channels;
  g.filter_height = Pick(rng, {1, 1, 2, 3, 3, 5});
  g.filter_width = Uniform(rng, 0, 3) == 0 ? Pick(rng, {1, 2, 3, 5}) : g.filter_height;
  g.stride_h = Uniform(rng, 1, 3);
  g.stride_w = Uniform(rng, 0, 1) ? g.stride_h : Uniform(rng, 1, 3);
  g.dilation_h = Uniform(rng, 0, 3) == 0 ? 2 : 1;
  g.dilation_w = Uniform(rng, 0, 3) == 0 ? 2 : 1;
  g.input_height = Pick(rng, {1, 2, 3, 5, 8, 11});
  g.input_width = Pick(rng, {1, 2, 3, 5, 8, 13});
  const int32_t pad_bottom = Uniform(rng, 0, 2), pad_right = Uniform(rng, 0, 2);
  g.pad_top = Uniform(rng, 0, 2);
  g.pad_left = Uniform(rng, 0, 2);
  const int64_t oh = WindowedOutputSize(g.input_height, g.filter_height, g.stride_h, g.dilation_h, g.pad_top, pad_bottom);
  const int64_t ow = WindowedOutputSize(g.input_width, g.filter_width, g.stride_w, g.dilation_w, g.pad_left, pad_right);
  if (oh < 1 || ow < 1) return RandomGeometry(rng, depthwise);
  g.output_height = static_cast<int32_t>(oh);
  g.output_width = static_cast<int32_t>(ow);
  return g;
}

// Runs `fn` over the rows of `g` split at a random row, as two threads would.
template <typename T, typename Fn>
void RunSplit(Rng& rng, const ConvGeometry& g, const T* input, T* output, const Fn& fn) {
  const int64_t rows = int64_t{g.batches} * g.output_height;
  const int64_t split = Uniform(rng, 0, static_cast<int32_t>(rows));
  ForOutputRows(g, input, output, 0, split, fn);
  ForOutputRows(g, input, output, split, rows, fn);
}

template <typename T, typename W>
bool CheckConvGemmCase(Rng& rng, const QConvGemmKernels& fns, const ConvGeometry& g, int mode) {
  const int32_t k = g.filter_height * g.filter_width * g.filter_channels;
  std::vector<T> input(static_cast<size_t>(g.batches) * g.input_height * g.input_width * g.input_channels);
  std::vector<W> filter(static_cast<size_t>(g.output_channels) * k);
  Fill(rng, &input);
  Fill(rng, &filter);
  RandomRequant<T, W> rq(rng, g.output_channels, mode);
  const bool with_bias = Uniform(rng, 0, 3) != 0;
  const size_t out_size = static_cast<size_t>(g.batches) * g.output_height * g.output_width * g.output_channels;
  std::vector<T> want(out_size), got(out_size, 0x5A);
  Conv2DReference(g, rq.q, input.data(), filter.data(), with_bias ? rq.bias.data() : nullptr, want.data());

  PackedQGemmWeights w;
  QRequant r;
  // Dot-product kernels pack their own layout, or fall back to their int16
  // kernels when the weights do not fit it.
  const QConvGemmKernels* chosen = PrepareQConvGemm<T>(fns, filter.data(), g.output_channels, k, rq.q,
                                                       with_bias ? rq.bias.data() : nullptr, &w, &r);
  std::vector<uint8_t> panel(QConvGemmPanelBytes(w));
  QConvGemmFn<T> fn;
  if constexpr (std::is_same_v<T, uint8_t>) fn = chosen->u8; else fn = chosen->s8;
  RunSplit(rng, g, input.data(), got.data(), [&](const ConvGeometry& sub, const T* in, T* out) {
    fn(sub, w, r, rq.q.input_offset, in, out, reinterpret_cast<int16_t*>(panel.data() + Uniform(rng, 0, 1)));
  });
  return SameBytes(got, want, std::string(chosen->name) + " conv gemm " + Describe(g) + " " + rq.description);
}

template <typename T, typename W>
bool CheckDwCase(Rng& rng, const QDwConvKernels& selected, const ConvGeometry& g, int mode) {
  const QDwConvKernels& fns = QDwConvFor(selected, g);  // as the kernel factory chooses
  const int32_t taps = g.filter_height * g.filter_width;
  std::vector<T> input(static_cast<size_t>(g.batches) * g.input_height * g.input_width * g.input_channels);
  std::vector<W> filter(static_cast<size_t>(taps) * g.output_channels);
  Fill(rng, &input);
  Fill(rng, &filter);
  RandomRequant<T, W> rq(rng, g.output_channels, mode);
  const bool with_bias = Uniform(rng, 0, 3) != 0;
  const size_t out_size = static_cast<size_t>(g.batches) * g.output_height * g.output_width * g.output_channels;
  std::vector<T> want(out_size), got(out_size, 0x5A);
  DepthwiseConv2DReference(g, rq.q, input.data(), filter.data(), with_bias ? rq.bias.data() : nullptr, want.data());

  PackedQDwWeights w;
  PackQDwWeights(filter.data(), g.output_channels, taps, rq.q.filter_offset, fns.layout, &w);
  QRequant r;
  PrepareQRequant(rq.q, with_bias ? rq.bias.data() : nullptr, g.output_channels, &r);
  const std::vector<T> zero_row(g.input_channels, static_cast<T>(-rq.q.input_offset));
  QDwConvFn<T> fn;
  if constexpr (std::is_same_v<T, uint8_t>) fn = fns.u8; else fn = fns.s8;
  RunSplit(rng, g, input.data(), got.data(), [&](const ConvGeometry& sub, const T* in, T* out) {
    fn(sub, w, r, rq.q.input_offset, in, zero_row.data(), out);
  });
  return SameBytes(got, want, std::string(fns.name) + " depthwise " + Describe(g) + " " + rq.description);
}

// Case i of a sequence: the requantization mode i % 3 and the
// (activation, weight) types (i / 3) % 4, so consecutive cases cover all.
bool CheckDwCaseNumbered(Rng& rng, const QDwConvKernels& fns, const ConvGeometry& g, int i) {
  const int mode = i % 3;
  switch ((i / 3) % 4) {
    case 0: return CheckDwCase<uint8_t, uint8_t>(rng, fns, g, mode);
    case 1: return CheckDwCase<uint8_t, int8_t>(rng, fns, g, mode);
    case 2: return CheckDwCase<int8_t, uint8_t>(rng, fns, g, mode);
    default: return CheckDwCase<int8_t, int8_t>(rng, fns, g, mode);
  }
}

// All four activation x weight dtype pairs, all three modes, in turn.
template <typename Check>
int RunDtypeCombos(int cases, const Check& check) {
  int failures = 0;
  for (int i = 0; i < cases && failures < 5; ++i) {
    const int mode = i % 3;
    bool ok = true;
    switch ((i / 3) % 4) {
      case 0: ok = check(uint8_t{}, uint8_t{}, mode); break;
      case 1: ok = check(uint8_t{}, int8_t{}, mode); break;
      case 2: ok = check(int8_t{}, uint8_t{}, mode); break;
      default: ok = check(int8_t{}, int8_t{}, mode); break;
    }
    if (!ok) ++failures;
  }
  return failures;
}

}  // namespace

TEST(conv_gemm_microkernels_match_reference_on_random_shapes) {
  for (Isa isa : IsasToTest("conv gemm")) {
    const QConvGemmKernels* fns = SelectQConvGemm(isa);
    if (fns == nullptr) continue;
    Rng rng(1234);
    const int failures = RunDtypeCombos(480, [&](auto t, auto w, int mode) {
      using T = decltype(t);
      using W = decltype(w);
      return CheckConvGemmCase<T, W>(rng, *fns, RandomGeometry(rng, false), mode);
    });
    CHECK_EQ(failures, 0);
  }
}

// K past any blocking (4096+, odd), 1-pixel images, 1 output channel, and
// MobileNet's 3-channel 3x3 stride-2 first layer.
TEST(conv_gemm_microkernels_match_reference_on_edge_shapes) {
  for (Isa isa : IsasToTest("conv gemm edges")) {
    const QConvGemmKernels* fns = SelectQConvGemm(isa);
    if (fns == nullptr) continue;
    Rng rng(99);
    std::vector<ConvGeometry> shapes;
    auto add = [&](int32_t h, int32_t w, int32_t ic, int32_t oc, int32_t kh, int32_t stride, int32_t pad) {
      ConvGeometry g;
      g.input_height = h;
      g.input_width = w;
      g.input_channels = g.filter_channels = ic;
      g.output_channels = oc;
      g.filter_height = g.filter_width = kh;
      g.stride_h = g.stride_w = stride;
      g.pad_top = g.pad_left = pad;
      g.output_height = static_cast<int32_t>(WindowedOutputSize(h, kh, stride, 1, pad, pad));
      g.output_width = static_cast<int32_t>(WindowedOutputSize(w, kh, stride, 1, pad, pad));
      shapes.push_back(g);
    };
    add(1, 1, 4097, 5, 1, 1, 0);
    add(2, 3, 4099, 17, 1, 1, 0);
    add(1, 1, 1, 1, 1, 1, 0);
    add(1, 1, 3, 33, 3, 1, 1);
    add(9, 9, 3, 32, 3, 2, 1);  // MobileNetV2's first layer, small
    add(5, 5, 1, 1, 3, 2, 1);
    add(4, 4, 960, 20, 1, 1, 0);
    int failures = 0;
    for (const ConvGeometry& g : shapes) {
      for (int combo = 0; combo < 12; ++combo) {
        const int mode = combo % 3;
        bool ok;
        switch (combo / 3) {
          case 0: ok = CheckConvGemmCase<uint8_t, uint8_t>(rng, *fns, g, mode); break;
          case 1: ok = CheckConvGemmCase<uint8_t, int8_t>(rng, *fns, g, mode); break;
          case 2: ok = CheckConvGemmCase<int8_t, uint8_t>(rng, *fns, g, mode); break;
          default: ok = CheckConvGemmCase<int8_t, int8_t>(rng, *fns, g, mode); break;
        }
        failures += ok ? 0 : 1;
      }
    }
    CHECK_EQ(failures, 0);
  }
}

TEST(depthwise_microkernels_match_reference_on_random_shapes) {
  for (Isa isa : IsasToTest("depthwise")) {
    const QDwConvKernels* fns = SelectQDwConv(isa);
    if (fns == nullptr) continue;
    Rng rng(4321);
    const int failures = RunDtypeCombos(480, [&](auto t, auto w, int mode) {
      using T = decltype(t);
      using W = decltype(w);
      return CheckDwCase<T, W>(rng, *fns, RandomGeometry(rng, true), mode);
    });
    CHECK_EQ(failures, 0);
  }
}

// 3x3 filters on images wide enough for the AVX2 kernel's column-carrying
// interior loops (two pixels per step at stride 1): odd and even widths,
// every padding from 0 to 3 on either side (a window may start or end wholly
// in the padding), strides 1-3, dilations 1-2, channel tails.
TEST(depthwise_microkernels_match_reference_on_wide_3x3) {
  for (Isa isa : IsasToTest("depthwise wide 3x3")) {
    const QDwConvKernels* fns = SelectQDwConv(isa);
    if (fns == nullptr) continue;
    Rng rng(777);
    int failures = 0;
    for (int i = 0; i < 240 && failures < 5; ++i) {
      ConvGeometry g;
      g.batches = Uniform(rng, 1, 2);
      g.input_channels = g.output_channels = Pick(rng, {16, 17, 32, 35, 48, 144});
      g.filter_height = g.filter_width = 3;
      g.stride_h = Uniform(rng, 1, 2);
      g.stride_w = Uniform(rng, 0, 3) == 0 ? 3 : Uniform(rng, 1, 2);
      g.dilation_h = Uniform(rng, 0, 3) == 0 ? 2 : 1;
      g.dilation_w = Uniform(rng, 0, 3) == 0 ? 2 : 1;
      g.input_height = Uniform(rng, 1, 6);
      g.input_width = Pick(rng, {3, 4, 9, 16, 17, 30, 31, 40});
      g.pad_top = Uniform(rng, 0, 3);
      g.pad_left = Uniform(rng, 0, 3);
      const int32_t pad_bottom = Uniform(rng, 0, 3), pad_right = Uniform(rng, 0, 3);
      const int64_t oh = WindowedOutputSize(g.input_height, 3, g.stride_h, g.dilation_h, g.pad_top, pad_bottom);
      const int64_t ow = WindowedOutputSize(g.input_width, 3, g.stride_w, g.dilation_w, g.pad_left, pad_right);
      if (oh < 1 || ow < 1) continue;
      g.output_height = static_cast<int32_t>(oh);
      g.output_width = static_cast<int32_t>(ow);
      failures += CheckDwCaseNumbered(rng, *fns, g, i) ? 0 : 1;
    }
    CHECK_EQ(failures, 0);
  }
}

// Kernels for 3x3 filters only hand other filters to their fallback, once,
// when the kernel is created (QDwConvFor); the node then reports that ISA.
TEST(depthwise_3x3_only_kernels_fall_back_for_other_filters) {
  for (Isa isa : IsasToTest("depthwise fallback")) {
    const QDwConvKernels* fns = SelectQDwConv(isa);
    if (fns == nullptr || !fns->only_3x3) continue;
    CHECK(fns->fallback != nullptr && fns->fallback->layout == fns->layout);
    ConvGeometry g;
    g.filter_height = g.filter_width = 3;
    CHECK(&QDwConvFor(*fns, g) == fns);
    g.filter_height = g.filter_width = 5;
    CHECK(&QDwConvFor(*fns, g) == fns->fallback);
    g.filter_height = 1, g.filter_width = 9;  // 9 taps, not 3x3
    CHECK(&QDwConvFor(*fns, g) == fns->fallback);
  }
}

// 3x3 filters at every small edge the zmm kernel has: channel counts around
// its 16-channel blocks (1, 15, 16, 17, 31, 32, 33, 48: masked tail blocks,
// a tail only), images of 1-3 columns and rows (every column in the padding
// region, no interior), strides 1 and 2 with odd and even sizes, every
// padding combination of 0-2 on each side, both dtypes, all three modes.
TEST(depthwise_microkernels_match_reference_on_3x3_edges) {
  for (Isa isa : IsasToTest("depthwise 3x3 edges")) {
    const QDwConvKernels* fns = SelectQDwConv(isa);
    if (fns == nullptr) continue;
    Rng rng(2468);
    int failures = 0;
    int i = 0;
    for (int32_t channels : {1, 15, 16, 17, 31, 32, 33, 48}) {
      for (int32_t stride : {1, 2}) {
        for (int32_t pads = 0; pads < 81 && failures < 5; ++pads) {
          ConvGeometry g;
          g.batches = 1;
          g.input_channels = g.output_channels = channels;
          g.filter_channels = 1;
          g.filter_height = g.filter_width = 3;
          g.stride_h = g.stride_w = stride;
          g.input_height = Uniform(rng, 1, 4);
          g.input_width = Pick(rng, {1, 2, 3, 4, 5, 7, 8});
          g.pad_top = pads % 3;
          g.pad_left = pads / 3 % 3;
          const int32_t pad_bottom = pads / 9 % 3, pad_right = pads / 27 % 3;
          const int64_t oh = WindowedOutputSize(g.input_height, 3, stride, 1, g.pad_top, pad_bottom);
          const int64_t ow = WindowedOutputSize(g.input_width, 3, stride, 1, g.pad_left, pad_right);
          if (oh < 1 || ow < 1) continue;
          g.output_height = static_cast<int32_t>(oh);
          g.output_width = static_cast<int32_t>(ow);
          failures += CheckDwCaseNumbered(rng, *fns, g, i++) ? 0 : 1;
        }
      }
    }
    CHECK_EQ(failures, 0);
  }
}

// ---- Operators: dispatch, real quantization, threads -----------------------

namespace {

struct OpCase {
  OpType op;
  DType activation, weights;
  Rounding rounding;
  bool per_channel;
  int32_t batches, h, w, ic, oc, kh, kw, stride, dilation;
  Padding2D pad;
  Activation act;
};

std::string Describe(const OpCase& c) {
  char s[256];
  std::snprintf(s, sizeof s, "%s %s/%s %s%s N%d %dx%dx%d oc %d k %dx%d s%d d%d pad %d,%d,%d,%d act %d",
                OpTypeName(c.op), DTypeName(c.activation), DTypeName(c.weights),
                c.rounding == Rounding::kHalfEven ? "half-even" : "tflite", c.per_channel ? " per-channel" : "",
                c.batches, c.h, c.w, c.ic, c.oc, c.kh, c.kw, c.stride, c.dilation, c.pad.top, c.pad.left,
                c.pad.bottom, c.pad.right, static_cast<int>(c.act));
  return s;
}

// Builds the node with random data, runs it with the reference config and
// with `config` (on a pool of config.threads), and compares.
template <typename T, typename W>
bool CheckOp(Rng& rng, const OpCase& c, const KernelConfig& config, ThreadPool* pool) {
  testing::OneNodeGraph m;
  const bool dw = c.op == OpType::kDepthwiseConv2D, fc = c.op == OpType::kFullyConnected;
  const int32_t oc = dw ? c.ic : c.oc;
  Shape in_shape = fc ? Shape{c.batches, c.ic} : Shape{c.batches, c.h, c.w, c.ic};
  Shape f_shape = fc ? Shape{oc, c.ic} : dw ? Shape{1, c.kh, c.kw, oc} : Shape{oc, c.kh, c.kw, c.ic};
  int64_t oh = 1, ow = 1;
  if (!fc) {
    oh = WindowedOutputSize(c.h, c.kh, c.stride, c.dilation, c.pad.top, c.pad.bottom);
    ow = WindowedOutputSize(c.w, c.kw, c.stride, c.dilation, c.pad.left, c.pad.right);
    if (oh < 1 || ow < 1) return true;
  }
  Shape out_shape = fc ? Shape{c.batches, oc} : Shape{c.batches, int32_t(oh), int32_t(ow), oc};
  std::vector<T> input(static_cast<size_t>(NumElements(in_shape)));
  std::vector<W> filter(static_cast<size_t>(NumElements(f_shape)));
  std::vector<int32_t> bias(oc);
  Fill(rng, &input);
  Fill(rng, &filter);
  for (auto& b : bias) b = Uniform(rng, -30000, 30000);
  const bool int8_tflite = std::is_same_v<W, int8_t> && c.rounding != Rounding::kHalfEven;
  std::vector<float> scales(oc);
  for (auto& s : scales) s = std::uniform_real_distribution<float>(0.002f, 0.03f)(rng);
  Quantization fq = c.per_channel ? testing::PerChannel(scales, dw ? 3 : 0)
                                  : testing::PerTensor(scales[0], int8_tflite && !fc ? 0 : ZeroPoint<W>(rng));
  const DType dt = c.activation;
  const int32_t ti = m.Activation(dt, in_shape, testing::PerTensor(0.05f, ZeroPoint<T>(rng)));
  const int32_t tf = m.Constant(c.weights, f_shape, filter, fq);
  const int32_t tb = m.Constant(DType::kInt32, {oc}, bias, testing::PerTensor(1.f, 0));
  const int32_t to = m.Activation(dt, out_shape, testing::PerTensor(std::uniform_real_distribution<float>(0.02f, 0.6f)(rng), ZeroPoint<T>(rng)));
  NodeAttrs attrs;
  if (fc) {
    FullyConnectedAttrs a;
    a.activation = c.act;
    attrs = a;
  } else {
    ConvAttrs a;
    a.stride_h = a.stride_w = c.stride;
    a.dilation_h = a.dilation_w = c.dilation;
    a.pad = c.pad;
    a.depth_multiplier = dw ? 1 : 0;
    a.activation = c.act;
    attrs = a;
  }
  Node node = m.MakeNode(c.op, {ti, tf, tb}, to, attrs);
  node.rounding = c.rounding;
  std::unique_ptr<Kernel> reference, optimized;
  KernelConfig ref_config;
  const Status s1 = CreateKernel(m.graph(), node, ref_config, &reference);
  const Status s2 = CreateKernel(m.graph(), node, config, &optimized);
  if (!s1.ok() || !s2.ok()) {
    std::printf("  %s: %s / %s\n", Describe(c).c_str(), s1.message().c_str(), s2.message().c_str());
    return false;
  }
  std::vector<T> want(static_cast<size_t>(NumElements(out_shape))), got(want.size(), 0x33);
  m.Bind(ti, input.data());
  m.Bind(to, want.data());
  m.Run(*reference);
  m.Bind(to, got.data());
  std::vector<uint8_t> scratch(optimized->scratch_bytes() + 1);
  std::vector<void*> pointers;
  for (size_t i = 0; i < m.graph().tensors.size(); ++i) {
    const Tensor& t = m.graph().tensors[i];
    pointers.push_back(t.is_constant() ? const_cast<uint8_t*>(t.data) : nullptr);
  }
  pointers[ti] = input.data();
  pointers[to] = got.data();
  RunContext ctx{pointers.data(), scratch.data(), pool};
  optimized->Run(ctx);
  return SameBytes(got, want, std::string(IsaName(config.isa)) + " " + Describe(c) + " threads " +
                                  std::to_string(config.threads));
}

OpCase RandomOpCase(Rng& rng, OpType op) {
  OpCase c;
  c.op = op;
  c.activation = Uniform(rng, 0, 1) ? DType::kUInt8 : DType::kInt8;
  c.rounding = Uniform(rng, 0, 2) == 0 ? Rounding::kHalfEven : Rounding::kTfliteFixedPoint;
  c.weights = c.rounding == Rounding::kHalfEven ? (Uniform(rng, 0, 1) ? DType::kUInt8 : DType::kInt8) : c.activation;
  c.per_channel = c.weights == DType::kInt8 && Uniform(rng, 0, 1);
  c.batches = Uniform(rng, 1, 3);
  c.h = Pick(rng, {1, 3, 7, 12});
  c.w = Pick(rng, {1, 4, 7, 9});
  c.ic = Pick(rng, {1, 3, 8, 16, 17, 32, 40});
  c.oc = Pick(rng, {1, 5, 8, 16, 24, 33});
  c.kh = Pick(rng, {1, 3, 5});
  c.kw = c.kh;
  c.stride = Uniform(rng, 1, 2);
  c.dilation = Uniform(rng, 0, 4) == 0 ? 2 : 1;
  c.pad = Uniform(rng, 0, 1) ? Padding2D{c.kh / 2, c.kw / 2, c.kh / 2, c.kw / 2} : Padding2D{};
  c.act = Pick(rng, {Activation::kNone, Activation::kRelu, Activation::kRelu6});
  if (op == OpType::kFullyConnected) c.ic = Pick(rng, {1, 7, 16, 33, 300});
  return c;
}

}  // namespace

TEST(optimized_operators_match_reference_kernels_with_1_and_2_threads) {
  ThreadPool pool(2);
  for (Isa isa : IsasToTest("operators")) {
    Rng rng(777);
    int failures = 0;
    for (int i = 0; i < 150 && failures < 5; ++i) {
      const OpType op = Pick(rng, {OpType::kConv2D, OpType::kDepthwiseConv2D, OpType::kFullyConnected});
      const OpCase c = RandomOpCase(rng, op);
      for (int threads : {1, 2}) {
        KernelConfig config;
        config.isa = isa;
        config.threads = threads;
        ThreadPool* p = threads == 2 ? &pool : nullptr;
        const bool u8 = c.activation == DType::kUInt8, w_u8 = c.weights == DType::kUInt8;
        bool ok;
        if (u8 && w_u8) ok = CheckOp<uint8_t, uint8_t>(rng, c, config, p);
        else if (u8) ok = CheckOp<uint8_t, int8_t>(rng, c, config, p);
        else if (w_u8) ok = CheckOp<int8_t, uint8_t>(rng, c, config, p);
        else ok = CheckOp<int8_t, int8_t>(rng, c, config, p);
        failures += ok ? 0 : 1;
      }
    }
    CHECK_EQ(failures, 0);
  }
}

// A session can be forced to the reference kernels; unknown names fail.
TEST(session_isa_option_resolves_names) {
  auto graph = std::make_shared<Graph>();
  std::unique_ptr<Session> session;
  SessionOptions options;
  options.isa = "reference";
  CHECK(Session::Create(graph, options, &session).ok());
  if (session) CHECK(session->options().isa == "reference");
  options.isa = "avx2";
  CHECK(Session::Create(graph, options, &session).ok());
  if (session) CHECK(session->options().isa == (CpuSupports(Isa::kAvx2) ? "avx2" : "reference"));
  options.isa = "avx9000";
  const Status s = Session::Create(graph, options, &session);
  CHECK(s.code() == StatusCode::kOption);
  CHECK(s.message().find("avx9000") != std::string::npos);
}

// ---- Dot-product GEMM kernels (vpdpbusd, sdot) ------------------------------
//
// The dot kernels need every weight plus filter offset in [-128, 127]
// (symmetric int8 weights, uint8 weights with zero point 128). These tests
// generate such weights (often with other filter offsets, the weights
// clamped to fit) so the dot path itself runs, bit for bit against the
// reference. On x86 the kernel template runs with vpdpbusd emulated in AVX2
// (the test double QConvGemmDotEmulatedAvx2), plus the real AVX-VNNI /
// AVX-512 VNNI kernels where the CPU has them; on arm64 the sdot kernels
// (under qemu-aarch64 with a CPU that has dotprod).

namespace {

// The dot kernel tables this machine can run.
std::vector<const QConvGemmKernels*> DotKernelsToTest(const char* what) {
  std::vector<const QConvGemmKernels*> out;
#if defined(__x86_64__)
  if (CpuSupports(Isa::kAvx2)) {
    out.push_back(QConvGemmDotEmulatedAvx2Kernels());
  } else {
    std::printf("  %s: emulated vpdpbusd kernels skipped, this CPU lacks avx2\n", what);
  }
#endif
  for (Isa isa : {Isa::kAvxVnni, Isa::kAvx512Vnni, Isa::kNeonDot}) {
    const QConvGemmKernels* fns = SelectQConvGemm(isa);
    if (fns == nullptr || fns->dot == QDotKind::kNone) continue;
    if (!CpuSupports(isa)) {
      std::printf("  %s: %s dot kernels skipped, this CPU lacks %s\n", what, IsaName(isa), IsaName(isa));
      continue;
    }
    out.push_back(fns);
  }
  return out;
}

// A filter offset the dot layout can take for W, and W's values that fit
// it: mostly the canonical one (0 for int8, -128 for uint8), else any for
// which some weights fit.
template <typename W>
int32_t DotFilterOffset(Rng& rng) {
  constexpr bool kU8 = std::is_same_v<W, uint8_t>;
  if (Uniform(rng, 0, 2) != 0) return kU8 ? -128 : 0;
  return kU8 ? Uniform(rng, -255, 0) : Uniform(rng, -20, 20);
}

template <typename W>
void ClampToDot(int32_t filter_offset, std::vector<W>* filter) {
  const int32_t lo = std::max(Min<W>(), -128 - filter_offset), hi = std::min(Max<W>(), 127 - filter_offset);
  for (auto& v : *filter) v = static_cast<W>(std::min(hi, std::max(lo, static_cast<int32_t>(v))));
}

// One case through `fns` (a dot table), which must keep the dot path.
template <typename T, typename W>
bool CheckDotGemmCase(Rng& rng, const QConvGemmKernels& fns, const ConvGeometry& g, int mode) {
  const int32_t k = g.filter_height * g.filter_width * g.filter_channels;
  std::vector<T> input(static_cast<size_t>(g.batches) * g.input_height * g.input_width * g.input_channels);
  std::vector<W> filter(static_cast<size_t>(g.output_channels) * k);
  Fill(rng, &input);
  Fill(rng, &filter);
  RandomRequant<T, W> rq(rng, g.output_channels, mode);
  rq.q.filter_offset = DotFilterOffset<W>(rng);
  ClampToDot(rq.q.filter_offset, &filter);
  rq.description += ", for the dot layout fo=" + std::to_string(rq.q.filter_offset);
  const bool with_bias = Uniform(rng, 0, 3) != 0;
  const size_t out_size = static_cast<size_t>(g.batches) * g.output_height * g.output_width * g.output_channels;
  std::vector<T> want(out_size), got(out_size, 0x5A);
  Conv2DReference(g, rq.q, input.data(), filter.data(), with_bias ? rq.bias.data() : nullptr, want.data());

  PackedQGemmWeights w;
  QRequant r;
  const QConvGemmKernels* chosen = PrepareQConvGemm<T>(fns, filter.data(), g.output_channels, k, rq.q,
                                                       with_bias ? rq.bias.data() : nullptr, &w, &r);
  const std::string what = std::string(fns.name) + " dot gemm " + Describe(g) + " " + rq.description;
  if (chosen != &fns || w.kr != 4) {
    std::printf("  fell back to %s, want the dot kernels: %s\n", chosen ? chosen->name : "none", what.c_str());
    return false;
  }
  std::vector<uint8_t> panel(QConvGemmPanelBytes(w));
  QConvGemmFn<T> fn;
  if constexpr (std::is_same_v<T, uint8_t>) fn = fns.u8; else fn = fns.s8;
  RunSplit(rng, g, input.data(), got.data(), [&](const ConvGeometry& sub, const T* in, T* out) {
    fn(sub, w, r, rq.q.input_offset, in, out, reinterpret_cast<int16_t*>(panel.data() + Uniform(rng, 0, 1)));
  });
  return SameBytes(got, want, what);
}

ConvGeometry SquareShape(int32_t h, int32_t w, int32_t ic, int32_t oc, int32_t kh, int32_t stride, int32_t pad,
                         int32_t dilation = 1) {
  ConvGeometry g;
  g.input_height = h;
  g.input_width = w;
  g.input_channels = g.filter_channels = ic;
  g.output_channels = oc;
  g.filter_height = g.filter_width = kh;
  g.stride_h = g.stride_w = stride;
  g.dilation_h = g.dilation_w = dilation;
  g.pad_top = g.pad_left = pad;
  g.output_height = static_cast<int32_t>(WindowedOutputSize(h, kh, stride, dilation, pad, pad));
  g.output_width = static_cast<int32_t>(WindowedOutputSize(w, kh, stride, dilation, pad, pad));
  return g;
}

}  // namespace

TEST(dot_gemm_kernels_match_reference_on_random_shapes) {
  for (const QConvGemmKernels* fns : DotKernelsToTest("dot gemm")) {
    Rng rng(2468);
    const int failures = RunDtypeCombos(600, [&](auto t, auto w, int mode) {
      using T = decltype(t);
      using W = decltype(w);
      return CheckDotGemmCase<T, W>(rng, *fns, RandomGeometry(rng, false), mode);
    });
    CHECK_EQ(failures, 0);
  }
}

// K = 1, K not a multiple of 4 (1, 2, 3, 5, 4097, 4099, 27), huge K,
// 1-pixel images, 1 output channel, channels not multiples of 16 (8, 24 take
// the 8-wide last block), padding wider than the image, stride, dilation.
TEST(dot_gemm_kernels_match_reference_on_edge_shapes) {
  const std::vector<ConvGeometry> shapes = {
      SquareShape(1, 1, 1, 1, 1, 1, 0),     SquareShape(3, 3, 1, 17, 1, 1, 0),    SquareShape(2, 2, 2, 8, 1, 1, 0),
      SquareShape(5, 4, 3, 24, 1, 1, 0),    SquareShape(1, 1, 5, 40, 1, 1, 0),    SquareShape(1, 1, 4097, 5, 1, 1, 0),
      SquareShape(2, 3, 4099, 17, 1, 1, 0), SquareShape(1, 1, 3, 33, 3, 1, 1),    SquareShape(9, 9, 3, 32, 3, 2, 1),
      SquareShape(5, 5, 1, 1, 3, 2, 1),     SquareShape(4, 4, 960, 20, 1, 1, 0),  SquareShape(2, 2, 7, 9, 3, 1, 2),
      SquareShape(7, 6, 5, 16, 3, 1, 2, 2), SquareShape(8, 8, 16, 31, 5, 3, 2, 2), SquareShape(1, 1, 64, 1000, 1, 1, 0),
  };
  for (const QConvGemmKernels* fns : DotKernelsToTest("dot gemm edges")) {
    Rng rng(97);
    int failures = 0;
    for (const ConvGeometry& g : shapes) {
      for (int combo = 0; combo < 12; ++combo) {
        const int mode = combo % 3;
        bool ok;
        switch (combo / 3) {
          case 0: ok = CheckDotGemmCase<uint8_t, uint8_t>(rng, *fns, g, mode); break;
          case 1: ok = CheckDotGemmCase<uint8_t, int8_t>(rng, *fns, g, mode); break;
          case 2: ok = CheckDotGemmCase<int8_t, uint8_t>(rng, *fns, g, mode); break;
          default: ok = CheckDotGemmCase<int8_t, int8_t>(rng, *fns, g, mode); break;
        }
        failures += ok ? 0 : 1;
      }
    }
    CHECK_EQ(failures, 0);
  }
}

namespace {

// The dot kernels inside the operators' kernel (QConvGemmKernel: Prepare
// at load, rows split over a pool), 1 and 2 threads, against the reference.
template <typename T, typename W>
bool CheckDotKernelThreads(Rng& rng, const QConvGemmKernels& fns, const ConvGeometry& g, int mode,
                           ThreadPool* pool) {
  const int32_t k = g.filter_height * g.filter_width * g.filter_channels;
  std::vector<T> input(static_cast<size_t>(g.batches) * g.input_height * g.input_width * g.input_channels);
  std::vector<W> filter(static_cast<size_t>(g.output_channels) * k);
  Fill(rng, &input);
  Fill(rng, &filter);
  RandomRequant<T, W> rq(rng, g.output_channels, mode);
  rq.q.filter_offset = DotFilterOffset<W>(rng);
  ClampToDot(rq.q.filter_offset, &filter);
  const size_t out_size = static_cast<size_t>(g.batches) * g.output_height * g.output_width * g.output_channels;
  std::vector<T> want(out_size);
  Conv2DReference(g, rq.q, input.data(), filter.data(), rq.bias.data(), want.data());
  Node node;
  node.inputs = {0};
  node.outputs = {1};
  bool ok = true;
  for (int threads : {1, 2}) {
    QConvGemmKernel<T> kernel(node, g, rq.q.input_offset, threads);
    if (!kernel.Prepare(fns, filter.data(), rq.q, rq.bias.data()) ||
        std::strcmp(kernel.kernels_name(), fns.name) != 0) {
      std::printf("  %s: kernel prepared as %s\n", fns.name, kernel.kernels_name());
      return false;
    }
    std::vector<T> got(out_size, 0x77);
    std::vector<uint8_t> scratch(kernel.scratch_bytes());
    void* tensors[] = {input.data(), got.data()};
    kernel.Run(RunContext{tensors, scratch.data(), threads == 2 ? pool : nullptr});
    ok = SameBytes(got, want, std::string(fns.name) + " dot kernel threads " + std::to_string(threads) + " " +
                                  Describe(g) + " " + rq.description) && ok;
  }
  return ok;
}

}  // namespace

TEST(dot_gemm_kernels_match_reference_with_1_and_2_threads) {
  ThreadPool pool(2);
  for (const QConvGemmKernels* fns : DotKernelsToTest("dot gemm threads")) {
    Rng rng(1357);
    const int failures = RunDtypeCombos(120, [&](auto t, auto w, int mode) {
      using T = decltype(t);
      using W = decltype(w);
      ConvGeometry g = RandomGeometry(rng, false);
      g.batches = Uniform(rng, 1, 3);
      return CheckDotKernelThreads<T, W>(rng, *fns, g, mode, &pool);
    });
    CHECK_EQ(failures, 0);
  }
}

// Weights that leave [-128, 127] with the filter offset (uint8 weights with
// a zero point other than 128, int8 ones with an offset), or an input zero
// point outside its type's range: the dot tables hand over to their int16
// kernels, with the same bytes.
TEST(dot_gemm_kernels_fall_back_when_weights_do_not_fit) {
  for (const QConvGemmKernels* fns : DotKernelsToTest("dot gemm fallback")) {
    CHECK(fns->fallback != nullptr);
    Rng rng(11);
    const ConvGeometry g = SquareShape(5, 5, 7, 19, 3, 1, 1);
    const int32_t k = 3 * 3 * 7;
    for (int mode = 0; mode < 3; ++mode) {
      std::vector<uint8_t> input(5 * 5 * 7), want(5 * 5 * 19), got(want.size());
      std::vector<uint8_t> filter(static_cast<size_t>(19) * k);
      Fill(rng, &input);
      Fill(rng, &filter);
      filter[5] = 0;
      filter[6] = 255;  // 255 - 100 = 155 and 0 - 100 = -100: 155 does not fit
      RandomRequant<uint8_t, uint8_t> rq(rng, 19, mode);
      rq.q.filter_offset = -100;
      Conv2DReference(g, rq.q, input.data(), filter.data(), rq.bias.data(), want.data());
      PackedQGemmWeights w;
      QRequant r;
      const QConvGemmKernels* chosen = PrepareQConvGemm<uint8_t>(*fns, filter.data(), 19, k, rq.q, rq.bias.data(), &w, &r);
      CHECK(chosen == fns->fallback);
      if (chosen != fns->fallback) continue;
      CHECK(w.kr == chosen->kr && chosen->dot == QDotKind::kNone);
      std::vector<uint8_t> panel(QConvGemmPanelBytes(w));
      chosen->u8(g, w, r, rq.q.input_offset, input.data(), got.data(), reinterpret_cast<int16_t*>(panel.data()));
      CHECK(SameBytes(got, want, std::string(fns->name) + " fallback " + rq.description));
      // int8 weights with an offset that pushes 127 past the range.
      std::vector<int8_t> s8_filter(filter.size(), 0);
      s8_filter[0] = 127;
      RequantParams q = rq.q;
      q.filter_offset = 1;
      CHECK(PrepareQConvGemm<uint8_t>(*fns, s8_filter.data(), 19, k, q, nullptr, &w, &r) == fns->fallback);
      q.filter_offset = 0;
      CHECK(PrepareQConvGemm<uint8_t>(*fns, s8_filter.data(), 19, k, q, nullptr, &w, &r) == fns);
      // An input zero point outside uint8's range (input_offset = +1).
      q.input_offset = 1;
      CHECK(PrepareQConvGemm<uint8_t>(*fns, s8_filter.data(), 19, k, q, nullptr, &w, &r) == fns->fallback);
    }
  }
}

// The operators' factories choose the dot kernels for the dot ISAs when
// the weights fit and their int16 kernels otherwise. Only creation is
// checked here (it runs nothing), so it covers ISAs this CPU lacks.
TEST(conv_and_fully_connected_choose_dot_kernels_by_weights) {
  for (Isa isa : {Isa::kAvxVnni, Isa::kAvx512Vnni, Isa::kNeonDot}) {
    const QConvGemmKernels* fns = SelectQConvGemm(isa);
    if (fns == nullptr) continue;
    CHECK(fns->dot != QDotKind::kNone && fns->fallback != nullptr);
    for (OpType op : {OpType::kConv2D, OpType::kFullyConnected}) {
      for (int32_t zero_point : {128, 3}) {  // uint8 weights: fits, does not fit
        testing::OneNodeGraph m;
        const bool fc = op == OpType::kFullyConnected;
        const Shape in_shape = fc ? Shape{2, 9} : Shape{1, 4, 4, 9};
        const Shape f_shape = fc ? Shape{5, 9} : Shape{5, 3, 3, 9};
        const Shape out_shape = fc ? Shape{2, 5} : Shape{1, 2, 2, 5};
        std::vector<uint8_t> filter(static_cast<size_t>(NumElements(f_shape)));
        for (size_t i = 0; i < filter.size(); ++i) filter[i] = static_cast<uint8_t>(i * 37);
        filter[0] = 255;
        std::vector<int32_t> bias(5, 100);
        const int32_t ti = m.Activation(DType::kUInt8, in_shape, testing::PerTensor(0.05f, 10));
        const int32_t tf = m.Constant(DType::kUInt8, f_shape, filter, testing::PerTensor(0.01f, zero_point));
        const int32_t tb = m.Constant(DType::kInt32, {5}, bias, testing::PerTensor(0.0005f, 0));
        const int32_t to = m.Activation(DType::kUInt8, out_shape, testing::PerTensor(0.1f, 7));
        NodeAttrs attrs;
        if (fc) {
          attrs = FullyConnectedAttrs{};
        } else {
          ConvAttrs a;
          a.stride_h = a.stride_w = 1;
          a.dilation_h = a.dilation_w = 1;
          attrs = a;
        }
        const Node node = m.MakeNode(op, {ti, tf, tb}, to, attrs);
        KernelConfig config;
        config.isa = isa;
        std::unique_ptr<Kernel> kernel;
        const Status s = CreateKernel(m.graph(), node, config, &kernel);
        CHECK(s.ok());
        const auto* gemm = dynamic_cast<const QConvGemmKernel<uint8_t>*>(kernel.get());
        CHECK(gemm != nullptr);
        if (gemm == nullptr) continue;
        const char* want = zero_point == 128 ? fns->name : fns->fallback->name;
        if (std::strcmp(gemm->kernels_name(), want) != 0) {
          std::printf("  %s %s weight zero point %d: chose %s, want %s\n", IsaName(isa), OpTypeName(op), zero_point,
                      gemm->kernels_name(), want);
          CHECK(false);
        }
      }
    }
  }
}

// EDGEINFER_REQUIRE_ISAS=a,b (npm run test:arm64 sets neon,neondot and
// runs qemu with -cpu max) turns "this CPU lacks X, skipped" into a
// failure for those ISAs, so an emulator without dotprod cannot pass the
// dot kernels' tests by skipping them.
TEST(required_isas_are_supported) {
  const char* env = std::getenv("EDGEINFER_REQUIRE_ISAS");
  if (env == nullptr || *env == 0) return;
  std::string list = env;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    const std::string name = list.substr(start, comma - start);
    start = comma + 1;
    if (name.empty()) continue;
    bool known = false;
    for (Isa isa : {Isa::kReference, Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni, Isa::kNeon, Isa::kNeonDot}) {
      if (name != IsaName(isa)) continue;
      known = true;
      std::printf("  required ISA %s: %s\n", name.c_str(), CpuSupports(isa) ? "supported, its kernels tested" : "MISSING");
      CHECK(CpuSupports(isa));
    }
    CHECK(known);
  }
}

}  // namespace edgeinfer::kernels
