/*-------------------------------------------------------------------------
 *
 * module.c
 *	  Module magic and initialisation.
 *
 * Only the module entry point lives here: it gives the transport what it
 * needs from the layers above (the token counter), defines the GUCs and,
 * when the library is preloaded, sets up the connection pool (src/pool) and
 * the continuous-query workers (src/continuous).  Every
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
#include "continuous/cq_wake.h"
#include "exec/pipeline.h"
#include "exec/select_list.h"
#include "format/format.h"
#include "pool/pool.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

static bool count_answer_tokens(const HttpResponse *response, int64 *tokens);

/*
 * _PG_init
 *		Set up HTTP in this backend; define the extension's GUCs; while
 *		preloading, register the pool.
 */
void
_PG_init(void)
{
	PoolInit(count_answer_tokens);
	if (IsBinaryUpgrade)
		return;
	MlDefineGucs();
	MlPipelineInit();
	MlSelectListInit();
	CatalogRoleGuardInit();
	if (process_shared_preload_libraries_in_progress)
	{
		PoolRegister();
		ContinuousRegister();
		ContinuousDatabaseGuardInit();
	}
}

/*
 * count_answer_tokens
 *		The pool's token counter (see pool.h): prompt plus completion
 *		tokens, as the formats' usage table reads them.
 */
static bool
count_answer_tokens(const HttpResponse *response, int64 *tokens)
{
	MlResponseBody body;
	int64		prompt;
	int64		completion;

	MlResponseBodyFrom(&body, response);
	if (!MlResponseUsage(&body, &prompt, &completion))
		return false;
	*tokens = prompt + completion;
	return true;
}
