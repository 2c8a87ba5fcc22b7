/* Standard output for data: flushed per record into pipes and terminals,
 * checked for write errors before exit. */
#ifndef BUOY_OUTPUT_H
#define BUOY_OUTPUT_H

#include <stdbool.h>

/* Makes stdout line-buffered when it is a pipe or a terminal, so that each
 * record reaches the next program at once; files stay fully buffered. */
void output_setup(void);

/* For programs that print in batches and flush after each batch: stdout
 * gets a 64 KiB buffer whatever it is, so a pipe takes one write per
 * buffer instead of one per record. */
void output_setup_batches(void);

/* Returns true when stdout is a terminal. */
bool output_is_terminal(void);

/* Flushes and closes stdout. Returns 0, or the errno of the failed write
 * (EPIPE when the reader went away). */
int output_close(void);

#endif
