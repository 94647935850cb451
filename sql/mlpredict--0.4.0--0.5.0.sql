/* mlpredict 0.4.0 -> 0.5.0 (ALTER EXTENSION mlpredict UPDATE) */

\echo Use "ALTER EXTENSION mlpredict UPDATE TO '0.5.0'" to load this file. \quit

/*
 * continuous_queries: last_error only for the owner (an error message may
 * quote the data: an input function's "invalid input syntax for type
 * integer: ...", the owner's RAISE), like the dead letters.
 */
CREATE OR REPLACE VIEW mlpredict.continuous_queries AS
SELECT q.name,
	   pg_catalog.pg_get_userbyid(q.owner)::text AS owner,
	   q.state,
	   q.source::text AS source,
	   q.sink::text AS sink,
	   pg_catalog.quote_ident(q.model_schema::text) || '.' || pg_catalog.quote_ident(q.model_name) AS model,
	   q.model_version AS version,
	   coalesce(w.pending, 0) AS rows_pending,
	   coalesce(w.parked, 0) AS rows_parked,
	   pg_catalog.now() OPERATOR(pg_catalog.-) w.oldest AS oldest_pending_age,
	   coalesce(p.rows_done, 0) AS rows_done,
	   coalesce(p.rows_failed, 0) AS rows_failed,
	   p.batches,
	   CASE WHEN p.last_batch_ms OPERATOR(pg_catalog.>) 0
			THEN p.last_batch_rows OPERATOR(pg_catalog.*) 1000.0::double precision OPERATOR(pg_catalog./) p.last_batch_ms END AS throughput,
	   p.last_batch_at,
	   p.last_sqlstate,
	   -- an error message may quote the data (an input function's "invalid
	   -- input syntax for type integer: ...", the owner's RAISE): the
	   -- owner's own, like the dead letters
	   CASE WHEN pg_catalog.pg_has_role(q.owner::pg_catalog.oid, 'MEMBER') THEN p.last_error END AS last_error,
	   p.last_error_at,
	   p.model_version_used,
	   q.statement
FROM mlpredict.continuous_query q
	 LEFT JOIN mlpredict.continuous_query_progress p ON p.query OPERATOR(pg_catalog.=) q.name
	 LEFT JOIN LATERAL (
		SELECT pg_catalog.count(*) FILTER (WHERE NOT k.parked) AS pending,
			   pg_catalog.count(*) FILTER (WHERE k.parked) AS parked,
			   pg_catalog.min(k.enqueued_at) FILTER (WHERE NOT k.parked) AS oldest
		FROM mlpredict.continuous_query_queue k
		WHERE k.query OPERATOR(pg_catalog.=) q.name) w ON true;
COMMENT ON VIEW mlpredict.continuous_queries IS
	'Continuous queries: state, source, sink, model, rows pending and parked, age of the oldest pending row, rows done and failed, throughput of the last batch (rows/s), last error (its message only for the owner), model version used';
