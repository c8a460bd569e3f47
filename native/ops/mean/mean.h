// MEAN reference kernels, bit-exact with the path TFLite's builtin MEAN
// (reduce.cc EvalMean<kGenericOptimized>) takes for each case:
//  - int8/uint8, 4-D input, axes tensor holding exactly (1, 2) or (2, 1),
//    keep_dims: optimized Mean4D: the raw int32 sum times a fixed-point
//    multiplier input_scale / (count * output_scale), plus a float-rounded
//    zero-point bias. The same axes written (-3, -2) take the paths below.
//  - int8/uint8 otherwise, same scale and zero point in and out:
//    reference_ops::Mean: the raw sum divided by the count in integers
//    (truncating toward zero).
//  - int8/uint8 otherwise: reference_ops::QuantizedMeanOrSum: a float mean
//    rescaled by input_scale / output_scale and rounded.
//  - float32: the sum in input order divided by the count.
//  - ONNX models (Rounding::kHalfEven, GlobalAveragePool): ONNX Runtime's
//    QLinearGlobalAveragePool: sum - input_zero_point * count, times
//    input_scale / (output_scale * count) in float, rounded half to even.
// Every path first sums the raw values of each output's elements.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "ops/common/quantization.h"

namespace edgeinfer {

constexpr int kMaxMeanRank = 6;

// The input's dims, right-aligned in kMaxMeanRank, and for each dim the
// stride of the output element its values add into (0 on reduced axes).
struct ReduceGeometry {
  int32_t dims[kMaxMeanRank];
  int64_t out_strides[kMaxMeanRank];
  int64_t output_size = 0;
  int64_t count = 0;  // input elements per output element
};

template <typename Acc, typename T>
inline void AddRow(const T* __restrict in, int32_t n, Acc* __restrict row) {
  for (int32_t i = 0; i < n; ++i) row[i] += static_cast<Acc>(in[i]);
}

template <typename Acc, typename T>
void SumOverAxes(const ReduceGeometry& g, const T* input, Acc* sums) {
  std::fill(sums, sums + g.output_size, Acc(0));
  const int32_t* d = g.dims;
  const int64_t* s = g.out_strides;
  for (int32_t i0 = 0; i0 < d[0]; ++i0)
    for (int32_t i1 = 0; i1 < d[1]; ++i1)
      for (int32_t i2 = 0; i2 < d[2]; ++i2)
        for (int32_t i3 = 0; i3 < d[3]; ++i3)
          for (int32_t i4 = 0; i4 < d[4]; ++i4) {
            Acc* row = sums + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3] + i4 * s[4];
            if (s[5] == 1) {
              // The last axis is kept (NHWC pooling over H and W): a loop
              // over channels the compiler vectorizes; each sum still adds
              // its values in input order.
              AddRow(input, d[5], row);
            } else {
              for (int32_t i5 = 0; i5 < d[5]; ++i5) row[i5 * s[5]] += static_cast<Acc>(input[i5]);
            }
            input += d[5];
          }
}

enum class QuantizedMeanPath { kSpatial4D, kSameQuantization, kRescale, kOnnxHalfEven };

struct QuantizedMeanParams {
  QuantizedMeanPath path = QuantizedMeanPath::kRescale;
  ReduceGeometry geometry;
  // kSpatial4D
  int32_t multiplier = 0;
  int shift = 0;
  int32_t bias = 0;
  // kRescale; kOnnxHalfEven: scale = input_scale / (output_scale * count)
  // and bias = -input_zero_point * count
  float scale = 0.f;
  float float_bias = 0.f;
  int32_t output_zero_point = 0;
};

// `sums` is scratch for geometry.output_size int32 values.
template <typename T>
void MeanQuantized(const QuantizedMeanParams& p, const T* input, int32_t* sums, T* output) {
  constexpr int32_t kMin = std::numeric_limits<T>::min(), kMax = std::numeric_limits<T>::max();
  const ReduceGeometry& g = p.geometry;
  SumOverAxes(g, input, sums);
  for (int64_t i = 0; i < g.output_size; ++i) {
    switch (p.path) {
      case QuantizedMeanPath::kOnnxHalfEven:
        // ONNX Runtime's QLinearGlobalAveragePool: the biased sum requantized
        // as MlasRequantizeOutput does.
        output[i] = static_cast<T>(
            RequantizeHalfEven(static_cast<int32_t>(static_cast<uint32_t>(sums[i]) + static_cast<uint32_t>(p.bias)),
                               p.scale, p.output_zero_point, kMin, kMax));
        break;
      case QuantizedMeanPath::kSpatial4D: {
        const int32_t acc = MultiplyByQuantizedMultiplier(sums[i], p.multiplier, p.shift) + p.bias;
        output[i] = static_cast<T>(std::min(kMax, std::max(kMin, acc)));
        break;
      }
      case QuantizedMeanPath::kSameQuantization:
        output[i] = static_cast<T>(sums[i] / static_cast<int32_t>(g.count));
        break;
      case QuantizedMeanPath::kRescale: {
        const float mean = static_cast<float>(sums[i]) / static_cast<float>(g.count);
        float result = std::round(mean * p.scale + p.float_bias) + p.output_zero_point;
        result = std::max(std::min(result, static_cast<float>(kMax)), static_cast<float>(kMin));
        output[i] = static_cast<T>(result);
        break;
      }
    }
  }
}

inline void MeanFloat(const ReduceGeometry& g, const float* input, float* output) {
  SumOverAxes(g, input, output);
  for (int64_t i = 0; i < g.output_size; ++i) output[i] /= static_cast<float>(g.count);
}

}  // namespace edgeinfer
