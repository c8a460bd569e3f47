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
  if (isa == Isa::kAvx2 || isa == Isa::kAvxVnni || isa == Isa::kAvx512Vnni) return &avx2;
#elif defined(__aarch64__)
  static const QConvGemmKernels neon = {"neon", 1, &QConvGemmNeon, &QConvGemmNeon};
  if (isa == Isa::kNeon || isa == Isa::kNeonDot) return &neon;
#endif
  (void)isa;
  return nullptr;
}

const QDwConvKernels* SelectQDwConv(Isa isa) {
#if defined(__x86_64__)
  static const QDwConvKernels avx2 = {"avx2", DwLayout::kTapPairs16, &QDwConvAvx2, &QDwConvAvx2};
  if (isa == Isa::kAvx2 || isa == Isa::kAvxVnni || isa == Isa::kAvx512Vnni) return &avx2;
#elif defined(__aarch64__)
  static const QDwConvKernels neon = {"neon", DwLayout::kTaps8, &QDwConvNeon, &QDwConvNeon};
  if (isa == Isa::kNeon || isa == Isa::kNeonDot) return &neon;
#endif
  (void)isa;
  return nullptr;
}

}  // namespace edgeinfer::kernels
