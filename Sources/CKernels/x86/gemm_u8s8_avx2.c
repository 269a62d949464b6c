// The int8 GEMM for AVX2 hosts (tier 1, and tier 3: AVX-512 without VNNI): see gemm_u8s8.c for the
// panel layout and the contract, Docs/kernels.md ("Without VNNI") for the measurements.
#if defined(__x86_64__)
#include <immintrin.h>

#include "../gemm_epilogue.h"
#include "x86.h"

// vpmaddubsw multiplies 32 unsigned bytes by 32 signed bytes and adds neighbouring products into
// int16, saturating; vpmaddwd against ones adds those pairs into int32. With activations as q + 128
// and weights up to +-127 a pair can reach 64,770 and saturate, so the operands are rearranged:
//
//   unsigned operand  u = |q|                  (0 .. 128)
//   signed operand    s = w ^ (q < 0 ? ~0 : 0)  (w, or ~w = -w - 1 where q is negative)
//
// u * s = q * w where q >= 0, and |q| * (-w - 1) = q * w - |q| where q < 0. So
// sum u * s = sum q * w - sum over negative q of |q|: the correction depends on the activation row
// only and is added back once per row. Every product lies in [-128 * 128, 128 * 127], so a pair sum
// lies in [-32,768, 32,512] and never saturates, for any byte in either operand: the result is exact.
//
// This costs one vpxor per product vector on top of vpmaddubsw + vpmaddwd + vpaddd. vpxor runs on
// any of the four vector pipes, where ggml's vpsignb (sign(w, q), the two's complement form) shares
// the two pipes that multiply on Zen 3 and 4 and limits the kernel to 2/3 of the multiply rate.
// |q|, the sign masks and the corrections are made once per row block (`prepare_rows`), for every panel.

#define MR 2     // activation rows per register tile
#define NV 4     // 8-column vectors per register tile: two panels, or a panel and its GeGLU gate panel
#define MC 48    // rows per block (at most; fewer when k is long)
#define PREP_BYTES 32768  // per array of the prepared block (|q| and the masks): 64 KB of stack together

// One register tile: rows [0, mr) of the prepared block against the 8-column vectors of panels
// wv[0], wv[1] (nv = 2: wv[0] only), with the row corrections added. out[r][8v + c] is column c of vector v.
TARGET_AVX2 INLINE void tile(const int mr, const int nv, int k, const uint8_t *u, const uint8_t *mask, int ld,
                             const int8_t *const *wv, const int32_t *corr, int32_t out[MR][NV * 8]) {
    __m256i acc[MR][NV];
    const __m256i ones = _mm256_set1_epi16(1);
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++) acc[r][v] = _mm256_setzero_si256();
    for (int p = 0; p < k; p += 4) {
        __m256i w[NV];
        for (int v = 0; v < nv; v++) w[v] = _mm256_loadu_si256((const __m256i *)(wv[v / 2] + (size_t)p * PANEL + 32 * (v & 1)));
        for (int r = 0; r < mr; r++) {
            int32_t u4, m4;
            __builtin_memcpy(&u4, u + (size_t)r * ld + p, 4);
            __builtin_memcpy(&m4, mask + (size_t)r * ld + p, 4);
            const __m256i ub = _mm256_set1_epi32(u4), mb = _mm256_set1_epi32(m4);
            for (int v = 0; v < nv; v++)
                acc[r][v] = _mm256_add_epi32(acc[r][v], _mm256_madd_epi16(_mm256_maddubs_epi16(ub, _mm256_xor_si256(w[v], mb)), ones));
        }
    }
    for (int r = 0; r < mr; r++) {
        const __m256i c = _mm256_set1_epi32(corr[r]);
        for (int v = 0; v < nv; v++) _mm256_storeu_si256((__m256i *)(out[r] + 8 * v), _mm256_add_epi32(acc[r][v], c));
    }
}

// Specialised copies, so the loops unroll with constant bounds and the accumulators stay in registers
// (2 x 4 accumulators, 4 weight vectors, 2 broadcasts, ones and a temporary: all 16 ymm).
#define DEFINE_TILE(R, V) \
TARGET_AVX2 static void tile_##R##_##V(int k, const uint8_t *u, const uint8_t *mask, int ld, const int8_t *const *wv, \
                                       const int32_t *corr, int32_t out[MR][NV * 8]) { \
    tile(R, V, k, u, mask, ld, wv, corr, out); \
}
DEFINE_TILE(1, 2) DEFINE_TILE(1, 4) DEFINE_TILE(2, 2) DEFINE_TILE(2, 4)

typedef void (*tile_fn)(int, const uint8_t *, const uint8_t *, int, const int8_t *const *, const int32_t *, int32_t[MR][NV * 8]);
static const tile_fn tiles[MR][2] = {{tile_1_2, tile_1_4}, {tile_2_2, tile_2_4}};

// Rows [0, rows) of `a` as the kernel's operands: |q| into `u`, the sign masks into `mask` (k bytes
// a row), and per row the correction sum over negative q of |q| (vpsadbw adds the bytes of |q| & mask).
TARGET_AVX2 static void prepare_rows(int rows, int k, const uint8_t *a, int lda, uint8_t *u, uint8_t *mask, int32_t *corr) {
    const __m256i flip = _mm256_set1_epi8((char)0x80), zero = _mm256_setzero_si256();
    for (int i = 0; i < rows; i++) {
        const uint8_t *src = a + (size_t)i * lda;
        uint8_t *du = u + (size_t)i * k, *dm = mask + (size_t)i * k;
        __m256i sum = zero;
        int p = 0;
        for (; p + 32 <= k; p += 32) {
            const __m256i q = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(src + p)), flip);
            const __m256i uq = _mm256_abs_epi8(q), mq = _mm256_cmpgt_epi8(zero, q);
            _mm256_storeu_si256((__m256i *)(du + p), uq);
            _mm256_storeu_si256((__m256i *)(dm + p), mq);
            sum = _mm256_add_epi64(sum, _mm256_sad_epu8(_mm256_and_si256(uq, mq), zero));
        }
        const __m128i half = _mm_add_epi64(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
        int32_t s = (int32_t)(_mm_cvtsi128_si64(half) + _mm_extract_epi64(half, 1));
        for (; p < k; p++) {
            const int q = (int)src[p] - 128;
            du[p] = (uint8_t)(q < 0 ? -q : q);
            dm[p] = q < 0 ? 0xFF : 0;
            s += q < 0 ? -q : 0;
        }
        corr[i] = s;
    }
}

// Row blocks of up to MC rows are prepared once and kept in L1/L2 while the panels stream past;
// plain tiles cover 32 output columns, gated tiles 16 (an input panel and its gate panel).
// `e == NULL` stores the exact int32 sums into `c` (tests); `w_sums` is not needed here.
TARGET_AVX2 void mb_gemm_u8s8_avx2(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w, const epilogue *e,
                                  int gated, const int32_t *w_sums, int32_t *c, int ldc) {
    if (k <= 0 || k > PREP_BYTES / MR) {  // not even one tile of rows fits the buffers (no ModernBERT comes near)
        mb_gemm_u8s8_portable(m, n, k, a, lda, w, e, gated, w_sums, c, ldc);
        return;
    }
    uint8_t u[PREP_BYTES] __attribute__((aligned(32))), mask[PREP_BYTES] __attribute__((aligned(32)));
    int32_t corr[MC], out[MR][NV * 8];
    int block = PREP_BYTES / k < MC ? PREP_BYTES / k : MC;
    block -= block % MR;
    const int step = gated ? PANEL : 2 * PANEL;  // output columns per tile
    for (int i0 = 0; i0 < m; i0 += block) {
        const int i1 = i0 + block < m ? i0 + block : m;
        prepare_rows(i1 - i0, k, a + (size_t)i0 * lda, lda, u, mask, corr);
        for (int j0 = 0; j0 < n; j0 += step) {
            const int panels = gated || n - j0 < 2 * PANEL ? 1 : 2;  // output panels of this tile
            const int8_t *wv[2] = {w + (size_t)j0 * k, NULL};
            if (gated) wv[1] = wv[0] + (size_t)e->gate_offset * k;
            else if (panels == 2) wv[1] = wv[0] + (size_t)PANEL * k;
            const int wide = gated || panels == 2;  // four vectors a tile, else two
            float *o[2] = {NULL, NULL};  // where row 0 of each output panel goes
            if (e)
                for (int v = 0; v < panels; v++) o[v] = panel_out(e, j0 + v * PANEL);
            for (int i = i0; i < i1; i += MR) {
                const int mr = i1 - i < MR ? i1 - i : MR;
                if (e)  // the epilogue's output lines arrive while the tile computes (the residual stream misses L2)
                    for (int r = 0; r < mr; r++)
                        for (int v = 0; v < panels; v++) __builtin_prefetch(o[v] + (size_t)(i + r) * e->ldo, 1, 3);
                tiles[mr - 1][wide](k, u + (size_t)(i - i0) * k, mask + (size_t)(i - i0) * k, k, wv, corr + (i - i0), out);
                for (int r = 0; r < mr; r++)
                    for (int v = 0; v < panels; v++) {
                        const int j = j0 + v * PANEL;
                        if (!e) memcpy(c + (size_t)(i + r) * ldc + j, out[r] + v * PANEL, PANEL * sizeof(int32_t));
                        else if (gated) store_gated(e, i + r, j, out[r], out[r] + PANEL, 0, o[0] + (size_t)(i + r) * e->ldo);
                        else store_plain(e, i + r, j, out[r] + v * PANEL, 0, o[v] + (size_t)(i + r) * e->ldo);
                    }
            }
        }
    }
}

// Weight row sums (computed at load, for the VNNI kernel; this one does not need them):

// Byte j of int32 lane r in a panel group is w[r][p + j], so a per-lane sum of the four bytes is a
// partial row sum: vpmaddubsw against ones adds byte pairs, vpmaddwd against ones adds the pairs.
__attribute__((target("avx2")))
void mb_row_sums_i8panels_avx2(const int8_t *w, int n, int k, int32_t *sums) {
    const __m256i ones8 = _mm256_set1_epi8(1), ones16 = _mm256_set1_epi16(1);
    for (int j0 = 0; j0 < n; j0 += PANEL) {
        const int8_t *panel = w + (size_t)j0 * k;
        __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
        for (int p = 0; p < k; p += 4) {
            const int8_t *g = panel + (size_t)p * PANEL;
            __m256i a = _mm256_loadu_si256((const __m256i *)g), b = _mm256_loadu_si256((const __m256i *)(g + 32));
            lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_maddubs_epi16(ones8, a), ones16));
            hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_maddubs_epi16(ones8, b), ones16));
        }
        _mm256_storeu_si256((__m256i *)(sums + j0), lo);
        _mm256_storeu_si256((__m256i *)(sums + j0 + 8), hi);
    }
}

#endif
