// The float kernels' checks of harness.c (one translation unit with it): quantization, layer norm,
// activations, attention, fp16 widening and the weight-only products, each against doubles (or, for
// bytes and fp16, exactly). Tolerances are stated at each check.

// ---------------------------------------------------------------- quantization

// The scalar float emulation of mb_quantize_rows_u8 (the same float operations, one lane at a time):
// the kernel must give the same bytes and scale.
static float quantize_emulated(const float *x, int cols, uint8_t *q) {
    float peak = 0;
    for (int c = 0; c < cols; c++) peak = fabsf(x[c]) > peak ? fabsf(x[c]) : peak;
    const float scale = peak / 127.0f, inv = scale > 0 ? 1.0f / scale : 0.0f;
    for (int c = 0; c < cols; c++) {
        volatile float v = x[c] * inv;  // one rounding, as the kernel's vector multiply
        float r = nearbyintf(v);        // ties to even in the default rounding mode
        r = r < -127 ? -127 : r > 127 ? 127 : r;
        q[c] = (uint8_t)((int)r + 128);
    }
    return scale;
}

static void check_quantize(void) {
    const int widths[] = {1, 15, 16, 17, 31, 33, 64, 100, 768};
    for (size_t t = 0; t < sizeof widths / sizeof *widths; t++) {
        const int rows = 5, cols = widths[t], ldx = cols + 3, ldq = cols + 5;
        float *x = alloc((size_t)rows * ldx * 4);
        uint8_t *q = alloc((size_t)rows * ldq), *expect = alloc((size_t)cols);
        float scales[5];
        for (int i = 0; i < rows * ldx; i++) x[i] = rand_float(-4, 4) * (i % 7 == 0 ? 10 : 1);
        for (int c = 0; c < cols; c++) x[(size_t)1 * ldx + c] = 0;                      // a zero row: scale 0
        for (int c = 0; c < cols; c++) x[(size_t)2 * ldx + c] = (float)(c % 5) - 2.0f;  // ties at .5 steps
        mb_quantize_rows_u8(x, rows, cols, ldx, q, ldq, scales);
        int bytes = 0, far = 0, scale_bad = 0;
        for (int r = 0; r < rows; r++) {
            const float s = quantize_emulated(x + (size_t)r * ldx, cols, expect);
            scale_bad += s != scales[r];
            for (int c = 0; c < cols; c++) {
                bytes += expect[c] != q[(size_t)r * ldq + c];
                // Against doubles: |q - x / scale| <= 0.5 (plus float rounding of x * inv).
                double exact = s > 0 ? x[(size_t)r * ldx + c] / (double)s : 0;
                far += fabs((q[(size_t)r * ldq + c] - 128) - exact) > 0.5 + 1e-4;
            }
        }
        CHECK(!bytes && !far && !scale_bad, "quantize", "cols %d: %d bytes differ from the emulation, %d off by more than 0.5, %d scales",
              cols, bytes, far, scale_bad);
        free(x); free(q); free(expect);
    }
}

// ---------------------------------------------------------------- layer norm (and its quantizing form)

static void check_layer_norm(void) {
    const int widths[] = {7, 16, 40, 768};
    for (size_t t = 0; t < sizeof widths / sizeof *widths; t++) {
        const int rows = 3, cols = widths[t];
        float *x = alloc((size_t)rows * cols * 4), *y = alloc((size_t)rows * cols * 4), *g = alloc(cols * 4), *b = alloc(cols * 4);
        float *row = alloc(cols * 4), scales[3], scales2[3];
        uint8_t *q = alloc((size_t)rows * cols), *q2 = alloc((size_t)rows * cols);
        for (int i = 0; i < rows * cols; i++) x[i] = rand_float(-2, 2) + 5;  // an offset mean tests the two-pass variance
        for (int c = 0; c < cols; c++) { g[c] = rand_float(0.5f, 1.5f); b[c] = rand_float(-0.5f, 0.5f); }
        mb_layer_norm(x, rows, cols, g, b, 1e-5f, y);
        double worst = 0;
        for (int r = 0; r < rows; r++) {
            double mean = 0, var = 0;
            for (int c = 0; c < cols; c++) mean += x[r * cols + c];
            mean /= cols;
            for (int c = 0; c < cols; c++) var += (x[r * cols + c] - mean) * (x[r * cols + c] - mean);
            const double inv = 1 / sqrt(var / cols + 1e-5);
            for (int c = 0; c < cols; c++) {
                double err = fabs(y[r * cols + c] - ((x[r * cols + c] - mean) * inv * g[c] + b[c]));
                if (!(err <= worst)) worst = err;
            }
        }
        CHECK(worst <= 5e-6, "layer norm", "cols %d: worst error %.3g", cols, worst);
        // The quantizing form gives the bytes of quantizing the plain form's output.
        mb_layer_norm_quantize_u8(x, rows, cols, g, b, 1e-5f, row, q, cols, scales);
        mb_quantize_rows_u8(y, rows, cols, cols, q2, cols, scales2);
        CHECK(!memcmp(q, q2, (size_t)rows * cols) && !memcmp(scales, scales2, sizeof scales), "layer norm quantize",
              "cols %d: bytes or scales differ from layer norm + quantize", cols);
        free(x); free(y); free(g); free(b); free(row); free(q); free(q2);
    }
}

// ---------------------------------------------------------------- activations

// Each activation over [-12, 12] (both tails of exp, and the series near 0): |error| <= 3e-6 (1 + |x|),
// about 25 float ulps at |x| = 1 (the vectorised erf is accurate to 6e-7, exp to 3e-7 relative).
static void check_activations(void) {
    enum { N = 1001, INNER = 77 };
    static float x[N], wi[3 * 2 * INNER], out[3 * INNER];
    for (int kind = 0; kind <= MB_ACT_SILU; kind++) {
        for (int i = 0; i < N; i++) x[i] = -12.0f + 24.0f * (float)i / (N - 1) + (i == N / 2 ? 1e-3f : 0);
        mb_activate(x, N, kind);
        double worst = 0;
        for (int i = 0; i < N; i++) {
            const double in = -12.0f + 24.0f * (float)i / (N - 1) + (i == N / 2 ? 1e-3f : 0);
            const double err = fabs(x[i] - act_ref(kind, in)) / (1 + fabs(in));
            if (!(err <= worst)) worst = err;
        }
        CHECK(worst <= 3e-6, "activation", "kind %d: worst error %.3g", kind, worst);
        for (int i = 0; i < 3 * 2 * INNER; i++) wi[i] = rand_float(-5, 5);
        mb_gated_activation(wi, 3, INNER, kind, out);
        worst = 0;
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < INNER; c++) {
                const double in = wi[r * 2 * INNER + c], gate = wi[r * 2 * INNER + INNER + c];
                const double err = fabs(out[r * INNER + c] - act_ref(kind, in) * gate) / (1 + fabs(in * gate));
                if (!(err <= worst)) worst = err;
            }
        CHECK(worst <= 3e-6, "gated activation", "kind %d: worst error %.3g", kind, worst);
    }
}

// ---------------------------------------------------------------- attention

// One head packed [q | k | v] per token (row stride 3 hd + 5), rows q0..q1 against a double softmax,
// optionally with rotary tables (the reference rotates in double). |error| <= 5e-6 with |v| <= 2.
static void check_attention_case(int n, int hd, int window, int q0, int q1, int rotary) {
    const int stride = 3 * hd + 5, half = hd / 2, ldo = hd + 3;
    float *qkv = alloc((size_t)n * stride * 4), *cs = alloc((size_t)n * half * 4), *sn = alloc((size_t)n * half * 4);
    double *rot = alloc((size_t)n * 2 * hd * 8);
    for (int i = 0; i < n * stride; i++) qkv[i] = rand_float(-2, 2);
    for (int t = 0; t < n; t++)
        for (int i = 0; i < half; i++) {
            const float angle = (float)t / powf(10000.0f, (float)(2 * i) / (float)hd);
            cs[t * half + i] = cosf(angle);
            sn[t * half + i] = sinf(angle);
        }
    for (int t = 0; t < n; t++)
        for (int part = 0; part < 2; part++)
            for (int i = 0; i < half; i++) {
                const double a = qkv[(size_t)t * stride + part * hd + i], b = qkv[(size_t)t * stride + part * hd + half + i];
                const double c = rotary ? cs[t * half + i] : 1, s = rotary ? sn[t * half + i] : 0;
                rot[((size_t)t * 2 + part) * hd + i] = a * c - b * s;
                rot[((size_t)t * 2 + part) * hd + half + i] = b * c + a * s;
            }
    float *scratch = alloc(mb_attention_scratch_floats(n, hd, q1 - q0, window) * 4), *out = alloc((size_t)n * ldo * 4);
    const float scale = 1.0f / sqrtf((float)hd);
    mb_attention_rows(n, hd, qkv, qkv + hd, qkv + 2 * hd, stride, q0, q1, window, scale, rotary ? cs : NULL,
                      rotary ? sn : NULL, 0, scratch, out, ldo);
    double worst = 0, *logits = alloc((size_t)n * 8);
    for (int i = q0; i < q1; i++) {
        const int lo = window < 0 ? 0 : (i - window > 0 ? i - window : 0), hi = window < 0 ? n : (i + window + 1 < n ? i + window + 1 : n);
        double peak = -1e300, total = 0;
        for (int j = lo; j < hi; j++) {
            double s = 0;
            for (int d = 0; d < hd; d++) s += rot[((size_t)i * 2) * hd + d] * rot[((size_t)j * 2 + 1) * hd + d];
            logits[j] = s * scale;
            peak = logits[j] > peak ? logits[j] : peak;
        }
        for (int j = lo; j < hi; j++) total += (logits[j] = exp(logits[j] - peak));
        for (int d = 0; d < hd; d++) {
            double e = 0;
            for (int j = lo; j < hi; j++) e += logits[j] * qkv[(size_t)j * stride + 2 * hd + d];
            const double err = fabs(out[(size_t)i * ldo + d] - e / total);
            if (!(err <= worst)) worst = err;
        }
    }
    CHECK(worst <= 5e-6, "attention", "n %d hd %d window %d rows %d..%d rotary %d: worst error %.3g", n, hd, window, q0, q1,
          rotary, worst);
    free(qkv); free(cs); free(sn); free(rot); free(scratch); free(out); free(logits);
}

static void check_attention(void) {
    for (int rotary = 0; rotary < 2; rotary++) {
        check_attention_case(1, 16, -1, 0, 1, rotary);
        check_attention_case(37, 64, -1, 0, 37, rotary);
        check_attention_case(37, 64, 4, 0, 37, rotary);
        check_attention_case(130, 64, 64, 64, 128, rotary);
        check_attention_case(200, 40, 16, 13, 77, rotary);
        check_attention_case(700, 40, -1, 600, 640, rotary);  // more than 512 keys: chunks, online softmax
    }
}

// ---------------------------------------------------------------- fp16 widening and weight-only products

static double half_to_double(uint16_t h) {
    const int sign = h >> 15, exponent = (h >> 10) & 31, mantissa = h & 1023;
    double v = exponent == 0 ? ldexp(mantissa, -24) : exponent == 31 ? (mantissa ? NAN : INFINITY) : ldexp(1024 + mantissa, exponent - 25);
    return sign ? -v : v;
}

static void check_f16(void) {
    static uint16_t h[65536 + 7];
    static float f[65536 + 7];
    for (int i = 0; i < 65536 + 7; i++) h[i] = (uint16_t)(i < 65536 ? i : i * 7919);
    mb_f16_to_f32(h, f, 65536 + 7);  // a tail after the whole vectors
    int wrong = 0;
    for (int i = 0; i < 65536 + 7; i++) {
        const double e = half_to_double(h[i]);
        wrong += isnan(e) ? !isnan(f[i]) : (double)f[i] != e || signbit(f[i]) != signbit(e);
    }
    CHECK(!wrong, "fp16 widening", "%d of 65543 values differ", wrong);
}

// out = x W^T * scale + bias for int8 panels, int8 rows, fp16 and bf16 rows, against doubles from the
// same stored weights: |error| <= 1e-5 (1 + sum |terms|), float accumulation over k = 100.
static void check_gemv(void) {
    enum { M = 5, N = 48, K = 100 };
    static float x[M * K], out[M * N], scale[N], bias[N], wf[N * K];
    static int8_t w8[N * K], panels[N * K];
    static uint16_t w16[N * K], wb[N * K];
    for (int i = 0; i < M * K; i++) x[i] = rand_float(-1, 1);
    for (int j = 0; j < N; j++) { scale[j] = rand_float(0.01f, 0.1f); bias[j] = rand_float(-1, 1); }
    for (int i = 0; i < N * K; i++) {
        w8[i] = (int8_t)rand_int(-127, 127);
        wb[i] = (uint16_t)(rand_int(0, 1) << 15 | rand_int(0x3C00, 0x3F80));  // bf16 in +-[2^-7, 1]
        w16[i] = (uint16_t)(rand_int(0, 1) << 15 | rand_int(0x2000, 0x3C00));  // fp16 in +-[2^-7, 1]
    }
    pack_panels(w8, N, K, panels);
    for (int form = 0; form < 4; form++) {
        for (int i = 0; i < N * K; i++) {
            uint32_t bits = (uint32_t)wb[i] << 16;
            float b; memcpy(&b, &bits, 4);
            wf[i] = form < 2 ? (float)w8[i] : form == 2 ? (float)half_to_double(w16[i]) : b;
        }
        if (form == 0) mb_gemv_f32_i8panels(M, N, K, x, K, panels, scale, bias, out, N);
        else if (form == 1) mb_gemv_f32_i8rows(M, N, K, x, K, w8, scale, bias, out, N);
        else if (form == 2) mb_gemv_f32_f16rows(M, N, K, x, K, w16, scale, bias, out, N);
        else mb_gemv_f32_bf16rows(M, N, K, x, K, wb, scale, bias, out, N);
        double worst = 0;
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) {
                double s = 0, mag = 0;
                for (int p = 0; p < K; p++) { s += (double)x[i * K + p] * wf[j * K + p]; mag += fabs((double)x[i * K + p] * wf[j * K + p]); }
                const double err = fabs(out[i * N + j] - (s * scale[j] + bias[j])) / (1 + mag * scale[j]);
                if (!(err <= worst)) worst = err;
            }
        CHECK(worst <= 1e-5, "gemv", "form %d: worst error %.3g", form, worst);
    }
    // Panels widened back to scaled rows: exact (one float product per element).
    static float rows[N * K];
    mb_widen_panels_i8(panels, K, scale, 16, 32, rows);
    int wrong = 0;
    for (int r = 0; r < 32; r++)
        for (int c = 0; c < K; c++) wrong += rows[r * K + c] != (float)w8[(16 + r) * K + c] * scale[16 + r];
    CHECK(!wrong, "widen panels", "%d values differ", wrong);
}

static void check_float_kernels(void) {
    check_quantize();
    check_layer_norm();
    check_activations();
    check_attention();
    check_f16();
    check_gemv();
}
