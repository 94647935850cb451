/* mlpredict 0.3.0 -> 0.4.0 (ALTER EXTENSION mlpredict UPDATE) */

\echo Use "ALTER EXTENSION mlpredict UPDATE TO '0.4.0'" to load this file. \quit


/* Issue 18 (xlate): Flink queries in execute(), and their translation */
CREATE FUNCTION mlpredict.translate(statement text)
RETURNS text
AS 'MODULE_PATHNAME', 'mlpredict_translate'
LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION mlpredict.translate(text) IS
	'The PostgreSQL text mlpredict.execute() runs for Confluent/Flink statements: Flink queries translated, other statements as execute() calls';
COMMENT ON FUNCTION mlpredict.execute(text) IS
	'Runs Confluent statements verbatim, several separated by semicolons in order: CREATE/ALTER/DROP/DESCRIBE/SHOW for connections and models, GRANT/REVOKE, continuous queries, and Flink queries (SELECT, INSERT, CREATE TABLE) translated to PostgreSQL';
