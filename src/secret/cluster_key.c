/*-------------------------------------------------------------------------
 *
 * cluster_key.c
 *	  The cluster key that seals connection secrets: where it lives, how it
 *	  is created, checked and cached.
 *
 * The key is kept in the file named by mlpredict.secret_key_file (a path
 * relative to the data directory unless absolute; superuser-only).  The
 * file is text, exactly:
 *
 *	  mlpredict secret key v1\n
 *	  <64 hexadecimal digits: the 32 key bytes>\n
 *
 * (the final newline may be missing).  It must be a regular file owned by
 * the server's OS user with no group or other access (mode 0600), as for
 * the server's own TLS key; anything else is refused rather than used.
 *
 * When the file does not exist, the first backend that needs the key
 * creates it from 32 bytes of pg_strong_random: it writes and fsyncs a
 * temporary file of its own (O_CREAT | O_EXCL, mode 0600), then link()s it
 * to the final name.  link() fails with EEXIST if another backend won the
 * race, and then the winner's complete file is read instead, so all
 * backends agree on one key and no one ever reads a half-written file.
 * On a Citus worker it is never created (citus_node.c): a worker must use
 * the coordinator's key, copied by hand.
 *
 * Each backend caches the key of the path it last used; the cached bytes
 * are wiped when a different path replaces them.  The key is never
 * printed: messages name the file, and callers show only the key's id
 * (secret_box_key_id), which mlpredict.cluster_key_id() returns so that
 * the nodes of a Citus cluster can be compared (citus_check_keys()).
 *
 * IDENTIFICATION
 *	  src/secret/cluster_key.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/builtins.h"

#include "mlpredict.h"
#include "auth/strbuf.h"
#include "secret/citus_node.h"
#include "secret/cluster_key.h"

PG_FUNCTION_INFO_V1(mlpredict_cluster_key_id);

#define KEY_FILE_HEADER		"mlpredict secret key v1\n"
#define KEY_FILE_HEADER_LEN (sizeof(KEY_FILE_HEADER) - 1)
#define KEY_FILE_HEX_LEN	(2 * SECRET_BOX_KEY_LEN)
/* the longest valid file: header, hex digits, newline */
#define KEY_FILE_LEN		(KEY_FILE_HEADER_LEN + KEY_FILE_HEX_LEN + 1)

/* This backend's cache: the key of the path last used. */
static char cached_path[MAXPGPATH];
static unsigned char cached_key[SECRET_BOX_KEY_LEN];
static bool cached_valid = false;

/*
 * key_file_path
 *		The absolute path of the key file named by the GUC.
 */
static void
key_file_path(char *path)
{
	const char *setting = mlpredict_secret_key_file;

	if (setting == NULL || setting[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("mlpredict.secret_key_file is empty"),
				 errhint("Set it to the file that holds the key sealing connection secrets.")));
	if (is_absolute_path(setting))
		strlcpy(path, setting, MAXPGPATH);
	else
		snprintf(path, MAXPGPATH, "%s/%s", DataDir, setting);
	canonicalize_path(path);
}

/*
 * bad_key_file
 *		The file exists but is not a key file this code wrote.
 */
static void
bad_key_file(const char *path, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_CONFIG_FILE_ERROR),
			 errmsg("secret key file \"%s\" is not a valid mlpredict key file", path),
			 errdetail_internal("%s", detail),
			 errhint("Restore the original key file.  Moving it away makes a new key on next use, and every stored secret will have to be re-entered.")));
}

/*
 * check_key_file_stat
 *		A regular file of ours that nobody else may read or write.
 */
static void
check_key_file_stat(const char *path, const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		bad_key_file(path, "It is not a regular file.");
	if (st->st_uid != geteuid())
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("secret key file \"%s\" must be owned by the database server's operating system user", path),
				 errhint("Change its owner to the user the server runs as, and its mode to 0600.")));
	if ((st->st_mode & (S_IRWXG | S_IRWXO)) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("secret key file \"%s\" has group or world access", path),
				 errdetail("Anyone who can read the key can open every stored connection secret."),
				 errhint("Run chmod 0600 on the file, and check who may have copied it.")));
	if (st->st_size != KEY_FILE_LEN && st->st_size != KEY_FILE_LEN - 1)
		bad_key_file(path, "Its size is wrong.");
}

/*
 * parse_key_file
 *		The key from the file's text; false if the text is not a key file
 *		(nothing of the text is reported: it would be key material).
 */
static bool
parse_key_file(const char *text, size_t len, unsigned char *key)
{
	const char *hex = text + KEY_FILE_HEADER_LEN;
	int			i;

	if (len != KEY_FILE_LEN && len != KEY_FILE_LEN - 1)
		return false;
	if (memcmp(text, KEY_FILE_HEADER, KEY_FILE_HEADER_LEN) != 0)
		return false;
	if (len == KEY_FILE_LEN && text[len - 1] != '\n')
		return false;
	for (i = 0; i < SECRET_BOX_KEY_LEN; i++)
	{
		int			hi = hex_digit_value(hex[2 * i]);
		int			lo = hex_digit_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		key[i] = (unsigned char) (hi << 4 | lo);
	}
	return true;
}

/*
 * read_key_file
 *		Read and check the key file; false if it does not exist.
 */
static bool
read_key_file(const char *path, unsigned char *key)
{
	char		text[KEY_FILE_LEN + 1];
	struct stat st;
	ssize_t		n;
	int			fd;
	int			save_errno;
	bool		ok;

	fd = OpenTransientFile(path, O_RDONLY | PG_BINARY);
	if (fd < 0)
	{
		if (errno == ENOENT)
			return false;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open secret key file \"%s\": %m", path)));
	}
	if (fstat(fd, &st) != 0)
	{
		save_errno = errno;
		CloseTransientFile(fd);
		errno = save_errno;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat secret key file \"%s\": %m", path)));
	}
	PG_TRY();
	{
		check_key_file_stat(path, &st);
	}
	PG_CATCH();
	{
		CloseTransientFile(fd);
		PG_RE_THROW();
	}
	PG_END_TRY();

	n = read(fd, text, sizeof(text));
	save_errno = errno;
	CloseTransientFile(fd);
	if (n < 0)
	{
		errno = save_errno;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read secret key file \"%s\": %m", path)));
	}
	ok = parse_key_file(text, (size_t) n, key);
	explicit_bzero(text, sizeof(text));
	if (!ok)
	{
		explicit_bzero(key, SECRET_BOX_KEY_LEN);
		bad_key_file(path, "It must hold the line \"mlpredict secret key v1\" followed by a line of 64 hexadecimal digits.");
	}
	return true;
}

/*
 * format_key_file
 *		The file's text for key; returns its length.
 */
static size_t
format_key_file(char *text, const unsigned char *key)
{
	char	   *p = text;

	memcpy(p, KEY_FILE_HEADER, KEY_FILE_HEADER_LEN);
	p += KEY_FILE_HEADER_LEN;
	hex_encode_lower(key, SECRET_BOX_KEY_LEN, p);
	p += KEY_FILE_HEX_LEN;
	*p++ = '\n';
	return p - text;
}

/*
 * write_temp_key_file
 *		Write text to a new file tmp (mode 0600) and fsync it.  On failure
 *		the file is removed and an error raised (naming path, the file
 *		being made).
 */
static void
write_temp_key_file(const char *path, const char *tmp, const char *text, size_t len)
{
	const char *step = "create";
	int			fd;
	int			save_errno;

	(void) unlink(tmp);			/* a leftover of a crashed backend with our pid */
	fd = OpenTransientFilePerm(tmp, O_WRONLY | O_CREAT | O_EXCL | PG_BINARY,
							   S_IRUSR | S_IWUSR);
	if (fd >= 0)
	{
		errno = 0;
		step = "write";
		if (write(fd, text, len) == (ssize_t) len)
		{
			step = "fsync";
			if (pg_fsync(fd) == 0)
			{
				step = "close";
				if (CloseTransientFile(fd) == 0)
					return;
				fd = -1;
			}
		}
	}
	save_errno = errno ? errno : ENOSPC;
	if (fd >= 0)
		CloseTransientFile(fd);
	(void) unlink(tmp);
	errno = save_errno;
	ereport(ERROR,
			(errcode_for_file_access(),
			 errmsg("could not %s secret key file \"%s\": %m", step, path)));
}

/*
 * create_key_file
 *		Make a new key and publish it at path, or read the key another
 *		backend published there first.
 */
static void
create_key_file(const char *path, unsigned char *key)
{
	char		text[KEY_FILE_LEN];
	char		tmp[MAXPGPATH];
	char		dir[MAXPGPATH];
	size_t		len;
	int			save_errno;

	ClusterKeyRefuseCreate(path);	/* a Citus worker uses the coordinator's */
	if (!pg_strong_random(key, SECRET_BOX_KEY_LEN))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random secret key")));
	len = format_key_file(text, key);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, MyProcPid);
	PG_TRY();
	{
		write_temp_key_file(path, tmp, text, len);
	}
	PG_FINALLY();
	{
		explicit_bzero(text, sizeof(text));
	}
	PG_END_TRY();

	if (link(tmp, path) != 0)
	{
		save_errno = errno;
		(void) unlink(tmp);
		explicit_bzero(key, SECRET_BOX_KEY_LEN);
		if (save_errno == EEXIST && read_key_file(path, key))
			return;				/* another backend was first */
		errno = save_errno;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create secret key file \"%s\": %m", path)));
	}
	(void) unlink(tmp);
	strlcpy(dir, path, sizeof(dir));
	get_parent_directory(dir);
	/* make the new name durable; a failure here is not worth a PANIC */
	(void) fsync_fname_ext(dir[0] ? dir : "/", true, true, WARNING);
	/*
	 * LOG messages carry the statement by default (log_min_error_statement),
	 * and the statement that first needs the key is often a CREATE
	 * CONNECTION with a literal secret: leave it out.
	 */
	ereport(LOG,
			(errmsg("created secret key file \"%s\" for mlpredict connection secrets", path),
			 errdetail("Back it up apart from the database dumps: without it, restored connection secrets cannot be opened."),
			 errhidestmt(true),
			 errhidecontext(true)));
}

/*
 * ClusterKeyGet
 *		The key of mlpredict.secret_key_file, from the cache, the file, or
 *		made now.
 */
const unsigned char *
ClusterKeyGet(void)
{
	char		path[MAXPGPATH];
	unsigned char key[SECRET_BOX_KEY_LEN];

	key_file_path(path);
	if (cached_valid && strcmp(cached_path, path) == 0)
		return cached_key;

	if (!read_key_file(path, key))
		create_key_file(path, key);

	explicit_bzero(cached_key, sizeof(cached_key));
	memcpy(cached_key, key, sizeof(cached_key));
	explicit_bzero(key, sizeof(key));
	strlcpy(cached_path, path, sizeof(cached_path));
	cached_valid = true;
	return cached_key;
}

/*
 * mlpredict_cluster_key_id
 *		The hex id of this server's cluster key: a fingerprint, never the
 *		key.  Creates the key file as any first use would (refused on a
 *		Citus worker).
 */
Datum
mlpredict_cluster_key_id(PG_FUNCTION_ARGS)
{
	unsigned char id[SECRET_BOX_KEY_ID_LEN];
	char		hex[SECRET_BOX_KEY_ID_HEX_LEN];

	secret_box_key_id(ClusterKeyGet(), id);
	secret_box_key_id_hex(id, hex);
	PG_RETURN_TEXT_P(cstring_to_text(hex));
}
