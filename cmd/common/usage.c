#include "usage.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "log.h"

void usage_error(const char *format, ...)
{
	va_list args;

	va_start(args, format);
	fprintf(stderr, "%s: ", log_program());
	vfprintf(stderr, format, args);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", log_program());
	va_end(args);
	exit(EX_USAGE);
}

void usage_bad_option(int result, char **argv)
{
	if (result == ':')
		usage_error("option '%s' needs a value", argv[optind - 1]);
	usage_error("unknown option '%s'", argv[optind - 1]);
}
