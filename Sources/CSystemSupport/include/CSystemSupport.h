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
