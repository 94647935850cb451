-- Included by the suites that look at the wire: standin(path, method) calls
-- the provider stand-in's control API (stats, reset, recorded requests,
-- configuration with a JSON body).
CREATE TEMP TABLE standin_reply (doc text);
CREATE FUNCTION pg_temp.standin(path text, method text DEFAULT 'GET', body jsonb DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE standin_reply;
  EXECUTE format($c$COPY standin_reply FROM PROGRAM %L WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02')$c$,
                 format('curl -s -X %s %s http://127.0.0.1:18787%s', method,
                        CASE WHEN body IS NULL THEN '' ELSE '-H content-type:application/json -d ' || quote_literal(body::text) END,
                        path));
  RETURN (SELECT string_agg(doc, E'\n')::jsonb FROM standin_reply);
END $$;
