#include "version.h"

#include <stdio.h>

void version_print(const char *program)
{
	printf("%s %s\n", program, BUOY_VERSION);

	/* libjq 1.6 has no function or macro that returns its version. */
	printf("libjq (version not exposed by its API)\n");
}
