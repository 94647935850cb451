/*-------------------------------------------------------------------------
 *
 * decode_rows.h
 *	  From a final response to its rows' outputs, under on_error.
 *
 * IDENTIFICATION
 *	  src/exec/decode_rows.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_DECODE_ROWS_H
#define MLPREDICT_DECODE_ROWS_H

#include "exec/request.h"

/*
 * Decode the final response to a request carrying rows[0..nrows-1] into
 * their out_values/out_nulls (allocated in the current memory context).
 * Returns true when the rows are to be returned (decoded, or all NULL
 * under on_error = null), false when they are to be dropped (on_error =
 * skip).  With on_error = fail a failure raises its error.  *failed (if
 * not NULL) tells whether the rows failed.  Counts the rows, the tokens
 * and undecodable answers in the statistics.
 */
extern bool MlDecodeRows(MlTarget *target, HttpRequest *request,
						 HttpResponse *response, MlBatchRow *rows, int nrows,
						 MlOnError on_error, bool *failed);

#endif							/* MLPREDICT_DECODE_ROWS_H */
