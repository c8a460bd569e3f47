// INT8 convolution as a GEMM, for CONV_2D with one group (1x1 and k x k,
// any stride, dilation and padding) and FULLY_CONNECTED (a 1x1 convolution
// over a [batches, 1] image): out[p][n] = requantize(bias[n] +
// sum_k A[p][k] * B[k][n]), A[p] being output pixel p's window (im2col) with
// the input offset added and B the weights with the filter offset added.
// Both factors fit int16 ([-255, 255]), so the int16 multiply-adds
// (vpmaddwd, smlal) compute every product exactly and the int32 sums wrap
// mod 2^32 as the reference's uint32 accumulator does; padding taps are
// zeros, which is what skipping them adds.
//
// Use: pack the weights once (PackQGemmWeights), prepare the requantization
// (PrepareQRequant), then per run call SelectQConvGemm(isa)->u8 or ->s8 on
// ranges of output rows, each range with its own QConvGemmPanelBytes of
// scratch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/requant.h"
#include "ops/common/conv_common.h"

namespace edgeinfer::kernels {

// B packed for the microkernels: K padded to even with zeros, N to a
// multiple of 8. Output channels go in blocks of 16 (the last may be 8);
// within a block, k goes in groups of kr: for each group, every channel n
// holds B[k][n] .. B[k+kr-1][n]. kr = 2 gives the int16 pairs one 32-bit
// lane of vpmaddwd multiplies with two activations; kr = 1 the rows of B
// smlal multiplies by one activation. Blocks follow each other; the data
// is 32-byte aligned.
struct PackedQGemmWeights {
  int32_t k = 0, k_pairs = 0, n = 0, n_padded = 0, kr = 2;
  // Uninitialized on allocation (every element is written by the packer):
  // zero-filling first cost as much as packing at model load.
  std::unique_ptr<int16_t[]> storage;
  const int16_t* data() const {
    const uintptr_t p = reinterpret_cast<uintptr_t>(storage.get());
    return reinterpret_cast<const int16_t*>((p + 31) & ~uintptr_t{31});
  }
};

// weights: [n][k] (CONV_2D's [OC,KH,KW,IC] and FULLY_CONNECTED's [OC,IC]).
// One output channel at a time, its row read once in order, written to its
// column of the block (a stride of block * kr elements); padding channels
// and the odd k's partner are zeros.
template <typename W>
void PackQGemmWeights(const W* weights, int32_t n, int32_t k, int32_t filter_offset, int32_t kr,
                      PackedQGemmWeights* p) {
  p->k = k;
  p->k_pairs = (k + 1) / 2;
  p->n = n;
  p->n_padded = RoundUp(n, 8);
  p->kr = kr;
  const int32_t padded_k = p->k_pairs * 2;
  p->storage.reset(new int16_t[static_cast<size_t>(padded_k) * p->n_padded + 16]);
  int16_t* out = const_cast<int16_t*>(p->data());
  for (int32_t n0 = 0; n0 < p->n_padded;) {
    const int32_t block = p->n_padded - n0 >= 16 ? 16 : 8;
    const size_t stride = static_cast<size_t>(block) * kr;  // between groups of kr k's
    for (int32_t j = 0; j < block; ++j) {
      const int32_t nn = n0 + j;
      int16_t* column = out + static_cast<size_t>(j) * kr;
      if (nn >= n) {
        for (int32_t kk = 0; kk < padded_k; ++kk) column[kk / kr * stride + kk % kr] = 0;
        continue;
      }
      const W* row = weights + static_cast<size_t>(nn) * k;
      if (kr == 2) {
        int32_t kk = 0;
        for (; kk + 2 <= k; kk += 2, column += stride) {
          column[0] = static_cast<int16_t>(row[kk] + filter_offset);
          column[1] = static_cast<int16_t>(row[kk + 1] + filter_offset);
        }
        if (kk < k) column[0] = static_cast<int16_t>(row[kk] + filter_offset), column[1] = 0;
      } else {
        for (int32_t kk = 0; kk < padded_k; ++kk) {
          column[static_cast<size_t>(kk) * stride] = kk < k ? static_cast<int16_t>(row[kk] + filter_offset) : 0;
        }
      }
    }
    out += static_cast<size_t>(padded_k) * block;
    n0 += block;
  }
}

// Rows of A gathered at a time: as many as keep the panel near 64 KiB
// (in L2 while each block of 16 channels' weights stays in L1 across all
// of them), a multiple of the 4-row tile, from 4 to 64.
inline int32_t QConvGemmPanelRows(const PackedQGemmWeights& w) {
  const int64_t row_bytes = int64_t{w.k_pairs} * 2 * sizeof(int16_t);
  int64_t rows = (int64_t{64} << 10) / row_bytes / 4 * 4;
  rows = rows < 4 ? 4 : rows > 64 ? 64 : rows;
  return static_cast<int32_t>(rows);
}

// Scratch one range of rows needs: the panel, plus room to align it and 16
// int16 of slack past its last row (a gather may widen a short run as 16).
inline size_t QConvGemmPanelBytes(const PackedQGemmWeights& w) {
  return static_cast<size_t>(QConvGemmPanelRows(w)) * w.k_pairs * 2 * sizeof(int16_t) + 64 + 32;
}

// Computes the convolution `g` (one batch, all output rows of it, as
// ForEachOutputRowRange's body gets it) into `output`. `panel` has
// QConvGemmPanelBytes(w) bytes, any alignment.
template <typename T>
using QConvGemmFn = void (*)(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r,
                             int32_t input_offset, const T* input, T* output, int16_t* panel);

struct QConvGemmKernels {
  const char* name;
  int32_t kr;  // the weight layout the microkernels read (PackQGemmWeights)
  QConvGemmFn<uint8_t> u8;
  QConvGemmFn<int8_t> s8;
};

// The microkernels `isa` allows on this build, or nullptr (reference only).
const QConvGemmKernels* SelectQConvGemm(Isa isa);

#if defined(__x86_64__)
void QConvGemmAvx2(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                   const uint8_t* input, uint8_t* output, int16_t* panel);
void QConvGemmAvx2(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                   const int8_t* input, int8_t* output, int16_t* panel);
#endif
#if defined(__aarch64__)
void QConvGemmNeon(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                   const uint8_t* input, uint8_t* output, int16_t* panel);
void QConvGemmNeon(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                   const int8_t* input, int8_t* output, int16_t* panel);
#endif

}  // namespace edgeinfer::kernels
