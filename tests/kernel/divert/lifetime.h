/* Packet lifetime (divert.h, divert(7) "Packet lifetime"): the bits the lifetime programs
 * (never_write, late_write, shaper) share. */
#ifndef DIVERT_TEST_LIFETIME_H
#define DIVERT_TEST_LIFETIME_H

#include <divert.h>

/* Built against a library without packet lifetime, the programs still compile: setting the
 * option then fails and the expired counter reads -1. */
#ifdef DIVERT_LIFETIME_MS
#define STATS_EXPIRED(st) ((long long)(st).expired)
#else
#define DIVERT_LIFETIME_MS 1
#define STATS_EXPIRED(st) (-1LL)
#endif

/* "<prefix>received <r> reinjected <x> injected <i> window_drops <w> expired <e>" from
 * divert_get_stats. */
static __attribute__((unused)) void print_stats(const char *prefix, int fd)
{
	struct divert_stats st;

	memset(&st, 0, sizeof st);
	if (divert_get_stats(fd, &st, sizeof st) != 0) {
		printf("%sdivert_get_stats: %s\n", prefix, strerror(errno));
	} else {
		printf("%sreceived %llu reinjected %llu injected %llu window_drops %llu expired %lld\n",
		       prefix, (unsigned long long)st.received, (unsigned long long)st.reinjected,
		       (unsigned long long)st.injected, (unsigned long long)st.window_drops,
		       STATS_EXPIRED(st));
	}
	fflush(stdout);
}

#endif
