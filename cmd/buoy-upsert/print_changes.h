/*
 * Printing the observations of a stored batch whose rows were new or
 * changed, in input order.
 */
#ifndef BUOY_UPSERT_PRINT_CHANGES_H
#define BUOY_UPSERT_PRINT_CHANGES_H

#include <stdio.h>

#include "batch.h"

/*
 * Writes one line per row whose outcome is ROW_INSERTED or ROW_UPDATED.
 * A row whose values equal its line's is printed as that line, byte for
 * byte. Otherwise, when lines were merged or the database kept values
 * that the line has as null, the line is printed with every measurement
 * set to the row's values. Its other fields stay, in their order, but
 * libjq writes the line again, compact, with numbers in the shortest form
 * that reads back as the same double.
 * Returns 0, or -1 with errno set when writing failed.
 */
int print_changes(const struct batch *batch, FILE *out);

#endif
