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
#include <cstring>
#include <memory>
#include <type_traits>
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
// is 64-byte aligned (one zmm load per group of 4 k's of a 16-channel
// block in the kr = 4 layout).
struct PackedQGemmWeights {
  int32_t k = 0, k_pairs = 0, n = 0, n_padded = 0, kr = 2;
  // Uninitialized on allocation (every element is written by the packer):
  // zero-filling first cost as much as packing at model load.
  std::unique_ptr<int16_t[]> storage;
  // kr = 4 (PackQGemmWeightsDot) only: sum over k of each channel's
  // weights plus filter offset, n_padded long.
  std::vector<int32_t> column_sums;
  const int16_t* data() const {
    const uintptr_t p = reinterpret_cast<uintptr_t>(storage.get());
    return reinterpret_cast<const int16_t*>((p + 63) & ~uintptr_t{63});
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
  p->storage.reset(new int16_t[static_cast<size_t>(padded_k) * p->n_padded + 32]);
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

// The 8-bit dot-product microkernels (vpdpbusd on x86, sdot on arm64):
// which operand domain their instruction multiplies.
enum class QDotKind : uint8_t {
  kNone,  // int16 kernels (kr 1 or 2)
  kU8S8,  // x86 AVX-VNNI / AVX-512 VNNI vpdpbusd: u8 activations x s8 weights
  kS8S8,  // arm64 sdot: s8 activations x s8 weights
};

struct QConvGemmKernels {
  const char* name;
  int32_t kr;  // the weight layout the microkernels read (PackQGemmWeights); 4: PackQGemmWeightsDot
  QConvGemmFn<uint8_t> u8;
  QConvGemmFn<int8_t> s8;
  // Dot-product kernels only: their operand domain, and the int16 kernels
  // that run instead when the weights (or the input zero point) do not fit
  // it (PrepareQConvGemm decides, once, at load).
  QDotKind dot = QDotKind::kNone;
  const QConvGemmKernels* fallback = nullptr;
};

// The microkernels `isa` allows on this build, or nullptr (reference only).
const QConvGemmKernels* SelectQConvGemm(Isa isa);

// ---- Dot-product layout (kr = 4) ----------------------------------------
//
// The dot instructions multiply 8-bit values: 4 activations by 4 weights,
// summed into one int32 lane, exactly (no intermediate saturation: vpdpbusd,
// not vpdpbusds; sdot). So the offsets cannot be added to the operands as
// the int16 kernels do; instead, with w' = w + filter_offset (which must lie
// in [-128, 127]: symmetric int8 weights, or uint8 weights with zero point
// 128) and the activation x fed as x_d, its value in the instruction's
// domain (x_d = x, or x ^ 0x80 = x +- 128 when the signedness differs),
//   sum_k (x_k + input_offset) * w'_k = sum_k x_d,k * w'_k + c * sum_k w'_k
// with c = input_offset + (x - x_d). c * sum_k w'_k is added to the bias
// once, at load (FoldQDotBias). A padding tap must add nothing: it is fed
// the activation -c (the input zero point in the instruction's domain).
// K is padded to a multiple of 4 with zero weights. All sums wrap mod 2^32,
// as the reference's uint32 accumulator does.

// c for activations of type T (u8_input: uint8) in `kind`'s domain.
inline int32_t QDotInputShift(QDotKind kind, bool u8_input, int32_t input_offset) {
  if (kind == QDotKind::kU8S8) return u8_input ? input_offset : input_offset - 128;
  return u8_input ? input_offset + 128 : input_offset;  // kS8S8
}

// Whether the padding activation -c is a value of `kind`'s activation
// domain (true for every valid zero point).
inline bool QDotPadFits(QDotKind kind, int32_t c) {
  return kind == QDotKind::kU8S8 ? (-c >= 0 && -c <= 255) : (-c >= -128 && -c <= 127);
}

// The XOR that maps activations of type T to `kind`'s domain (0 or 0x80).
inline uint8_t QDotInputFlip(QDotKind kind, bool u8_input) {
  return (kind == QDotKind::kU8S8) == u8_input ? 0 : 0x80;
}

// Whether every weight plus filter_offset lies in [-128, 127]: always for
// int8 weights without an offset and uint8 ones with -128; otherwise a
// min / max pass (no early exit, so it vectorizes).
template <typename W>
bool QDotWeightsFit(const W* weights, size_t count, int32_t filter_offset) {
  if (std::is_same_v<W, int8_t> && filter_offset == 0) return true;
  if (std::is_same_v<W, uint8_t> && filter_offset == -128) return true;
  int32_t lo = 255, hi = -128;
  for (size_t i = 0; i < count; ++i) {
    const int32_t v = weights[i];
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  return count == 0 || (lo + filter_offset >= -128 && hi + filter_offset <= 127);
}

// Packs B for the dot kernels (kr = 4) when every weight plus
// filter_offset lies in [-128, 127]; returns false (p untouched) otherwise.
// Layout: K padded to a multiple of 4 (zeros), N to a multiple of 8;
// blocks of 16 output channels (the last may be 8); within a block, for each
// group of 4 k's, every channel's 4 int8 weights contiguous (the 4 bytes one
// 32-bit lane of vpdpbusd / sdot multiplies with 4 broadcast activations).
// column_sums[n] = sum_k w'[n][k] (0 for padding channels). k_pairs is
// padded K / 2, so QConvGemmPanelRows / QConvGemmPanelBytes stay valid
// (the dot kernels' byte panel uses half of what they allow).
template <typename W>
bool PackQGemmWeightsDot(const W* weights, int32_t n, int32_t k, int32_t filter_offset, PackedQGemmWeights* p) {
  if (!QDotWeightsFit(weights, static_cast<size_t>(n) * k, filter_offset)) return false;
  const int32_t padded_k = RoundUp(k, 4);
  const int32_t full_quads = k / 4;
  p->k = k;
  p->k_pairs = padded_k / 2;
  p->n = n;
  p->n_padded = RoundUp(n, 8);
  p->kr = 4;
  // int16 storage holding bytes; 32 int16 of room for the alignment.
  p->storage.reset(new int16_t[static_cast<size_t>(padded_k) * p->n_padded / 2 + 32]);
  p->column_sums.assign(static_cast<size_t>(p->n_padded), 0);
  for (int32_t nn = 0; nn < n; ++nn) {
    const W* row = weights + static_cast<size_t>(nn) * k;
    int32_t sum = 0;
    for (int32_t kk = 0; kk < k; ++kk) sum += row[kk];
    p->column_sums[nn] = sum + filter_offset * k;
  }
  // The output is written in order, one group of 4 k's of a block's
  // channels after another; each channel's 4 weights are read from its row.
  int8_t* out = reinterpret_cast<int8_t*>(const_cast<int16_t*>(p->data()));
  for (int32_t n0 = 0; n0 < p->n_padded;) {
    const int32_t block = p->n_padded - n0 >= 16 ? 16 : 8;
    const int32_t real = n - n0 < block ? n - n0 : block;  // channels with weights
    for (int32_t q = 0; q < padded_k / 4; ++q) {
      const int32_t k0 = 4 * q;
      for (int32_t j = 0; j < real; ++j, out += 4) {
        const W* src = weights + static_cast<size_t>(n0 + j) * k + k0;
        if (q < full_quads) {
          for (int t = 0; t < 4; ++t) out[t] = static_cast<int8_t>(src[t] + filter_offset);
        } else {
          for (int t = 0; t < 4; ++t) out[t] = static_cast<int8_t>(k0 + t < k ? src[t] + filter_offset : 0);
        }
      }
      std::memset(out, 0, static_cast<size_t>(block - real) * 4);  // padding channels
      out += static_cast<size_t>(block - real) * 4;
    }
    n0 += block;
  }
  return true;
}

// Adds c * column_sums[n] to every channel's bias, mod 2^32.
inline void FoldQDotBias(const PackedQGemmWeights& w, int32_t c, QRequant* r) {
  for (int32_t i = 0; i < w.n; ++i) {
    r->bias[i] = static_cast<int32_t>(static_cast<uint32_t>(r->bias[i]) +
                                      static_cast<uint32_t>(c) * static_cast<uint32_t>(w.column_sums[i]));
  }
}

// Packs the weights and prepares the requantization for `fns` and
// activations of type T: for dot kernels, their layout with the input
// shift folded into the bias when the weights and the input zero point fit
// it, else fns.fallback's. Returns the kernels to run (fns, fns.fallback or
// nullptr when there is none).
template <typename T, typename W>
const QConvGemmKernels* PrepareQConvGemm(const QConvGemmKernels& fns, const W* weights, int32_t n, int32_t k,
                                         const RequantParams& q, const int32_t* bias, PackedQGemmWeights* w,
                                         QRequant* r) {
  const QConvGemmKernels* chosen = &fns;
  int32_t c = 0;
  if (fns.dot != QDotKind::kNone) {
    c = QDotInputShift(fns.dot, std::is_same_v<T, uint8_t>, q.input_offset);
    if (!QDotPadFits(fns.dot, c) || !PackQGemmWeightsDot(weights, n, k, q.filter_offset, w)) chosen = fns.fallback;
  }
  if (chosen == nullptr) return nullptr;
  if (chosen->dot == QDotKind::kNone) PackQGemmWeights(weights, n, k, q.filter_offset, chosen->kr, w);
  PrepareQRequant(q, bias, n, r);
  if (chosen->dot != QDotKind::kNone) FoldQDotBias(*w, c, r);
  return chosen;
}

#if defined(__x86_64__)
void QConvGemmAvx2(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                   const uint8_t* input, uint8_t* output, int16_t* panel);
void QConvGemmAvx2(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                   const int8_t* input, int8_t* output, int16_t* panel);
#endif
#if defined(__x86_64__)
// The dot-product kernels (qgemm-dot-x86.h), weights in the kr = 4 layout.
void QConvGemmAvxVnni(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                      const uint8_t* input, uint8_t* output, int16_t* panel);
void QConvGemmAvxVnni(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                      const int8_t* input, int8_t* output, int16_t* panel);
void QConvGemmAvx512Vnni(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r,
                         int32_t input_offset, const uint8_t* input, uint8_t* output, int16_t* panel);
void QConvGemmAvx512Vnni(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r,
                         int32_t input_offset, const int8_t* input, int8_t* output, int16_t* panel);
// TEST DOUBLE, never selected by SelectQConvGemm: the same dot kernel
// template with vpdpbusd emulated exactly by AVX2 instructions
// (DpbusdEmulatedAvx2), so machines without VNNI can test everything the
// VNNI kernels do around the instruction (packing, zero-point folding,
// padding, tails, requantization).
void QConvGemmDotEmulatedAvx2(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r,
                              int32_t input_offset, const uint8_t* input, uint8_t* output, int16_t* panel);
void QConvGemmDotEmulatedAvx2(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r,
                              int32_t input_offset, const int8_t* input, int8_t* output, int16_t* panel);
// The kernel table of the test double (dot kU8S8, falling back to AVX2);
// for tests only, on CPUs with AVX2.
const QConvGemmKernels* QConvGemmDotEmulatedAvx2Kernels();
#endif
#if defined(__aarch64__)
// sdot kernels (qgemm-dot-neondot.cc), weights in the kr = 4 layout.
void QConvGemmNeonDot(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                      const uint8_t* input, uint8_t* output, int16_t* panel);
void QConvGemmNeonDot(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                      const int8_t* input, int8_t* output, int16_t* panel);
#endif
#if defined(__aarch64__)
void QConvGemmNeon(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                   const uint8_t* input, uint8_t* output, int16_t* panel);
void QConvGemmNeon(const ConvGeometry& g, const PackedQGemmWeights& w, const QRequant& r, int32_t input_offset,
                   const int8_t* input, int8_t* output, int16_t* panel);
#endif

}  // namespace edgeinfer::kernels
