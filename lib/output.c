#include "output.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

void output_setup(void)
{
	struct stat info;

	if (isatty(STDOUT_FILENO) ||
	    (fstat(STDOUT_FILENO, &info) == 0 && (S_ISFIFO(info.st_mode) || S_ISSOCK(info.st_mode))))
		setvbuf(stdout, NULL, _IOLBF, 0);
}

void output_setup_batches(void)
{
	setvbuf(stdout, NULL, _IOFBF, 64 * 1024);
}

bool output_is_terminal(void)
{
	return isatty(STDOUT_FILENO);
}

int output_close(void)
{
	int error = 0;

	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout))
		error = errno != 0 ? errno : EIO;
	if (fclose(stdout) != 0 && error == 0)
		error = errno != 0 ? errno : EIO;
	return error;
}
