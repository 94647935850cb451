/*-------------------------------------------------------------------------
 *
 * ddl.h
 *	  The parse tree of one Confluent-style statement (CREATE CONNECTION,
 *	  CREATE MODEL, ...) as accepted by mlpredict.execute().
 *
 * The lexer (lexer.c) and the recursive-descent parser (parser.c) turn the
 * statement text into a DdlStatement; execute.c carries it out through the
 * catalog API.  Syntax errors are raised by the parser with the position of
 * the offending token (internalerrposition/internalerrquery), the way
 * PL/pgSQL reports positions inside its own statements.
 *
 * IDENTIFICATION
 *	  src/ddl/ddl.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_DDL_H
#define MLPREDICT_DDL_H

#include "mlpredict.h"

typedef enum DdlKind
{
	DDL_CREATE_CONNECTION,
	DDL_ALTER_CONNECTION,		/* ALTER CONNECTION [IF EXISTS] c SET (...) */
	DDL_ALTER_CONNECTION_OWNER, /* ALTER CONNECTION c OWNER TO r */
	DDL_DROP_CONNECTION,
	DDL_DESCRIBE_CONNECTION,
	DDL_SHOW_CONNECTIONS,
	DDL_CREATE_MODEL,
	DDL_ALTER_MODEL_SET,
	DDL_ALTER_MODEL_RESET,
	DDL_ALTER_MODEL_RENAME,
	DDL_ALTER_MODEL_OWNER,		/* ALTER MODEL m OWNER TO r */
	DDL_DROP_MODEL,
	DDL_DESCRIBE_MODEL,
	DDL_SHOW_MODELS,
	DDL_SHOW_CREATE_MODEL,
	DDL_GRANT,					/* GRANT {USAGE ON CONNECTION | EXECUTE ON MODEL} x TO r, ... */
	DDL_REVOKE,					/* REVOKE ... FROM r, ... */
	DDL_CREATE_CQ,				/* CREATE CONTINUOUS QUERY [IF NOT EXISTS] q [WITH (...)] AS INSERT ... */
	DDL_ALTER_CQ_PAUSE,			/* ALTER CONTINUOUS QUERY q PAUSE */
	DDL_ALTER_CQ_RESUME,		/* ALTER CONTINUOUS QUERY q RESUME */
	DDL_ALTER_CQ_SET,			/* ALTER CONTINUOUS QUERY q SET (...) */
	DDL_ALTER_CQ_VERSION,		/* ALTER CONTINUOUS QUERY q SET MODEL VERSION {n | DEFAULT} [REPROCESS ALL | NEW ROWS ONLY] */
	DDL_DROP_CQ,				/* DROP CONTINUOUS QUERY [IF EXISTS] q */
	DDL_SHOW_CQS,				/* SHOW CONTINUOUS QUERIES [[NOT] LIKE 'p'] */
	DDL_DESCRIBE_CQ,			/* DESCRIBE CONTINUOUS QUERY q */
	DDL_SHOW_CREATE_CQ,			/* SHOW CREATE CONTINUOUS QUERY q */
	DDL_EXPLAIN_CQ,				/* EXPLAIN CONTINUOUS QUERY q */
	DDL_FLINK_SET,				/* SET ['key' = 'value'] (Flink session) */
	DDL_FLINK_RESET,			/* RESET ['key'] */
	DDL_FLINK_USE				/* USE [CATALOG] name, USE MODULES ... */
} DdlKind;

typedef struct DdlStatement
{
	DdlKind		kind;
	bool		or_replace;		/* CREATE OR REPLACE CONNECTION */
	bool		if_not_exists;
	bool		if_exists;
	bool		cascade;		/* DROP CONNECTION ... CASCADE */

	/* connection statements: the connection name (unquoted) */
	char	   *connection;

	/* model statements: the model reference (and RENAME TO target) */
	MlModelRef *model;
	MlModelRef *new_model;		/* ALTER MODEL ... RENAME TO */

	/* WITH (...) or SET (...): list of MlOption *; RESET (...): list of
	 * MlOption * whose value is NULL */
	List	   *options;

	/* CREATE MODEL: raw text between the parentheses of INPUT (...) and
	 * OUTPUT (...), plus the byte offset of that text in the statement */
	char	   *input;
	int			input_location;
	char	   *output;
	int			output_location;

	char	   *comment;		/* COMMENT '...' or NULL */

	/* SHOW ...: [NOT] LIKE 'pattern' */
	char	   *like_pattern;
	bool		not_like;

	/* SHOW MODELS FROM/IN schema */
	char	   *schema;

	/* GRANT/REVOKE: the roles (names, or "public"); the object is in
	 * connection or model */
	List	   *roles;

	/* ALTER ... OWNER TO: the new owner */
	char	   *new_owner;

	/*
	 * continuous query statements: the name; CREATE: byte offset of the
	 * INSERT ... SELECT after AS (the rest of the statement); SET MODEL
	 * VERSION: the version (0 = DEFAULT) and REPROCESS ALL
	 */
	char	   *cq_name;
	int			query_location;
	int			cq_version;
	bool		reprocess_all;

	/* Flink's SET / RESET: the key (NULL: all); SET: the value */
	char	   *session_key;
	char	   *session_value;
} DdlStatement;

/* parser.c: parse exactly one statement (a trailing semicolon is allowed) */
extern DdlStatement *DdlParse(const char *statement);
extern DdlStatement *DdlParseAt(const char *script, int start);

#endif							/* MLPREDICT_DDL_H */
