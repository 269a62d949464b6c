// int8 x int8 -> int32 matrix products for W8A8 linear layers.
//
// Weights come in "panels": 16 output rows at a time, k in groups of 4, so one 64-byte load
// holds w[j0..j0+15][p..p+3], exactly the operand vpdpbusd multiplies against four broadcast
// activation bytes. Activations are stored as u8 = q + 128 (vpdpbusd multiplies unsigned by
// signed), and the +128 is removed afterwards with the precomputed row sums of the weights:
// sum (q + 128) w = sum q w + 128 sum w. Every tier computes the same exact integers.
#include "CKernels.h"
#include <immintrin.h>
#include <math.h>

#include "vec16.h"

#define PANEL 16

static inline const int8_t *panel_ptr(const int8_t *w, int k, int j) { return w + (size_t)(j / PANEL) * PANEL * k; }

// ---------------------------------------------------------------- portable reference (tier 0)

static void gemm_portable(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w,
                          const int32_t *w_sums, int32_t *c, int ldc) {
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
            const int8_t *panel = panel_ptr(w, k, j);
            int r = j % PANEL;
            int32_t acc = 0;
            for (int p = 0; p < k; p += 4) {
                const int8_t *wv = panel + (size_t)(p / 4) * 64 + r * 4;
                const uint8_t *av = a + (size_t)i * lda + p;
                acc += av[0] * wv[0] + av[1] * wv[1] + av[2] * wv[2] + av[3] * wv[3];
            }
            c[(size_t)i * ldc + j] = acc - 128 * w_sums[j];
        }
    }
}

// ---------------------------------------------------------------- float epilogue (every tier)

// What becomes of a finished int32 dot product: the arguments of mb_gemm_u8s8_panels{,_gated}.
typedef struct {
    const int32_t *w_sums;
    const float *a_scale, *w_scale, *bias;
    float *out;
    int ldo, accumulate, gate_offset, kind;
    // Column blocks (mb_gemm_u8s8_panels_blocked): column j is column (col0 + j) % block_cols of
    // block (col0 + j) / block_cols, blocks block_stride floats apart; 0 = plain rows of ldo.
    int col0, block_cols;
    size_t block_stride;
} epilogue;

// Where row 0 of the panel of columns [j, j + 16) goes; row i is i * ldo floats further (a panel never
// straddles a column block). Callers hoist this out of their row loops: the division is not free.
INLINE float *panel_out(const epilogue *e, int j) {
    if (!e->block_cols) return e->out + j;
    const int c = e->col0 + j;
    return e->out + (size_t)(c / e->block_cols) * e->block_stride + c % e->block_cols;
}

// y for columns [j, j + 16) of row i from their 16 int32 sums at `s`: sums of (q + 128) w when
// `offset` (the VNNI accumulators; the weight row sums remove the +128), else the exact sums of q w.
// Vectors are passed by address: these helpers are compiled for the caller's tier, and a vector
// argument from an AVX-512 function to a baseline one would change the ABI.
INLINE v16f dequantize(const epilogue *e, int i, int j, const void *s, int offset) {
    v16i sums; memcpy(&sums, s, 64);
    if (offset) {
        v16i comp; memcpy(&comp, e->w_sums + j, 64);
        sums -= comp << 7;
    }
    v16f y = __builtin_convertvector(sums, v16f) * (e->a_scale[i] * load_f32(e->w_scale + j));
    return e->bias ? y + load_f32(e->bias + j) : y;
}

// Plain: o = y, or o += y (a residual connection added where the product is made); `o` is where
// y[i][j .. j + 16) goes.
INLINE void store_plain(const epilogue *e, int i, int j, const void *s, int offset, float *o) {
    v16f y = dequantize(e, i, j, s, offset);
    store_f32(o, e->accumulate ? load_f32(o) + y : y);
}

// GeGLU: out = act(y[j]) * y[j + gate_offset], so the [rows, 2 x inner] product is never stored.
INLINE void store_gated(const epilogue *e, int i, int j, const void *input, const void *gate, int offset, float *o) {
    store_f32(o, activate(e->kind, dequantize(e, i, j, input, offset)) * dequantize(e, i, j + e->gate_offset, gate, offset));
}

// The portable tier: the exact integer product 64 columns at a time into a stack buffer, then the
// same epilogue code.
static void gemm_rows_then_epilogue(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w,
                                    const epilogue *e, int gated) {
    int32_t input[64], gate[64];
    for (int i = 0; i < m; i++)
        for (int j0 = 0; j0 < n; j0 += 64) {
            int width = n - j0 < 64 ? n - j0 : 64;
            const uint8_t *row = a + (size_t)i * lda;
            gemm_portable(1, width, k, row, lda, w + (size_t)j0 * k, e->w_sums + j0, input, width);
            if (gated)
                gemm_portable(1, width, k, row, lda, w + (size_t)(j0 + e->gate_offset) * k, e->w_sums + j0 + e->gate_offset,
                              gate, width);
            for (int v = 0; v < width; v += 16) {
                float *o = panel_out(e, j0 + v) + (size_t)i * e->ldo;
                if (gated) store_gated(e, i, j0 + v, input + v, gate + v, 0, o);
                else store_plain(e, i, j0 + v, input + v, 0, o);
            }
        }
}

// ---------------------------------------------------------------- AVX2 (tier 1, and AVX-512 without VNNI)

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

TARGET_AVX2 static void gemm_avx2(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w, const epilogue *e,
                                  int gated, const int32_t *w_sums, int32_t *c, int ldc) {
    if (k <= 0 || k > WIDE_VALUES / MR2) {  // two rows would not fit the buffer (no ModernBERT comes near)
        if (e) gemm_rows_then_epilogue(m, n, k, a, lda, w, e, gated);
        else gemm_portable(m, n, k, a, lda, w, w_sums, c, ldc);
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

// ---------------------------------------------------------------- AVX-512 VNNI (tier 3)

#define MR 6   // activation rows per register tile
#define NV 4   // panels (16 columns each) per register tile: 6 x 4 = 24 accumulators

// One register tile: rows [0, mr) of `a` against the panels wv[0..nv), which may lie anywhere (the
// GeGLU path pairs input and gate panels in one tile).
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni"), always_inline))
static inline void tile_vnni(int mr, int nv, int k, const uint8_t *a, int lda, const int8_t *const *wv,
                             __m512i out[MR][NV]) {
    // Local accumulators: `out` is only written at the end, because stores through it could alias
    // the byte operands and would pin the accumulators in memory.
    __m512i acc[MR][NV];
    const int8_t *w[NV];
    for (int v = 0; v < NV; v++) w[v] = wv[v < nv ? v : 0];
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++) acc[r][v] = _mm512_setzero_si512();
    for (int p = 0; p < k; p += 4) {
        __m512i b[NV];
        for (int v = 0; v < NV; v++)
            if (v < nv) b[v] = _mm512_loadu_si512((const void *)(w[v] + (size_t)p * PANEL));
        for (int r = 0; r < MR; r++) {
            if (r >= mr) break;
            int32_t a4; __builtin_memcpy(&a4, a + (size_t)r * lda + p, 4);
            __m512i av = _mm512_set1_epi32(a4);
            for (int v = 0; v < NV; v++)
                if (v < nv) acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], av, b[v]);
        }
    }
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++)
            if (r < mr && v < nv) out[r][v] = acc[r][v];
}

// Specialised copies so the tile loops unroll with constant bounds (accumulators stay in registers).
#define DEFINE_TILE(R, V) \
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni"))) \
static void tile_vnni_##R##_##V(int k, const uint8_t *a, int lda, const int8_t *const *wv, __m512i acc[MR][NV]) { \
    tile_vnni(R, V, k, a, lda, wv, acc); \
}
#define DEFINE_TILES(R) DEFINE_TILE(R, 1) DEFINE_TILE(R, 2) DEFINE_TILE(R, 3) DEFINE_TILE(R, 4)
DEFINE_TILES(1) DEFINE_TILES(2) DEFINE_TILES(3) DEFINE_TILES(4) DEFINE_TILES(5) DEFINE_TILES(6)

typedef void (*tile_fn)(int, const uint8_t *, int, const int8_t *const *, __m512i[MR][NV]);

#define TILE_ROW(R) {tile_vnni_##R##_1, tile_vnni_##R##_2, tile_vnni_##R##_3, tile_vnni_##R##_4}
static const tile_fn tiles[MR][NV] = {TILE_ROW(1), TILE_ROW(2), TILE_ROW(3), TILE_ROW(4), TILE_ROW(5), TILE_ROW(6)};

// Row blocks keep a slab of activations in L2 while the panels of a column block stream past.
#define MC 96

// Plain tiles cover 4 panels (64 output columns); gated tiles 2 input panels and their 2 gate
// panels (32 output columns). `e == NULL` stores exact int32 sums into `c` instead (tests).
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
static void gemm_vnni(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w, const epilogue *e, int gated,
                      const int32_t *w_sums, int32_t *c, int ldc) {
    __m512i acc[MR][NV];
    const int per_tile = gated ? NV / 2 : NV;  // output panels per tile
    for (int i0 = 0; i0 < m; i0 += MC) {
        int i1 = i0 + MC < m ? i0 + MC : m;
        for (int j0 = 0; j0 < n; j0 += per_tile * PANEL) {
            int q = (n - j0) / PANEL; if (q > per_tile) q = per_tile;
            const int8_t *wv[NV];
            float *o[NV];  // where row 0 of each output panel goes
            for (int v = 0; v < q; v++) {
                wv[v] = w + (size_t)(j0 + v * PANEL) * k;
                if (gated) wv[q + v] = wv[v] + (size_t)e->gate_offset * k;
                if (e) o[v] = panel_out(e, j0 + v * PANEL);
            }
            for (int i = i0; i < i1; i += MR) {
                int mr = i1 - i < MR ? i1 - i : MR;
                if (e)  // the epilogue's output lines arrive while the tile computes (the residual misses L2)
                    for (int r = 0; r < mr; r++)
                        for (int v = 0; v < q; v++)
                            __builtin_prefetch(o[v] + (size_t)(i + r) * e->ldo, 1, 3);
                tiles[mr - 1][(gated ? 2 * q : q) - 1](k, a + (size_t)i * lda, lda, wv, acc);
                for (int r = 0; r < mr; r++)
                    for (int v = 0; v < q; v++) {
                        int j = j0 + v * PANEL;
                        if (!e) {
                            __m512i comp = _mm512_slli_epi32(_mm512_loadu_si512((const void *)(w_sums + j)), 7);
                            _mm512_storeu_si512((void *)(c + (size_t)(i + r) * ldc + j), _mm512_sub_epi32(acc[r][v], comp));
                        } else if (gated) {
                            store_gated(e, i + r, j, &acc[r][v], &acc[r][q + v], 1, o[v] + (size_t)(i + r) * e->ldo);
                        } else {
                            store_plain(e, i + r, j, &acc[r][v], 1, o[v] + (size_t)(i + r) * e->ldo);
                        }
                    }
            }
        }
    }
}

// ---------------------------------------------------------------- dispatch

void mb_gemm_u8s8_panels_i32(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w,
                             const int32_t *w_sums, int32_t *c, int ldc) {
    switch (mb_active_tier()) {
    case 3: gemm_vnni(m, n, k, a, lda, w, NULL, 0, w_sums, c, ldc); break;
    case 2: case 1: gemm_avx2(m, n, k, a, lda, w, NULL, 0, w_sums, c, ldc); break;
    default: gemm_portable(m, n, k, a, lda, w, w_sums, c, ldc); break;
    }
}

static void gemm_with_epilogue(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w, const epilogue *e,
                               int gated) {
    switch (mb_active_tier()) {
    case 3: gemm_vnni(m, n, k, a, lda, w, e, gated, NULL, NULL, 0); break;
    case 2: case 1: gemm_avx2(m, n, k, a, lda, w, e, gated, NULL, NULL, 0); break;
    default: gemm_rows_then_epilogue(m, n, k, a, lda, w, e, gated); break;
    }
}

void mb_gemm_u8s8_panels(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w,
                         const int32_t *w_sums, const float *a_scale, const float *w_scale,
                         const float *bias, int accumulate, float *out, int ldo) {
    epilogue e = {w_sums, a_scale, w_scale, bias, out, ldo, accumulate, 0, 0, 0, 0, 0};
    gemm_with_epilogue(m, n, k, a, lda, w, &e, 0);
}

void mb_gemm_u8s8_panels_blocked(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w,
                                 const int32_t *w_sums, const float *a_scale, const float *w_scale,
                                 const float *bias, float *out, int col0, int block_cols, size_t block_stride) {
    epilogue e = {w_sums, a_scale, w_scale, bias, out, block_cols, 0, 0, 0, col0, block_cols, block_stride};
    gemm_with_epilogue(m, n, k, a, lda, w, &e, 0);
}

void mb_gemm_u8s8_panels_gated(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w,
                               const int32_t *w_sums, const float *a_scale, const float *w_scale,
                               const float *bias, int gate_offset, int kind, float *out, int ldo) {
    epilogue e = {w_sums, a_scale, w_scale, bias, out, ldo, 0, gate_offset, kind, 0, 0, 0};
    gemm_with_epilogue(m, n, k, a, lda, w, &e, 1);
}

// ---------------------------------------------------------------- weight row sums (computed at load)

// Byte j of int32 lane r in a panel group is w[r][p + j], so a per-lane sum of the four bytes is a
// partial row sum: vpmaddubsw against ones adds byte pairs, vpmaddwd against ones adds the pairs.
__attribute__((target("avx2")))
static void row_sums_avx2(const int8_t *w, int n, int k, int32_t *sums) {
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

void mb_row_sums_i8panels(const int8_t *w, int n, int k, int32_t *sums) {
    if (mb_active_tier() >= 1) { row_sums_avx2(w, n, k, sums); return; }
    for (int j0 = 0; j0 < n; j0 += PANEL) {
        const int8_t *panel = w + (size_t)j0 * k;
        for (int r = 0; r < PANEL; r++) sums[j0 + r] = 0;
        for (int p = 0; p < k; p += 4)
            for (int r = 0; r < PANEL; r++) {
                const int8_t *v = panel + (size_t)p * PANEL + r * 4;
                sums[j0 + r] += v[0] + v[1] + v[2] + v[3];
            }
    }
}
