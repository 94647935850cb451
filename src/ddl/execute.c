/*-------------------------------------------------------------------------
 *
 * execute.c
 *	  mlpredict.execute(statement): run Confluent statements verbatim.
 *
 * The text may hold several statements separated by semicolons
 * (syntax/script.c); they run in order, in the caller's transaction, and
 * their rows are returned one after the other.  A Confluent statement is
 * parsed (parser.c) and carried out through the catalog API, exactly as
 * the function forms do; a Flink query or CREATE TABLE is translated to
 * PostgreSQL (flink_query.c) and run (flink_run.c).  Every statement
 * returns rows of json: DESCRIBE and SHOW return their result rows keyed
 * by Confluent's column names; CREATE, ALTER and DROP return one row
 * describing what was done.  json (not jsonb) keeps the columns in
 * Confluent's order.
 *
 * IDENTIFICATION
 *	  src/ddl/execute.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/json.h"

#include "catalog/ml_catalog.h"
#include "compat.h"
#include "ddl/cq_ddl.h"
#include "ddl/ddl.h"
#include "ddl/describe.h"
#include "ddl/flink_query.h"
#include "syntax/script.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mlpredict_execute);

/*
 * emit_json
 *		Append one json row.
 */
static void
emit_json(ReturnSetInfo *rsinfo, const char *json)
{
	Datum		value = DirectFunctionCall1(json_in, CStringGetDatum(json));
	bool		isnull = false;

	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
}

/*
 * emit_result
 *		Each row of a DESCRIBE/SHOW result as a json object.
 */
static void
emit_result(ReturnSetInfo *rsinfo, DdlResult *result)
{
	ListCell   *lc;

	foreach(lc, result->rows)
	{
		char	  **row = lfirst(lc);
		StringInfoData buf;
		int			i;

		initStringInfo(&buf);
		appendStringInfoChar(&buf, '{');
		for (i = 0; i < result->ncolumns; i++)
		{
			appendStringInfoString(&buf, i ? ", " : "");
			escape_json(&buf, result->columns[i]);
			appendStringInfoString(&buf, ": ");
			if (row[i])
				escape_json(&buf, row[i]);
			else
				appendStringInfoString(&buf, "null");
		}
		appendStringInfoChar(&buf, '}');
		emit_json(rsinfo, buf.data);
	}
}

/*
 * emit_status
 *		{"status": "<message>"} for statements that change things.
 */
static void
emit_status(ReturnSetInfo *rsinfo, const char *message)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"status\": ");
	escape_json(&buf, message);
	appendStringInfoChar(&buf, '}');
	emit_json(rsinfo, buf.data);
}

/*
 * ref_text
 *		A model reference as written back in messages.
 */
static char *
ref_text(MlModelRef *ref)
{
	char	   *name = ref->schema ? MlQualifiedModelName(ref->schema, ref->name) :
		pstrdup(quote_identifier(ref->name));

	switch (ref->version_kind)
	{
		case ML_VERSION_NUMBER:
			return psprintf("%s$%d", name, ref->version);
		case ML_VERSION_LATEST:
			return psprintf("%s$latest", name);
		case ML_VERSION_ALL:
			return psprintf("%s$all", name);
		default:
			return name;
	}
}

/*
 * execute_create_model
 *		CREATE MODEL and its status line, in Confluent's words.
 */
static void
execute_create_model(ReturnSetInfo *rsinfo, DdlStatement *stmt, const char *sql)
{
	int			version = CatalogCreateModel(stmt->model, stmt->input, stmt->input_location,
											 stmt->output, stmt->output_location,
											 stmt->options, stmt->comment,
											 stmt->if_not_exists, sql);
	MlModel    *model;

	if (version == 0)
	{
		emit_status(rsinfo, psprintf("Model %s already exists; nothing was created.",
									 ref_text(stmt->model)));
		return;
	}
	model = CatalogGetModel(stmt->model, false);
	emit_status(rsinfo, psprintf("Model %s with version %d created. Default version: %d.",
								 MlQualifiedModelName(model->schema, model->name),
								 version, model->default_version));
}

/*
 * execute_connection
 *		The CONNECTION statements.
 */
static void
execute_connection(ReturnSetInfo *rsinfo, DdlStatement *stmt, const char *sql)
{
	const char *name = stmt->connection;

	switch (stmt->kind)
	{
		case DDL_CREATE_CONNECTION:
			emit_status(rsinfo,
						CatalogCreateConnection(name, stmt->options, stmt->comment,
												stmt->or_replace, stmt->if_not_exists, sql) ?
						psprintf("Connection %s created.", name) :
						psprintf("Connection %s already exists; nothing was done.", name));
			break;
		case DDL_ALTER_CONNECTION:
			emit_status(rsinfo,
						CatalogAlterConnection(name, stmt->options, stmt->if_exists, sql) ?
						psprintf("Connection %s altered.", name) :
						psprintf("Connection %s does not exist; nothing was done.", name));
			break;
		case DDL_ALTER_CONNECTION_OWNER:
			CatalogAlterConnectionOwner(name, stmt->new_owner);
			emit_status(rsinfo, psprintf("Connection %s owner changed to %s.", name,
										 quote_identifier(stmt->new_owner)));
			break;
		case DDL_DROP_CONNECTION:
			emit_status(rsinfo, CatalogDropConnection(name, stmt->if_exists, stmt->cascade) ?
						psprintf("Connection %s dropped.", name) :
						psprintf("Connection %s does not exist; nothing was done.", name));
			break;
		case DDL_DESCRIBE_CONNECTION:
			emit_result(rsinfo, DescribeConnection(name));
			break;
		default:
			emit_result(rsinfo, ShowConnections(stmt->like_pattern, stmt->not_like));
			break;
	}
}

/*
 * execute_model
 *		The MODEL statements.
 */
static void
execute_model(ReturnSetInfo *rsinfo, DdlStatement *stmt, const char *sql)
{
	const char *skipped = "Model %s does not exist; nothing was done.";
	bool		done;

	switch (stmt->kind)
	{
		case DDL_CREATE_MODEL:
			execute_create_model(rsinfo, stmt, sql);
			break;
		case DDL_ALTER_MODEL_SET:
		case DDL_ALTER_MODEL_RESET:
			done = CatalogAlterModelOptions(stmt->model,
											stmt->kind == DDL_ALTER_MODEL_SET ? stmt->options : NIL,
											stmt->kind == DDL_ALTER_MODEL_RESET ? stmt->options : NIL,
											stmt->if_exists, sql);
			emit_status(rsinfo, psprintf(done ? "Model %s altered." : skipped,
										 ref_text(stmt->model)));
			break;
		case DDL_ALTER_MODEL_RENAME:
			if (CatalogRenameModel(stmt->model, stmt->new_model, stmt->if_exists))
				emit_status(rsinfo, psprintf("Model %s renamed to %s.", ref_text(stmt->model),
											 ref_text(stmt->new_model)));
			else
				emit_status(rsinfo, psprintf(skipped, ref_text(stmt->model)));
			break;
		case DDL_ALTER_MODEL_OWNER:
			CatalogAlterModelOwner(stmt->model, stmt->new_owner);
			emit_status(rsinfo, psprintf("Model %s owner changed to %s.", ref_text(stmt->model),
										 quote_identifier(stmt->new_owner)));
			break;
		case DDL_DROP_MODEL:
			done = CatalogDropModel(stmt->model, stmt->if_exists);
			emit_status(rsinfo, psprintf(done ? "Model %s dropped." : skipped,
										 ref_text(stmt->model)));
			break;
		case DDL_DESCRIBE_MODEL:
			emit_result(rsinfo, DescribeModel(stmt->model, false));
			break;
		case DDL_SHOW_MODELS:
			emit_result(rsinfo, ShowModels(stmt->schema, stmt->like_pattern, stmt->not_like));
			break;
		case DDL_SHOW_CREATE_MODEL:
			emit_result(rsinfo, ShowCreateModel(stmt->model));
			break;
		default:
			elog(ERROR, "unrecognized statement kind: %d", (int) stmt->kind);
	}
}

/*
 * execute_grant
 *		GRANT or REVOKE, one role at a time, all in the statement's
 *		transaction.
 */
static void
execute_grant(ReturnSetInfo *rsinfo, DdlStatement *stmt)
{
	bool		grant = stmt->kind == DDL_GRANT;
	ListCell   *lc;

	foreach(lc, stmt->roles)
	{
		const char *role = lfirst(lc);

		if (stmt->connection)
			CatalogGrantConnection(stmt->connection, role, grant);
		else
			CatalogGrantModel(stmt->model, role, grant);
	}
	emit_status(rsinfo, psprintf(grant ? "%s on %s %s granted." : "%s on %s %s revoked.",
								 stmt->connection ? "USAGE" : "EXECUTE",
								 stmt->connection ? "connection" : "model",
								 stmt->connection ? stmt->connection : ref_text(stmt->model)));
}

/* Flink's session time zone, the one setting with a PostgreSQL meaning */
static bool
is_time_zone_key(const char *key)
{
	return key != NULL && (pg_strcasecmp(key, "sql.local-time-zone") == 0 ||
						   pg_strcasecmp(key, "table.local-time-zone") == 0);
}

/*
 * execute_session
 *		Flink's SET, RESET and USE, pasted with the statements they precede.
 *		The session time zone becomes PostgreSQL's TimeZone; other settings
 *		and USE mean nothing here and are reported as ignored.  A value is
 *		never repeated back: it may be a secret ('sql.secrets.*').
 */
static void
execute_session(ReturnSetInfo *rsinfo, DdlStatement *stmt)
{
	const char *key = stmt->session_key;

	if (stmt->kind == DDL_FLINK_USE)
	{
		emit_status(rsinfo, "USE has no effect: names here ignore Flink's catalog and database (a three-part name means its last part), and models and tables are found along search_path.");
		return;
	}
	if (stmt->kind == DDL_FLINK_SET && key == NULL)
	{
		emit_status(rsinfo, "No Flink session settings are kept; SHOW ALL lists PostgreSQL's.");
		return;
	}
	if (is_time_zone_key(key) || (stmt->kind == DDL_FLINK_RESET && key == NULL))
	{
		bool		set = stmt->kind == DDL_FLINK_SET;

		(void) set_config_option("TimeZone", set ? stmt->session_value : NULL,
								 superuser() ? PGC_SUSET : PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SET, true, 0, false);
		if (key == NULL)
			emit_status(rsinfo, "TimeZone reset; no other Flink setting is kept.");
		else if (set)
			emit_status(rsinfo, psprintf("TimeZone set to %s (Flink's %s).",
										 quote_literal_cstr(GetConfigOption("TimeZone", false, false)),
										 quote_literal_cstr(key)));
		else
			emit_status(rsinfo, psprintf("TimeZone reset (Flink's %s).", quote_literal_cstr(key)));
		return;
	}
	emit_status(rsinfo, psprintf("Flink setting %s has no effect here and was ignored.",
								 quote_literal_cstr(key)));
}

/*
 * execute_statement
 *		Run one parsed Confluent statement; sql is its text (positions in
 *		stmt point into it).
 */
static void
execute_statement(ReturnSetInfo *rsinfo, DdlStatement *stmt, const char *sql)
{
	switch (stmt->kind)
	{
		case DDL_CREATE_CONNECTION:
		case DDL_ALTER_CONNECTION:
		case DDL_ALTER_CONNECTION_OWNER:
		case DDL_DROP_CONNECTION:
		case DDL_DESCRIBE_CONNECTION:
		case DDL_SHOW_CONNECTIONS:
			execute_connection(rsinfo, stmt, sql);
			break;
		case DDL_GRANT:
		case DDL_REVOKE:
			execute_grant(rsinfo, stmt);
			break;
		case DDL_FLINK_SET:
		case DDL_FLINK_RESET:
		case DDL_FLINK_USE:
			execute_session(rsinfo, stmt);
			break;
		case DDL_CREATE_CQ:
		case DDL_ALTER_CQ_PAUSE:
		case DDL_ALTER_CQ_RESUME:
		case DDL_ALTER_CQ_SET:
		case DDL_ALTER_CQ_VERSION:
		case DDL_DROP_CQ:
		case DDL_SHOW_CQS:
		case DDL_DESCRIBE_CQ:
		case DDL_SHOW_CREATE_CQ:
		case DDL_EXPLAIN_CQ:
			{
				char	   *status;
				DdlResult  *result = ContinuousStatement(stmt, sql, &status);

				if (result)
					emit_result(rsinfo, result);
				else
					emit_status(rsinfo, status);
			}
			break;
		default:
			execute_model(rsinfo, stmt, sql);
			break;
	}
}

/*
 * execute_piece
 *		Run one statement of the script (DdlScriptForEach's callback).
 */
static void
execute_piece(char *script, DdlScriptPiece *piece, void *arg)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) arg;

	if (FlinkIsQuery(script, piece->start))
		FlinkRun(rsinfo, FlinkTranslate(script, piece->start));
	else
		execute_statement(rsinfo, DdlParseAt(script, piece->start), script);
	CommandCounterIncrement();
}

/*
 * mlpredict_execute
 *		Run each statement of the text in order; return their rows.
 */
Datum
mlpredict_execute(PG_FUNCTION_ARGS)
{
	char	   *script = text_to_cstring(PG_GETARG_TEXT_PP(0));
	List	   *pieces = DdlSplitScript(script);

	if (pieces == NIL)
		(void) DdlParse(script);	/* raises "empty statement" */

	/* a scalar SETOF json result: the executor's expected desc has its column */
	MlInitMaterializedSRF(fcinfo, true);
	/* the rows go to the tuplestore; nothing else outlives a statement */
	DdlScriptForEach(script, pieces, execute_piece, fcinfo->resultinfo);
	return (Datum) 0;
}
