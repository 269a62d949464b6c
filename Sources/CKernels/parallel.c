// A fork-join pool for the runtime's parallel loops.
//
// A forward pass of a small input (1 x 16 tokens) runs ~100 parallel loops of 50-200 us each. Waking
// pooled threads through the OS for each one (Dispatch's concurrentPerform: futex wake, schedule,
// futex wait) cost about a quarter of that time. Here workers spin briefly on a generation counter
// after each loop, so the next loop of the same pass starts in well under a microsecond, and only
// sleep (on a condition variable) after a pause with no work.
#include "CKernels.h"
#include <pthread.h>
#include <stdatomic.h>
#include "cpu_relax.h"

#define MAX_WORKERS 63
#define SPIN_ROUNDS 20000   // ~0.1-0.2 ms of pause instructions before a worker sleeps

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int started = 0;               // workers created so far (never shrinks)
static _Atomic int busy = 0;          // a loop is running; other callers run theirs serially

// The current job. The caller writes these fields only while no worker is inside a job (job_active
// is 0 and job_open is 0); a worker reads them only after registering in job_active and seeing the
// job open, so a worker that wakes late never reads a half-written job or a finished one.
static void (*job_fn)(void *, int);
static void *job_ctx;
static int job_tasks;
static _Atomic int job_next;
static _Atomic int job_done;
static _Atomic int job_workers;       // workers allowed to join this job
static _Atomic int job_open = 0;      // tasks may be taken
static _Atomic int job_active = 0;    // workers inside the current job
static _Atomic unsigned generation = 0;

static void run_tasks(void) {
    for (;;) {
        int t = atomic_fetch_add_explicit(&job_next, 1, memory_order_relaxed);
        if (t >= job_tasks) return;
        job_fn(job_ctx, t);
        atomic_fetch_add_explicit(&job_done, 1, memory_order_release);
    }
}

static void *worker_main(void *arg) {
    int index = (int)(intptr_t)arg;
    unsigned seen = atomic_load_explicit(&generation, memory_order_acquire);
    for (;;) {
        unsigned now = seen;
        for (int spin = 0; spin < SPIN_ROUNDS; spin++) {
            now = atomic_load_explicit(&generation, memory_order_acquire);
            if (now != seen) break;
            mb_cpu_relax();
        }
        if (now == seen) {
            pthread_mutex_lock(&state_lock);
            while ((now = atomic_load_explicit(&generation, memory_order_acquire)) == seen) pthread_cond_wait(&wake, &state_lock);
            pthread_mutex_unlock(&state_lock);
        }
        seen = now;
        // Register, then check (both sequentially consistent): either the caller, closing the job,
        // sees this worker and waits for it, or this worker sees the job closed and stays out.
        atomic_fetch_add(&job_active, 1);
        if (atomic_load(&job_open) && atomic_load(&generation) == seen && index < atomic_load(&job_workers)) run_tasks();
        atomic_fetch_sub(&job_active, 1);
    }
    return 0;
}

void mb_parallel_for(int tasks, int threads, void (*fn)(void *ctx, int task), void *ctx) {
    int expected = 0;
    if (tasks <= 1 || threads <= 1 || !atomic_compare_exchange_strong(&busy, &expected, 1)) {
        // One task, one thread, or another loop already owns the pool (nested or concurrent calls).
        for (int t = 0; t < tasks; t++) fn(ctx, t);
        return;
    }
    int helpers = threads - 1;
    if (helpers > tasks - 1) helpers = tasks - 1;
    if (helpers > MAX_WORKERS) helpers = MAX_WORKERS;
    pthread_mutex_lock(&state_lock);
    while (started < helpers) {
        pthread_t thread;
        if (pthread_create(&thread, 0, worker_main, (void *)(intptr_t)started) != 0) break;
        pthread_detach(thread);
        started++;
    }
    if (helpers > started) helpers = started;
    job_fn = fn; job_ctx = ctx; job_tasks = tasks;
    atomic_store_explicit(&job_done, 0, memory_order_relaxed);
    atomic_store_explicit(&job_next, 0, memory_order_relaxed);
    atomic_store_explicit(&job_workers, helpers, memory_order_relaxed);
    atomic_store(&job_open, 1);
    atomic_fetch_add(&generation, 1);
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&state_lock);

    run_tasks();
    while (atomic_load_explicit(&job_done, memory_order_acquire) < tasks) mb_cpu_relax();
    atomic_store(&job_open, 0);
    while (atomic_load(&job_active) > 0) mb_cpu_relax();   // late workers leave before the job is rewritten
    atomic_store_explicit(&busy, 0, memory_order_release);
}
