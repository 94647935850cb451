/*-------------------------------------------------------------------------
 *
 * secret_ref.c
 *	  Secret references: a connection secret given as 'env:NAME' is read
 *	  from the server process's environment, one given as
 *	  'file:/absolute/path' from a file the server reads.
 *
 * References let keys reach the server without passing through SQL text
 * (and so through log_statement, pg_stat_statements or psql history).  The
 * reference itself is not secret: views show it.  It is stored, sealed
 * like a literal, and resolved each time the connection's secrets are
 * loaded for use, so a rotated file or variable takes effect at once
 * (an environment variable only changes with a server restart).
 *
 * Setting up a reference is superuser-only (checked by connection.c):
 * it reads the server's environment and files.  Here: the syntax check at
 * CREATE/ALTER and resolution.  A value starting with "env:" or "file:" is
 * always a reference, never a literal.  No message ever contains a
 * resolved secret, nor the value when it fails a syntax check (a
 * mistyped literal could be a key).
 *
 * IDENTIFICATION
 *	  src/secret/secret_ref.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/fd.h"

#include "mlpredict.h"
#include "secret/secret_ref.h"

#define ENV_PREFIX	"env:"
#define FILE_PREFIX "file:"

/*
 * SecretRefIsReference
 */
bool
SecretRefIsReference(const char *value)
{
	return value != NULL &&
		(strncmp(value, ENV_PREFIX, strlen(ENV_PREFIX)) == 0 ||
		 strncmp(value, FILE_PREFIX, strlen(FILE_PREFIX)) == 0);
}

/*
 * valid_env_name
 *		[A-Za-z_][A-Za-z0-9_]*
 */
static bool
valid_env_name(const char *name)
{
	const char *p;

	if (!((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z') ||
		  name[0] == '_'))
		return false;
	for (p = name + 1; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			  (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

/*
 * SecretRefCheck
 */
void
SecretRefCheck(const char *key, const char *value)
{
	if (strncmp(value, ENV_PREFIX, strlen(ENV_PREFIX)) == 0)
	{
		if (!valid_env_name(value + strlen(ENV_PREFIX)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("secret \"%s\" is not a valid environment variable reference", key),
					 errdetail("After \"env:\" comes the name of a variable: a letter or underscore, then letters, digits or underscores."),
					 errhint("A literal secret cannot begin with \"env:\" or \"file:\".")));
	}
	else if (strncmp(value, FILE_PREFIX, strlen(FILE_PREFIX)) == 0)
	{
		const char *path = value + strlen(FILE_PREFIX);

		if (!is_absolute_path(path) || strlen(path) >= MAXPGPATH)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("secret \"%s\" is not a valid file reference", key),
					 errdetail("After \"file:\" comes the absolute path of a file on the database server."),
					 errhint("A literal secret cannot begin with \"env:\" or \"file:\".")));
	}
}

/*
 * resolve_env
 *		The value of an environment variable of the server process.
 */
static char *
resolve_env(const char *connection, const char *key, const char *name)
{
	const char *value = getenv(name);

	if (value == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("environment variable \"%s\" named by secret \"%s\" of connection \"%s\" is not set",
						name, key, connection),
				 errdetail("The variable is read from the database server's environment, not the client's."),
				 errhint("Set it in the environment the server is started with, or give the secret as a literal with ALTER CONNECTION %s SET (...).",
						 connection)));
	if (value[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("environment variable \"%s\" named by secret \"%s\" of connection \"%s\" is empty",
						name, key, connection)));
	if (strlen(value) > MLPREDICT_MAX_SECRET_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("environment variable \"%s\" named by secret \"%s\" of connection \"%s\" is longer than %d bytes",
						name, key, connection, MLPREDICT_MAX_SECRET_LEN)));
	return pstrdup(value);
}

/*
 * read_secret_file
 *		Up to limit + 1 bytes of a regular file into buf; the byte count.
 */
static size_t
read_secret_file(const char *connection, const char *key, const char *path,
				 char *buf, size_t limit)
{
	struct stat st;
	size_t		total = 0;
	int			fd;
	int			save_errno;

	/* stat first: opening a FIFO for reading would wait for a writer */
	if (stat(path, &st) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read file \"%s\" named by secret \"%s\" of connection \"%s\": %m",
						path, key, connection)));
	if (!S_ISREG(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("file \"%s\" named by secret \"%s\" of connection \"%s\" is not a regular file",
						path, key, connection)));
	fd = OpenTransientFile(path, O_RDONLY | PG_BINARY);
	if (fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read file \"%s\" named by secret \"%s\" of connection \"%s\": %m",
						path, key, connection)));
	while (total < limit + 1)
	{
		ssize_t		n = read(fd, buf + total, limit + 1 - total);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
		{
			save_errno = errno;
			CloseTransientFile(fd);
			explicit_bzero(buf, total);
			errno = save_errno;
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not read file \"%s\" named by secret \"%s\" of connection \"%s\": %m",
							path, key, connection)));
		}
		if (n == 0)
			break;
		total += n;
	}
	CloseTransientFile(fd);
	return total;
}

/*
 * resolve_file
 *		A file's contents without trailing white space.
 */
static char *
resolve_file(const char *connection, const char *key, const char *path)
{
	size_t		limit = MLPREDICT_MAX_SECRET_LEN;
	char	   *buf = palloc(limit + 2);
	size_t		len = read_secret_file(connection, key, path, buf, limit);

	if (len > limit)
	{
		explicit_bzero(buf, limit + 1);
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("file \"%s\" named by secret \"%s\" of connection \"%s\" is longer than %d bytes",
						path, key, connection, MLPREDICT_MAX_SECRET_LEN)));
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
					   buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	buf[len] = '\0';
	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("file \"%s\" named by secret \"%s\" of connection \"%s\" is empty",
						path, key, connection)));
	if (strlen(buf) != len)
	{
		explicit_bzero(buf, len);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("file \"%s\" named by secret \"%s\" of connection \"%s\" contains a zero byte",
						path, key, connection)));
	}
	return buf;
}

/*
 * SecretRefResolve
 */
char *
SecretRefResolve(const char *connection, const char *key, const char *value)
{
	if (strncmp(value, ENV_PREFIX, strlen(ENV_PREFIX)) == 0)
		return resolve_env(connection, key, value + strlen(ENV_PREFIX));
	if (strncmp(value, FILE_PREFIX, strlen(FILE_PREFIX)) == 0)
		return resolve_file(connection, key, value + strlen(FILE_PREFIX));
	return pstrdup(value);
}
