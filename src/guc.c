/*-------------------------------------------------------------------------
 *
 * guc.c
 *	  The mlpredict.* configuration parameters.
 *
 * Per-call defaults (timeouts, retries, parallelism) are user-settable, so
 * a session or a role can tune them; the settings that weaken security or
 * bound memory are superuser-only.  The variables and their boot values
 * are in settings.c, below every layer that reads them; the defaults
 * registered here must equal those boot values.
 *
 * IDENTIFICATION
 *	  src/guc.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/guc.h"

#include "compat.h"
#include "guc.h"
#include "settings.h"
#include "pool/pool.h"

/*
 * MlDefineGucs
 *		Register every mlpredict.* parameter and reserve the prefix.
 */
void
MlDefineGucs(void)
{
	DefineCustomIntVariable("mlpredict.max_parallelism",
							"Sets the default number of model requests a query keeps in flight.",
							"Overridden per call by the max_parallelism runtime option.",
							&mlpredict_max_parallelism,
							32, 1, 1024,
							PGC_USERSET, 0,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("mlpredict.enable_pipeline",
							 "Enables the planner's use of pipelined model calls.",
							 "A LATERAL call of ml_predict or of a model's function then keeps up to max_parallelism requests in flight; off calls the model once per row, in turn.",
							 &mlpredict_enable_pipeline,
							 true,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("mlpredict.client_timeout",
							"Sets the default time limit for one model request.",
							"Overridden by the model option <provider>.client_timeout and the client_timeout runtime option.",
							&mlpredict_client_timeout,
							30, 1, 3600,
							PGC_USERSET, GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("mlpredict.connect_timeout",
							"Sets the time limit for establishing a connection to a provider.",
							NULL,
							&mlpredict_connect_timeout,
							10000, 100, 600000,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("mlpredict.retry_count",
							"Sets the default number of retries of a throttled or failed model request.",
							"Overridden by the retry_count runtime option.",
							&mlpredict_retry_count,
							3, 0, 100,
							PGC_USERSET, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("mlpredict.pipeline_window_rows",
							"Sets the most outer rows a pipelined model call holds at once.",
							"Rows read ahead and not yet returned: in flight, or answered and waiting for an earlier row's turn. A slow row holds up reading only once this many rows wait behind it.",
							&mlpredict_pipeline_window_rows,
							10000, 1, INT_MAX,
							PGC_USERSET, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("mlpredict.pipeline_window_memory",
							"Sets the most memory a pipelined model call holds in buffered rows.",
							"Outer row copies, inputs, requests, answers and decoded outputs; reading waits while it is used up (the calls in flight may add their answers).",
							&mlpredict_pipeline_window_memory,
							65536, 64, MAX_KILOBYTES,
							PGC_USERSET, GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomIntVariable("mlpredict.dedup_memory",
							"Sets the most memory a statement's model call keeps for answering duplicate inputs.",
							"Rows with the same model version, runtime options and inputs share one call; the answers kept for later duplicates are bounded by this (when it is used up, the kept answers no row waits for are dropped). 0 turns deduplication off.",
							&mlpredict_dedup_memory,
							1024, 0, MAX_KILOBYTES,
							PGC_USERSET, GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("mlpredict.allow_insecure_http",
							 "Allows connections to plain http:// endpoints.",
							 "Secrets travel unencrypted over http; meant for local test servers.",
							 &mlpredict_allow_insecure_http,
							 false,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("mlpredict.max_response_size",
							"Sets the largest provider response accepted.",
							NULL,
							&mlpredict_max_response_size,
							65536, 64, 1048576,
							PGC_SUSET, GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomIntVariable("mlpredict.max_output_elements",
							"Sets the largest number of elements an output array may have.",
							"An answer with a longer array (a vector, a list of labels) is refused before it is built.",
							&mlpredict_max_output_elements,
							100000, 1, 100000000,
							PGC_SUSET, 0,
							NULL, NULL, NULL);

	DefineCustomStringVariable("mlpredict.secret_key_file",
							   "Sets the file holding the cluster key that encrypts connection secrets.",
							   "A relative path is taken from the data directory; the file is created (mode 0600) on first use.",
							   &mlpredict_secret_key_file,
							   "mlpredict_secret.key",
							   PGC_SUSET, GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("mlpredict.allowed_networks",
							   "Sets the non-public networks (CIDR list) model endpoints may connect to.",
							   "Loopback, link-local and private addresses are refused unless listed here; checked on the resolved address when connecting.",
							   &mlpredict_allowed_networks,
							   "",
							   PGC_SIGHUP, 0,
							   HttpAllowedNetworksCheck, NULL, NULL);

	DefineCustomStringVariable("mlpredict.ca_bundle",
							   "Sets a file of trusted CA certificates for provider TLS connections.",
							   "Empty uses the system's trust store. Certificates are always verified.",
							   &mlpredict_ca_bundle,
							   "",
							   PGC_SIGHUP, 0,
							   NULL, NULL, NULL);

	/* A postmaster setting can only be defined while preloading. */
	if (process_shared_preload_libraries_in_progress)
		DefineCustomIntVariable("mlpredict.pool_workers",
								"Sets the number of background workers of the HTTP connection pool.",
								"Used only when mlpredict is in shared_preload_libraries.",
								&mlpredict_pool_workers,
								1, 1, 16,
								PGC_POSTMASTER, 0,
								NULL, NULL, NULL);

	DefineCustomIntVariable("mlpredict.max_connections",
							"Sets the maximum number of model requests in flight at once.",
							"Counts the whole cluster with the connection pool, each backend without it; 0 means no limit.",
							&mlpredict_max_connections,
							64, 0, 10000,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("mlpredict.pool_workers_per_session",
							"Sets how many connection pool workers one session may spread its requests over.",
							"A session opens a channel to one more worker while each one it has holds 16 or more requests; its share of mlpredict.max_connections is divided among them. 0 means all of mlpredict.pool_workers.",
							&mlpredict_pool_workers_per_session,
							0, 0, 16,
							PGC_USERSET, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("mlpredict.max_session_share",
							"Sets the percentage of mlpredict.max_connections one session may hold in flight through the connection pool.",
							"A session's further requests wait in the pool, so that other sessions always find slots.",
							&mlpredict_max_session_share,
							50, 1, 100,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("mlpredict.max_client_timeout",
							"Sets the longest time limit a model request may be given.",
							"Longer mlpredict.client_timeout or model option values are lowered to it; a longer client_timeout runtime option is an error.",
							&mlpredict_max_client_timeout,
							300, 1, 3600,
							PGC_SUSET, GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("mlpredict.retry_outage_window",
							"Sets how long requests wait for an endpoint that cannot be reached to come back.",
							"Connection failures and gateway errors (502, 503, 504) are retried for this long, within the request's client_timeout, instead of retry_count times; once an endpoint has been failing longer, requests to its connection fail at once until it answers again. 0 turns the wait off.",
							&mlpredict_retry_outage_window,
							10000, 0, 3600000,
							PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("mlpredict.pool_max_buffered_bytes",
							"Sets the memory a pool worker may hold in request and response bodies.",
							"New requests wait while it is used up; a single response larger than it fails.",
							&mlpredict_pool_max_buffered,
							262144, 1024, INT_MAX / 2,
							PGC_SIGHUP, GUC_UNIT_KB,
							NULL, NULL, NULL);

	/* A postmaster setting can only be defined while preloading. */
	if (process_shared_preload_libraries_in_progress)
		DefineCustomIntVariable("mlpredict.stat_max_connections",
								"Sets the number of connection rows of the shared statistics table.",
								"The table has four model rows per connection row.",
								&mlpredict_stat_max_connections,
								256, 16, 100000,
								PGC_POSTMASTER, 0,
								NULL, NULL, NULL);

	/* continuous queries (src/continuous) */
	if (process_shared_preload_libraries_in_progress)
		DefineCustomBoolVariable("mlpredict.continuous_workers",
								 "Runs the background workers that process continuous queries.",
								 "Used only when mlpredict is in shared_preload_libraries; when off, queues are processed only by mlpredict.process_continuous_query().",
								 &mlpredict_continuous_workers,
								 true,
								 PGC_POSTMASTER, 0,
								 NULL, NULL, NULL);

	DefineCustomIntVariable("mlpredict.continuous_max_backoff",
							"Sets the longest wait before a continuous query retries a failing row or a failing query.",
							"Waits start at 1 s and double with each attempt, with jitter, up to this.",
							&mlpredict_continuous_max_backoff,
							300, 1, 86400,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("mlpredict.continuous_outage_delay",
							"Sets how long a continuous query waits before retrying a batch whose endpoint could not be reached, or a row whose call failed with another connection error.",
							"Such failures (SQLSTATE class 08, e.g. a timeout) do not count against the rows' attempts.",
							&mlpredict_continuous_outage_delay,
							5000, 10, 3600000,
							PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("mlpredict");
}
