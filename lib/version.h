/* --version output shared by every program. */
#ifndef BUOY_VERSION_H
#define BUOY_VERSION_H

/* Prints "<program> <version>" and the libjq line to stdout. Each program
 * then prints the versions of the other libraries it links. */
void version_print(const char *program);

#endif
