/*-------------------------------------------------------------------------
 *
 * output_schema.h
 *	  Structured outputs: whether a model's OUTPUT columns call for one,
 *	  and the JSON Schema derived from them (the tree of json_schema.h,
 *	  printed in a provider's dialect).
 *
 * IDENTIFICATION
 *	  src/types/output_schema.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_OUTPUT_SCHEMA_H
#define MLPREDICT_OUTPUT_SCHEMA_H

#include "lib/stringinfo.h"
#include "nodes/pg_list.h"

#include "types/json_schema.h"

/* several OUTPUT columns, or one that is not text/varchar/char */
extern bool MlOutputIsStructured(List *output);

/*
 * The schema of the JSON object whose members are the OUTPUT columns;
 * ERROR (invalid_table_definition) naming the column for a type with no
 * fixed JSON shape (plain json/jsonb, bytea).  format names the format in
 * that error.
 */
extern const MlJsNode *MlOutputSchema(List *output, const char *format);

/* MlOutputSchema printed in dialect onto buf */
extern void MlAppendOutputSchema(StringInfo buf, List *output,
								 MlJsDialect dialect, const char *format);

#endif							/* MLPREDICT_OUTPUT_SCHEMA_H */
