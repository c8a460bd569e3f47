// The one place that maps an instruction set to the microkernels built for
// it. Callers pass the ISA their KernelConfig allows (never more than
// BestIsa() or the session's choice), so nothing reaches an ISA file the CPU
// cannot run.
#include "kernels/qdwconv.h"
#include "kernels/qgemm.h"

namespace edgeinfer::kernels {

const QConvGemmKernels* SelectQConvGemm(Isa isa) {
#if defined(__x86_64__)
  static const QConvGemmKernels avx2 = {"avx2", 2, &QConvGemmAvx2, &QConvGemmAvx2};
  // The dot-product kernels fall back to AVX2's when the weights plus
  // filter offset leave [-128, 127] (PrepareQConvGemm).
  static const QConvGemmKernels avxvnni = {"avxvnni", 4, &QConvGemmAvxVnni, &QConvGemmAvxVnni,
                                           QDotKind::kU8S8, &avx2};
  static const QConvGemmKernels avx512vnni = {"avx512vnni", 4, &QConvGemmAvx512Vnni, &QConvGemmAvx512Vnni,
                                              QDotKind::kU8S8, &avx2};
  if (isa == Isa::kAvx2) return &avx2;
  if (isa == Isa::kAvxVnni) return &avxvnni;
  if (isa == Isa::kAvx512Vnni) return &avx512vnni;
#elif defined(__aarch64__)
  static const QConvGemmKernels neon = {"neon", 1, &QConvGemmNeon, &QConvGemmNeon};
  static const QConvGemmKernels neondot = {"neondot", 4, &QConvGemmNeonDot, &QConvGemmNeonDot, QDotKind::kS8S8,
                                           &neon};
  if (isa == Isa::kNeon) return &neon;
  if (isa == Isa::kNeonDot) return &neondot;
#endif
  (void)isa;
  return nullptr;
}

#if defined(__x86_64__)
const QConvGemmKernels* QConvGemmDotEmulatedAvx2Kernels() {
  static const QConvGemmKernels emulated = {"avx2-emulated-dpbusd", 4, &QConvGemmDotEmulatedAvx2,
                                            &QConvGemmDotEmulatedAvx2, QDotKind::kU8S8,
                                            SelectQConvGemm(Isa::kAvx2)};
  return &emulated;
}
#endif

const QDwConvKernels* SelectQDwConv(Isa isa) {
#if defined(__x86_64__)
  static const QDwConvKernels avx2 = {"avx2", DwLayout::kTapPairs16, &QDwConvAvx2, &QDwConvAvx2};
  // 3x3 filters only; others run AVX2's kernel (QDwConvFor).
  static const QDwConvKernels avx512vnni = {"avx512vnni", DwLayout::kTapPairs16, &QDwConvAvx512Vnni,
                                            &QDwConvAvx512Vnni, /*only_3x3=*/true, &avx2};
  if (isa == Isa::kAvx2 || isa == Isa::kAvxVnni) return &avx2;
  if (isa == Isa::kAvx512Vnni) return &avx512vnni;
#elif defined(__aarch64__)
  static const QDwConvKernels neon = {"neon", DwLayout::kTaps8, &QDwConvNeon, &QDwConvNeon};
  if (isa == Isa::kNeon || isa == Isa::kNeonDot) return &neon;
#endif
  (void)isa;
  return nullptr;
}

}  // namespace edgeinfer::kernels
