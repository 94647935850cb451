/*-------------------------------------------------------------------------
 *
 * typemap.h
 *	  Model INPUT/OUTPUT column lists: parsing them from statement text,
 *	  mapping Flink SQL types to PostgreSQL types, and storing them as JSON.
 *
 * A column is declared either with a Flink type (STRING, INT, FLOAT,
 * ARRAY<FLOAT>, ROW<...>, ...; these names win whenever the word is a
 * Flink type keyword) or with any PostgreSQL type name (text, real[],
 * public.vector(3), ...).  Each column keeps both the declaration for
 * display and the PostgreSQL type that ML_PREDICT uses.
 *
 * IDENTIFICATION
 *	  src/types/typemap.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_TYPEMAP_H
#define MLPREDICT_TYPEMAP_H

#include "mlpredict.h"

typedef struct MlColumn
{
	/* column name; unquoted names are folded to lower case */
	char	   *name;

	/*
	 * Declared type, normalized for display.  Flink names are upper-case
	 * ("STRING", "VARCHAR(2147483647)", "ARRAY<FLOAT>", "DECIMAL(10, 2)",
	 * "ROW<`a` INT, `b` STRING>"); PostgreSQL names are printed the way
	 * format_type prints them ("text", "real[]", "vector(3)").
	 */
	char	   *decl;

	/*
	 * PostgreSQL type text usable in CREATE FUNCTION and parseTypeString;
	 * schema-qualified unless the type lives in pg_catalog ("text",
	 * "real[]", "jsonb", "numeric(10,2)", "public.vector(3)").
	 */
	char	   *pgtype;

	Oid			typid;
	int32		typmod;
} MlColumn;

/*
 * Parse "name TYPE [, name TYPE ...]" (optionally wrapped in one pair of
 * parentheses) into a list of MlColumn.  clause is "INPUT" or "OUTPUT".
 * When statement is not NULL, text sits at byte offset offset of statement
 * and error positions point into statement; otherwise into text.
 */
extern List *MlParseColumns(const char *text, const char *clause,
							const char *statement, int offset);

/* the column's type for messages: qualified unless in pg_catalog */
extern char *MlColumnTypeName(const MlColumn *col);

/* (re)resolve col->pgtype into typid/typmod; ERROR if the type is gone */
extern void MlResolveColumn(MlColumn *col);

/* "`text` STRING, `x` ARRAY<FLOAT>", as DESCRIBE shows it */
extern char *MlColumnsToFlink(List *columns);

/* storage form: [{"name": ..., "type": decl, "pgtype": ...}, ...] */
extern char *MlColumnsToJson(List *columns);

/* inverse of MlColumnsToJson; resolves every type with MlResolveColumn */
extern List *MlColumnsFromJson(const char *json);

/* same names, decls and resolved types in the same order */
extern bool MlColumnsEqual(List *a, List *b);

#endif							/* MLPREDICT_TYPEMAP_H */
