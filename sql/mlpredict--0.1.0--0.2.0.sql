/*
 * mlpredict 0.1.0 -> 0.2.0 (ALTER EXTENSION mlpredict UPDATE): the
 * security round.  After it, a database holds exactly what a fresh
 * CREATE EXTENSION of 0.2.0 creates (t/013_upgrade.pl compares them).
 */
\echo Use "ALTER EXTENSION mlpredict UPDATE TO '0.2.0'" to load this file. \quit

/*
 * Creating connections becomes a right the DBA grants.  Roles that created
 * connections under 0.1.0 keep them (and may alter, grant and drop them);
 * to let a role create more: GRANT EXECUTE ON FUNCTION
 * mlpredict.create_connection(text, jsonb, text) TO role.
 */
COMMENT ON FUNCTION mlpredict.create_connection(text, jsonb, text) IS
	'Registers a provider connection (CREATE CONNECTION); EXECUTE on it is the right to create connections, in either form';
REVOKE ALL ON FUNCTION mlpredict.create_connection(text, jsonb, text) FROM PUBLIC;

/* Credentials in endpoint query strings are masked in the views. */
CREATE FUNCTION mlpredict.masked_endpoint(endpoint text)
RETURNS text
AS 'MODULE_PATHNAME', 'mlpredict_masked_endpoint'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mlpredict.masked_endpoint(text) IS
	'An endpoint with credentials in its query string (code, key, sig, token, ...) masked';

/*
 * Owners by role OID (regrole): a role dropped and created again under the
 * same name owns nothing of its predecessor's, and renaming a role keeps
 * its objects.  A 0.1.0 row whose owner role no longer exists is given to
 * the role running the update, with a WARNING naming it.
 */
DROP VIEW mlpredict.privileges;
DROP VIEW mlpredict.connections;
DROP VIEW mlpredict.models;

DO $$
DECLARE
	orphan record;
BEGIN
	FOR orphan IN
		SELECT 'connection' AS kind, c.name::text AS name, c.owner::text AS owner
		FROM mlpredict.connection c
		WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) c.owner)
		UNION ALL
		SELECT 'model', pg_catalog.quote_ident(m.schema_name::text) || '.' || pg_catalog.quote_ident(m.name), m.owner::text
		FROM mlpredict.model m
		WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) m.owner)
	LOOP
		RAISE WARNING '% % was owned by role "%", which no longer exists; it now belongs to "%"',
			orphan.kind, orphan.name, orphan.owner, current_user
			USING HINT = 'Give it to the right role with ALTER CONNECTION/MODEL ... OWNER TO.';
	END LOOP;
END
$$;

ALTER TABLE mlpredict.connection ALTER COLUMN owner TYPE regrole
	USING coalesce(pg_catalog.to_regrole(pg_catalog.quote_ident(owner::text)), current_user::regrole);
ALTER TABLE mlpredict.model ALTER COLUMN owner TYPE regrole
	USING coalesce(pg_catalog.to_regrole(pg_catalog.quote_ident(owner::text)), current_user::regrole);

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

/* DROP CONNECTION ... CASCADE, and ALTER CONNECTION/MODEL ... OWNER TO */
DROP FUNCTION mlpredict.drop_connection(text, boolean);
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

CREATE FUNCTION mlpredict.alter_model_owner(name text, new_owner text)
RETURNS void
AS 'MODULE_PATHNAME', 'mlpredict_alter_model_owner'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION mlpredict.alter_model_owner(text, text) IS
	'Gives a model and its typed function to another role (ALTER MODEL ... OWNER TO)';

/*
 * Models live as long as their typed function, and follow their schema
 * when it is renamed.
 */
DROP EVENT TRIGGER mlpredict_forget_dropped_schemas;
CREATE OR REPLACE FUNCTION mlpredict.forget_dropped_schemas()
RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	gone record;
BEGIN
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

/* The pool worker's buffered bytes, bounded by mlpredict.pool_max_buffered_bytes */
CREATE FUNCTION mlpredict.pool_info(OUT worker integer, OUT pid integer,
	OUT buffered_bytes bigint, OUT peak_buffered_bytes bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mlpredict_pool_info'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION mlpredict.pool_info() IS
	'One row per connection pool worker: the bytes of request and response bodies it holds now and their peak since it started (bounded by mlpredict.pool_max_buffered_bytes); no rows without the pool';
