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
