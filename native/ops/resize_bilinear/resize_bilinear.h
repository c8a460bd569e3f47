// RESIZE_BILINEAR references, per dtype, checked against TFLite itself
// (the tfjs-tflite WebAssembly build the project's oracle tests use) on
// shapes its own kernels run:
//  - float32: each output is two horizontal lerps and one vertical,
//    top = v00 + (v01 - v00) * dx, bottom = v10 + (v11 - v10) * dx,
//    out = top + (bottom - top) * dy, with TFLite's float coordinates.
//  - uint8: optimized_ops::ResizeBilinearGenericSmallChannel: float weights
//    (1-dy)(1-dx), (1-dy)dx, dy(1-dx), dy dx summed in that order, plus 0.5,
//    truncated. (Its x8 half-pixel fixed-point special case computes the
//    same exact values: every weight there is a multiple of 1/16.)
//  - int8: reference_ops::ResizeBilinearInteger (TFLite's optimized int8
//    resize calls it too). Coordinates are in 1/1024ths of a pixel, from a
//    10-bit scale rounded half up; the four corners' weights multiply to
//    1/2^20ths, and the sum is rounded half away from zero: the oracle does
//    so although it is built with TFLITE_SINGLE_ROUNDING (adding 2^19 and
//    shifting differs on 11% of a 4x4 -> 8x8). The values are interpolated
//    as stored, with no requantization to the output's scale. Exact
//    rational coordinates rounded half up differ on halves (-18.5 is -19
//    here) and wherever the 10-bit scale is inexact.
// Coordinates and weights along each axis are computed once, into tables.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>

namespace edgeinfer {

struct ResizeBilinearParams {
  int32_t batches, input_height, input_width, depth, output_height, output_width;
};

// One output row or column of the float paths: the two input rows/columns it
// mixes and its source coordinate, as TFLite's ComputeInterpolationValues gives.
struct ResizeFloatTap {
  int32_t lower, upper;
  float coordinate;
};

// TFLite's float scale of an axis: input/output, or (input-1)/(output-1)
// with align_corners.
inline float ResizeScale(int32_t input_size, int32_t output_size, bool align_corners) {
  if (align_corners && output_size > 1) return static_cast<float>(input_size - 1) / (output_size - 1);
  return static_cast<float>(input_size) / output_size;
}

inline ResizeFloatTap ResizeFloatTapAt(int32_t index, float scale, bool half_pixel_centers, int32_t input_size) {
  const float value = static_cast<float>(index);
  const float coordinate = half_pixel_centers ? (value + 0.5f) * scale - 0.5f : value * scale;
  const int32_t lower = std::max(static_cast<int32_t>(std::floor(coordinate)), int32_t{0});
  const int32_t upper = std::min(static_cast<int32_t>(std::ceil(coordinate)), input_size - 1);
  return {lower, upper, coordinate};
}

// One output row or column of the int8 path: it mixes input rows/columns
// lower and upper with weights (1024 - fraction) and fraction, in 1/1024ths.
struct ResizeFixedTap {
  int32_t lower, upper, fraction;
};

// TFLite's 10-bit scale of an axis: input/output, or (input-1)/(output-1)
// with align_corners, in 1/1024ths rounded half up.
inline int32_t ResizeScale10(int32_t input_size, int32_t output_size, bool align_corners) {
  const bool corners = align_corners && output_size > 1;
  const int32_t numerator = corners ? input_size - 1 : input_size;
  const int32_t denominator = corners ? output_size - 1 : output_size;
  return ((1 << 10) * numerator + denominator / 2) / denominator;
}

inline ResizeFixedTap ResizeFixedTapAt(int32_t index, int32_t scale_10, bool half_pixel_centers,
                                       int32_t input_size) {
  const int32_t source = half_pixel_centers ? index * scale_10 + scale_10 / 2 - (1 << 9) : index * scale_10;
  // Division truncates toward zero as in TFLite: in the half-pixel margin
  // (source in [-512, 0)) both taps are pixel 0 and the fraction is negative,
  // which leaves that pixel's value exact.
  const int32_t lower = std::max(source / (1 << 10), int32_t{0});
  const int32_t upper = std::min((source + (1 << 10) - 1) / (1 << 10), input_size - 1);
  // When the rounded-up scale carries the last coordinates past the last
  // pixel, TFLite reads beyond the row (the next row's pixels, or past the
  // buffer); the edge pixel is what the coordinate means.
  if (lower > input_size - 1) return {input_size - 1, input_size - 1, 0};
  return {lower, upper, source - (1 << 10) * lower};
}

// float32 (T = float, lerps) and uint8 (T = uint8_t, weights).
template <typename T>
void ResizeBilinearFloatWeights(const ResizeBilinearParams& p, const ResizeFloatTap* rows,
                                const ResizeFloatTap* columns, const T* input, T* output) {
  const int64_t row_stride = int64_t{p.input_width} * p.depth;
  for (int32_t b = 0; b < p.batches; ++b) {
    const T* image = input + b * row_stride * p.input_height;
    for (int32_t y = 0; y < p.output_height; ++y) {
      const ResizeFloatTap& ty = rows[y];
      const float dy = ty.coordinate - ty.lower;
      for (int32_t x = 0; x < p.output_width; ++x) {
        const ResizeFloatTap& tx = columns[x];
        const float dx = tx.coordinate - tx.lower;
        const float w00 = (1 - dy) * (1 - dx), w01 = (1 - dy) * dx, w10 = dy * (1 - dx), w11 = dy * dx;
        const T* p00 = image + ty.lower * row_stride + int64_t{tx.lower} * p.depth;
        const T* p01 = image + ty.lower * row_stride + int64_t{tx.upper} * p.depth;
        const T* p10 = image + ty.upper * row_stride + int64_t{tx.lower} * p.depth;
        const T* p11 = image + ty.upper * row_stride + int64_t{tx.upper} * p.depth;
        for (int32_t c = 0; c < p.depth; ++c) {
          if constexpr (std::is_integral_v<T>) {
            *output++ = static_cast<T>(p00[c] * w00 + p01[c] * w01 + p10[c] * w10 + p11[c] * w11 + 0.5f);
          } else {
            const float top = p00[c] + (p01[c] - p00[c]) * dx;
            const float bottom = p10[c] + (p11[c] - p10[c]) * dx;
            *output++ = top + (bottom - top) * dy;
          }
        }
      }
    }
  }
}

#if defined(__x86_64__) || defined(_M_X64)
// resize_bilinear-avx2.cc: ResizeBilinearFloatWeights<uint8_t>,
// bit-identical; callable only when kernels::BestIsa() allows AVX2.
void ResizeBilinearU8Avx2(const ResizeBilinearParams& p, const ResizeFloatTap* rows, const ResizeFloatTap* columns,
                          const uint8_t* input, uint8_t* output);
#endif

// int8. Weights along an axis are at most 2048 in magnitude (1536 and -512
// in the half-pixel margin), so |acc| <= 128 * 2^22 fits int32.
inline void ResizeBilinearFixed(const ResizeBilinearParams& p, const ResizeFixedTap* rows,
                                const ResizeFixedTap* columns, const int8_t* input, int8_t* output) {
  const int64_t row_stride = int64_t{p.input_width} * p.depth;
  for (int32_t b = 0; b < p.batches; ++b) {
    const int8_t* image = input + b * row_stride * p.input_height;
    for (int32_t y = 0; y < p.output_height; ++y) {
      const ResizeFixedTap& ty = rows[y];
      const int32_t wy1 = ty.fraction, wy0 = (1 << 10) - ty.fraction;
      for (int32_t x = 0; x < p.output_width; ++x) {
        const ResizeFixedTap& tx = columns[x];
        const int32_t wx1 = tx.fraction, wx0 = (1 << 10) - tx.fraction;
        const int32_t w00 = wy0 * wx0, w01 = wy0 * wx1, w10 = wy1 * wx0, w11 = wy1 * wx1;
        const int8_t* p00 = image + ty.lower * row_stride + int64_t{tx.lower} * p.depth;
        const int8_t* p01 = image + ty.lower * row_stride + int64_t{tx.upper} * p.depth;
        const int8_t* p10 = image + ty.upper * row_stride + int64_t{tx.lower} * p.depth;
        const int8_t* p11 = image + ty.upper * row_stride + int64_t{tx.upper} * p.depth;
        for (int32_t c = 0; c < p.depth; ++c) {
          const int32_t acc = p00[c] * w00 + p01[c] * w01 + p10[c] * w10 + p11[c] * w11;
          *output++ = static_cast<int8_t>((acc + (acc > 0 ? (1 << 19) : -(1 << 19))) / (1 << 20));
        }
      }
    }
  }
}

}  // namespace edgeinfer
