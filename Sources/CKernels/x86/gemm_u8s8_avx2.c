// The int8 GEMM for AVX2 hosts (tier 1, and tier 2: AVX-512 without VNNI): see gemm_u8s8.c for the
// panel layout and the contract.
#if defined(__x86_64__)
#include <immintrin.h>

#include "../gemm_epilogue.h"
#include "x86.h"


// Without vpdpbusd, vpmaddwd on bytes widened to int16 (u8 x s8 products fit: 255 x 127 < 2^15, and
// vpmaddubsw's saturating pair sums would not). A register tile is 2 activation rows x one 16-column
// panel. Per group of 4 k, the panel's 64 weight bytes widen once, for both rows, to 4 vectors of
// int16 (columns 4c..4c+3 with their 4 k values); a row's 4 activations, widened once per row block,
// are broadcast in the same pattern; vpmaddwd leaves each column's two partial sums (k0 + k1,
// k2 + k3) in adjacent lanes. The partials are added once, after the k loop, not per step.
#define MR2 2

TARGET_AVX2 INLINE void tile_avx2(const int mr, int k, const int16_t *a, int lda, const int8_t *panel,
                                  int32_t out[MR2][PANEL]) {
    __m256i acc[MR2][4];
    for (int r = 0; r < MR2; r++)
        for (int c = 0; c < 4; c++) acc[r][c] = _mm256_setzero_si256();
    for (int p = 0; p < k; p += 4) {
        const int8_t *g = panel + (size_t)p * PANEL;
        __m256i wv[4];
        for (int c = 0; c < 4; c++) wv[c] = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(g + 16 * c)));
        for (int r = 0; r < mr; r++) {
            int64_t a4; __builtin_memcpy(&a4, a + (size_t)r * lda + p, 8);
            __m256i av = _mm256_set1_epi64x(a4);  // (a0 a1 a2 a3) x 4 as int16
            for (int c = 0; c < 4; c++) acc[r][c] = _mm256_add_epi32(acc[r][c], _mm256_madd_epi16(av, wv[c]));
        }
    }
    // hadd within 128-bit lanes gives columns [0 1 4 5 | 2 3 6 7] of each 8; one permute restores the order.
    const __m256i order = _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7);
    for (int r = 0; r < mr; r++) {
        _mm256_storeu_si256((__m256i *)out[r], _mm256_permutevar8x32_epi32(_mm256_hadd_epi32(acc[r][0], acc[r][1]), order));
        _mm256_storeu_si256((__m256i *)(out[r] + 8), _mm256_permutevar8x32_epi32(_mm256_hadd_epi32(acc[r][2], acc[r][3]), order));
    }
}

// The tile for `mr` (1 or MR2) rows, each compiled with constant bounds.
TARGET_AVX2 INLINE void tile_avx2_rows(int mr, int k, const int16_t *a, int lda, const int8_t *panel,
                                       int32_t out[MR2][PANEL]) {
    if (mr == MR2) tile_avx2(MR2, k, a, lda, panel, out);
    else tile_avx2(1, k, a, lda, panel, out);
}

// Row blocks of MC_AVX2 rows keep their activations in L1/L2 while each panel's weights (16 x k
// bytes) are read once per block; sums of (q + 128) w, like the VNNI kernel. `e == NULL` stores
// exact int32 sums into `c` (tests).
#define MC_AVX2 48
#define WIDE_VALUES 32768  // 64 KB of int16 activations on the stack

TARGET_AVX2 void mb_gemm_u8s8_avx2(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w, const epilogue *e,
                                  int gated, const int32_t *w_sums, int32_t *c, int ldc) {
    if (k <= 0 || k > WIDE_VALUES / MR2) {  // two rows would not fit the buffer (no ModernBERT comes near)
        mb_gemm_u8s8_portable(m, n, k, a, lda, w, e, gated, w_sums, c, ldc);
        return;
    }
    int32_t input[MR2][PANEL], gate[MR2][PANEL];
    int16_t wide[WIDE_VALUES] __attribute__((aligned(32)));
    int block = WIDE_VALUES / k < MC_AVX2 ? WIDE_VALUES / k : MC_AVX2;
    block = block < MR2 ? MR2 : block & ~1;
    for (int i0 = 0; i0 < m; i0 += block) {
        const int i1 = i0 + block < m ? i0 + block : m;
        for (int i = i0; i < i1; i++) {  // the block's activations widened to int16 once, for every panel
            const uint8_t *src = a + (size_t)i * lda;
            int16_t *dst = wide + (size_t)(i - i0) * k;
            int p = 0;
            for (; p + 16 <= k; p += 16)
                _mm256_storeu_si256((__m256i *)(dst + p), _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(src + p))));
            for (; p < k; p++) dst[p] = src[p];
        }
        for (int j = 0; j < n; j += PANEL) {
            const int8_t *panel = w + (size_t)j * k;
            float *o = e ? panel_out(e, j) : NULL;
            for (int i = i0; i < i1; i += MR2) {
                const int16_t *rows = wide + (size_t)(i - i0) * k;
                const int mr = i1 - i < MR2 ? i1 - i : MR2;
                tile_avx2_rows(mr, k, rows, k, panel, input);
                if (gated) tile_avx2_rows(mr, k, rows, k, panel + (size_t)e->gate_offset * k, gate);
                for (int r = 0; r < mr; r++) {
                    if (!e) {
                        for (int l = 0; l < PANEL; l++) c[(size_t)(i + r) * ldc + j + l] = input[r][l] - 128 * w_sums[j + l];
                    } else if (gated) {
                        store_gated(e, i + r, j, input[r], gate[r], 1, o + (size_t)(i + r) * e->ldo);
                    } else {
                        store_plain(e, i + r, j, input[r], 1, o + (size_t)(i + r) * e->ldo);
                    }
                }
            }
        }
    }
}

// Weight row sums (computed at load):

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
