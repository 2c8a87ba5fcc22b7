/* Configuration lookup: option value first, then environment, then default. */
#ifndef BUOY_CONFIG_H
#define BUOY_CONFIG_H

/* Returns option_value when not NULL, else the environment variable env_name
 * when set and not empty, else fallback. */
const char *config_value(const char *option_value, const char *env_name,
                         const char *fallback);

#define BUOY_DEFAULT_NDBC_URL "https://www.ndbc.noaa.gov/"
#define BUOY_DEFAULT_REDIS_URL "redis://localhost:6379"
#define BUOY_DEFAULT_CHANNEL "observations:new"
#define BUOY_DEFAULT_LISTEN "127.0.0.1:8080"

#endif
