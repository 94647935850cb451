/*-------------------------------------------------------------------------
 *
 * citus_node.c
 *	  Whether this server is a Citus worker, found at run time, so that a
 *	  worker never makes a cluster key of its own.
 *
 * mlpredict never links to Citus: a worker is recognised by the citus
 * extension being installed in the current database and Citus's own
 * catalog (pg_dist_local_group) giving this server a group other than 0,
 * the coordinator's.  Read through SPI, so the answer is the same whether
 * or not Citus is loaded, and false where it is not installed.
 *
 * On a worker the cluster key file is never created: connection secrets
 * are sealed on the coordinator, so a worker needs the coordinator's key,
 * and a key of its own would only make every secret fail later (55000).
 * ClusterKeyRefuseCreate says so, naming this node and how to copy the
 * file.  CitusIsWorker also tells the catalog's DDL followers (role_guard.c)
 * to leave a worker's catalog rows to the coordinator, which sends them.
 *
 * IDENTIFICATION
 *	  src/secret/citus_node.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/extension.h"
#include "executor/spi.h"

#include "mlpredict.h"
#include "secret/citus_node.h"

/*
 * citus_worker_name
 *		"host:port (group N)" of this server when it is a Citus worker, or
 *		NULL.  Only inside a transaction, where the catalog can be read.
 */
static char *
citus_worker_name(void)
{
	MemoryContext outer = CurrentMemoryContext;
	char	   *result = NULL;

	if (!IsTransactionState() || !OidIsValid(get_extension_oid("citus", true)))
		return NULL;
	if (SPI_connect() != SPI_OK_CONNECT)
		return NULL;
	if (SPI_execute("SELECT g.groupid::text, "
					"(SELECT n.nodename || ':' || n.nodeport FROM pg_catalog.pg_dist_node n "
					" WHERE n.groupid = g.groupid AND n.noderole = 'primary' LIMIT 1) "
					"FROM pg_catalog.pg_dist_local_group g WHERE g.groupid <> 0",
					true, 1) == SPI_OK_SELECT && SPI_processed == 1)
	{
		char	   *group = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		char	   *node = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);

		result = MemoryContextStrdup(outer,
									 psprintf("%s (group %s)",
											  node ? node : "this worker", group));
	}
	SPI_finish();
	return result;
}

/*
 * ClusterKeyRefuseCreate
 *		ERROR when the key file at path is missing on a Citus worker.
 */
void
ClusterKeyRefuseCreate(const char *path)
{
	char	   *node = citus_worker_name();

	if (node == NULL)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("Citus worker %s has no mlpredict secret key file \"%s\"", node, path),
			 errdetail("Connection secrets are sealed on the coordinator; a worker never creates a key of its own."),
			 errhint("Copy the coordinator's key file (mlpredict.secret_key_file) to \"%s\" on this node, owned by the server's OS user with mode 0600; mlpredict.citus_check_keys() on the coordinator then shows every node's key agrees.",
					 path)));
}

/*
 * CitusIsWorker
 *		Whether this server is a Citus worker (false without Citus).
 */
bool
CitusIsWorker(void)
{
	return citus_worker_name() != NULL;
}
