/*-------------------------------------------------------------------------
 *
 * retry_policy.c
 *	  Which provider answers are worth another attempt, the parsers of the
 *	  delays servers ask for, and exponential backoff with jitter.
 *
 * Pure C11 with libc only, deliberately without "postgres.h": the module
 * build compiles this file with the server's flags, and the unit tests
 * (make unit) link it into a plain program.  Characters are classified by
 * hand rather than with <ctype.h>, and month and day names are English
 * literals, so the locale cannot change what is accepted.  Dates are
 * converted with a days-from-civil computation (proleptic Gregorian, UTC)
 * instead of timegm(), which C11 lacks.
 *
 * All arithmetic on parsed numbers saturates at RETRY_SERVER_MAX_MS (or the
 * same span in seconds or nanoseconds), so no input can overflow.
 *
 * IDENTIFICATION
 *	  src/http/retry_policy.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "retry_policy.h"

#define CAP_SECONDS		(RETRY_SERVER_MAX_MS / 1000)
#define NS_PER_MS		1000000LL
#define CAP_NS			((long long) RETRY_SERVER_MAX_MS * NS_PER_MS)
#define SECONDS_PER_DAY 86400LL

/* A broken-down UTC time as read from an HTTP-date. */
typedef struct CivilTime
{
	long long	year;
	long long	month;			/* 1..12 */
	long long	day;
	long long	hour;
	long long	minute;
	long long	second;			/* 60 allowed (leap second) */
} CivilTime;

static const char *const month_names[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};
static const char *const day_names[] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
};
static const char *const long_day_names[] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
	"Sunday"
};

/* Quota markers of a 429 that waiting will not clear. */
static const char *const quota_markers[] = {
	"insufficient_quota",		/* OpenAI: billing */
	"quota_exceeded",
	"billing_hard_limit_reached",	/* OpenAI: hard spending limit */
	"enforced_spend_limit_reached",	/* Anthropic: workspace spend limit */
	"PerDay"					/* Google: a daily quota (quotaId ...PerDay...) */
};

/*
 * RetryIsTransientStatus
 *		Timeouts, throttling and overload: statuses worth another attempt.
 */
bool
RetryIsTransientStatus(long status)
{
	switch (status)
	{
		case 408:
		case 429:
		case 500:
		case 502:
		case 503:
		case 504:
		case 529:
			return true;
		default:
			return false;
	}
}

/*
 * contains
 *		Whether needle occurs in the first len bytes of hay (hay need not be
 *		NUL-terminated; NULL contains nothing).
 */
static bool
contains(const char *hay, size_t len, const char *needle)
{
	size_t		n = strlen(needle);
	size_t		i;

	if (hay == NULL || n > len)
		return false;
	for (i = 0; i + n <= len; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, n) == 0)
			return true;
	return false;
}

/*
 * RetryQuotaExhausted
 *		A 429 that will not clear by waiting (billing or hard quota).
 */
bool
RetryQuotaExhausted(long status, const char *body, size_t len)
{
	size_t		i;

	if (status != 429)
		return false;
	for (i = 0; i < sizeof(quota_markers) / sizeof(quota_markers[0]); i++)
		if (contains(body, len, quota_markers[i]))
			return true;
	return false;
}

/* Whether c is an ASCII decimal digit. */
static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* ASCII lower case, whatever the locale. */
static char
ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c;
}

/* Past optional white space (HTTP's OWS: spaces and tabs). */
static const char *
skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Whether only optional white space is left; false for NULL. */
static bool
at_end(const char *p)
{
	return p != NULL && *skip_ows(p) == '\0';
}

/*
 * parse_delta_ms
 *		A non-negative decimal integer surrounded by optional white space,
 *		times unit_ms and capped at RETRY_SERVER_MAX_MS; -1 if malformed.
 */
static long
parse_delta_ms(const char *value, long unit_ms)
{
	const char *p;
	long long	v = 0;

	if (value == NULL)
		return -1;
	p = skip_ows(value);
	if (!is_digit(*p))
		return -1;
	/* stop accumulating once past the cap: digits may go on for ever */
	for (; is_digit(*p); p++)
		if (v <= RETRY_SERVER_MAX_MS)
			v = v * 10 + (*p - '0');
	if (!at_end(p))
		return -1;
	v *= unit_ms;
	return v > RETRY_SERVER_MAX_MS ? RETRY_SERVER_MAX_MS : (long) v;
}

/*
 * The date parsers below are written as chains of steps; every step takes
 * the position so far and returns the position after what it read, or NULL
 * if it did not find it, and passes NULL on.
 */

/* Past the character c, or NULL. */
static const char *
expect_char(const char *p, char c)
{
	return (p != NULL && *p == c) ? p + 1 : NULL;
}

/* Past one or more spaces, or NULL. */
static const char *
expect_spaces(const char *p)
{
	if (p == NULL || *p != ' ')
		return NULL;
	while (*p == ' ')
		p++;
	return p;
}

/* Past min to max decimal digits, their value in *value; or NULL. */
static const char *
read_digits(const char *p, int min, int max, long long *value)
{
	long long	v = 0;
	int			n = 0;

	if (p == NULL)
		return NULL;
	while (n < max && is_digit(p[n]))
	{
		v = v * 10 + (p[n] - '0');
		n++;
	}
	if (n < min || is_digit(p[n]))
		return NULL;
	*value = v;
	return p + n;
}

/*
 * read_name
 *		Past one of the n names (ASCII case ignored), its index in *index if
 *		index is not NULL; or NULL.
 */
static const char *
read_name(const char *p, const char *const *names, int n, long long *index)
{
	int			i;

	if (p == NULL)
		return NULL;
	for (i = 0; i < n; i++)
	{
		const char *name = names[i];
		const char *q = p;

		while (*name != '\0' && *q != '\0' && ascii_lower(*q) == ascii_lower(*name))
		{
			name++;
			q++;
		}
		if (*name == '\0')
		{
			if (index != NULL)
				*index = i;
			return q;
		}
	}
	return NULL;
}

/* Past a month name, its number (1..12) in t->month; or NULL. */
static const char *
read_month(const char *p, CivilTime *t)
{
	long long	index;

	p = read_name(p, month_names, 12, &index);
	if (p != NULL)
		t->month = index + 1;
	return p;
}

/* Past "HH:MM:SS" into t; or NULL. */
static const char *
read_time_of_day(const char *p, CivilTime *t)
{
	p = read_digits(p, 2, 2, &t->hour);
	p = expect_char(p, ':');
	p = read_digits(p, 2, 2, &t->minute);
	p = expect_char(p, ':');
	return read_digits(p, 2, 2, &t->second);
}

/* Whether p is "GMT" (or "UTC") and the end. */
static bool
at_zone_end(const char *p)
{
	static const char *const zone[] = {"GMT", "UTC"};

	return at_end(read_name(p, zone, 2, NULL));
}

/*
 * parse_imf_fixdate
 *		"Sun, 06 Nov 1994 08:49:37 GMT" (a one-digit day is tolerated).
 */
static bool
parse_imf_fixdate(const char *p, CivilTime *t)
{
	p = read_name(p, day_names, 7, NULL);
	p = expect_char(p, ',');
	p = expect_spaces(p);
	p = read_digits(p, 1, 2, &t->day);
	p = expect_spaces(p);
	p = read_month(p, t);
	p = expect_spaces(p);
	p = read_digits(p, 4, 4, &t->year);
	p = expect_spaces(p);
	p = read_time_of_day(p, t);
	p = expect_spaces(p);
	return at_zone_end(p);
}

/*
 * floor_div
 *		a / b rounded towards minus infinity (b > 0).
 */
static long long
floor_div(long long a, long long b)
{
	return a / b - (a % b < 0 ? 1 : 0);
}

/*
 * year_from_days
 *		The Gregorian year of a day counted from 1970-01-01 (Howard
 *		Hinnant's civil_from_days, year part only).
 */
static long long
year_from_days(long long z)
{
	long long	era,
				doe,
				yoe,
				doy,
				mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	/* mp counts months from March: 10 and 11 are January and February */
	return yoe + era * 400 + (mp >= 10 ? 1 : 0);
}

/*
 * full_year
 *		The year of an RFC 850 two-digit year yy as RFC 9110 wants it: the
 *		one ending in yy that is at most 50 years after the year of now and
 *		less than 50 years before it.
 */
static long long
full_year(long long yy, time_t now)
{
	long long	current = year_from_days(floor_div((long long) now, SECONDS_PER_DAY));
	long long	year;

	/* keep absurd clocks from taking the arithmetic anywhere strange */
	if (current < 100)
		current = 100;
	if (current > 9999)
		current = 9999;
	year = current - current % 100 + yy;
	if (year > current + 50)
		year -= 100;
	else if (year <= current - 50)
		year += 100;
	return year;
}

/*
 * parse_rfc850
 *		"Sunday, 06-Nov-94 08:49:37 GMT" (a four-digit year is tolerated).
 */
static bool
parse_rfc850(const char *p, time_t now, CivilTime *t)
{
	const char *year;

	p = read_name(p, long_day_names, 7, NULL);
	p = expect_char(p, ',');
	p = expect_spaces(p);
	p = read_digits(p, 1, 2, &t->day);
	p = expect_char(p, '-');
	p = read_month(p, t);
	p = expect_char(p, '-');
	year = p;
	p = read_digits(p, 2, 4, &t->year);
	if (p == NULL || p - year == 3)
		return false;
	if (p - year == 2)
		t->year = full_year(t->year, now);
	p = expect_spaces(p);
	p = read_time_of_day(p, t);
	p = expect_spaces(p);
	return at_zone_end(p);
}

/*
 * parse_asctime
 *		"Sun Nov  6 08:49:37 1994" (C's asctime() format, implicitly UTC).
 */
static bool
parse_asctime(const char *p, CivilTime *t)
{
	p = read_name(p, day_names, 7, NULL);
	p = expect_spaces(p);
	p = read_month(p, t);
	p = expect_spaces(p);
	p = read_digits(p, 1, 2, &t->day);
	p = expect_spaces(p);
	p = read_time_of_day(p, t);
	p = expect_spaces(p);
	p = read_digits(p, 4, 4, &t->year);
	return at_end(p);
}

/* Days in month m (1..12) of year y, Gregorian. */
static int
days_in_month(long long y, long long m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool		leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return (m == 2 && leap) ? 29 : days[m - 1];
}

/* Whether the fields of t make a real date and time. */
static bool
civil_valid(const CivilTime *t)
{
	return t->month >= 1 && t->month <= 12 &&
		t->day >= 1 && t->day <= days_in_month(t->year, t->month) &&
		t->hour <= 23 && t->minute <= 59 && t->second <= 60;
}

/*
 * days_from_civil
 *		Days from 1970-01-01 to y-m-d (Howard Hinnant's algorithm).
 */
static long long
days_from_civil(long long y, long long m, long long d)
{
	long long	era,
				yoe,
				doy,
				doe;

	y -= m <= 2 ? 1 : 0;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/*
 * RetryParseHttpDate
 *		Seconds since the epoch of an HTTP-date (see retry_policy.h).
 *
 * The day name must be a real one but is not checked against the date.
 */
bool
RetryParseHttpDate(const char *value, time_t now, long long *seconds)
{
	CivilTime	t = {0, 0, 0, 0, 0, 0};
	const char *p;

	if (value == NULL)
		return false;
	p = skip_ows(value);
	if (!parse_imf_fixdate(p, &t) && !parse_rfc850(p, now, &t) &&
		!parse_asctime(p, &t))
		return false;
	if (!civil_valid(&t))
		return false;
	*seconds = days_from_civil(t.year, t.month, t.day) * SECONDS_PER_DAY +
		t.hour * 3600 + t.minute * 60 + t.second;
	return true;
}

/*
 * date_delay_ms
 *		The delay from now until the HTTP-date value: 0 if it has passed,
 *		capped at RETRY_SERVER_MAX_MS; -1 if value is not a date.
 */
static long
date_delay_ms(const char *value, time_t now)
{
	long long	when;
	long long	current = (long long) now;

	if (!RetryParseHttpDate(value, now, &when))
		return -1;
	if (when <= current)
		return 0;
	/* when is within years 0..10099, so when - CAP_SECONDS cannot overflow */
	if (when - CAP_SECONDS > current)
		return RETRY_SERVER_MAX_MS;
	return (long) ((when - current) * 1000);
}

/*
 * go_unit_ns
 *		Nanoseconds in the Go duration unit of len bytes at p; 0 if unknown.
 */
static long long
go_unit_ns(const char *p, size_t len)
{
	static const struct
	{
		const char *name;
		long long	ns;
	}			units[] = {
		{"ns", 1LL},
		{"us", 1000LL},
		{"\xc2\xb5s", 1000LL},	/* U+00B5 micro sign */
		{"\xce\xbcs", 1000LL},	/* U+03BC Greek small letter mu */
		{"ms", 1000000LL},
		{"s", 1000000000LL},
		{"m", 60000000000LL},
		{"h", 3600000000000LL},
	};
	size_t		i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].name) == len && memcmp(p, units[i].name, len) == 0)
			return units[i].ns;
	return 0;
}

/*
 * go_component
 *		Past one "<number><unit>" of a Go duration ("1.5h", ".5s", "3.s"),
 *		its nanoseconds added to *total (saturating at CAP_NS); or NULL.
 */
static const char *
go_component(const char *p, long long *total)
{
	long long	whole = 0;
	long long	frac = 0;
	long long	unit;
	double		scale = 1;
	bool		digits = false;
	const char *u;

	for (; is_digit(*p); p++, digits = true)
		if (whole <= CAP_NS)
			whole = whole * 10 + (*p - '0');
	if (*p == '.')
		for (p++; is_digit(*p); p++, digits = true)
			if (scale < 1e18)	/* later digits cannot matter */
			{
				frac = frac * 10 + (*p - '0');
				scale *= 10;
			}
	if (!digits)
		return NULL;
	for (u = p; *u != '\0' && !is_digit(*u) && *u != '.' && *u != ' ' && *u != '\t'; u++)
		;
	unit = go_unit_ns(p, (size_t) (u - p));
	if (unit == 0)
		return NULL;
	if (whole > CAP_NS / unit)
		*total = CAP_NS;
	else
		*total += whole * unit + (long long) ((double) frac * ((double) unit / scale) + 0.5);
	if (*total > CAP_NS)
		*total = CAP_NS;
	return u;
}

/*
 * RetryParseGoDurationMs
 *		A Go duration in ms, rounded up and capped (see retry_policy.h).
 */
long
RetryParseGoDurationMs(const char *value)
{
	const char *p;
	long long	total = 0;

	if (value == NULL)
		return -1;
	p = skip_ows(value);
	if (*p == '+')
		p++;
	/* Go's one unitless duration */
	if (*p == '0' && at_end(p + 1))
		return 0;
	if (*p == '\0' || *p == ' ' || *p == '\t')
		return -1;
	while (*p != '\0' && *p != ' ' && *p != '\t')
		if ((p = go_component(p, &total)) == NULL)
			return -1;
	if (!at_end(p))
		return -1;
	if (total >= CAP_NS)
		return RETRY_SERVER_MAX_MS;
	return (long) ((total + NS_PER_MS - 1) / NS_PER_MS);
}

/*
 * RetryServerDelayMs
 *		The delay the server asks for, or -1 (see retry_policy.h).
 *
 * A header that is present but malformed counts as absent, so a broken
 * Retry-After still lets the rate-limit reset headers speak.
 */
long
RetryServerDelayMs(const char *retry_after_ms, const char *retry_after,
				   const char *ratelimit_reset_requests,
				   const char *ratelimit_reset_tokens, time_t now)
{
	long		ms;
	long		requests;
	long		tokens;

	if ((ms = parse_delta_ms(retry_after_ms, 1)) >= 0)
		return ms;
	if ((ms = parse_delta_ms(retry_after, 1000)) >= 0)
		return ms;
	if ((ms = date_delay_ms(retry_after, now)) >= 0)
		return ms;
	requests = RetryParseGoDurationMs(ratelimit_reset_requests);
	tokens = RetryParseGoDurationMs(ratelimit_reset_tokens);
	return requests > tokens ? requests : tokens;
}

/*
 * RetryBackoffMs
 *		Exponential backoff with equal jitter, at least server_ms, at most
 *		cap_ms (formula in retry_policy.h).
 */
long
RetryBackoffMs(int attempt, double random01, long base_ms, long cap_ms,
			   long server_ms)
{
	long		window = base_ms > 0 ? base_ms : 0;
	double		jittered;
	long		delay;
	int			i;

	if (cap_ms < 0)
		cap_ms = 0;
	if (!(random01 >= 0))		/* also catches NaN */
		random01 = 0;
	else if (random01 > 1)
		random01 = 1;
	/* double until the cap, never past it: no attempt number overflows */
	for (i = 0; i < attempt && window > 0 && window < cap_ms; i++)
		window = window > cap_ms / 2 ? cap_ms : window * 2;
	if (window > cap_ms)
		window = cap_ms;
	jittered = (double) window / 2 + random01 * (double) window / 2;
	/* (double) window may round up past LONG_MAX; never convert that back */
	delay = jittered >= (double) window ? window : (long) jittered;
	if (delay < server_ms)
		delay = server_ms;
	return delay < cap_ms ? delay : cap_ms;
}

/*
 * RetryBodyDelayMs
 *		Google's RetryInfo in an error body: "retryDelay": "22s" (a protobuf
 *		duration), or -1.
 */
long
RetryBodyDelayMs(const char *body, size_t len)
{
	static const char key[] = "\"retryDelay\"";
	char		value[32];
	size_t		i;
	size_t		n = 0;

	if (body == NULL)
		return -1;
	for (i = 0; i + sizeof(key) - 1 <= len; i++)
		if (memcmp(body + i, key, sizeof(key) - 1) == 0)
			break;
	if (i + sizeof(key) - 1 > len)
		return -1;
	for (i += sizeof(key) - 1; i < len && (body[i] == ' ' || body[i] == ':'); i++)
		;
	if (i >= len || body[i] != '"')
		return -1;
	for (i++; i < len && body[i] != '"' && n < sizeof(value) - 1; i++)
		value[n++] = body[i];
	if (i >= len || body[i] != '"')
		return -1;
	value[n] = '\0';
	return RetryParseGoDurationMs(value);
}
