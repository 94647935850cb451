-- Included by the suites that look at the wire: standin(path, method) calls
-- the provider stand-in's control API (stats, reset, recorded requests).
CREATE TEMP TABLE standin_reply (doc text);
CREATE FUNCTION pg_temp.standin(path text, method text DEFAULT 'GET') RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE standin_reply;
  EXECUTE format($c$COPY standin_reply FROM PROGRAM %L WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02')$c$,
                 format('curl -s -X %s http://127.0.0.1:18787%s', method, path));
  RETURN (SELECT string_agg(doc, E'\n')::jsonb FROM standin_reply);
END $$;
