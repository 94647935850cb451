/*-------------------------------------------------------------------------
 *
 * connection_drop.c
 *	  DROP CONNECTION, with the model versions that use the connection.
 *
 * Apart from connection.c because a cascading drop drops model versions
 * (model.c), while model.c reads connections (connection.c) to validate a
 * version's options: this file sits above both.
 *
 * IDENTIFICATION
 *	  src/catalog/connection_drop.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "catalog/ml_catalog.h"
#include "stats/stats.h"

/*
 * models_using
 *		Text listing the models whose versions use a connection, or NULL.
 */
static char *
models_using(const char *name)
{
	CatalogAccess access;
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(name)};
	StringInfoData buf;
	int			n,
				i;

	initStringInfo(&buf);
	CatalogBegin(&access);
	n = CatalogExec("SELECT format('%s$%s', quote_ident(schema_name::text) || '.' || quote_ident(name), version) "
					"FROM mlpredict.model_version v "
					"WHERE EXISTS (SELECT FROM jsonb_each_text(v.options) e "
					"  WHERE e.key OPERATOR(pg_catalog.~~) '%.connection' AND e.value OPERATOR(pg_catalog.=) $1) "
					"ORDER BY v.schema_name, v.name, v.version",
					1, types, values, " ", true);
	for (i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
	CatalogEnd(&access);
	return n > 0 ? buf.data : NULL;
}

/*
 * CatalogDropConnection
 *		DROP CONNECTION; refused while model versions use the connection,
 *		unless cascade: then those versions (of any owner) are dropped too,
 *		as DROP ... CASCADE drops other roles' dependent objects.  Returns
 *		false when IF EXISTS skipped.
 */
bool
CatalogDropConnection(const char *name, bool if_exists, bool cascade)
{
	MlConnection *conn = CatalogGetConnection(name, false, true);
	CatalogAccess access;
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(name)};
	char	   *users;

	if (conn == NULL)
	{
		CatalogReportMissingConnection(name, if_exists);
		return false;
	}
	CatalogCheckOwner(GetUserId(), conn->owner_id, "connection", name);
	users = models_using(name);
	if (users && !cascade)
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("cannot drop connection \"%s\" because models use it", name),
				 errdetail("Used by %s.", users),
				 errhint("Use DROP CONNECTION %s CASCADE to drop those model versions too, drop them first, or point them at another connection with ALTER MODEL ... SET.",
						 quote_identifier(name))));
	if (users)
	{
		ereport(NOTICE,
				(errmsg("drop cascades to model versions %s", users)));
		CatalogDropModelsUsing(name);
	}
	CatalogBegin(&access);
	CatalogExec("DELETE FROM mlpredict.connection WHERE name OPERATOR(pg_catalog.=) $1",
				1, types, values, " ", false);
	CatalogEnd(&access);
	MlStatsForget(MyDatabaseId, conn->name, NULL);
	return true;
}
