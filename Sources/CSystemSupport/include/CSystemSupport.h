#ifndef CSYSTEMSUPPORT_H
#define CSYSTEMSUPPORT_H

/// Asks the kernel for `nanos` of timer slack on the calling thread (Linux; no-op elsewhere).
/// The default slack of 50 us makes every timed sleep up to that much late.
void ticklab_set_timer_slack(unsigned long nanos);

/// Names the calling thread (at most 15 characters are kept).
void ticklab_set_thread_name(const char *name);

/// Asks the kernel to send `signal` to this process when the thread that started it ends
/// (Linux: PR_SET_PDEATHSIG; the parent's *thread*, not its process). Returns 0, or -1 with
/// errno set; elsewhere always -1 with errno ENOSYS.
int ticklab_set_parent_death_signal(int signal);

/// Returns the allocator's free memory to the kernel (glibc's malloc_trim(0), every arena);
/// 1 if some was released. A no-op returning 0 without glibc.
int ticklab_release_free_memory(void);


#include <stdint.h>

/// Context switches, as getrusage(2) counts them.
struct ticklab_context_switch_count {
    /// The thread gave up its core: it waited (a lock, a condition, a sleep, I/O).
    uint64_t voluntary;
    /// The scheduler took the core away: the time slice ran out or a higher priority woke.
    uint64_t involuntary;
};

/// The context switches of the calling thread (`ofThread` non-zero: RUSAGE_THREAD, Linux) or
/// of the whole process (RUSAGE_SELF), since it started. Returns 0, or -1 with errno set.
int ticklab_context_switches(int ofThread, struct ticklab_context_switch_count *out);

/// The calling thread's kernel thread id (gettid(2)), cached per thread after the first call:
/// cheap enough for every unit of work. -1 off Linux.
int32_t ticklab_thread_id(void);

/// 1 when this process counts its heap allocations: glibc, and no sanitizer that replaces
/// malloc (ThreadSanitizer, AddressSanitizer) in the build or the process. 0 otherwise, and the
/// two counters below stay 0.
int ticklab_allocation_counter_available(void);

/// Calls of malloc, calloc, realloc (but not realloc(p, 0)), memalign, aligned_alloc,
/// posix_memalign, valloc and pvalloc since the process started, by every thread.
uint64_t ticklab_allocations_of_process(void);

/// The same calls made by the calling thread since it started.
uint64_t ticklab_allocations_of_thread(void);

/// The processor's time-stamp counter (x86-64 `rdtsc`, about 12 ns here against 32 ns for
/// clock_gettime), or 0 where there is none. Not ordered against the instructions around it,
/// like a clock read is not: a stamp is exact to tens of cycles. Only for an invariant TSC
/// (see Clocks' `StampClock`, which checks and converts it to CLOCK_MONOTONIC nanoseconds).
static inline unsigned long long ticklab_read_tsc(void) {
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_ia32_rdtsc();
#else
    return 0;
#endif
}

#endif
