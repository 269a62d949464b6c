// Attention with bf16 dot products (AVX-512 BF16, vdpbf16ps) for W8A8 models: the kernel of
// attention.c with q, k, v and the softmax weights rounded to bf16 and every sum kept in fp32.
// vdpbf16ps does 32 multiply-adds per instruction against 16 for an fp32 FMA, so the two products
// take half the instructions. Scores, the softmax and the output stay fp32.
//
// Operands are packed so both products are "broadcast one 32-bit pair, multiply 16 lanes of pairs":
//   keys    ktp[p][j]  = (k[j][2p], k[j][2p+1])      lanes = keys, pairs = head dimensions
//   values  vp[jp][d]  = (v[2jp][d], v[2jp+1][d])    lanes = dimensions, pairs = keys
//   queries qp[r][p]   = (q[r][2p], q[r][2p+1]);  weights pp[r][jp] = (p[r][2jp], p[r][2jp+1])
// Rotary embeddings, when given, are applied to keys and queries as they are packed.
// Needs head_dim % 32 == 0 (ModernBERT's is 64); mb_attention_rows falls back to fp32 otherwise.
#if defined(__x86_64__)
#include <immintrin.h>

#include "CKernels.h"
#include "../attention.h"
#include "x86.h"

#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
#define BF16_INLINE static inline __attribute__((always_inline, target("avx512f,avx512bw,avx512vl,avx512bf16")))

// The 32 floats at x as 16 bf16 pairs (x[2i] in the low half of word i, x[2i+1] in the high half).
BF16_INLINE __m512i pairs32(const float *x) {
    return (__m512i)_mm512_cvtne2ps_pbh(_mm512_loadu_ps(x + 16), _mm512_loadu_ps(x));
}

// The 16 floats at x as 8 pairs (words 8-15 zero).
BF16_INLINE __m512i pairs16(const float *x) {
    return (__m512i)_mm512_cvtne2ps_pbh(_mm512_setzero_ps(), _mm512_loadu_ps(x));
}

// ktp[p][j] for j < ldkt (keys past `keys` zero), through the same 16 x 16 transpose as the fp32 keys;
// with rotary tables, each 16-key block is rotated into `rotated` (16 x hd) first.
BF16_INLINE void pack_keys(const float *k, int stride, int keys, int hd, const float *rope_cos, const float *rope_sin,
                           int position, float *rotated, uint32_t *ktp, int ldkt) {
    for (int j = 0; j < ldkt; j += 16) {
        const int count = keys - j < 16 ? keys - j : 16;
        int ld;
        const float *src = rows_as_read(k, stride, j, count, hd, rope_cos, rope_sin, position, rotated, &ld);
        for (int d = 0; d < hd; d += 32) {
            v16f m[16];
            for (int r = 0; r < 16; r++) m[r] = r < count ? (v16f)pairs32(src + (size_t)r * ld + d) : (v16f)_mm512_setzero_ps();
            TRANSPOSE_ROUND(m, 0) TRANSPOSE_ROUND(m, 1) TRANSPOSE_ROUND(m, 2) TRANSPOSE_ROUND(m, 3)
            for (int c = 0; c < 16; c++) _mm512_storeu_si512((void *)(ktp + (size_t)(d / 2 + c) * ldkt + j), (__m512i)m[c]);
        }
    }
}

// vp[jp][d] for jp < pairs (a key past `keys` counts as zero): rows 2jp and 2jp + 1 rounded together
// ([a0..a15 | b0..b15] as 32 bf16), then words interleaved to (a_d, b_d) pairs.
BF16_INLINE void pack_values(const float *v, int stride, int keys, int hd, uint32_t *vp, int pairs) {
    const __m512i interleave = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                                23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    for (int jp = 0; jp < pairs; jp++) {
        const int j = 2 * jp;
        prefetch_row(v + (size_t)(j + 8) * stride, hd);
        prefetch_row(v + (size_t)(j + 9) * stride, hd);
        for (int d = 0; d < hd; d += 16) {
            __m512 a = _mm512_loadu_ps(v + (size_t)j * stride + d);
            __m512 b = j + 1 < keys ? _mm512_loadu_ps(v + (size_t)(j + 1) * stride + d) : _mm512_setzero_ps();
            __m512i both = (__m512i)_mm512_cvtne2ps_pbh(b, a);
            _mm512_storeu_si512((void *)(vp + (size_t)jp * hd + d), _mm512_permutexvar_epi16(interleave, both));
        }
    }
}

// s[r][16c + l] = q[r] . k[16c + l] for r < R, c < C.
BF16_INLINE void scores_tile(const int R, const int C, int pairs, const uint32_t *qp, const uint32_t *ktp, int ldkt,
                             float *s, int lds) {
    __m512 acc[MAX_GROUP][4];
    for (int r = 0; r < R; r++) for (int c = 0; c < C; c++) acc[r][c] = _mm512_setzero_ps();
    for (int p = 0; p < pairs; p++) {
        __m512i kv[4];
        for (int c = 0; c < C; c++) kv[c] = _mm512_loadu_si512((const void *)(ktp + (size_t)p * ldkt + 16 * c));
        for (int r = 0; r < R; r++) {
            __m512bh qb = (__m512bh)_mm512_set1_epi32((int)qp[(size_t)r * pairs + p]);
            for (int c = 0; c < C; c++) acc[r][c] = _mm512_dpbf16_ps(acc[r][c], qb, (__m512bh)kv[c]);
        }
    }
    for (int r = 0; r < R; r++) for (int c = 0; c < C; c++) _mm512_storeu_ps(s + (size_t)r * lds + 16 * c, acc[r][c]);
}

// Over key pairs [jp0, jp1), for r < R, c < D: out[r][16c + l] = inv[r] * sum of p . v, or, with
// `alpha` (a chunk of an online softmax), out = alpha[r] * out + sum.
BF16_INLINE void values_tile(const int R, const int D, int jp0, int jp1, const uint32_t *pp, int ldp,
                             const uint32_t *vp, int hd, const float *inv, const float *alpha, float *out, int ldo) {
    __m512 acc[MAX_GROUP][4];
    for (int r = 0; r < R; r++) for (int c = 0; c < D; c++) acc[r][c] = _mm512_setzero_ps();
    for (int jp = jp0; jp < jp1; jp++) {
        __m512i vv[4];
        for (int c = 0; c < D; c++) vv[c] = _mm512_loadu_si512((const void *)(vp + (size_t)jp * hd + 16 * c));
        for (int r = 0; r < R; r++) {
            __m512bh pb = (__m512bh)_mm512_set1_epi32((int)pp[(size_t)r * ldp + jp]);
            for (int c = 0; c < D; c++) acc[r][c] = _mm512_dpbf16_ps(acc[r][c], pb, (__m512bh)vv[c]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int c = 0; c < D; c++) {
            float *o = out + (size_t)r * ldo + 16 * c;
            _mm512_storeu_ps(o, alpha ? _mm512_fmadd_ps(_mm512_loadu_ps(o), _mm512_set1_ps(alpha[r]), acc[r][c])
                                      : _mm512_mul_ps(acc[r][c], _mm512_set1_ps(inv[r])));
        }
}

enum { RMAX = 6, CMAX = 4, DMAX = 4 };

// s[r][0..width) = scores of the group's R query pairs rows against the keys from ktp on.
BF16_INLINE void group_scores(const int R, int pairs, const uint32_t *qp, const uint32_t *ktp, int ldkt, int width,
                              float *s) {
#define SCORES(RR, W, c) scores_tile(RR, W, pairs, qp, ktp + 16 * (c), ldkt, s + 16 * (c), width)
    GROUP_TILES(width / 16, CMAX, SCORES)
#undef SCORES
}

// pp[r] = the R rows of weights s[r][0..width) as bf16 pairs.
BF16_INLINE void pack_weights(const float *s, int width, int R, uint32_t *pp, int ldp) {
    for (int r = 0; r < R; r++)
        for (int w = 0; w < width; w += 32) {
            const float *row = s + (size_t)r * width + w;
            _mm512_storeu_si512((void *)(pp + (size_t)r * ldp + w / 2), w + 32 <= width ? pairs32(row) : pairs16(row));
        }
}

// The group's output rows from its weight pairs over key pairs [jp0, jp1) (see values_tile).
BF16_INLINE void group_values(const int R, int hd, int jp0, int jp1, const uint32_t *pp, int ldp, const uint32_t *vp,
                              const float *inv, const float *alpha, float *out, int ldo) {
#define VALUES(RR, W, c) values_tile(RR, W, jp0, jp1, pp, ldp, vp + 16 * (c), hd, inv, alpha, out + 16 * (c), ldo)
    GROUP_TILES(hd / 16, DMAX, VALUES)
#undef VALUES
}

BF16_TARGET
static void attention_bf16_rows(int n, int hd, const float *q, const float *k, const float *v, int stride, int q0, int q1,
                            int hw, float scale, const float *rope_cos, const float *rope_sin, float *scratch,
                            float *out, int ldo) {
    const int k0 = band_lo(q0, hw), k1 = band_hi(q1 - 1, hw, n), nk = k1 - k0, ldkt = round16(nk), pairs = hd / 2;
    const int rows = q1 - q0, chunked = nk > CHUNK_KEYS, span = chunked ? CHUNK_KEYS : ldkt;
    uint32_t *ktp = (uint32_t *)scratch;                                // pairs x ldkt
    uint32_t *vp = ktp + (size_t)pairs * ldkt;                          // ldkt / 2 x hd
    float *s = (float *)(vp + (size_t)(ldkt / 2) * hd);                 // MAX_GROUP x span
    uint32_t *pp = (uint32_t *)(s + (size_t)MAX_GROUP * span);          // MAX_GROUP x (span / 2 + 8)
    uint32_t *qa = pp + (size_t)MAX_GROUP * (span / 2 + 8);             // rows x pairs
    float *m = (float *)(qa + (size_t)rows * pairs), *l = m + rows;      // rows each (online softmax)
    float *rotated = l + rows;                                          // 16 x hd
    pack_keys(k + (size_t)k0 * stride, stride, nk, hd, rope_cos, rope_sin, k0, rotated, ktp, ldkt);
    pack_values(v + (size_t)k0 * stride, stride, nk, hd, vp, (nk + 1) / 2);
    // Every query of the block, rotated and paired once (chunks revisit them).
    for (int i0 = q0; i0 < q1; i0 += 16) {
        const int count = q1 - i0 < 16 ? q1 - i0 : 16;
        int ldq;
        const float *qg = rows_as_read(q, stride, i0, count, hd, rope_cos, rope_sin, 0, rotated, &ldq);
        for (int r = 0; r < count; r++)
            for (int d = 0; d < hd; d += 32)
                _mm512_storeu_si512((void *)(qa + (size_t)(i0 - q0 + r) * pairs + d / 2), pairs32(qg + (size_t)r * ldq + d));
    }
    if (chunked) start_rows(out + (size_t)q0 * ldo, ldo, rows, hd, m, l);
    for (block_step t = {0}; next_step(&t, nk, span, q0, q1, RMAX, hw, n, k0);) {
        const int i0 = t.i0, R = t.R, ca = t.ca, width = t.width, ldp = width / 2 + 8, g = i0 - q0;
        float *og = out + (size_t)i0 * ldo;
        for (int r = RMAX; r < 2 * RMAX; r++) prefetch_row(og + (size_t)r * ldo, hd);  // the next group's output
        group_scores(R, pairs, qa + (size_t)g * pairs, ktp + ca, ldkt, width, s);
        float weights[MAX_GROUP];  // 1 / sum, or (chunked) the rescaling of the rows' earlier output
        softmax_group(s, width, R, i0, hw, n, k0, t.c0, t.c1, ca, scale, chunked, m + g, l + g, weights);
        pack_weights(s, width, R, pp, ldp);
        // Weights are zero outside each row's band; pairs cover the group's keys [ga, gb).
        const int jp0 = (t.ga - ca) / 2, jp1 = (t.gb - ca + 1) / 2;
        group_values(R, hd, jp0, jp1, pp, ldp, vp + (size_t)(ca / 2) * hd, chunked ? NULL : weights,
                     chunked ? weights : NULL, og, ldo);
    }
    if (chunked) finish_rows(out + (size_t)q0 * ldo, ldo, rows, hd, l);
}

// Tiers 3-4 (AVX-512) on CPUs that also have AVX-512 BF16.
mb_attention_fn mb_arch_attention_bf16(int tier) {
    return tier >= 3 && (mb_x86_features() & MB_X86_AVX512_BF16) ? attention_bf16_rows : 0;
}

#endif
