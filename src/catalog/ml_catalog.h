/*-------------------------------------------------------------------------
 *
 * ml_catalog.h
 *	  Connections and models as the rest of the extension sees them, and
 *	  the operations that read and write the catalog tables.
 *
 * All reads and writes of mlpredict.connection, connection_secret, model
 * and model_version go through the functions declared here.  They run SPI
 * as the extension owner with a safe search_path (catalog_access.c), so
 * callers need no privileges on the tables; the functions check the
 * caller's rights (ownership, CREATE on the schema) themselves.
 *
 * IDENTIFICATION
 *	  src/catalog/ml_catalog.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_CATALOG_H
#define MLPREDICT_CATALOG_H

#include "executor/spi.h"

#include "mlpredict.h"

/* MlConnection and MlModel, the rows read here, are in mlpredict.h */

/* catalog_access.c: SPI as the extension owner */
typedef struct CatalogAccess
{
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;
	MemoryContext caller_context;	/* where results for the caller go */
} CatalogAccess;

extern bool CatalogIsCurrent(void);
extern void CatalogBegin(CatalogAccess *access);
extern void CatalogEnd(CatalogAccess *access);
extern int	CatalogExec(const char *sql, int nargs, Oid *argtypes,
						Datum *values, const char *nulls, bool read_only);
extern char *CatalogGetText(int row, int col);
extern List *CatalogGetTextColumn(CatalogAccess *access, int col);
extern struct varlena *CatalogGetVarlena(CatalogAccess *access, int row, int col);
extern bool CatalogRoleOwns(Oid role, Oid owner_oid);
extern void CatalogCheckOwner(Oid caller, Oid owner, const char *kind,
							  const char *name);
extern char *CatalogOwnerName(Oid owner);
extern Oid	CatalogNewOwner(const char *role, Oid current_owner,
							const char *kind, const char *name);

/* connection.c */
extern bool CatalogCreateConnection(const char *name, List *options,
									const char *comment, bool or_replace,
									bool if_not_exists, const char *statement);
extern void CatalogReportMissingConnection(const char *name, bool if_exists);
extern bool CatalogAlterConnection(const char *name, List *options,
								   bool if_exists, const char *statement);
extern void CatalogAlterConnectionOwner(const char *name, const char *new_owner);
extern MlConnection *CatalogGetConnection(const char *name, bool with_secrets,
										  bool missing_ok);
extern List *CatalogListConnections(void);

/* connection_drop.c */
extern bool CatalogDropConnection(const char *name, bool if_exists, bool cascade);

/* connection_acl.c */
extern void CatalogCheckConnectionUsage(const char *name);
extern void CatalogCheckModelConnection(MlModel *model, const char *connection);
extern void CatalogCheckRoleConnectionUsage(const char *name, Oid role);
extern void CatalogSetConnectionOwner(const char *name, Oid owner);

/* role_guard.c */
extern void CatalogRoleGuardInit(void);
extern void CatalogGrantConnection(const char *name, const char *grantee, bool grant);

/* model.c */
extern int	CatalogCreateModel(MlModelRef *ref, const char *input, int input_location,
							   const char *output, int output_location,
							   List *options, const char *comment,
							   bool if_not_exists, const char *statement);
extern bool CatalogAlterModelOptions(MlModelRef *ref, List *set_options,
									 List *reset_keys, bool if_exists,
									 const char *statement);
extern bool CatalogRenameModel(MlModelRef *ref, MlModelRef *new_ref, bool if_exists);
extern bool CatalogDropModel(MlModelRef *ref, bool if_exists);
extern void CatalogAlterModelOwner(MlModelRef *ref, const char *new_owner);
extern void CatalogSetModelOwner(MlModel *model, Oid owner);
extern void CatalogDropModelsUsing(const char *connection);
extern void CatalogFollowSchemaRename(void);
extern MlModel *CatalogGetModel(MlModelRef *ref, bool missing_ok);
extern List *CatalogGetModelVersions(MlModelRef *ref, bool missing_ok);
extern List *CatalogListModels(const char *schema);
extern char *CatalogModelCreationSchema(MlModelRef *ref);
extern char *CatalogResolveModelSchema(MlModelRef *ref, bool missing_ok);
extern void CatalogGrantModel(MlModelRef *ref, const char *grantee, bool grant);

/* typed_function.c */
extern void TypedFunctionCreate(MlModel *model);
extern void TypedFunctionRename(MlModel *model, const char *new_schema,
								const char *new_name);
extern void TypedFunctionDrop(MlModel *model);
extern void TypedFunctionSetOwner(MlModel *model, Oid new_owner);
extern void TypedFunctionRebody(MlModel *model);
extern Oid	TypedFunctionLookup(MlModel *model);
extern void TypedFunctionCheckExecute(MlModel *model);
extern void TypedFunctionGrant(MlModel *model, const char *grantee, bool grant);

#endif							/* MLPREDICT_CATALOG_H */
