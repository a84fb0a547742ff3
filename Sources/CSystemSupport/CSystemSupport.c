#define _GNU_SOURCE
#include "CSystemSupport.h"
#include <pthread.h>
#include <errno.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef __linux__
#include <sys/prctl.h>
#endif

void ticklab_set_timer_slack(unsigned long nanos) {
#ifdef __linux__
    prctl(PR_SET_TIMERSLACK, nanos, 0, 0, 0);
#else
    (void)nanos;
#endif
}

void ticklab_set_thread_name(const char *name) {
    char shortName[16];
    strncpy(shortName, name, 15);
    shortName[15] = 0;
#ifdef __linux__
    pthread_setname_np(pthread_self(), shortName);
#else
    pthread_setname_np(shortName);
#endif
}

int ticklab_set_parent_death_signal(int signal) {
#ifdef __linux__
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0, 0, 0);
#else
    (void)signal;
    errno = ENOSYS;
    return -1;
#endif
}

int ticklab_release_free_memory(void) {
#ifdef __GLIBC__
    return malloc_trim(0);
#else
    return 0;
#endif
}
