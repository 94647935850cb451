/* mlpredict install script: catalog tables, views, option type and SQL functions */

\echo Use "CREATE EXTENSION mlpredict" to load this file. \quit

GRANT USAGE ON SCHEMA mlpredict TO PUBLIC;

/*
 * Catalog.  The tables are written only by the extension's C code (which
 * switches to the extension owner for that); users read them through the
 * views below.  pg_extension_config_dump makes pg_dump carry their rows.
 * Owners are regrole: stored as the role's OID (so that dropping a role
 * and creating another of the same name hands it nothing), dumped and
 * restored by name, and accepted by pg_upgrade.
 */
CREATE TABLE mlpredict.connection (
	name		text PRIMARY KEY,
	type		text NOT NULL,
	endpoint	text NOT NULL,
	options		jsonb NOT NULL DEFAULT '{}',
	comment		text,
	owner		regrole NOT NULL,	-- by OID: a role of the same name later is not the owner
	acl			aclitem[],		-- USAGE grants; NULL: the owner only
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CHECK (type OPERATOR(pg_catalog.=) pg_catalog.lower(type))
);
COMMENT ON TABLE mlpredict.connection IS
	'Provider connections: endpoint and non-secret options (secrets live in connection_secret)';

/*
 * sealed: the JSON object of the secrets, AES-256-GCM under the cluster key
 * (mlpredict.secret_key_file), bound to the connection's name, type and
 * endpoint.  keys: what views show, {"api-key": "*****"}, or the reference
 * text for env:/file: references.
 */
CREATE TABLE mlpredict.connection_secret (
	connection	text PRIMARY KEY
				REFERENCES mlpredict.connection (name) ON UPDATE CASCADE ON DELETE CASCADE,
	keys		jsonb NOT NULL,
	sealed		bytea NOT NULL
);
COMMENT ON TABLE mlpredict.connection_secret IS
	'Connection secrets, encrypted under the cluster key; readable only by the extension owner';

CREATE TABLE mlpredict.model (
	schema_name	name NOT NULL,
	name		text NOT NULL,
	input		jsonb NOT NULL,
	output		jsonb NOT NULL,
	task		text NOT NULL,
	comment		text,
	default_version integer NOT NULL DEFAULT 1,
	owner		regrole NOT NULL,	-- by OID; the typed function's owner, kept in step
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (schema_name, name),
	CHECK (task OPERATOR(pg_catalog.=) ANY (ARRAY['classification', 'clustering', 'embedding', 'regression', 'text_generation'])),
	CHECK (default_version BETWEEN 1 AND 10)
);
COMMENT ON TABLE mlpredict.model IS
	'Models: INPUT/OUTPUT schema, task and comment shared by all versions';

CREATE TABLE mlpredict.model_version (
	schema_name	name NOT NULL,
	name		text NOT NULL,
	version		integer NOT NULL CHECK (version BETWEEN 1 AND 10),
	options		jsonb NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (schema_name, name, version),
	FOREIGN KEY (schema_name, name) REFERENCES mlpredict.model (schema_name, name)
		ON UPDATE CASCADE ON DELETE CASCADE
);
COMMENT ON TABLE mlpredict.model_version IS
	'Model versions (1..10): the WITH options of each version';

SELECT pg_catalog.pg_extension_config_dump('mlpredict.connection', '');
SELECT pg_catalog.pg_extension_config_dump('mlpredict.connection_secret', '');
SELECT pg_catalog.pg_extension_config_dump('mlpredict.model', '');
SELECT pg_catalog.pg_extension_config_dump('mlpredict.model_version', '');

REVOKE ALL ON mlpredict.connection, mlpredict.connection_secret,
	mlpredict.model, mlpredict.model_version FROM PUBLIC;

/* Renders a stored column list the way DESCRIBE MODEL shows it. */
CREATE FUNCTION mlpredict.format_columns(columns jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT '(' || string_agg(format('`%s` %s', c->>'name', c->>'type'), ', ' ORDER BY ord) || ')'
	FROM jsonb_array_elements(columns) WITH ORDINALITY AS a(c, ord)
$$;
COMMENT ON FUNCTION mlpredict.format_columns(jsonb) IS
	'Formats a stored INPUT/OUTPUT column list as Flink DDL text';

/*
 * An endpoint with the values of credential query parameters (?code=,
 * ?key=, ?sig=, ...) replaced by *****: how views, DESCRIBE and errors
 * show endpoints.
 */
CREATE FUNCTION mlpredict.masked_endpoint(endpoint text)
RETURNS text
AS 'MODULE_PATHNAME', 'mlpredict_masked_endpoint'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mlpredict.masked_endpoint(text) IS
	'An endpoint with credentials in its query string (code, key, sig, token, ...) masked';

/* Views: what users read.  Secrets are never shown, only which keys are set. */
CREATE VIEW mlpredict.connections AS
SELECT c.name,
	   upper(c.type) AS type,
	   mlpredict.masked_endpoint(c.endpoint) AS endpoint,
	   c.options,
	   s.keys AS secrets,
	   c.comment,
	   pg_catalog.pg_get_userbyid(c.owner) AS owner,
	   c.created_at
FROM mlpredict.connection c
	 LEFT JOIN mlpredict.connection_secret s ON s.connection = c.name;
COMMENT ON VIEW mlpredict.connections IS 'Registered connections, secrets masked';

CREATE VIEW mlpredict.models AS
SELECT m.schema_name AS schema,
	   m.name,
	   v.version,
	   v.version = m.default_version AS is_default,
	   v.options->>'provider' AS provider,
	   m.task,
	   mlpredict.format_columns(m.input) AS input,
	   mlpredict.format_columns(m.output) AS output,
	   v.options,
	   m.comment,
	   pg_catalog.pg_get_userbyid(m.owner) AS owner,
	   v.created_at
FROM mlpredict.model m
	 JOIN mlpredict.model_version v USING (schema_name, name);
COMMENT ON VIEW mlpredict.models IS 'Registered models, one row per version';

GRANT SELECT ON mlpredict.connections, mlpredict.models TO PUBLIC;

/*
 * Runtime options: the counterpart of Confluent's trailing MAP[...] argument.
 * A value of this type as the last argument of ml_predict (or of a model's
 * typed function) is never mistaken for a model input.  NULL fields take
 * their defaults from the mlpredict.* GUCs.
 */
CREATE TYPE mlpredict.predict_options AS (
	client_timeout	integer,
	retry_count		integer,
	debug			boolean,
	max_parallelism	integer,
	async_enabled	boolean,
	connect_timeout	integer,
	ordered			boolean,
	on_error		text
);
COMMENT ON TYPE mlpredict.predict_options IS
	'Per-call runtime options for ml_predict (client_timeout in seconds, connect_timeout in milliseconds, on_error fail, null or skip)';

CREATE FUNCTION mlpredict.options(
	client_timeout integer DEFAULT NULL,
	retry_count integer DEFAULT NULL,
	debug boolean DEFAULT NULL,
	max_parallelism integer DEFAULT NULL,
	async_enabled boolean DEFAULT NULL,
	connect_timeout integer DEFAULT NULL,
	ordered boolean DEFAULT NULL,
	on_error text DEFAULT NULL)
RETURNS mlpredict.predict_options
AS 'MODULE_PATHNAME', 'mlpredict_options'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION mlpredict.options(integer, integer, boolean, integer, boolean, integer, boolean, text) IS
	'Builds runtime options for ml_predict with named arguments';

CREATE FUNCTION mlpredict.map(VARIADIC pairs "any")
RETURNS mlpredict.predict_options
AS 'MODULE_PATHNAME', 'mlpredict_map'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION mlpredict.map("any") IS
	'Builds runtime options from key/value pairs, like Confluent''s MAP[''client_timeout'', 60, ...]';

/* Connections */
CREATE FUNCTION mlpredict.create_connection(name text, options jsonb, comment text DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'mlpredict_create_connection'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION mlpredict.create_connection(text, jsonb, text) IS
	'Registers a provider connection (CREATE CONNECTION); EXECUTE on it is the right to create connections, in either form';
-- Creating connections is a right a superuser grants (GRANT EXECUTE ON
-- FUNCTION mlpredict.create_connection(text, jsonb, text) TO role); the
-- statement form checks the same privilege.
REVOKE ALL ON FUNCTION mlpredict.create_connection(text, jsonb, text) FROM PUBLIC;

CREATE FUNCTION mlpredict.alter_connection(name text, options jsonb)
RETURNS void
AS 'MODULE_PATHNAME', 'mlpredict_alter_connection'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION mlpredict.alter_connection(text, jsonb) IS
	'Changes a connection''s endpoint, secrets or options (ALTER CONNECTION ... SET)';

CREATE FUNCTION mlpredict.drop_connection(name text, if_exists boolean DEFAULT false,
										  "cascade" boolean DEFAULT false)
RETURNS void
AS 'MODULE_PATHNAME', 'mlpredict_drop_connection'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION mlpredict.drop_connection(text, boolean, boolean) IS
	'Removes a connection and its secrets (DROP CONNECTION); with cascade, also the models of every owner that use it';

CREATE FUNCTION mlpredict.alter_connection_owner(name text, new_owner text)
RETURNS void
AS 'MODULE_PATHNAME', 'mlpredict_alter_connection_owner'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION mlpredict.alter_connection_owner(text, text) IS
	'Gives a connection to another role (ALTER CONNECTION ... OWNER TO)';

CREATE FUNCTION mlpredict.describe_connection(name text)
RETURNS TABLE (name text, type text, endpoint text, comment text)
AS 'MODULE_PATHNAME', 'mlpredict_describe_connection'
LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION mlpredict.describe_connection(text) IS
	'Shows a connection without its secrets (DESCRIBE CONNECTION)';

/* Models */
CREATE FUNCTION mlpredict.create_model(name text, input text, output text, options jsonb,
									   comment text DEFAULT NULL)
RETURNS integer
AS 'MODULE_PATHNAME', 'mlpredict_create_model'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION mlpredict.create_model(text, text, text, jsonb, text) IS
	'Registers a model or adds a version to it (CREATE MODEL); returns the version number';

CREATE FUNCTION mlpredict.alter_model(name text, set_options jsonb DEFAULT NULL,
									  reset_options text[] DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'mlpredict_alter_model'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION mlpredict.alter_model(text, jsonb, text[]) IS
	'Sets or resets options of a model version, or its default version (ALTER MODEL ... SET/RESET)';

CREATE FUNCTION mlpredict.rename_model(name text, new_name text)
RETURNS void
AS 'MODULE_PATHNAME', 'mlpredict_rename_model'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION mlpredict.rename_model(text, text) IS
	'Renames a model and its typed function (ALTER MODEL ... RENAME TO)';

CREATE FUNCTION mlpredict.alter_model_owner(name text, new_owner text)
RETURNS void
AS 'MODULE_PATHNAME', 'mlpredict_alter_model_owner'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION mlpredict.alter_model_owner(text, text) IS
	'Gives a model and its typed function to another role (ALTER MODEL ... OWNER TO)';

CREATE FUNCTION mlpredict.drop_model(name text, if_exists boolean DEFAULT false)
RETURNS void
AS 'MODULE_PATHNAME', 'mlpredict_drop_model'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION mlpredict.drop_model(text, boolean) IS
	'Drops a model version (m$2), the default version (m) or the whole model (m$all)';

CREATE FUNCTION mlpredict.describe_model(name text)
RETURNS TABLE (version_id integer, is_default_version boolean, inputs text, outputs text,
			   options text, comment text)
AS 'MODULE_PATHNAME', 'mlpredict_describe_model'
LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION mlpredict.describe_model(text) IS
	'Shows one version, the default version or all versions of a model (DESCRIBE MODEL)';

CREATE FUNCTION mlpredict.show_create_model(name text)
RETURNS text
AS 'MODULE_PATHNAME', 'mlpredict_show_create_model'
LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION mlpredict.show_create_model(text) IS
	'Returns the CREATE MODEL statement of a model version (SHOW CREATE MODEL)';

/*
 * Privileges.  USAGE on a connection lets a role create models on it;
 * EXECUTE on a model (its typed function) lets a role call it.  Only the
 * owner or a superuser may grant or revoke.  A role name or 'PUBLIC'.
 */
CREATE FUNCTION mlpredict.grant_connection(connection text, role text)
RETURNS void
AS 'MODULE_PATHNAME', 'mlpredict_grant_connection'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION mlpredict.grant_connection(text, text) IS
	'Grants USAGE on a connection (needed to create models on it) to a role or PUBLIC';

CREATE FUNCTION mlpredict.revoke_connection(connection text, role text)
RETURNS void
AS 'MODULE_PATHNAME', 'mlpredict_revoke_connection'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION mlpredict.revoke_connection(text, text) IS
	'Revokes USAGE on a connection from a role or PUBLIC; models of that role stop working';

CREATE FUNCTION mlpredict.grant_model(model text, role text)
RETURNS void
AS 'MODULE_PATHNAME', 'mlpredict_grant_model'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION mlpredict.grant_model(text, text) IS
	'Grants EXECUTE on a model (its typed function and ml_predict calls) to a role or PUBLIC';

CREATE FUNCTION mlpredict.revoke_model(model text, role text)
RETURNS void
AS 'MODULE_PATHNAME', 'mlpredict_revoke_model'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION mlpredict.revoke_model(text, text) IS
	'Revokes EXECUTE on a model from a role or PUBLIC';

/*
 * Who has what: one row per grant, owners included (they hold every
 * privilege of their objects).  The typed function of a model is found by
 * schema, name, its last argument, mlpredict.predict_options, and its
 * owner, the model's.
 */
CREATE VIEW mlpredict.privileges AS
SELECT 'connection'::text AS object_type,
	   c.name AS object_name,
	   CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END AS grantee,
	   a.privilege_type AS privilege,
	   pg_catalog.pg_get_userbyid(a.grantor)::text AS grantor,
	   pg_catalog.pg_get_userbyid(c.owner)::text AS owner
FROM mlpredict.connection c
	 CROSS JOIN LATERAL pg_catalog.aclexplode(coalesce(c.acl,
		 pg_catalog.acldefault('S', c.owner::pg_catalog.oid))) a
UNION ALL
SELECT 'model',
	   pg_catalog.quote_ident(m.schema_name::text) || '.' || pg_catalog.quote_ident(m.name),
	   CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END,
	   a.privilege_type,
	   pg_catalog.pg_get_userbyid(a.grantor)::text,
	   pg_catalog.pg_get_userbyid(m.owner)::text
FROM mlpredict.model m
	 JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) m.schema_name
	 JOIN pg_catalog.pg_proc p ON p.pronamespace OPERATOR(pg_catalog.=) n.oid
		AND p.proname OPERATOR(pg_catalog.=) m.name
		AND p.proargtypes[p.pronargs - 1] OPERATOR(pg_catalog.=) 'mlpredict.predict_options'::pg_catalog.regtype
		AND p.proowner OPERATOR(pg_catalog.=) m.owner::pg_catalog.oid
	 CROSS JOIN LATERAL pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) a;
COMMENT ON VIEW mlpredict.privileges IS
	'Who may use which connection (USAGE) and call which model (EXECUTE), owners included';
GRANT SELECT ON mlpredict.privileges TO PUBLIC;

/* Confluent statements, verbatim */
CREATE FUNCTION mlpredict.execute(statement text)
RETURNS SETOF json
AS 'MODULE_PATHNAME', 'mlpredict_execute'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION mlpredict.execute(text) IS
	'Runs one Confluent CREATE/ALTER/DROP/DESCRIBE/SHOW statement, or a GRANT/REVOKE, for connections and models';

/* Inference */
CREATE FUNCTION mlpredict.ml_predict_support(internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'mlpredict_ml_predict_support'
LANGUAGE C STRICT;
COMMENT ON FUNCTION mlpredict.ml_predict_support(internal) IS
	'Planner support for ml_predict: loads the library so that LATERAL calls are pipelined';

CREATE FUNCTION mlpredict.ml_predict(model text, VARIADIC inputs "any")
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mlpredict_ml_predict'
LANGUAGE C VOLATILE PARALLEL SAFE ROWS 1
SUPPORT mlpredict.ml_predict_support;
COMMENT ON FUNCTION mlpredict.ml_predict(text, "any") IS
	'Calls a model for one row of inputs; use with LATERAL and a column definition list';

CREATE FUNCTION mlpredict.debug_request(model text, VARIADIC inputs "any")
RETURNS TABLE (method text, url text, headers jsonb, body text)
AS 'MODULE_PATHNAME', 'mlpredict_debug_request'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION mlpredict.debug_request(text, "any") IS
	'Shows the HTTP request a model would send for these inputs, secrets masked; sends nothing';

CREATE FUNCTION mlpredict.decode_response(model text, body bytea,
	content_type text DEFAULT 'application/json', headers jsonb DEFAULT '{}')
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mlpredict_decode_response'
LANGUAGE C VOLATILE ROWS 1;
COMMENT ON FUNCTION mlpredict.decode_response(text, bytea, text, jsonb) IS
	'Decodes a given response body into the model''s OUTPUT row as ml_predict would; use with a column definition list';

/*
 * A model lives as long as its schema and its typed function: when a
 * schema is dropped (taking the typed functions with it), or a model's
 * typed function is dropped by any command (DROP FUNCTION, DROP OWNED,
 * DROP TYPE ... CASCADE, ...), forget the model, with a NOTICE unless its
 * whole schema went.  DROP MODEL deletes the rows before the function, so
 * it is not reported twice.  On a Citus worker a dropped schema or typed
 * function (DDL the coordinator propagates) leaves the catalog rows alone:
 * the coordinator forgets the model and sends its catalog at commit;
 * deleting the rows in Citus's propagated transaction would only make
 * that send wait.
 */
CREATE FUNCTION mlpredict.forget_dropped_schemas()
RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	gone record;
BEGIN
	IF mlpredict.citus_role() OPERATOR(pg_catalog.=) 'worker' THEN
		RETURN;		-- the coordinator sends the catalog without the model
	END IF;
	IF NOT EXISTS (SELECT FROM pg_event_trigger_dropped_objects() o
				   WHERE o.object_type OPERATOR(pg_catalog.=) ANY (ARRAY['schema', 'function'])) THEN
		RETURN;
	END IF;
	FOR gone IN
		DELETE FROM mlpredict.model m
		WHERE NOT EXISTS (SELECT FROM pg_proc p JOIN pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
						  WHERE n.nspname OPERATOR(pg_catalog.=) m.schema_name
							AND p.proname OPERATOR(pg_catalog.=) m.name
							AND p.pronargs OPERATOR(pg_catalog.>) 0
							AND p.proargtypes[p.pronargs - 1] OPERATOR(pg_catalog.=) 'mlpredict.predict_options'::regtype)
		RETURNING m.schema_name, m.name
	LOOP
		IF EXISTS (SELECT FROM pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) gone.schema_name) THEN
			RAISE NOTICE 'model %.% was dropped with its function', quote_ident(gone.schema_name), quote_ident(gone.name);
		END IF;
	END LOOP;
END
$$;
COMMENT ON FUNCTION mlpredict.forget_dropped_schemas() IS
	'Event trigger: removes the models of dropped schemas and of dropped typed functions';
REVOKE ALL ON FUNCTION mlpredict.forget_dropped_schemas() FROM PUBLIC;

CREATE EVENT TRIGGER mlpredict_forget_dropped_schemas ON sql_drop
	EXECUTE FUNCTION mlpredict.forget_dropped_schemas();

/*
 * ALTER SCHEMA ... RENAME moves a model's typed function with the schema;
 * the model follows it (its rows take the new name, its function's body
 * names the model there), so that a new schema of the old name gets
 * nothing.  SECURITY DEFINER: the body is rewritten as the extension owner.
 */
CREATE FUNCTION mlpredict.follow_schema_rename()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'mlpredict_follow_schema_rename'
LANGUAGE C SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION mlpredict.follow_schema_rename() IS
	'Event trigger: models follow their renamed schema';
REVOKE ALL ON FUNCTION mlpredict.follow_schema_rename() FROM PUBLIC;

CREATE EVENT TRIGGER mlpredict_follow_schema_rename ON ddl_command_end
	WHEN TAG IN ('ALTER SCHEMA')
	EXECUTE FUNCTION mlpredict.follow_schema_rename();

/*
 * Statistics: calls, rows, errors by class, retries, throttling, requests
 * in flight, bytes, tokens and latency percentiles, per connection and per
 * model, for the current database.  With shared_preload_libraries =
 * 'mlpredict' the counters cover every session of the cluster; without it,
 * the current session only (stat_info says which).  They hold counts and
 * the names of connections and models, which mlpredict.connections and
 * mlpredict.models already show to everyone, so everyone may read them.
 */
CREATE FUNCTION mlpredict.stat_connections_raw(
	OUT connection text, OUT calls bigint, OUT rows bigint, OUT errors bigint,
	OUT errors_client bigint, OUT errors_throttled bigint, OUT errors_server bigint,
	OUT errors_timeout bigint, OUT errors_connection bigint, OUT errors_response bigint,
	OUT errors_canceled bigint, OUT retries bigint, OUT throttled bigint,
	OUT throttled_ms double precision, OUT in_flight integer, OUT bytes_sent bigint,
	OUT bytes_received bigint, OUT prompt_tokens bigint, OUT completion_tokens bigint,
	OUT latency_p50_ms double precision, OUT latency_p95_ms double precision,
	OUT latency_p99_ms double precision, OUT stats_reset timestamptz)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mlpredict_stat_connections_raw'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION mlpredict.stat_connections_raw() IS
	'Usage statistics per connection object of the current database; read them through mlpredict.stat_connections';

CREATE FUNCTION mlpredict.stat_models_raw(
	OUT model text, OUT connection text, OUT calls bigint, OUT rows bigint, OUT errors bigint,
	OUT errors_client bigint, OUT errors_throttled bigint, OUT errors_server bigint,
	OUT errors_timeout bigint, OUT errors_connection bigint, OUT errors_response bigint,
	OUT errors_canceled bigint, OUT retries bigint, OUT throttled bigint,
	OUT throttled_ms double precision, OUT in_flight integer, OUT bytes_sent bigint,
	OUT bytes_received bigint, OUT prompt_tokens bigint, OUT completion_tokens bigint,
	OUT latency_p50_ms double precision, OUT latency_p95_ms double precision,
	OUT latency_p99_ms double precision, OUT stats_reset timestamptz,
	OUT cache_hits bigint, OUT cache_misses bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mlpredict_stat_models_raw'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION mlpredict.stat_models_raw() IS
	'Usage statistics per model and connection of the current database; read them through mlpredict.stat_models';

CREATE VIEW mlpredict.stat_connections AS
SELECT * FROM mlpredict.stat_connections_raw();
COMMENT ON VIEW mlpredict.stat_connections IS
	'Per connection object of the current database: calls, rows, errors by class, retries, throttled waits, requests in flight, bytes, tokens and HTTP attempt latency percentiles (NULL before the first attempt); cluster-wide when preloaded, else this session''s; readable by everyone (counts and names only)';

CREATE VIEW mlpredict.stat_models AS
SELECT * FROM mlpredict.stat_models_raw();
COMMENT ON VIEW mlpredict.stat_models IS
	'Per model (schema.name) and connection of the current database: the columns of mlpredict.stat_connections, then the response cache''s hits and misses; readable by everyone (counts and names only)';

GRANT SELECT ON mlpredict.stat_connections, mlpredict.stat_models TO PUBLIC;

CREATE FUNCTION mlpredict.stat_info(OUT shared boolean, OUT dropped bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'mlpredict_stat_info'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION mlpredict.stat_info() IS
	'Whether the statistics are cluster-wide (library preloaded) or this session''s, and how many recordings were lost since startup because the statistics table was full';

CREATE FUNCTION mlpredict.pool_info(OUT worker integer, OUT pid integer,
	OUT buffered_bytes bigint, OUT peak_buffered_bytes bigint,
	OUT sessions integer, OUT requests bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mlpredict_pool_info'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION mlpredict.pool_info() IS
	'One row per connection pool worker: the bytes of request and response bodies it holds now and their peak since it started (bounded by mlpredict.pool_max_buffered_bytes), the sessions it serves now and the requests it has answered since it started; no rows without the pool';

/* The circuit breaker of each connection (mlpredict.retry_outage_window) */
CREATE FUNCTION mlpredict.circuit_breakers(OUT connection text, OUT state text,
	OUT failures integer, OUT failing_since timestamptz, OUT last_failure timestamptz,
	OUT next_probe timestamptz, OUT last_error text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mlpredict_circuit_breakers'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION mlpredict.circuit_breakers() IS
	'The circuit breaker of each connection object of the current database that requests have used: closed, open (requests wait for a probe, or fail at once once the endpoint has been failing longer than mlpredict.retry_outage_window) or half-open (a probe is out); consecutive failures to reach the endpoint, since when, and the last error; cluster-wide when preloaded, else this session''s';

/* Like pg_stat_reset: only superusers and the extension owner, unless granted. */
CREATE FUNCTION mlpredict.stat_reset()
RETURNS void
AS 'MODULE_PATHNAME', 'mlpredict_stat_reset'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION mlpredict.stat_reset() IS
	'Clears the statistics of the current database (requests in flight stay counted); superusers and the extension owner only, unless EXECUTE is granted';
REVOKE ALL ON FUNCTION mlpredict.stat_reset() FROM PUBLIC;

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

/* ML_EVALUATE (issue 18, part "evaluate") */
CREATE FUNCTION mlpredict.ml_evaluate(model text, query text,
	config mlpredict.predict_options DEFAULT mlpredict.options())
RETURNS TABLE (model text, version integer, metrics jsonb)
AS 'MODULE_PATHNAME', 'mlpredict_ml_evaluate'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mlpredict.ml_evaluate(text, text, mlpredict.predict_options) IS
	'Scores a model (m, m$n, m$latest or m$all: one row per version) over a query whose first column is the label and the rest the model''s inputs; metrics keyed as Confluent''s ML_EVALUATE';

/*
 * Issue 18, part aifn: Confluent's AI_COMPLETE and AI_EMBEDDING
 * (src/exec/ai_functions.c).  Scalar calls of a model with one string
 * INPUT and one string (ai_complete) or ARRAY<FLOAT|DOUBLE>
 * (ai_embedding) OUTPUT; EXECUTE on the model's typed function is
 * needed, as for ml_predict.  In FROM (LATERAL) and in select lists they
 * are pipelined.
 */
CREATE FUNCTION mlpredict.ai_complete(model text, prompt text,
	config mlpredict.predict_options DEFAULT mlpredict.options())
RETURNS text
AS 'MODULE_PATHNAME', 'mlpredict_ai_complete'
LANGUAGE C VOLATILE PARALLEL RESTRICTED
SUPPORT mlpredict.ml_predict_support;
COMMENT ON FUNCTION mlpredict.ai_complete(text, text, mlpredict.predict_options) IS
	'AI_COMPLETE: the text a model with one STRING INPUT and one STRING OUTPUT answers to a prompt; NULL for a NULL prompt';

CREATE FUNCTION mlpredict.ai_embedding(model text, input text,
	config mlpredict.predict_options DEFAULT mlpredict.options())
RETURNS real[]
AS 'MODULE_PATHNAME', 'mlpredict_ai_embedding'
LANGUAGE C VOLATILE PARALLEL RESTRICTED
SUPPORT mlpredict.ml_predict_support;
COMMENT ON FUNCTION mlpredict.ai_embedding(text, text, mlpredict.predict_options) IS
	'AI_EMBEDDING: the embedding a model with one STRING INPUT and one ARRAY<FLOAT> or ARRAY<DOUBLE> OUTPUT returns for a text; NULL for a NULL input';

/*
 * Duplicate inputs and the response cache (issue 18, part "cache";
 * src/cache/).  Answers of model versions that opt in with the model
 * option 'mlpredict.cache_ttl', keyed by the SHA-256 of the model
 * version's identity and the inputs.  Only the extension owner may read
 * the table (the code reads it as the owner, after checking the caller's
 * EXECUTE on the model); DROP MODEL removes a version's entries through
 * the foreign key.  Not marked with pg_extension_config_dump: answers are
 * recomputable and may be another role's, so pg_dump leaves them out.
 */
CREATE TABLE mlpredict.response_cache (
	key			bytea PRIMARY KEY,
	schema_name	name NOT NULL,
	name		text NOT NULL,
	version		integer NOT NULL,
	outputs		text[] NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	expires_at	timestamptz NOT NULL,
	FOREIGN KEY (schema_name, name, version)
		REFERENCES mlpredict.model_version (schema_name, name, version)
		ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX response_cache_version ON mlpredict.response_cache (schema_name, name, version);
COMMENT ON TABLE mlpredict.response_cache IS
	'Response cache: stored model outputs by call key, for model versions with mlpredict.cache_ttl; readable only by the extension owner, never dumped';
REVOKE ALL ON mlpredict.response_cache FROM PUBLIC;

CREATE FUNCTION mlpredict.cache_clear(model text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'mlpredict_cache_clear'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mlpredict.cache_clear(text) IS
	'Deletes the response cache''s entries of a model (every version, or the one named as m$n) for its owner, or of every model (NULL) for a superuser; returns the entries deleted';

/* Issue 18 (xlate): Flink queries in execute(), and their translation */
CREATE FUNCTION mlpredict.translate(statement text)
RETURNS text
AS 'MODULE_PATHNAME', 'mlpredict_translate'
LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION mlpredict.translate(text) IS
	'The PostgreSQL text mlpredict.execute() runs for Confluent/Flink statements: Flink queries translated, other statements as execute() calls';
COMMENT ON FUNCTION mlpredict.execute(text) IS
	'Runs Confluent statements verbatim, several separated by semicolons in order: CREATE/ALTER/DROP/DESCRIBE/SHOW for connections and models, GRANT/REVOKE, continuous queries, and Flink queries (SELECT, INSERT, CREATE TABLE) translated to PostgreSQL';

/*
 * Citus scale-out (issue 19).  On a Citus cluster every node keeps its own
 * copy of the four catalog tables, so a shard task on a worker reads the
 * worker's rows like any local lookup.  The coordinator is where catalog
 * changes are made: at commit a deferred trigger sends the whole catalog
 * (connections with their secrets sealed as stored, models, versions,
 * owners and USAGE grants, by role name) to every worker through Citus's
 * run_command_on_workers, and mlpredict.citus_apply() makes each worker's
 * tables equal to it.  The typed functions (and GRANT/REVOKE EXECUTE on
 * them) are ordinary DDL that Citus itself propagates from the coordinator
 * and copies to nodes added later.  mlpredict.citus_sync() sends the
 * catalog again (after citus_add_node, or after a failed send).  Citus is
 * found at run time (pg_extension, pg_dist_local_group); where it is not
 * installed every function here sees a single node and does nothing more.
 */
CREATE FUNCTION mlpredict.citus_role()
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	grp integer;
BEGIN
	IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') THEN
		RETURN 'none';
	END IF;
	EXECUTE 'SELECT groupid FROM pg_catalog.pg_dist_local_group' INTO grp;
	RETURN CASE WHEN coalesce(grp, 0) = 0 THEN 'coordinator' ELSE 'worker' END;
END
$$;
COMMENT ON FUNCTION mlpredict.citus_role() IS
	'This server in a Citus cluster: none (no citus extension in this database), coordinator or worker';

/* The catalog as one JSON document: what the coordinator sends to workers. */
CREATE FUNCTION mlpredict.citus_catalog()
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
COMMENT ON FUNCTION mlpredict.citus_catalog() IS
	'The catalog (connections, sealed secrets, models, versions; owners and grants by role name) as sent to Citus workers; superusers only';
REVOKE ALL ON FUNCTION mlpredict.citus_catalog() FROM PUBLIC;

/*
 * On a worker, called by the coordinator: make the local catalog equal to
 * the document (rows missing from it deleted, the others inserted or
 * updated, so a model's response cache survives a resend).
 */
CREATE FUNCTION mlpredict.citus_apply(catalog jsonb)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	fn record;
	g record;
	have jsonb;
BEGIN
	IF mlpredict.citus_role() <> 'worker' THEN
		RAISE EXCEPTION 'mlpredict.citus_apply() runs only on a Citus worker'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'The coordinator calls it; catalog changes are made on the coordinator.';
	END IF;
	PERFORM set_config('mlpredict_citus.applying', 'on', true);

	DELETE FROM mlpredict.connection c
	WHERE c.name NOT IN (SELECT x.name FROM jsonb_to_recordset(catalog->'connection') AS x(name text));
	INSERT INTO mlpredict.connection AS c (name, type, endpoint, options, comment, owner, acl, created_at)
	SELECT x.name, x.type, x.endpoint, x.options, x.comment, x.owner::regrole, x.acl::aclitem[], x.created_at
	FROM jsonb_to_recordset(catalog->'connection') AS x(name text, type text, endpoint text,
		options jsonb, comment text, owner text, acl text[], created_at timestamptz)
	ON CONFLICT (name) DO UPDATE SET type = EXCLUDED.type, endpoint = EXCLUDED.endpoint,
		options = EXCLUDED.options, comment = EXCLUDED.comment, owner = EXCLUDED.owner,
		acl = EXCLUDED.acl, created_at = EXCLUDED.created_at;

	DELETE FROM mlpredict.connection_secret s
	WHERE s.connection NOT IN (SELECT x.connection
		FROM jsonb_to_recordset(catalog->'connection_secret') AS x(connection text));
	INSERT INTO mlpredict.connection_secret (connection, keys, sealed)
	SELECT x.connection, x.keys, decode(x.sealed, 'hex')
	FROM jsonb_to_recordset(catalog->'connection_secret') AS x(connection text, keys jsonb, sealed text)
	ON CONFLICT (connection) DO UPDATE SET keys = EXCLUDED.keys, sealed = EXCLUDED.sealed;

	DELETE FROM mlpredict.model m
	WHERE (m.schema_name, m.name) NOT IN (SELECT x.schema_name, x.name
		FROM jsonb_to_recordset(catalog->'model') AS x(schema_name name, name text));
	INSERT INTO mlpredict.model (schema_name, name, input, output, task, comment,
		default_version, owner, created_at)
	SELECT x.schema_name, x.name, x.input, x.output, x.task, x.comment, x.default_version,
		x.owner::regrole, x.created_at
	FROM jsonb_to_recordset(catalog->'model') AS x(schema_name name, name text, input jsonb,
		output jsonb, task text, comment text, default_version integer, owner text,
		created_at timestamptz)
	ON CONFLICT (schema_name, name) DO UPDATE SET input = EXCLUDED.input,
		output = EXCLUDED.output, task = EXCLUDED.task, comment = EXCLUDED.comment,
		default_version = EXCLUDED.default_version, owner = EXCLUDED.owner,
		created_at = EXCLUDED.created_at;

	DELETE FROM mlpredict.model_version v
	WHERE (v.schema_name, v.name, v.version) NOT IN (SELECT x.schema_name, x.name, x.version
		FROM jsonb_to_recordset(catalog->'model_version') AS x(schema_name name, name text, version integer));
	INSERT INTO mlpredict.model_version (schema_name, name, version, options, created_at)
	SELECT x.schema_name, x.name, x.version, x.options, x.created_at
	FROM jsonb_to_recordset(catalog->'model_version') AS x(schema_name name, name text,
		version integer, options jsonb, created_at timestamptz)
	ON CONFLICT (schema_name, name, version) DO UPDATE SET options = EXCLUDED.options,
		created_at = EXCLUDED.created_at;

	-- EXECUTE on the typed functions as on the coordinator (local changes:
	-- Citus must not send a worker's GRANT anywhere)
	PERFORM set_config('citus.enable_ddl_propagation', 'off', true);
	FOR fn IN SELECT x.function, x.grants
		FROM jsonb_to_recordset(catalog->'function_acl') AS x(function text, grants jsonb)
	LOOP
		CONTINUE WHEN to_regprocedure(fn.function) IS NULL;
		SELECT coalesce(jsonb_agg(jsonb_build_object(
				'grantee', CASE WHEN a.grantee = 0 THEN 'PUBLIC'
							ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
				'grantable', a.is_grantable) ORDER BY a.grantee), '[]')
		INTO have
		FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
		WHERE p.oid = to_regprocedure(fn.function) AND a.grantee <> p.proowner;
		CONTINUE WHEN have @> fn.grants AND fn.grants @> have;
		FOR g IN SELECT * FROM jsonb_to_recordset(have) AS y(grantee text) LOOP
			EXECUTE format('REVOKE ALL ON FUNCTION %s FROM %s', fn.function, g.grantee);
		END LOOP;
		FOR g IN SELECT * FROM jsonb_to_recordset(fn.grants) AS y(grantee text, grantable boolean) LOOP
			EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %s%s', fn.function, g.grantee,
				CASE WHEN g.grantable THEN ' WITH GRANT OPTION' ELSE '' END);
		END LOOP;
	END LOOP;

	PERFORM set_config('mlpredict_citus.applying', 'off', true);
END
$$;
COMMENT ON FUNCTION mlpredict.citus_apply(jsonb) IS
	'On a Citus worker: replaces the local catalog with the coordinator''s (mlpredict.citus_catalog()); called by the coordinator, superusers only';
REVOKE ALL ON FUNCTION mlpredict.citus_apply(jsonb) FROM PUBLIC;

/* Runs a command on every active worker; the failures as one error naming the nodes. */
CREATE FUNCTION mlpredict.citus_run_on_workers(command text,
	OUT node text, OUT success boolean, OUT result text)
RETURNS SETOF record
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF mlpredict.citus_role() <> 'coordinator' THEN
		RETURN;
	END IF;
	RETURN QUERY EXECUTE
		'SELECT nodename || '':'' || nodeport, success, result
		 FROM pg_catalog.run_command_on_workers($1) ORDER BY nodename, nodeport'
		USING command;
END
$$;
COMMENT ON FUNCTION mlpredict.citus_run_on_workers(text) IS
	'Internal: a command run on every active Citus worker, one row per worker (none without Citus or off the coordinator); superusers only';
REVOKE ALL ON FUNCTION mlpredict.citus_run_on_workers(text) FROM PUBLIC;

/* Sends the catalog to every worker; an error names the workers that failed. */
CREATE FUNCTION mlpredict.citus_sync(OUT node text, OUT models integer, OUT connections integer)
RETURNS SETOF record
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	catalog jsonb;
	r record;
	failed text[] := '{}';
BEGIN
	IF mlpredict.citus_role() = 'worker' THEN
		RAISE EXCEPTION 'mlpredict.citus_sync() runs on the Citus coordinator'
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	catalog := mlpredict.citus_catalog();
	FOR r IN SELECT * FROM mlpredict.citus_run_on_workers(
		format('SELECT mlpredict.citus_apply(%L::jsonb)', catalog))
	LOOP
		IF NOT r.success THEN
			failed := failed || format('%s: %s', r.node, r.result);
		END IF;
		node := r.node;
		models := jsonb_array_length(catalog->'model');
		connections := jsonb_array_length(catalog->'connection');
		RETURN NEXT;
	END LOOP;
	IF cardinality(failed) > 0 THEN
		RAISE EXCEPTION 'could not copy the mlpredict catalog to % Citus worker(s)', cardinality(failed)
			USING ERRCODE = 'connection_failure',
				  DETAIL = array_to_string(failed, E'\n'),
				  HINT = 'Fix those workers (mlpredict installed, the same roles), then run SELECT * FROM mlpredict.citus_sync() on the coordinator.';
	END IF;
	PERFORM set_config('mlpredict_citus.sent', md5(catalog::text), true);
END
$$;
COMMENT ON FUNCTION mlpredict.citus_sync() IS
	'On the Citus coordinator: copies the whole mlpredict catalog to every active worker (run it after citus_add_node); one row per worker; superusers only';
REVOKE ALL ON FUNCTION mlpredict.citus_sync() FROM PUBLIC;

/*
 * The catalog triggers.  On the coordinator a deferred row trigger sends
 * the catalog once per changed state at commit (the hash of the last one
 * sent is remembered for the transaction); on a worker a statement
 * trigger refuses changes that do not come from the coordinator.
 */
CREATE FUNCTION mlpredict.citus_catalog_changed()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	role text := mlpredict.citus_role();
BEGIN
	IF role = 'worker' AND TG_LEVEL = 'STATEMENT'
	   AND current_setting('mlpredict_citus.applying', true) IS DISTINCT FROM 'on' THEN
		RAISE EXCEPTION 'mlpredict connections and models are changed on the Citus coordinator, not on a worker'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'The coordinator copies its catalog to every worker.',
				  HINT = 'Run the statement on the coordinator.';
	END IF;
	IF role = 'coordinator' AND TG_LEVEL = 'ROW'
	   AND current_setting('mlpredict_citus.sent', true) IS DISTINCT FROM md5(mlpredict.citus_catalog()::text) THEN
		PERFORM mlpredict.citus_sync();
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION mlpredict.citus_catalog_changed() IS
	'Trigger: on the Citus coordinator sends the catalog to the workers at commit; on a worker refuses catalog changes not sent by the coordinator';
REVOKE ALL ON FUNCTION mlpredict.citus_catalog_changed() FROM PUBLIC;

CREATE TRIGGER mlpredict_citus_guard BEFORE INSERT OR UPDATE OR DELETE ON mlpredict.connection
	FOR EACH STATEMENT EXECUTE FUNCTION mlpredict.citus_catalog_changed();
CREATE TRIGGER mlpredict_citus_guard BEFORE INSERT OR UPDATE OR DELETE ON mlpredict.connection_secret
	FOR EACH STATEMENT EXECUTE FUNCTION mlpredict.citus_catalog_changed();
CREATE TRIGGER mlpredict_citus_guard BEFORE INSERT OR UPDATE OR DELETE ON mlpredict.model
	FOR EACH STATEMENT EXECUTE FUNCTION mlpredict.citus_catalog_changed();
CREATE TRIGGER mlpredict_citus_guard BEFORE INSERT OR UPDATE OR DELETE ON mlpredict.model_version
	FOR EACH STATEMENT EXECUTE FUNCTION mlpredict.citus_catalog_changed();
CREATE CONSTRAINT TRIGGER mlpredict_citus_send AFTER INSERT OR UPDATE OR DELETE ON mlpredict.connection
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mlpredict.citus_catalog_changed();
CREATE CONSTRAINT TRIGGER mlpredict_citus_send AFTER INSERT OR UPDATE OR DELETE ON mlpredict.connection_secret
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mlpredict.citus_catalog_changed();
CREATE CONSTRAINT TRIGGER mlpredict_citus_send AFTER INSERT OR UPDATE OR DELETE ON mlpredict.model
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mlpredict.citus_catalog_changed();
CREATE CONSTRAINT TRIGGER mlpredict_citus_send AFTER INSERT OR UPDATE OR DELETE ON mlpredict.model_version
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mlpredict.citus_catalog_changed();

/* The cluster key: a fingerprint per node, and the nodes that differ. */
CREATE FUNCTION mlpredict.cluster_key_id()
RETURNS text
AS 'MODULE_PATHNAME', 'mlpredict_cluster_key_id'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION mlpredict.cluster_key_id() IS
	'The id (a fingerprint, never the key) of this server''s cluster key sealing connection secrets; superusers only';
REVOKE ALL ON FUNCTION mlpredict.cluster_key_id() FROM PUBLIC;

CREATE FUNCTION mlpredict.citus_check_keys(OUT node text, OUT key_id text,
	OUT matches boolean, OUT problem text)
RETURNS SETOF record
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	own text;
	r record;
BEGIN
	IF mlpredict.citus_role() = 'worker' THEN
		RAISE EXCEPTION 'mlpredict.citus_check_keys() runs on the Citus coordinator'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Run it on the coordinator; it compares every worker''s key with the coordinator''s.';
	END IF;
	own := mlpredict.cluster_key_id();
	node := 'coordinator';
	key_id := own;
	matches := true;
	problem := NULL;
	RETURN NEXT;
	FOR r IN SELECT * FROM mlpredict.citus_run_on_workers('SELECT mlpredict.cluster_key_id()') LOOP
		node := r.node;
		key_id := CASE WHEN r.success THEN r.result END;
		matches := r.success AND r.result = own;
		problem := CASE
			WHEN NOT r.success THEN r.result
			WHEN r.result <> own THEN 'another cluster key: copy the coordinator''s key file (mlpredict.secret_key_file) over this node''s, mode 0600, and restart it'
			END;
		IF NOT matches THEN
			RAISE WARNING 'Citus worker % does not share the coordinator''s mlpredict cluster key', r.node
				USING DETAIL = problem;
		END IF;
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION mlpredict.citus_check_keys() IS
	'On the Citus coordinator: each node''s cluster key id and whether it is the coordinator''s (a worker with another key cannot open connection secrets); superusers only';
REVOKE ALL ON FUNCTION mlpredict.citus_check_keys() FROM PUBLIC;

/*
 * Statistics of every node: the coordinator's own rows and each worker's,
 * with the node's name (host:port; 'coordinator' for this server).
 */
CREATE FUNCTION mlpredict.citus_stat_gather(stat_view text)
RETURNS SETOF jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	query text;
	r record;
BEGIN
	IF stat_view NOT IN ('stat_models', 'stat_connections') THEN
		RAISE EXCEPTION 'unknown statistics view "%"', stat_view
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	query := format('SELECT coalesce(jsonb_agg(to_jsonb(s)), ''[]'') FROM mlpredict.%I s', stat_view);
	RETURN QUERY EXECUTE format('SELECT jsonb_build_object(''node'', %L) || e
		FROM jsonb_array_elements((%s)) e',
		CASE WHEN mlpredict.citus_role() = 'worker' THEN 'this worker' ELSE 'coordinator' END, query);
	FOR r IN SELECT * FROM mlpredict.citus_run_on_workers(query) LOOP
		IF NOT r.success THEN
			RAISE WARNING 'no statistics from Citus worker %', r.node USING DETAIL = r.result;
			CONTINUE;
		END IF;
		RETURN QUERY SELECT jsonb_build_object('node', r.node) || e
			FROM jsonb_array_elements(r.result::jsonb) e;
	END LOOP;
END
$$;
COMMENT ON FUNCTION mlpredict.citus_stat_gather(text) IS
	'Internal: the rows of stat_models or stat_connections of this server and of every Citus worker, as JSON with the node''s name';

CREATE VIEW mlpredict.citus_stat_models AS
SELECT g->>'node' AS node, s.*
FROM mlpredict.citus_stat_gather('stat_models') g,
	 LATERAL jsonb_populate_record(NULL::mlpredict.stat_models, g) s;
COMMENT ON VIEW mlpredict.citus_stat_models IS
	'mlpredict.stat_models of every node of the Citus cluster (node: host:port, or coordinator for this server); this server''s alone without Citus';

CREATE VIEW mlpredict.citus_stat_connections AS
SELECT g->>'node' AS node, s.*
FROM mlpredict.citus_stat_gather('stat_connections') g,
	 LATERAL jsonb_populate_record(NULL::mlpredict.stat_connections, g) s;
COMMENT ON VIEW mlpredict.citus_stat_connections IS
	'mlpredict.stat_connections of every node of the Citus cluster (node: host:port, or coordinator for this server); this server''s alone without Citus';

GRANT SELECT ON mlpredict.citus_stat_models, mlpredict.citus_stat_connections TO PUBLIC;
