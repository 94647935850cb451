/*-------------------------------------------------------------------------
 *
 * settings.h
 *	  The variables behind the mlpredict.* configuration parameters.
 *
 * The variables and their boot values live at the bottom of the layers
 * (settings.c), so that every part of the extension may read them; their
 * registration with the GUC machinery (names, limits, contexts, check
 * hooks) is guc.c's, at the top.  A boot value here must equal the default
 * guc.c registers.
 *
 * IDENTIFICATION
 *	  src/settings.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_SETTINGS_H
#define MLPREDICT_SETTINGS_H

/* per-call defaults, user-settable */
extern int	mlpredict_max_parallelism;
extern bool mlpredict_enable_pipeline;
extern int	mlpredict_client_timeout;	/* seconds */
extern int	mlpredict_connect_timeout;	/* milliseconds */
extern int	mlpredict_retry_count;
extern int	mlpredict_pipeline_window_rows;
extern int	mlpredict_pipeline_window_memory;	/* kilobytes */
extern int	mlpredict_dedup_memory;	/* kilobytes; 0: no deduplication */

/* security and memory bounds, superuser-only or server-wide */
extern bool mlpredict_allow_insecure_http;
extern int	mlpredict_max_response_size;	/* kilobytes */
extern int	mlpredict_max_output_elements;
extern char *mlpredict_secret_key_file;
extern char *mlpredict_allowed_networks;	/* CIDR list */
extern char *mlpredict_ca_bundle;
extern int	mlpredict_max_client_timeout;	/* seconds */

/* the connection pool and the shared statistics */
extern int	mlpredict_pool_workers;
extern int	mlpredict_pool_workers_per_session;	/* 0: all */
extern int	mlpredict_max_connections;
extern int	mlpredict_max_session_share;	/* percent */
extern int	mlpredict_pool_max_buffered;	/* kB */
extern int	mlpredict_stat_max_connections;
extern int	mlpredict_retry_outage_window;	/* milliseconds */

/* continuous queries' background workers */
extern bool mlpredict_continuous_workers;
extern int	mlpredict_continuous_max_backoff;	/* seconds */
extern int	mlpredict_continuous_outage_delay;	/* milliseconds */

#endif							/* MLPREDICT_SETTINGS_H */
