// Run-time instruction-set detection for the INT8 kernels.
// The ISA kernels live in native/kernels/*-<isa>.cc, compiled with that ISA's
// flags; nothing may call into one without BestIsa() having allowed it.
#pragma once

namespace edgeinfer::kernels {

// Ordered from least to most capable within each architecture, so a forced
// choice the CPU lacks can fall back to the next one below it.
// kNeon is baseline aarch64 Advanced SIMD, which every arm64 CPU has.
enum class Isa { kReference, kAvx2, kAvxVnni, kAvx512Vnni, kNeon, kNeonDot };

// What this CPU (and OS, for the AVX register state) can run, ignoring the
// environment.
bool CpuSupports(Isa isa);

// The best ISA this CPU supports. EDGEINFER_ISA (reference|avx2|avxvnni|
// avx512vnni|neon|neondot) caps the choice: forcing an ISA the CPU lacks falls back
// to the best supported one below it (e.g. avx512vnni on an AVX2-only CPU
// gives avx2; an ISA of the other architecture gives reference). An unknown
// value is ignored.
// Read once per process.
Isa BestIsa();

// Lower-case name as accepted by EDGEINFER_ISA, for listing the ISA in use.
const char* IsaName(Isa isa);

}  // namespace edgeinfer::kernels
