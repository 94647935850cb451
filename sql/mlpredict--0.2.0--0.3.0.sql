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
