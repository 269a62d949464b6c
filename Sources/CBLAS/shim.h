// OpenBLAS's CBLAS interface (Debian: libopenblas-dev installs cblas.h through alternatives).
#include <cblas.h>
// Not in every cblas.h; declared here so the runtime can size its own thread pool.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
