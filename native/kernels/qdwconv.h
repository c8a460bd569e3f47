// INT8 depthwise convolution with depth multiplier 1 and up to 5x5 taps
// (any stride, dilation and padding): per output pixel, the taps' input
// pixels are looked up once (a row of the input zero point stands in for
// padding, so it adds exactly nothing), then 16 channels at a time two taps
// are interleaved as int16 pairs and multiplied-and-added against
// pre-interleaved weights; channels past the last 16 run the reference's
// scalar arithmetic. 3x3 filters on AVX2 pair rows instead of taps (the
// rows3 layout below) so that each input column is widened once for all the
// output pixels that read it. As in qgemm.h, both factors have their offsets
// added in int16 and every product and sum is exact mod 2^32.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/requant.h"
#include "ops/common/conv_common.h"

namespace edgeinfer::kernels {

constexpr int32_t kMaxDwTaps = 25;

// Two layouts, one per kind of microkernel. kTapPairs16: for each block of
// 16 channels and each pair of taps (t, t+1), two vectors of 8 int16 pairs
// (w_t[ch] + fo, w_t+1[ch] + fo) in the order vpunpcklwd / vpunpckhwd give
// two taps' widened activations: channels 0-3 and 8-11, then 4-7 and
// 12-15; an odd last tap pairs with a zero weight. kTaps8: for each block of
// 8 channels and each tap, the 8 channels' w + fo. The last channels % block
// keep (w + fo) as int32, [tap][channel].
//
// kTapPairs16 with 9 taps also fills rows3, for 3x3 filters (the kernel
// checks the geometry): for each block of 16 channels (and one more for
// the channels past the last whole block, zeros past the channels) and
// each filter column kx, four vectors of 8 int16 pairs in channel order:
// rows 0 and 1
// (w[0][kx][ch] + fo, w[1][kx][ch] + fo) for channels 0-7, then 8-15, and
// row 2 paired with zero (w[2][kx][ch] + fo, 0) for channels 0-7, then
// 8-15. A column of input pixels is then widened once and shared by the
// output pixels whose windows contain it.
enum class DwLayout : uint8_t { kTapPairs16, kTaps8 };

struct PackedQDwWeights {
  DwLayout layout = DwLayout::kTapPairs16;
  int32_t channels = 0, taps = 0, tap_pairs = 0, block = 16, blocks = 0;
  std::vector<int16_t> storage;
  std::vector<int16_t> rows3;  // kTapPairs16 with 9 taps: the 3x3 layout (see DwLayout)
  std::vector<int32_t> tail;
  // Per channel, sum over taps of (w + fo): input_offset * tap_sum is what
  // adding the input offset to every tap adds, so a kernel may multiply raw
  // activations and add it once (padding taps read the zero point, whose
  // raw product cancels against its share of the correction).
  std::vector<int32_t> tap_sum;
  const int16_t* data() const { return Aligned(storage); }
  const int16_t* rows3_data() const { return rows3.empty() ? nullptr : Aligned(rows3); }
  static const int16_t* Aligned(const std::vector<int16_t>& v) {
    const uintptr_t p = reinterpret_cast<uintptr_t>(v.data());
    return reinterpret_cast<const int16_t*>((p + 31) & ~uintptr_t{31});
  }
};

// filter: [taps][channels] (DEPTHWISE_CONV_2D's [1,KH,KW,C]).
template <typename W>
void PackQDwWeights(const W* filter, int32_t channels, int32_t taps, int32_t filter_offset, DwLayout layout,
                    PackedQDwWeights* p) {
  p->layout = layout;
  p->channels = channels;
  p->taps = taps;
  p->tap_pairs = (taps + 1) / 2;
  p->block = layout == DwLayout::kTapPairs16 ? 16 : 8;
  p->blocks = channels / p->block;
  const size_t per_block = layout == DwLayout::kTapPairs16 ? static_cast<size_t>(p->tap_pairs) * 32
                                                           : static_cast<size_t>(taps) * 8;
  p->storage.assign(p->blocks * per_block + 16, 0);
  int16_t* out = const_cast<int16_t*>(p->data());
  auto weight = [&](int32_t t, int32_t c) {
    return t < taps ? static_cast<int16_t>(filter[static_cast<size_t>(t) * channels + c] + filter_offset) : int16_t{0};
  };
  for (int32_t b = 0; b < p->blocks; ++b) {
    if (layout == DwLayout::kTaps8) {
      for (int32_t t = 0; t < taps; ++t) {
        for (int32_t j = 0; j < 8; ++j) *out++ = weight(t, b * 8 + j);
      }
      continue;
    }
    for (int32_t pair = 0; pair < p->tap_pairs; ++pair) {
      for (int32_t half : {0, 4}) {      // unpacklo, then unpackhi
        for (int32_t lane : {0, 8}) {    // 128-bit lanes
          for (int32_t j = 0; j < 4; ++j) {
            const int32_t c = b * 16 + lane + half + j;
            *out++ = weight(2 * pair, c);
            *out++ = weight(2 * pair + 1, c);
          }
        }
      }
    }
  }
  p->rows3.clear();
  if (layout == DwLayout::kTapPairs16 && taps == 9) {
    // Channels past the last whole block get one more block here, zeros
    // past `channels` (the AVX-512 kernel runs it masked; AVX2's reads
    // only the whole blocks).
    const int32_t rows3_blocks = (channels + 15) / 16;
    auto weight_or_zero = [&](int32_t t, int32_t c) { return c < channels ? weight(t, c) : int16_t{0}; };
    p->rows3.assign(static_cast<size_t>(rows3_blocks) * 12 * 16 + 16, 0);
    int16_t* r3 = const_cast<int16_t*>(p->rows3_data());
    for (int32_t b = 0; b < rows3_blocks; ++b) {
      for (int32_t kx = 0; kx < 3; ++kx) {
        for (int32_t half : {0, 8}) {
          for (int32_t j = 0; j < 8; ++j) {
            *r3++ = weight_or_zero(kx, b * 16 + half + j);
            *r3++ = weight_or_zero(3 + kx, b * 16 + half + j);
          }
        }
        for (int32_t half : {0, 8}) {
          for (int32_t j = 0; j < 8; ++j) {
            *r3++ = weight_or_zero(6 + kx, b * 16 + half + j);
            *r3++ = 0;
          }
        }
      }
    }
  }
  p->tap_sum.assign(static_cast<size_t>(RoundUp(channels, 16)), 0);
  for (int32_t c = 0; c < channels; ++c) {
    uint32_t sum = 0;
    for (int32_t t = 0; t < taps; ++t) sum += static_cast<uint32_t>(weight(t, c));
    p->tap_sum[c] = static_cast<int32_t>(sum);
  }
  const int32_t tail_c0 = p->blocks * p->block;
  p->tail.clear();
  for (int32_t t = 0; t < taps; ++t) {
    for (int32_t c = tail_c0; c < channels; ++c) p->tail.push_back(weight(t, c));
  }
}

// Computes the depthwise convolution `g` (one batch, as
// ForEachOutputRowRange's body gets it). zero_row: input_channels copies
// of the input zero point.
template <typename T>
using QDwConvFn = void (*)(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
                           const T* input, const T* zero_row, T* output);

struct QDwConvKernels {
  const char* name;
  DwLayout layout;  // the weight layout the microkernels read
  QDwConvFn<uint8_t> u8;
  QDwConvFn<int8_t> s8;
  // Kernels for 3x3 filters only: other filters run `fallback` (same
  // layout), chosen once by QDwConvFor.
  bool only_3x3 = false;
  const QDwConvKernels* fallback = nullptr;
};

// The microkernels `isa` allows on this build, or nullptr (reference only).
const QDwConvKernels* SelectQDwConv(Isa isa);

// The kernels of fns (or its fallback) that take geometry g.
inline const QDwConvKernels& QDwConvFor(const QDwConvKernels& fns, const ConvGeometry& g) {
  const bool is_3x3 = g.filter_height == 3 && g.filter_width == 3;
  return fns.only_3x3 && !is_3x3 ? *fns.fallback : fns;
}

#if defined(__x86_64__)
void QDwConvAvx2(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
                 const uint8_t* input, const uint8_t* zero_row, uint8_t* output);
void QDwConvAvx2(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
                 const int8_t* input, const int8_t* zero_row, int8_t* output);
// AVX-512 VNNI: 3x3 filters only (any stride, dilation, padding and
// channel count) on zmm; QDwConvFor sends other filters to QDwConvAvx2.
// Same layout as AVX2's.
void QDwConvAvx512Vnni(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
                       const uint8_t* input, const uint8_t* zero_row, uint8_t* output);
void QDwConvAvx512Vnni(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
                       const int8_t* input, const int8_t* zero_row, int8_t* output);
#endif
#if defined(__aarch64__)
void QDwConvNeon(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
                 const uint8_t* input, const uint8_t* zero_row, uint8_t* output);
void QDwConvNeon(const ConvGeometry& g, const PackedQDwWeights& w, const QRequant& r, int32_t input_offset,
                 const int8_t* input, const int8_t* zero_row, int8_t* output);
#endif

}  // namespace edgeinfer::kernels
