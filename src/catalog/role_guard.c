/*-------------------------------------------------------------------------
 *
 * role_guard.c
 *	  Roles that own connections or continuous queries: DROP ROLE, REASSIGN
 *	  OWNED and DROP OWNED treat them as PostgreSQL treats its own objects.
 *
 * A connection is a row of mlpredict.connection, not a PostgreSQL object,
 * so pg_shdepend does not know its owner.  This ProcessUtility hook fills
 * the gap, for the current database (where the catalog tables live):
 *
 *	- DROP ROLE of a role that owns connections or continuous queries
 *	  fails with 2BP01, as for any object it owns;
 *	- REASSIGN OWNED BY old TO new gives the connections, the continuous
 *	  queries (and the models' owner of record, whose typed functions
 *	  PostgreSQL has just reassigned) to the new role;
 *	- DROP OWNED BY r drops r's continuous queries, and r's connections,
 *	  refusing (2BP01) while models of other roles use them unless CASCADE;
 *	- ALTER FUNCTION ... OWNER TO on a model's typed function (identified
 *	  before the change, by its exact signature and its owner, the
 *	  model's) makes the new owner the model's owner of record too, as
 *	  ALTER MODEL ... OWNER TO does.
 *
 * The ALTER SCHEMA ... RENAME event trigger (models follow their schema)
 * is here too, as the other piece of keeping identities in step.
 *
 * On a Citus worker none of this touches the catalog: the statements come
 * from the coordinator, which changes its own rows and sends the whole
 * catalog to the workers at commit (mlpredict.citus_sync()); a worker
 * updating rows in Citus's propagated transaction would only wait on that
 * send.
 *
 * Models need no hook for DROP ROLE: the model's owner owns its typed
 * function, so pg_shdepend already refuses.  Without the library loaded
 * in the session (not preloaded) none of this runs; the owner is stored by
 * OID, so a connection whose owner was dropped is then orphaned, managed
 * by superusers only, and a role created later with the same name gets
 * nothing.
 *
 * IDENTIFICATION
 *	  src/catalog/role_guard.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "nodes/parsenodes.h"
#include "parser/parse_func.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "catalog/ml_catalog.h"
#include "secret/citus_node.h"

static ProcessUtility_hook_type prev_utility_hook = NULL;

PG_FUNCTION_INFO_V1(mlpredict_follow_schema_rename);

/*
 * catalog_present
 *		Whether this database has the extension (and so its tables).
 */
static bool
catalog_present(void)
{
	return IsTransactionState() && OidIsValid(get_extension_oid("mlpredict", true)) &&
		CatalogIsCurrent();
}

/*
 * owned_connections
 *		The names of the connections role owns, or NIL.
 */
static List *
owned_connections(Oid role)
{
	CatalogAccess access;
	List	   *names;

	CatalogBegin(&access);
	CatalogExec("SELECT name FROM mlpredict.connection WHERE owner OPERATOR(pg_catalog.=) $1 "
				"ORDER BY name COLLATE \"C\"",
				1, (Oid[]) {REGROLEOID}, (Datum[]) {ObjectIdGetDatum(role)}, " ", true);
	names = CatalogGetTextColumn(&access, 1);
	CatalogEnd(&access);
	return names;
}

/*
 * owned_continuous_queries
 *		The names of the continuous queries role owns, or NIL.
 */
static List *
owned_continuous_queries(Oid role)
{
	CatalogAccess access;
	List	   *names;

	CatalogBegin(&access);
	CatalogExec("SELECT name FROM mlpredict.continuous_query WHERE owner OPERATOR(pg_catalog.=) $1 "
				"ORDER BY name COLLATE \"C\"",
				1, (Oid[]) {REGROLEOID}, (Datum[]) {ObjectIdGetDatum(role)}, " ", true);
	names = CatalogGetTextColumn(&access, 1);
	CatalogEnd(&access);
	return names;
}

/*
 * name_list
 *		"a, b, c" for messages.
 */
static char *
name_list(List *names)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, names)
		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", quote_identifier(lfirst(lc)));
	return buf.data;
}

/*
 * check_drop_role
 *		DROP ROLE: refuse while a role owns connections here.
 */
static void
check_drop_role(DropRoleStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->roles)
	{
		RoleSpec   *spec = lfirst(lc);
		Oid			role = get_rolespec_oid(spec, true);
		List	   *owned;

		if (!OidIsValid(role))
			continue;
		owned = owned_connections(role);
		if (owned != NIL)
			ereport(ERROR,
					(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
					 errmsg("role \"%s\" cannot be dropped because some objects depend on it",
							GetUserNameFromId(role, false)),
					 errdetail("owner of mlpredict connections %s in the current database",
							   name_list(owned)),
					 errhint("Give them to another role with ALTER CONNECTION ... OWNER TO or REASSIGN OWNED, or drop them with DROP CONNECTION or DROP OWNED.")));
		owned = owned_continuous_queries(role);
		if (owned != NIL)
			ereport(ERROR,
					(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
					 errmsg("role \"%s\" cannot be dropped because some objects depend on it",
							GetUserNameFromId(role, false)),
					 errdetail("owner of mlpredict continuous queries %s in the current database",
							   name_list(owned)),
					 errhint("Give them to another role with REASSIGN OWNED, or drop them with DROP CONTINUOUS QUERY or DROP OWNED.")));
	}
}

/*
 * reassign_owned
 *		After REASSIGN OWNED (which checked the caller's rights): move the
 *		connections and the models' owner of record.
 */
static void
reassign_owned(ReassignOwnedStmt *stmt)
{
	Oid			new_owner = get_rolespec_oid(stmt->newrole, false);
	ListCell   *lc;

	foreach(lc, stmt->roles)
	{
		Oid			old = get_rolespec_oid(lfirst(lc), false);
		ListCell   *lname;
		CatalogAccess access;

		if (old == new_owner)
			continue;
		foreach(lname, owned_connections(old))
			CatalogSetConnectionOwner(lfirst(lname), new_owner);
		CatalogBegin(&access);
		CatalogExec("UPDATE mlpredict.model SET owner = $2 WHERE owner OPERATOR(pg_catalog.=) $1",
					2, (Oid[]) {REGROLEOID, REGROLEOID},
					(Datum[]) {ObjectIdGetDatum(old), ObjectIdGetDatum(new_owner)},
					"  ", false);
		CatalogExec("UPDATE mlpredict.continuous_query SET owner = $2 WHERE owner OPERATOR(pg_catalog.=) $1",
					2, (Oid[]) {REGROLEOID, REGROLEOID},
					(Datum[]) {ObjectIdGetDatum(old), ObjectIdGetDatum(new_owner)},
					"  ", false);
		CatalogEnd(&access);
	}
}

/*
 * drop_owned
 *		After DROP OWNED (the role's models went with their typed
 *		functions): drop the role's connections.
 */
static void
drop_owned(DropOwnedStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->roles)
	{
		ListCell   *lname;

		Oid			role = get_rolespec_oid(lfirst(lc), false);
		CatalogAccess access;

		/* its continuous queries (with their triggers), as DROP CONTINUOUS QUERY */
		if (owned_continuous_queries(role) != NIL)
		{
			CatalogBegin(&access);
			CatalogExec("SELECT mlpredict.drop_continuous_query(name, true) FROM mlpredict.continuous_query "
						"WHERE owner OPERATOR(pg_catalog.=) $1",
						1, (Oid[]) {REGROLEOID}, (Datum[]) {ObjectIdGetDatum(role)}, " ", false);
			CatalogEnd(&access);
		}
		foreach(lname, owned_connections(role))
			CatalogDropConnection(lfirst(lname), true, stmt->behavior == DROP_CASCADE);
	}
}

/*
 * typed_function_model
 *		For ALTER FUNCTION ... OWNER TO: the model whose typed function the
 *		statement names, or NULL.
 */
static MlModel *
typed_function_model(AlterOwnerStmt *stmt)
{
	Oid			func;
	HeapTuple	tuple;
	MlModelRef	ref = {NULL, NULL, ML_VERSION_DEFAULT, 0};
	MlModel    *model;

	if (stmt->objectType != OBJECT_FUNCTION && stmt->objectType != OBJECT_ROUTINE)
		return NULL;
	func = LookupFuncWithArgs(stmt->objectType, (ObjectWithArgs *) stmt->object, true);
	if (!OidIsValid(func))
		return NULL;
	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(func));
	if (!HeapTupleIsValid(tuple))
		return NULL;
	ref.name = pstrdup(NameStr(((Form_pg_proc) GETSTRUCT(tuple))->proname));
	ref.schema = get_namespace_name(((Form_pg_proc) GETSTRUCT(tuple))->pronamespace);
	ReleaseSysCache(tuple);
	model = ref.schema ? CatalogGetModel(&ref, true) : NULL;
	if (model == NULL || TypedFunctionLookup(model) != func)
		return NULL;
	return model;
}

/*
 * follow_function_owner
 *		After ALTER FUNCTION ... OWNER TO on a model's typed function.
 */
static void
follow_function_owner(MlModel *model, AlterOwnerStmt *stmt)
{
	Oid			owner = get_rolespec_oid(stmt->newowner, false);

	if (owner != model->owner_id)
		CatalogSetModelOwner(model, owner);
}

/*
 * role_guard_utility
 *		The ProcessUtility hook.
 */
#if PG_VERSION_NUM >= 140000
#define UTILITY_ARGS pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc
static void
role_guard_utility(PlannedStmt *pstmt, const char *queryString,
				   bool readOnlyTree, ProcessUtilityContext context,
				   ParamListInfo params, QueryEnvironment *queryEnv,
				   DestReceiver *dest, QueryCompletion *qc)
#else
#define UTILITY_ARGS pstmt, queryString, context, params, queryEnv, dest, qc
static void
role_guard_utility(PlannedStmt *pstmt, const char *queryString,
				   ProcessUtilityContext context,
				   ParamListInfo params, QueryEnvironment *queryEnv,
				   DestReceiver *dest, QueryCompletion *qc)
#endif
{
	Node	   *stmt = pstmt->utilityStmt;
	bool		guarded = (IsA(stmt, DropRoleStmt) || IsA(stmt, ReassignOwnedStmt) ||
						   IsA(stmt, DropOwnedStmt) || IsA(stmt, AlterOwnerStmt)) &&
		catalog_present() && !CitusIsWorker();
	MlModel    *model = NULL;

	if (guarded && IsA(stmt, DropRoleStmt))
		check_drop_role((DropRoleStmt *) stmt);
	else if (guarded && IsA(stmt, AlterOwnerStmt))
		model = typed_function_model((AlterOwnerStmt *) stmt);
	if (prev_utility_hook)
		prev_utility_hook(UTILITY_ARGS);
	else
		standard_ProcessUtility(UTILITY_ARGS);
	if (guarded && IsA(stmt, ReassignOwnedStmt))
		reassign_owned((ReassignOwnedStmt *) stmt);
	else if (guarded && IsA(stmt, DropOwnedStmt))
		drop_owned((DropOwnedStmt *) stmt);
	else if (model)
		follow_function_owner(model, (AlterOwnerStmt *) stmt);
}

/*
 * CatalogRoleGuardInit
 *		Install the hook (from _PG_init).
 */
void
CatalogRoleGuardInit(void)
{
	prev_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = role_guard_utility;
}

/*
 * mlpredict_follow_schema_rename
 *		Event trigger (ddl_command_end, ALTER SCHEMA): models follow their
 *		renamed schema (CatalogFollowSchemaRename).
 */
Datum
mlpredict_follow_schema_rename(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("mlpredict.follow_schema_rename() must be called as an event trigger")));
	if (!CitusIsWorker())
		CatalogFollowSchemaRename();
	PG_RETURN_VOID();
}
