/*-------------------------------------------------------------------------
 *
 * flink_query.h
 *	  Translating Flink queries pasted into mlpredict.execute() (SELECT,
 *	  INSERT INTO ... SELECT | VALUES, Flink's CREATE TABLE) into
 *	  PostgreSQL text, and running that text.
 *
 * IDENTIFICATION
 *	  src/ddl/flink_query.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_FLINK_QUERY_H
#define MLPREDICT_FLINK_QUERY_H

#include "mlpredict.h"

#include "funcapi.h"

typedef struct FlinkTranslation
{
	char	   *sql;			/* the PostgreSQL text */
	char	   *status;			/* CREATE TABLE: "Table t created." */
} FlinkTranslation;

/*
 * Is the statement at byte offset start of script a Flink query or CREATE
 * TABLE (translated here) rather than a Confluent statement (ddl/parser.c)?
 */
extern bool FlinkIsQuery(const char *script, int start);

/*
 * Translate the statement at byte offset start of script, which ends where
 * script ends (a trailing ";" is dropped).  Errors carry positions in
 * script.  Models and the tables of ML_PREDICT(TABLE t, ...) are looked up
 * now, so a statement can only use those that exist when it is translated.
 */
extern FlinkTranslation *FlinkTranslate(const char *script, int start);

/*
 * Run a translation with SPI as the caller and append its rows (json
 * objects keyed by column name) or a {"status": ...} row to rsinfo.
 * Errors raised while it runs show the translated text (errcontext).
 */
extern void FlinkRun(ReturnSetInfo *rsinfo, FlinkTranslation *t);

#endif							/* MLPREDICT_FLINK_QUERY_H */
