// The int8 GEMM for AVX-VNNI hosts (tier 2): AVX2 CPUs with the VEX-encoded vpdpbusd and no AVX-512
// (Alder Lake-N, Alder/Raptor/Meteor/Arrow/Lunar Lake, Sierra Forest). Zen 5 has AVX-VNNI too, but
// also AVX-512 VNNI, so it runs tier 4.
// vpdpbusd ymm does 32 multiply-adds in one instruction where tier 1 needs four (gemm_u8s8_avx2.c).
// See gemm_u8s8.c for the panel layout and the contract, Docs/kernels.md for what was verified.
//
// One source (gemm_u8s8_avxvnni.h), compiled twice:
//   _vex   avx2 + avxvnni, {vex} vpdpbusd ymm: what AVX-VNNI CPUs run;
//   _evex  AVX-512 VL + VNNI, EVEX vpdpbusd ymm: the same semantics on AVX-512 VNNI CPUs, so a
//          machine without AVX-VNNI (and qemu, which cannot emulate it) tests and times this source.
// dispatch_x86.c runs _vex where the CPU has AVX-VNNI, else _evex.
#if defined(__x86_64__)
#include <immintrin.h>

#include "../gemm_epilogue.h"
#include "x86.h"

// The register tile (sized for the VEX build's 16 ymm: the accumulators, the weight vectors of the
// tile's panels and one broadcast; Docs/kernels.md has the measurements that chose it).
#define AVX_MR 6        // rows per plain tile
#define AVX_NP 1        // panels per plain tile
#define AVX_GATED_MR 3  // rows per gated tile (an input panel and its gate panel: 4 vectors)
#define AVX_MC 96       // rows per block

#define VNNI_TARGET "avx2,fma,f16c,avxvnni"
#define DPBUSD(c, a, b) _mm256_dpbusd_avx_epi32(c, a, b)
#define VNNI_NAME(x) x##_vex
#include "gemm_u8s8_avxvnni.h"
#undef VNNI_TARGET
#undef DPBUSD
#undef VNNI_NAME

#define VNNI_TARGET "avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni"
#define DPBUSD(c, a, b) _mm256_dpbusd_epi32(c, a, b)
#define VNNI_NAME(x) x##_evex
#include "gemm_u8s8_avxvnni.h"

#endif
