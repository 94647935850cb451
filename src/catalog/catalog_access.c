/*-------------------------------------------------------------------------
 *
 * catalog_access.c
 *	  SPI access to the catalog tables as the extension owner.
 *
 * The catalog tables are not accessible to ordinary roles.  CatalogBegin
 * connects SPI, switches the user id to the owner of the mlpredict
 * extension (SECURITY_LOCAL_USERID_CHANGE, as RI triggers and REFRESH
 * MATERIALIZED VIEW do) and pins search_path to pg_catalog, pg_temp so
 * that no object of the caller's can capture a name in our queries.
 * Transaction or subtransaction abort restores both the user id and the
 * GUC state, so an ERROR between Begin and End leaves nothing behind.
 *
 * IDENTIFICATION
 *	  src/catalog/catalog_access.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "catalog/ml_catalog.h"
#include "util.h"

/*
 * extension_row
 *		The mlpredict extension's owner and installed version (palloc'd).
 */
static void
extension_row(Oid *owner, char **version)
{
	Oid			extoid = get_extension_oid("mlpredict", false);
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;

	*owner = InvalidOid;
	*version = NULL;
	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(extoid));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		bool		isnull;
		Datum		v = heap_getattr(tup, Anum_pg_extension_extversion,
									 RelationGetDescr(rel), &isnull);

		*owner = ((Form_pg_extension) GETSTRUCT(tup))->extowner;
		if (!isnull)
			*version = TextDatumGetCString(v);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	if (!OidIsValid(*owner))
		elog(ERROR, "could not find owner of extension mlpredict");
}

/*
 * CatalogIsCurrent
 *		Whether this database's mlpredict catalog is the version this
 *		library was built for.  After new binaries are installed, a database
 *		keeps its old catalog until ALTER EXTENSION mlpredict UPDATE.
 */
bool
CatalogIsCurrent(void)
{
	Oid			owner;
	char	   *version;

	extension_row(&owner, &version);
	return version != NULL && strcmp(version, MLPREDICT_VERSION) == 0;
}

/*
 * extension_owner
 *		OID of the role that owns the mlpredict extension; raises an error
 *		that says what to do when the catalog is of another version than
 *		the library (its tables may have other columns).
 */
static Oid
extension_owner(void)
{
	Oid			owner;
	char	   *version;

	extension_row(&owner, &version);
	if (version == NULL || strcmp(version, MLPREDICT_VERSION) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension mlpredict is at version %s in this database, but its library is version %s",
						version ? version : "(unknown)", MLPREDICT_VERSION),
				 errhint("Run ALTER EXTENSION mlpredict UPDATE in this database.")));
	return owner;
}

/*
 * CatalogBegin
 *		Connect SPI and become the extension owner with a safe search_path.
 */
void
CatalogBegin(CatalogAccess *access)
{
	Oid			owner = extension_owner();

	access->caller_context = CurrentMemoryContext;
	GetUserIdAndSecContext(&access->save_userid, &access->save_sec_context);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	access->save_nestlevel = MlPinSearchPath();
	SetUserIdAndSecContext(owner,
						   access->save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
}


/*
 * CatalogEnd
 *		Undo CatalogBegin: restore user, GUCs and disconnect SPI.
 */
void
CatalogEnd(CatalogAccess *access)
{
	SetUserIdAndSecContext(access->save_userid, access->save_sec_context);
	AtEOXact_GUC(true, access->save_nestlevel);
	SPI_finish();
}

/*
 * CatalogExec
 *		Run one parameterized statement; returns SPI_processed.  Raises ERROR
 *		on SPI failure.  Reads are run as non-read-only too, so that they
 *		take a fresh snapshot and see what this command wrote before
 *		(read_only is kept in the signature to document intent).
 */
int
CatalogExec(const char *sql, int nargs, Oid *argtypes, Datum *values,
			const char *nulls, bool read_only)
{
	int			rc;

	rc = SPI_execute_with_args(sql, nargs, argtypes, values, nulls, false, 0);
	if (rc < 0)
		elog(ERROR, "catalog query failed: %s", SPI_result_code_string(rc));
	return (int) SPI_processed;
}

/*
 * CatalogGetText
 *		Column col (1-based) of result row as a string copied into the
 *		caller's (upper executor) context; NULL for SQL NULL.
 */
char *
CatalogGetText(int row, int col)
{
	char	   *value = SPI_getvalue(SPI_tuptable->vals[row],
									 SPI_tuptable->tupdesc, col);
	char	   *result;

	if (value == NULL)
		return NULL;
	result = SPI_palloc(strlen(value) + 1);
	strcpy(result, value);
	return result;
}

/*
 * CatalogGetTextColumn
 *		Column col (1-based) of every result row, as a List of strings built
 *		in the caller's context.
 */
List *
CatalogGetTextColumn(CatalogAccess *access, int col)
{
	MemoryContext old = MemoryContextSwitchTo(access->caller_context);
	List	   *result = NIL;
	uint64		i;

	for (i = 0; i < SPI_processed; i++)
	{
		char	   *value = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, col);

		result = lappend(result, value);
	}
	MemoryContextSwitchTo(old);
	return result;
}

/*
 * CatalogGetVarlena
 *		Column col (1-based) of result row, a varlena value (bytea, an
 *		array), detoasted and copied into the caller's context; NULL for
 *		SQL NULL.
 */
struct varlena *
CatalogGetVarlena(CatalogAccess *access, int row, int col)
{
	bool		isnull;
	Datum		value = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc,
									  col, &isnull);
	MemoryContext old;
	struct varlena *result;

	if (isnull)
		return NULL;
	old = MemoryContextSwitchTo(access->caller_context);
	result = PG_DETOAST_DATUM_COPY(value);
	MemoryContextSwitchTo(old);
	return result;
}

/*
 * CatalogRoleOwns
 *		Whether role acts as owner_oid's owner: a superuser, or a member of
 *		the owning role (InvalidOid: a dropped owner, owned by no one).
 */
bool
CatalogRoleOwns(Oid role, Oid owner_oid)
{
	if (superuser_arg(role))
		return true;
	return OidIsValid(owner_oid) && has_privs_of_role(role, owner_oid);
}

/*
 * CatalogCheckOwner
 *		caller is the role acting (GetUserId() outside a catalog section, the
 *		saved user id inside one).  Only the owner (or a member of the
 *		owning role) or a superuser may alter or drop an object.  owner is
 *		the stored OID: an object whose owner was dropped belongs to
 *		superusers alone, whatever role now has the old name.
 */
void
CatalogCheckOwner(Oid caller, Oid owner, const char *kind, const char *name)
{
	if (CatalogRoleOwns(caller, owner))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("must be owner of %s \"%s\"", kind, name),
			 OidIsValid(owner) && GetUserNameFromId(owner, true) == NULL ?
			 errdetail("Its owner, the role with OID %u, no longer exists; only superusers may manage it.", owner) : 0));
}

/*
 * CatalogOwnerName
 *		The name of an owner of record, or "unknown (OID=n)" once the role
 *		is gone (as pg_get_userbyid shows it).
 */
char *
CatalogOwnerName(Oid owner)
{
	char	   *name = GetUserNameFromId(owner, true);

	return name ? name : psprintf("unknown (OID=%u)", owner);
}

/*
 * CatalogNewOwner
 *		The role an OWNER TO names, checked as PostgreSQL checks ALTER ...
 *		OWNER: the caller must own the object (or be a superuser) and, unless
 *		a superuser, be able to SET ROLE to the new owner.
 */
Oid
CatalogNewOwner(const char *role, Oid current_owner, const char *kind,
				const char *name)
{
	Oid			new_owner = get_role_oid(role, false);

	CatalogCheckOwner(GetUserId(), current_owner, kind, name);
	if (!superuser() && !is_member_of_role(GetUserId(), new_owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be able to SET ROLE \"%s\"", role),
				 errdetail("Giving %s \"%s\" to a role needs membership in that role.", kind, name)));
	return new_owner;
}
