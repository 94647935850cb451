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

/*
 * citus_catalog: the typed functions' grants only for functions the model's
 * owner owns, as the privileges view matches them (another role's function
 * of the same name and argument shape is not the model's).
 */
CREATE OR REPLACE FUNCTION mlpredict.citus_catalog()
RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT jsonb_build_object(
		'connection', (SELECT coalesce(jsonb_agg(jsonb_build_object(
				'name', name, 'type', type, 'endpoint', endpoint, 'options', options,
				'comment', comment, 'owner', owner::text, 'acl', acl::text[],
				'created_at', created_at) ORDER BY name), '[]')
			FROM mlpredict.connection),
		'connection_secret', (SELECT coalesce(jsonb_agg(jsonb_build_object(
				'connection', connection, 'keys', keys, 'sealed', encode(sealed, 'hex'))
				ORDER BY connection), '[]')
			FROM mlpredict.connection_secret),
		'model', (SELECT coalesce(jsonb_agg(jsonb_build_object(
				'schema_name', schema_name, 'name', name, 'input', input, 'output', output,
				'task', task, 'comment', comment, 'default_version', default_version,
				'owner', owner::text, 'created_at', created_at) ORDER BY schema_name, name), '[]')
			FROM mlpredict.model),
		'model_version', (SELECT coalesce(jsonb_agg(jsonb_build_object(
				'schema_name', schema_name, 'name', name, 'version', version,
				'options', options, 'created_at', created_at)
				ORDER BY schema_name, name, version), '[]')
			FROM mlpredict.model_version),
		-- EXECUTE on the typed functions: Citus copies a function to a node
		-- added later with PUBLIC's default EXECUTE, so the grants are sent too
		'function_acl', (SELECT coalesce(jsonb_agg(jsonb_build_object(
				'function', p.oid::regprocedure::text,
				'grants', (SELECT coalesce(jsonb_agg(jsonb_build_object(
						'grantee', CASE WHEN a.grantee = 0 THEN 'PUBLIC'
									ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
						'grantable', a.is_grantable) ORDER BY a.grantee), '[]')
					FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
					WHERE a.grantee <> p.proowner))
				ORDER BY m.schema_name, m.name), '[]')
			FROM mlpredict.model m
			JOIN pg_namespace n ON n.nspname = m.schema_name
			JOIN pg_proc p ON p.pronamespace = n.oid AND p.proname = m.name
				AND p.proowner = m.owner::oid
				AND p.pronargs > 0
				AND p.proargtypes[p.pronargs - 1] = 'mlpredict.predict_options'::regtype))
$$;
