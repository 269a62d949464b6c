// A spin-wait hint for busy loops (parallel.c): lets the sibling hyperthread run and saves power.
#ifndef MB_CPU_RELAX_H
#define MB_CPU_RELAX_H

#if defined(__x86_64__) || defined(__i386__)
static inline void mb_cpu_relax(void) { __builtin_ia32_pause(); }
#elif defined(__aarch64__)
static inline void mb_cpu_relax(void) { __asm__ volatile("yield" ::: "memory"); }
#else
static inline void mb_cpu_relax(void) {}
#endif

#endif
