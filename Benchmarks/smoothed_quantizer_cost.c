// Instruction cost of the smoothing activation quantizer (quantization code 2) against the plain one,
// for callgrind (wall-clock time is too noisy on a shared machine):
//
//   clang -O2 -ISources/CKernels/include Sources/CKernels/*.c Sources/CKernels/x86/*.c \
//       Sources/CKernels/arm/*.c Benchmarks/smoothed_quantizer_cost.c -lm -lpthread -o /tmp/sqc
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/sqc.out /tmp/sqc TIER ROWS COLS
//   callgrind_annotate --inclusive=yes /tmp/sqc.out | grep mb_quantize_rows
//
// TIER as mb_force_tier takes it (0 portable, 1 avx2; valgrind cannot run AVX-512). Both quantizers
// run on the same rows once each, so their inclusive counts compare directly.
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include "CKernels.h"

int main(int argc, char **argv) {
    int tier = argc > 1 ? atoi(argv[1]) : 1, rows = argc > 2 ? atoi(argv[2]) : 1024, cols = argc > 3 ? atoi(argv[3]) : 768;
    float *x = malloc(sizeof(float) * rows * cols), *f = malloc(sizeof(float) * cols), *s = malloc(sizeof(float) * rows);
    uint8_t *q = malloc((size_t)rows * cols);
    uint32_t state = 7;
    for (int i = 0; i < rows * cols; i++) { state = state * 1664525u + 1013904223u; x[i] = (float)(int)(state >> 16) / 32768.0f - 1.0f; }
    for (int c = 0; c < cols; c++) f[c] = 0.5f + (float)(c % 13) / 8.0f;
    mb_force_tier(tier);
    mb_quantize_rows_u8(x, rows, cols, cols, q, cols, s);
    unsigned sum = 0;
    for (int i = 0; i < rows * cols; i++) sum += q[i];
    mb_quantize_rows_u8_smoothed(x, rows, cols, cols, f, q, cols, s);
    for (int i = 0; i < rows * cols; i++) sum += q[i];
    printf("tier %d, %d x %d, checksum %u\n", mb_active_tier(), rows, cols, sum);
    return 0;
}
