/* Command-line errors shared by every program's main. They print and exit,
 * which code in lib/ never does, so they live here. */
#ifndef BUOY_COMMON_USAGE_H
#define BUOY_COMMON_USAGE_H

/* Prints "<program>: <message>" and a pointer to --help on stderr, as
 * plain text whatever the log format (like getopt's own messages), and
 * exits 64. The program name is the one given to log_init. */
_Noreturn void usage_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Reports the option that getopt_long rejected, for programs that set
 * opterr to 0: result ':' is a missing value, anything else an unknown
 * option. Exits 64. */
_Noreturn void usage_bad_option(int result, char **argv);

#endif
