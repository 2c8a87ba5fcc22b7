#include "config.h"

#include <stdlib.h>

const char *config_value(const char *option_value, const char *env_name,
                         const char *fallback)
{
	const char *env;

	if (option_value != NULL)
		return option_value;

	env = getenv(env_name);
	if (env != NULL && *env != '\0')
		return env;
	return fallback;
}
