/* Unit tests for backoff: doubling, the cap, jitter and the sleep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

#include "backoff.h"

/* Checks that a delay is its nominal value lowered by at most a quarter. */
static void assert_jittered(long delay, long nominal)
{
	if (delay > nominal || delay < nominal - nominal / 4)
		fail_msg("delay %ld is outside [%ld, %ld]", delay, nominal - nominal / 4, nominal);
}

static void doubles_up_to_cap(void **state)
{
	static const long nominal[] = { 100, 200, 400, 800, 1000, 1000, 1000 };
	struct backoff backoff;

	srand(1);
	backoff_init(&backoff, 100, 1000);
	for (size_t i = 0; i < sizeof nominal / sizeof nominal[0]; i++)
		assert_jittered(backoff_next_ms(&backoff), nominal[i]);
	assert_int_equal(backoff.next_ms, 1000);
}

static void cap_not_a_power_of_two_multiple(void **state)
{
	static const long nominal[] = { 300, 600, 1000, 1000 };
	struct backoff backoff;

	srand(2);
	backoff_init(&backoff, 300, 1000);
	for (size_t i = 0; i < sizeof nominal / sizeof nominal[0]; i++)
		assert_jittered(backoff_next_ms(&backoff), nominal[i]);
}

static void never_exceeds_cap(void **state)
{
	struct backoff backoff;

	srand(3);
	backoff_init(&backoff, 1, 30000);
	for (int i = 0; i < 1000; i++) {
		long delay = backoff_next_ms(&backoff);

		assert_true(delay >= 0);
		assert_true(delay <= 30000);
	}
	assert_int_equal(backoff.next_ms, 30000);
}

static void large_cap_does_not_overflow(void **state)
{
	struct backoff backoff;
	long previous = 0;

	backoff_init(&backoff, 1000, LONG_MAX);
	for (int i = 0; i < 100; i++) {
		assert_true(backoff.next_ms >= previous);
		assert_true(backoff.next_ms <= LONG_MAX);
		previous = backoff.next_ms;
		backoff_next_ms(&backoff);
	}
	assert_true(backoff.next_ms == LONG_MAX);
}

static void jitter_spreads_delays(void **state)
{
	struct backoff backoff;
	long lowest = 1000;
	long highest = 0;

	srand(4);
	backoff_init(&backoff, 1000, 1000);
	for (int i = 0; i < 1000; i++) {
		long delay = backoff_next_ms(&backoff);

		assert_jittered(delay, 1000);
		lowest = delay < lowest ? delay : lowest;
		highest = delay > highest ? delay : highest;
	}
	/* With 1000 draws from the 251 possible delays, 750 to 1000, the chance
	 * that none falls below 800 or none above 950 is below 1e-90. */
	assert_true(lowest < 800);
	assert_true(highest > 950);
}

static void small_delays_have_no_jitter(void **state)
{
	struct backoff backoff;

	backoff_init(&backoff, 3, 3);
	for (int i = 0; i < 20; i++)
		assert_int_equal(backoff_next_ms(&backoff), 3);
}

static void reset_starts_again(void **state)
{
	struct backoff backoff;

	srand(5);
	backoff_init(&backoff, 100, 1000);
	for (int i = 0; i < 5; i++)
		backoff_next_ms(&backoff);
	backoff_reset(&backoff);
	assert_int_equal(backoff.next_ms, 100);
	assert_jittered(backoff_next_ms(&backoff), 100);
	assert_jittered(backoff_next_ms(&backoff), 200);
}

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

static void sleep_waits(void **state)
{
	struct timespec start;
	long elapsed;

	clock_gettime(CLOCK_MONOTONIC, &start);
	backoff_sleep_ms(120);
	elapsed = elapsed_ms(&start);
	assert_true(elapsed >= 120);
	assert_true(elapsed < 2000);

	clock_gettime(CLOCK_MONOTONIC, &start);
	backoff_sleep_ms(0);
	assert_true(elapsed_ms(&start) < 100);
}

static void ignore_alarm(int signal_number)
{
}

static void sleep_ends_on_signal(void **state)
{
	struct sigaction action = { .sa_handler = ignore_alarm };
	struct itimerval timer = { .it_value = { .tv_usec = 100000 } };
	struct timespec start;
	long elapsed;

	sigemptyset(&action.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &action, NULL), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &timer, NULL), 0);

	clock_gettime(CLOCK_MONOTONIC, &start);
	backoff_sleep_ms(10000);
	elapsed = elapsed_ms(&start);
	assert_true(elapsed >= 90);
	assert_true(elapsed < 5000);

	signal(SIGALRM, SIG_DFL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(doubles_up_to_cap),
		cmocka_unit_test(cap_not_a_power_of_two_multiple),
		cmocka_unit_test(never_exceeds_cap),
		cmocka_unit_test(large_cap_does_not_overflow),
		cmocka_unit_test(jitter_spreads_delays),
		cmocka_unit_test(small_delays_have_no_jitter),
		cmocka_unit_test(reset_starts_again),
		cmocka_unit_test(sleep_waits),
		cmocka_unit_test(sleep_ends_on_signal),
	};

	return cmocka_run_group_tests_name("backoff", tests, NULL, NULL);
}
