// OpenBLAS's CBLAS interface (Debian: libopenblas-dev installs cblas.h through alternatives).
#include <cblas.h>
// Not in every cblas.h; declared here so the runtime can size its own thread pool.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

// OpenBLAS's pthread build starts its worker threads when the library loads, and they busy-wait
// (sched_yield) for ~2^28 cycles before sleeping: a core lost for the first ~75 ms of every process.
// The runtime never uses them (it calls OpenBLAS single-threaded from its own pool), so it stops
// them. Weak, because serial and OpenMP builds do not export the function.
__attribute__((weak)) int blas_thread_shutdown_(void);

static inline void mb_openblas_stop_threads(void) {
    if (blas_thread_shutdown_) blas_thread_shutdown_();
}
