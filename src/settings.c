/*-------------------------------------------------------------------------
 *
 * settings.c
 *	  The variables behind the mlpredict.* configuration parameters, with
 *	  their boot values.
 *
 * Only storage lives here: guc.c registers each variable (with the same
 * default) when the library loads.  Keeping the variables at the bottom of
 * the layers lets the pool, the HTTP engine, the formats and the executor
 * read them without depending on the SQL surface.
 *
 * IDENTIFICATION
 *	  src/settings.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "settings.h"

int			mlpredict_max_parallelism = 32;
bool		mlpredict_enable_pipeline = true;
int			mlpredict_client_timeout = 30;
int			mlpredict_connect_timeout = 10000;
int			mlpredict_retry_count = 3;
int			mlpredict_pipeline_window_rows = 10000;
int			mlpredict_pipeline_window_memory = 65536;
int			mlpredict_dedup_memory = 1024;
bool		mlpredict_allow_insecure_http = false;
int			mlpredict_max_response_size = 65536;
int			mlpredict_pool_workers = 1;
int			mlpredict_pool_workers_per_session = 0;
int			mlpredict_max_connections = 64;
char	   *mlpredict_secret_key_file = NULL;
char	   *mlpredict_allowed_networks = NULL;
char	   *mlpredict_ca_bundle = NULL;
int			mlpredict_max_output_elements = 100000;
int			mlpredict_max_session_share = 50;
int			mlpredict_max_client_timeout = 300;
int			mlpredict_pool_max_buffered = 262144;
int			mlpredict_stat_max_connections = 256;
int			mlpredict_retry_outage_window = 10000;

bool		mlpredict_continuous_workers = true;
int			mlpredict_continuous_max_backoff = 300;
int			mlpredict_continuous_outage_delay = 5000;
