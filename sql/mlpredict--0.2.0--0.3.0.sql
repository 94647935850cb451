/* mlpredict 0.2.0 -> 0.3.0 (ALTER EXTENSION mlpredict UPDATE) */

\echo Use "ALTER EXTENSION mlpredict UPDATE TO '0.3.0'" to load this file. \quit

/* The circuit breaker of each connection (mlpredict.retry_outage_window) */
CREATE FUNCTION mlpredict.circuit_breakers(OUT connection text, OUT state text,
	OUT failures integer, OUT failing_since timestamptz, OUT last_failure timestamptz,
	OUT next_probe timestamptz, OUT last_error text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mlpredict_circuit_breakers'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION mlpredict.circuit_breakers() IS
	'The circuit breaker of each connection object of the current database that requests have used: closed, open (requests wait for a probe, or fail at once once the endpoint has been failing longer than mlpredict.retry_outage_window) or half-open (a probe is out); consecutive failures to reach the endpoint, since when, and the last error; cluster-wide when preloaded, else this session''s';

/*
 * Continuous queries (CREATE CONTINUOUS QUERY): a standing INSERT ...
 * SELECT ... LATERAL model(...) kept up to date by background workers.
 * A row trigger on the source (mlpredict.continuous_query_capture, named
 * mlpredict_cq_<query>) queues the key of every inserted, deleted or
 * relevantly updated row (and a statement trigger, mlpredict_cqt_<query>,
 * the sink's keys after a TRUNCATE of the source); a batch takes queued keys and upserts the sink
 * in the same transaction that deletes them from the queue.  The tables
 * are written by the extension's C code as the extension owner and read
 * through the views; pg_dump carries their rows (the triggers are dumped
 * with the user tables).
 */
CREATE TABLE mlpredict.continuous_query (
	name		text PRIMARY KEY CHECK (name <> '' AND pg_catalog.octet_length(name) <= 48),
	owner		regrole NOT NULL,
	source		regclass NOT NULL,
	source_key	name[] NOT NULL,
	sink		regclass NOT NULL,
	sink_key	name[] NOT NULL,
	model_schema name NOT NULL,
	model_name	text NOT NULL,
	model_version integer CHECK (model_version BETWEEN 1 AND 10),
	inputs		name[] NOT NULL,
	targets		jsonb NOT NULL,
	where_clause text,
	options		jsonb NOT NULL,
	state		text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'paused')),
	statement	text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE mlpredict.continuous_query IS
	'Continuous queries: source, key, model call, sink targets, WHERE, options and state';

CREATE TABLE mlpredict.continuous_query_queue (
	query		text NOT NULL REFERENCES mlpredict.continuous_query (name)
				ON UPDATE CASCADE ON DELETE CASCADE,
	key			text[] NOT NULL,
	enqueued_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	attempts	integer NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL DEFAULT '-infinity',
	last_sqlstate text,
	last_error	text,
	last_attempt_at timestamptz,
	parked		boolean NOT NULL DEFAULT false,
	PRIMARY KEY (query, key)
);
CREATE INDEX continuous_query_queue_due ON mlpredict.continuous_query_queue
	(query, enqueued_at) WHERE NOT parked;
COMMENT ON TABLE mlpredict.continuous_query_queue IS
	'Source keys waiting for a continuous query''s batch (parked: the dead letter)';

CREATE TABLE mlpredict.continuous_query_progress (
	query		text PRIMARY KEY REFERENCES mlpredict.continuous_query (name)
				ON UPDATE CASCADE ON DELETE CASCADE,
	rows_done	bigint NOT NULL DEFAULT 0,
	rows_failed bigint NOT NULL DEFAULT 0,
	rows_parked bigint NOT NULL DEFAULT 0,
	batches		bigint NOT NULL DEFAULT 0,
	last_batch_at timestamptz,
	last_batch_rows integer,
	last_batch_ms double precision,
	last_sqlstate text,
	last_error	text,
	last_error_at timestamptz,
	model_version_used integer
);
COMMENT ON TABLE mlpredict.continuous_query_progress IS
	'Per continuous query: rows and batches done, failures and the last error (updated in each batch''s transaction)';

SELECT pg_catalog.pg_extension_config_dump('mlpredict.continuous_query', '');
SELECT pg_catalog.pg_extension_config_dump('mlpredict.continuous_query_queue', '');
SELECT pg_catalog.pg_extension_config_dump('mlpredict.continuous_query_progress', '');
REVOKE ALL ON mlpredict.continuous_query, mlpredict.continuous_query_queue,
	mlpredict.continuous_query_progress FROM PUBLIC;

/* Status of every continuous query: names, counts and errors, no secrets */
CREATE VIEW mlpredict.continuous_queries AS
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
	   p.last_error,
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
	'Continuous queries: state, source, sink, model, rows pending and parked, age of the oldest pending row, rows done and failed, throughput of the last batch (rows/s), last error, model version used';
GRANT SELECT ON mlpredict.continuous_queries TO PUBLIC;

/* Parked rows (retried max_attempts times) of the queries the current user owns */
CREATE VIEW mlpredict.continuous_query_dead_letter AS
SELECT k.query, k.key, k.attempts, k.last_sqlstate, k.last_error, k.last_attempt_at
FROM mlpredict.continuous_query_queue k
	 JOIN mlpredict.continuous_query q ON q.name OPERATOR(pg_catalog.=) k.query
WHERE k.parked
  AND pg_catalog.pg_has_role(q.owner::pg_catalog.oid, 'MEMBER');
COMMENT ON VIEW mlpredict.continuous_query_dead_letter IS
	'Rows of continuous queries that failed max_attempts times, with their last error; only the queries the current user owns (all for superusers); mlpredict.retry_parked queues them again';
GRANT SELECT ON mlpredict.continuous_query_dead_letter TO PUBLIC;

CREATE FUNCTION mlpredict.continuous_query_capture()
RETURNS trigger
AS 'MODULE_PATHNAME', 'mlpredict_continuous_query_capture'
LANGUAGE C;
COMMENT ON FUNCTION mlpredict.continuous_query_capture() IS
	'Row trigger of a continuous query''s source (argument: the query name): queues the row''s key';

CREATE FUNCTION mlpredict.create_continuous_query(name text, query text, options jsonb DEFAULT '{}')
RETURNS void
AS 'MODULE_PATHNAME', 'mlpredict_create_continuous_query'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION mlpredict.create_continuous_query(text, text, jsonb) IS
	'Creates a continuous query from INSERT INTO sink SELECT ... FROM source, LATERAL model(...) (CREATE CONTINUOUS QUERY)';

CREATE FUNCTION mlpredict.pause_continuous_query(name text)
RETURNS void
AS 'MODULE_PATHNAME', 'mlpredict_pause_continuous_query'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION mlpredict.pause_continuous_query(text) IS
	'Stops processing a continuous query; changes are still queued (ALTER CONTINUOUS QUERY ... PAUSE)';

CREATE FUNCTION mlpredict.resume_continuous_query(name text)
RETURNS void
AS 'MODULE_PATHNAME', 'mlpredict_resume_continuous_query'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION mlpredict.resume_continuous_query(text) IS
	'Resumes a paused continuous query (ALTER CONTINUOUS QUERY ... RESUME)';

CREATE FUNCTION mlpredict.alter_continuous_query(name text, options jsonb)
RETURNS void
AS 'MODULE_PATHNAME', 'mlpredict_alter_continuous_query'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION mlpredict.alter_continuous_query(text, jsonb) IS
	'Sets options of a continuous query (batch_size, max_attempts, delete, provenance_column; model_version with reprocess = all | new)';

CREATE FUNCTION mlpredict.drop_continuous_query(name text, if_exists boolean DEFAULT false)
RETURNS void
AS 'MODULE_PATHNAME', 'mlpredict_drop_continuous_query'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION mlpredict.drop_continuous_query(text, boolean) IS
	'Drops a continuous query, its trigger and its queue (DROP CONTINUOUS QUERY); the sink keeps its rows';

CREATE FUNCTION mlpredict.retry_parked(name text, key text[] DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'mlpredict_retry_parked'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION mlpredict.retry_parked(text, text[]) IS
	'Queues the parked rows of a continuous query again (one key, or all); returns how many';

CREATE FUNCTION mlpredict.reprocess(name text, older_than_version integer DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'mlpredict_reprocess'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION mlpredict.reprocess(text, integer) IS
	'Queues every source row of a continuous query again, or only those whose sink row''s provenance column holds a version older than the one given (or none); returns how many';

CREATE FUNCTION mlpredict.describe_continuous_query(name text)
RETURNS TABLE (property text, value text)
AS 'MODULE_PATHNAME', 'mlpredict_describe_continuous_query'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION mlpredict.describe_continuous_query(text) IS
	'Source, key, sink, model, inputs, targets, WHERE, options and state of a continuous query (DESCRIBE CONTINUOUS QUERY)';

CREATE FUNCTION mlpredict.show_create_continuous_query(name text)
RETURNS text
AS 'MODULE_PATHNAME', 'mlpredict_show_create_continuous_query'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION mlpredict.show_create_continuous_query(text) IS
	'The CREATE CONTINUOUS QUERY statement of a continuous query, with its current options (SHOW CREATE CONTINUOUS QUERY)';

CREATE FUNCTION mlpredict.explain_continuous_query(name text)
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'mlpredict_explain_continuous_query'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION mlpredict.explain_continuous_query(text) IS
	'EXPLAIN of the statement a batch of the continuous query runs (EXPLAIN CONTINUOUS QUERY); the owner only';

/*
 * A continuous query lives as long as its source, its sink and its capture
 * triggers: DROP TABLE of either table (DROP SCHEMA ... CASCADE too), or a
 * trigger dropped by any command (DROP TRIGGER, ALTER TABLE ... DROP COLUMN
 * ... CASCADE of a column it follows), drops the query with a NOTICE, and
 * its triggers on a surviving source.  SECURITY DEFINER: the catalog is
 * written as the extension owner.
 */
CREATE FUNCTION mlpredict.continuous_query_forget_tables()
RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	gone record;
	tables oid[];
	triggers boolean;
	trigger_name name;
BEGIN
	SELECT array_agg(o.objid) FILTER (WHERE o.object_type OPERATOR(pg_catalog.=) 'table'),
		   bool_or(o.object_type OPERATOR(pg_catalog.=) 'trigger')
	INTO tables, triggers
	FROM pg_event_trigger_dropped_objects() o;
	IF tables IS NULL AND NOT coalesce(triggers, false) THEN
		RETURN;
	END IF;
	FOR gone IN
		DELETE FROM mlpredict.continuous_query q
		WHERE q.source::oid OPERATOR(pg_catalog.=) ANY (coalesce(tables, '{}'))
		   OR q.sink::oid OPERATOR(pg_catalog.=) ANY (coalesce(tables, '{}'))
		   OR (triggers AND (SELECT count(*) FROM pg_trigger t
							 WHERE t.tgrelid OPERATOR(pg_catalog.=) q.source::oid
							   AND t.tgname OPERATOR(pg_catalog.=) ANY (ARRAY['mlpredict_cq_' || q.name,
																		 'mlpredict_cqt_' || q.name])) OPERATOR(pg_catalog.<) 2)
		RETURNING q.name, q.source::oid AS source,
				  q.source::oid OPERATOR(pg_catalog.=) ANY (coalesce(tables, '{}'))
				  OR q.sink::oid OPERATOR(pg_catalog.=) ANY (coalesce(tables, '{}')) AS with_table
	LOOP
		FOR trigger_name IN
			SELECT t.tgname FROM pg_trigger t WHERE t.tgrelid OPERATOR(pg_catalog.=) gone.source
			   AND t.tgname OPERATOR(pg_catalog.=) ANY (ARRAY['mlpredict_cq_' || gone.name,
														 'mlpredict_cqt_' || gone.name])
		LOOP
			EXECUTE format('DROP TRIGGER %I ON %s', trigger_name, gone.source::regclass);
		END LOOP;
		RAISE NOTICE 'continuous query % was dropped with its %', quote_ident(gone.name),
			CASE WHEN gone.with_table THEN 'table' ELSE 'trigger' END;
	END LOOP;
END
$$;
COMMENT ON FUNCTION mlpredict.continuous_query_forget_tables() IS
	'Event trigger: drops the continuous queries of dropped source and sink tables, and those whose capture trigger was dropped';
REVOKE ALL ON FUNCTION mlpredict.continuous_query_forget_tables() FROM PUBLIC;

CREATE EVENT TRIGGER mlpredict_continuous_query_forget_tables ON sql_drop
	EXECUTE FUNCTION mlpredict.continuous_query_forget_tables();

/*
 * ALTER TABLE of a continuous query's source or sink that breaks the
 * query (RENAME COLUMN of a column it uses, ALTER COLUMN ... TYPE to a
 * type the sink cannot take, ...) is refused, naming the query.
 */
CREATE FUNCTION mlpredict.continuous_query_check_tables()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'mlpredict_continuous_query_check_tables'
LANGUAGE C;
COMMENT ON FUNCTION mlpredict.continuous_query_check_tables() IS
	'Event trigger: refuses an ALTER TABLE that breaks a continuous query';
REVOKE ALL ON FUNCTION mlpredict.continuous_query_check_tables() FROM PUBLIC;

CREATE EVENT TRIGGER mlpredict_continuous_query_check_tables ON ddl_command_end
	WHEN TAG IN ('ALTER TABLE')
	EXECUTE FUNCTION mlpredict.continuous_query_check_tables();

/*
 * Continuous queries, processing (src/continuous/cq_process.c): one batch
 * now, in the caller's transaction - what the background workers run.
 */
CREATE FUNCTION mlpredict.process_continuous_query(name text, max_rows integer DEFAULT NULL)
RETURNS integer
AS 'MODULE_PATHNAME', 'mlpredict_process_continuous_query'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mlpredict.process_continuous_query(text, integer) IS
	'Processes one batch of the continuous query''s due queue rows now (at most max_rows, default its batch_size) as the query''s owner, in the current transaction; returns the rows done. Owner or superuser only';
