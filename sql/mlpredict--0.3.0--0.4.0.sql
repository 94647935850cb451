/* mlpredict 0.3.0 -> 0.4.0 (ALTER EXTENSION mlpredict UPDATE) */

\echo Use "ALTER EXTENSION mlpredict UPDATE TO '0.4.0'" to load this file. \quit


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

-- stat_models and its function gain cache_hits and cache_misses at the
-- end: the new function replaces the old one under the view (CREATE OR
-- REPLACE VIEW may add columns at the end), so views over stat_models
-- and its grants survive the update.
ALTER FUNCTION mlpredict.stat_models_raw() RENAME TO stat_models_raw_030;
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
CREATE OR REPLACE VIEW mlpredict.stat_models AS
SELECT * FROM mlpredict.stat_models_raw();
COMMENT ON VIEW mlpredict.stat_models IS
	'Per model (schema.name) and connection of the current database: the columns of mlpredict.stat_connections, then the response cache''s hits and misses; readable by everyone (counts and names only)';
DROP FUNCTION mlpredict.stat_models_raw_030();

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

/*
 * On a Citus worker a dropped schema or typed function (DDL the
 * coordinator propagates) leaves the catalog rows alone: the coordinator
 * forgets the model and sends its catalog at commit; deleting the rows in
 * Citus's propagated transaction would only make that send wait.
 */
CREATE OR REPLACE FUNCTION mlpredict.forget_dropped_schemas()
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

/* pool_info() also shows each worker's sessions and requests answered */
DROP FUNCTION mlpredict.pool_info();
CREATE FUNCTION mlpredict.pool_info(OUT worker integer, OUT pid integer,
	OUT buffered_bytes bigint, OUT peak_buffered_bytes bigint,
	OUT sessions integer, OUT requests bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mlpredict_pool_info'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION mlpredict.pool_info() IS
	'One row per connection pool worker: the bytes of request and response bodies it holds now and their peak since it started (bounded by mlpredict.pool_max_buffered_bytes), the sessions it serves now and the requests it has answered since it started; no rows without the pool';
