// The im2col gather of the dot-product GEMM kernels (qgemm-dot-x86.h,
// qgemm-dot-4x16-neondot.cc): rows of A as bytes in the dot instruction's
// activation domain (see "Dot-product layout" in qgemm.h). Include it only
// from the per-ISA kernel files: everything here has internal linkage, so
// each ISA's copy is compiled with that ISA's flags and none can be picked
// by the linker for another.
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/qgemm.h"

namespace edgeinfer::kernels {
namespace {
namespace dot {

// n activations to dst, XOR 0x80 (x +- 128) when kFlip: a plain copy or a
// loop the compiler vectorizes.
template <bool kFlip, typename T>
inline void CopyRun(const T* src, int32_t n, uint8_t* dst) {
  const uint8_t* s = reinterpret_cast<const uint8_t*>(src);
  if constexpr (kFlip) {
    for (int32_t i = 0; i < n; ++i) dst[i] = static_cast<uint8_t>(s[i] ^ 0x80);
  } else {
    std::memcpy(dst, s, static_cast<size_t>(n));
  }
}

// 16 activations to dst, XOR 0x80 when kFlip, as two 8-byte words (the
// compiler keeps them in registers on every target).
template <bool kFlip>
inline void Copy16(const uint8_t* src, uint8_t* dst) {
  uint64_t lo, hi;
  std::memcpy(&lo, src, 8);
  std::memcpy(&hi, src + 8, 8);
  if constexpr (kFlip) lo ^= 0x8080808080808080ull, hi ^= 0x8080808080808080ull;
  std::memcpy(dst, &lo, 8);
  std::memcpy(dst + 8, &hi, 8);
}

// Row of A for output pixel (oy, ox): the window in filter order (row,
// column, channel), padding taps `pad` (which adds nothing once the input
// shift is folded into the bias), then zeros to padded_k (their weights
// are zeros).
template <bool kFlip, typename T>
void GatherWindow(const ConvGeometry& g, int32_t oy, int32_t ox, const T* input, uint8_t pad, int32_t padded_k,
                  uint8_t* dst) {
  const int32_t iy0 = oy * g.stride_h - g.pad_top, ix0 = ox * g.stride_w - g.pad_left;
  const int32_t c = g.input_channels;
  uint8_t* const end = dst + padded_k;
  const bool columns_inside = ix0 >= 0 && ix0 + (g.filter_width - 1) * g.dilation_w < g.input_width;
  for (int32_t ky = 0; ky < g.filter_height; ++ky) {
    const int32_t iy = iy0 + ky * g.dilation_h;
    if (iy < 0 || iy >= g.input_height) {
      std::memset(dst, pad, static_cast<size_t>(c) * g.filter_width);
      dst += c * g.filter_width;
      continue;
    }
    const T* row = input + static_cast<size_t>(iy) * g.input_width * c;
    // A window row wholly inside the image with dilation 1 is one run.
    if (g.dilation_w == 1 && columns_inside) {
      CopyRun<kFlip>(row + static_cast<size_t>(ix0) * c, c * g.filter_width, dst);
      dst += c * g.filter_width;
      continue;
    }
    for (int32_t kx = 0; kx < g.filter_width; ++kx) {
      const int32_t ix = ix0 + kx * g.dilation_w;
      if (ix < 0 || ix >= g.input_width) {
        std::memset(dst, pad, static_cast<size_t>(c));
      } else {
        CopyRun<kFlip>(row + static_cast<size_t>(ix) * c, c, dst);
      }
      dst += c;
    }
  }
  while (dst < end) *dst++ = 0;  // at most 3 bytes in the dot layouts
}

// Rows of A for output pixels [p0, p0 + rows), padded_k bytes each. A 1x1
// stride-1 convolution without padding reads its pixels in order: its rows
// are one run of the input (one per row when K needs zeros after it).
template <bool kFlip, typename T>
void GatherPanel(const ConvGeometry& g, int32_t p0, int32_t rows, const T* input, uint8_t pad, int32_t padded_k,
                 uint8_t* a) {
  const int32_t c = g.input_channels;
  int32_t oy = p0 / g.output_width, ox = p0 % g.output_width;
  const bool pointwise = g.filter_height == 1 && g.filter_width == 1 && g.stride_h == 1 && g.stride_w == 1 &&
                         g.pad_left == 0 && g.input_width == g.output_width;
  if (pointwise) {
    const int32_t last_oy = (p0 + rows - 1) / g.output_width;
    if (oy - g.pad_top >= 0 && last_oy - g.pad_top < g.input_height) {
      const T* src = input + (static_cast<size_t>(oy - g.pad_top) * g.input_width + ox) * c;
      if (padded_k == c) {
        CopyRun<kFlip>(src, rows * c, a);
      } else {
        for (int32_t m = 0; m < rows; ++m, src += c, a += padded_k) {
          CopyRun<kFlip>(src, c, a);
          std::memset(a + c, 0, static_cast<size_t>(padded_k - c));
        }
      }
      return;
    }
  }
  // Windows whose rows are at most 16 bytes (a 3x3 window of 3 channels,
  // the first layer of most image models) and lie wholly inside the image
  // take a short path: one 16-byte copy per window row, where 16 bytes can
  // be read, then the zeros to padded_k. The bytes past a window row land
  // where later rows, the zeros or the next panel row are written
  // afterwards, or in the panel's slack after its last row (the dot
  // panels use at most half of QConvGemmPanelBytes). Other windows (the
  // image's border) take GatherWindow.
  const int32_t run = c * g.filter_width;
  const int32_t k = run * g.filter_height;
  const bool short_rows = g.dilation_w == 1 && run <= 16;
  const size_t input_row = static_cast<size_t>(g.input_width) * c;
  const size_t window_row = static_cast<size_t>(g.dilation_h) * input_row;
  const T* const input_end = input + static_cast<size_t>(g.input_height) * input_row;
  for (int32_t m = 0; m < rows;) {
    const int32_t n = rows - m < g.output_width - ox ? rows - m : g.output_width - ox;  // this output row's
    const int32_t iy0 = oy * g.stride_h - g.pad_top;
    const bool rows_inside = iy0 >= 0 && iy0 + (g.filter_height - 1) * g.dilation_h < g.input_height;
    for (int32_t i = 0; i < n; ++i, a += padded_k) {
      const int32_t ix0 = (ox + i) * g.stride_w - g.pad_left;
      const bool inside = short_rows && rows_inside && ix0 >= 0 && ix0 + g.filter_width <= g.input_width;
      const T* src = inside ? input + static_cast<size_t>(iy0) * input_row + static_cast<size_t>(ix0) * c : input;
      if (inside && input_end - (src + (g.filter_height - 1) * window_row) >= 16) {
        for (int32_t ky = 0; ky < g.filter_height; ++ky) {
          Copy16<kFlip>(reinterpret_cast<const uint8_t*>(src + ky * window_row), a + ky * run);
        }
        for (int32_t j = k; j < padded_k; ++j) a[j] = 0;
      } else {
        GatherWindow<kFlip>(g, oy, ox + i, input, pad, padded_k, a);
      }
    }
    m += n, ox += n;
    if (ox == g.output_width) ox = 0, ++oy;
  }
}

inline int32_t Load4(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace dot
}  // namespace
}  // namespace edgeinfer::kernels
