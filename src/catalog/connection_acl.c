/*-------------------------------------------------------------------------
 *
 * connection_acl.c
 *	  Who may use a connection: its owner, superusers, and the roles
 *	  granted USAGE on it.
 *
 * A connection's privileges are an aclitem[] in mlpredict.connection.acl,
 * kept with PostgreSQL's own ACL code, so they read like any other object's
 * (alice=U/alice) and pg_dump carries them with the row.  NULL means the
 * default: the owner alone.  USAGE is the only privilege.  It is needed to
 * create a model on the connection (checked against the role running the
 * DDL) and, each time a model is called, by the model's owner, so revoking
 * it takes effect at once, as revoking a table privilege from a view's
 * owner does.  Granting and revoking belong to the owner and superusers.
 *
 * The owner is stored by OID (regrole): a connection whose owner was
 * dropped belongs to superusers alone, never to a later role of the same
 * name.  ALTER CONNECTION ... OWNER TO gives it to another role.
 *
 * IDENTIFICATION
 *	  src/catalog/connection_acl.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "catalog/ml_catalog.h"
#include "util.h"

/* A connection's owner and privileges, as stored. */
typedef struct ConnectionAcl
{
	char	   *owner;			/* for messages */
	Oid			owner_oid;		/* as stored (the role may be gone) */
	Acl		   *acl;			/* NULL: the default (owner only) */
} ConnectionAcl;

/*
 * load_acl
 *		Owner and acl of a connection; raises an error if it does not exist.
 */
static ConnectionAcl *
load_acl(const char *name)
{
	CatalogAccess access;
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(name)};
	ConnectionAcl *result = NULL;

	CatalogBegin(&access);
	if (CatalogExec("SELECT owner::oid::text, acl FROM mlpredict.connection "
					"WHERE name OPERATOR(pg_catalog.=) $1",
					1, types, values, " ", true) == 1)
	{
		result = SPI_palloc(sizeof(ConnectionAcl));
		result->owner_oid = atooid(CatalogGetText(0, 1));
		result->acl = (Acl *) CatalogGetVarlena(&access, 0, 2);
	}
	CatalogEnd(&access);
	if (result == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("connection \"%s\" does not exist", name)));
	result->owner = CatalogOwnerName(result->owner_oid);
	return result;
}

/*
 * effective_acl
 *		The stored acl, or the default one: USAGE for the owner.
 */
static Acl *
effective_acl(ConnectionAcl *ca)
{
	if (ca->acl)
		return ca->acl;
	return acldefault(OBJECT_FOREIGN_SERVER, ca->owner_oid);
}

/*
 * has_usage
 *		Whether role may use the connection: superuser, a member of the
 *		owning role, or USAGE granted to it, to a role it inherits, or to
 *		PUBLIC.
 */
static bool
has_usage(ConnectionAcl *ca, Oid role)
{
	if (CatalogRoleOwns(role, ca->owner_oid))
		return true;
	if (GetUserNameFromId(ca->owner_oid, true) == NULL)
		return false;				/* orphaned: superusers only */
	return aclmask(effective_acl(ca), role, ca->owner_oid,
				   ACL_USAGE, ACLMASK_ANY) != 0;
}

/*
 * grant_hint
 *		How the owner can allow a role to use the connection.
 */
static int
grant_hint(const char *name, const char *role)
{
	return errhint("The connection's owner can allow it with mlpredict.grant_connection(%s, %s).",
				   quote_literal_cstr(name), quote_literal_cstr(role));
}

/*
 * CatalogCheckConnectionUsage
 *		The current user needs USAGE on a connection to create or point a
 *		model at it.
 */
void
CatalogCheckConnectionUsage(const char *name)
{
	ConnectionAcl *ca = load_acl(name);
	Oid			role = GetUserId();

	if (!has_usage(ca, role))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for connection \"%s\"", name),
				 errdetail("Creating or changing a model that uses a connection needs USAGE on it."),
				 grant_hint(name, GetUserNameFromId(role, false))));
}

/*
 * CatalogCheckModelConnection
 *		When a model is called, its owner must (still) have USAGE on its
 *		connection.
 */
void
CatalogCheckModelConnection(MlModel *model, const char *connection)
{
	ConnectionAcl *ca = load_acl(connection);
	Oid			owner = model->owner_id;

	if (GetUserNameFromId(owner, true) == NULL || !has_usage(ca, owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("model \"%s\" may not use connection \"%s\"",
						MlQualifiedModelName(model->schema, model->name), connection),
				 errdetail("The model's owner, role \"%s\", lacks USAGE on the connection.",
						   model->owner),
				 grant_hint(connection, model->owner)));
}

/*
 * CatalogCheckRoleConnectionUsage
 *		role (a model's new owner) needs USAGE on a connection.
 */
void
CatalogCheckRoleConnectionUsage(const char *name, Oid role)
{
	ConnectionAcl *ca = load_acl(name);
	char	   *role_name = GetUserNameFromId(role, false);

	if (!has_usage(ca, role))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" may not use connection \"%s\"", role_name, name),
				 errdetail("A model's owner needs USAGE on the connections its versions use."),
				 grant_hint(name, role_name)));
}

/*
 * grantee_oid
 *		The role named by a grant or revoke: a role name, or PUBLIC
 *		(ACL_ID_PUBLIC).
 */
static Oid
grantee_oid(const char *grantee)
{
	if (pg_strcasecmp(grantee, "public") == 0)
		return ACL_ID_PUBLIC;
	return get_role_oid(grantee, false);
}

/*
 * CatalogGrantConnection
 *		Grant (or revoke) USAGE on a connection to (from) a role or PUBLIC.
 *		Only the owner or a superuser may; the grantor recorded is the
 *		owner, as PostgreSQL records it when a superuser grants.
 */
void
CatalogGrantConnection(const char *name, const char *grantee, bool grant)
{
	ConnectionAcl *ca = load_acl(name);
	CatalogAccess access;
	AclItem		item;
	Acl		   *acl;
	Oid			types[2] = {TEXTOID, ACLITEMARRAYOID};
	Datum		values[2];

	CatalogCheckOwner(GetUserId(), ca->owner_oid, "connection", name);
	if (GetUserNameFromId(ca->owner_oid, true) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("the owner of connection \"%s\" no longer exists", name),
				 errhint("A superuser can give it to a role with ALTER CONNECTION %s OWNER TO <role>.",
						 quote_identifier(name))));
	item.ai_grantee = grantee_oid(grantee);
	item.ai_grantor = ca->owner_oid;
	ACLITEM_SET_PRIVS_GOPTIONS(item, ACL_USAGE, ACL_NO_RIGHTS);
	acl = aclupdate(effective_acl(ca), &item,
					grant ? ACL_MODECHG_ADD : ACL_MODECHG_DEL,
					ca->owner_oid, DROP_RESTRICT);

	values[0] = CStringGetTextDatum(name);
	values[1] = PointerGetDatum(acl);
	CatalogBegin(&access);
	CatalogExec("UPDATE mlpredict.connection SET acl = $2 WHERE name OPERATOR(pg_catalog.=) $1",
				2, types, values, "  ", false);
	CatalogEnd(&access);
}

/*
 * CatalogAlterConnectionOwner
 *		ALTER CONNECTION c OWNER TO role, with PostgreSQL's rules for ALTER
 *		... OWNER (owner or superuser; membership in the new role).  The
 *		grants follow the owner as aclnewowner makes them follow.
 */
void
CatalogAlterConnectionOwner(const char *name, const char *new_owner)
{
	ConnectionAcl *ca = load_acl(name);

	CatalogSetConnectionOwner(name, CatalogNewOwner(new_owner, ca->owner_oid,
													"connection", name));
}

/*
 * CatalogSetConnectionOwner
 *		Store a new owner, with the grants following it; no checks (the
 *		callers made them: ALTER ... OWNER TO, REASSIGN OWNED).
 */
void
CatalogSetConnectionOwner(const char *name, Oid owner)
{
	ConnectionAcl *ca = load_acl(name);
	CatalogAccess access;
	Oid			types[3] = {TEXTOID, REGROLEOID, ACLITEMARRAYOID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', ' '};	/* SPI: no column is null */

	values[0] = CStringGetTextDatum(name);
	values[1] = ObjectIdGetDatum(owner);
	if (ca->acl)
		values[2] = PointerGetDatum(aclnewowner(ca->acl, ca->owner_oid, owner));
	else
		nulls[2] = 'n';
	CatalogBegin(&access);
	CatalogExec("UPDATE mlpredict.connection SET owner = $2, acl = $3 "
				"WHERE name OPERATOR(pg_catalog.=) $1",
				3, types, values, nulls, false);
	CatalogEnd(&access);
}
