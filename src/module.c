/*-------------------------------------------------------------------------
 *
 * module.c
 *	  Module magic and initialisation.
 *
 * Only the module entry point lives here: it defines the GUCs and, when
 * the library is preloaded, sets up the connection pool (src/pool).  Every
 * SQL function works whether or not the library is preloaded; when it is
 * not, HTTP runs inside the calling backend.
 *
 * Not named mlpredict.c: a .c and a .h of one name are one module to
 * scripts/check-layers.py, and mlpredict.h is the bottom of the layers
 * while _PG_init is the top.
 *
 * IDENTIFICATION
 *	  src/module.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"

#include "mlpredict.h"
#include "guc.h"
#include "catalog/ml_catalog.h"
#include "exec/pipeline.h"
#include "pool/pool.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * _PG_init
 *		Define the extension's GUCs; while preloading, register the pool.
 */
void
_PG_init(void)
{
	if (IsBinaryUpgrade)
		return;
	MlDefineGucs();
	MlPipelineInit();
	CatalogRoleGuardInit();
	if (process_shared_preload_libraries_in_progress)
		PoolRegister();
}
