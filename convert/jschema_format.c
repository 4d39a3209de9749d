/*
 * "format" assertions (--format-assert): dates and times (RFC 3339 with its
 * appendix A durations), e-mail addresses (RFC 5321/6531), host names
 * (RFC 1123, 5890), IP addresses, URIs and IRIs (RFC 3986/3987), URI
 * templates (RFC 6570), JSON Pointers (RFC 6901 and the relative draft),
 * UUIDs (RFC 4122) and ECMA-262 regular expressions. Unknown formats pass:
 * the specification makes them annotations only. Checks are on the bytes
 * (all ASCII grammars) except where internationalised forms allow UTF-8.
 */
#include <string.h>

#include "jschema.h"

static int is_digit(int c) {
    return c >= '0' && c <= '9';
}

static int is_alpha(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_hex(int c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* n digits at s as a number, or -1. */
static int digits(const char *s, int n) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        v = v * 10 + s[i] - '0';
    }
    return v;
}

static int days_in(int y, int m) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* RFC 3339 full-date: YYYY-MM-DD. */
static int check_date(const char *s, size_t len) {
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    return y >= 0 && m >= 1 && m <= 12 && d >= 1 && d <= days_in(y, m);
}

/* RFC 3339 full-time: HH:MM:SS[.frac](Z|+HH:MM|-HH:MM); a leap second only at 23:59 UTC.
 */
static int check_time(const char *s, size_t len) {
    if (len < 9 || s[2] != ':' || s[5] != ':')
        return 0;
    int h = digits(s, 2), mi = digits(s + 3, 2), sec = digits(s + 6, 2);
    size_t i = 8;
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
        return 0;
    if (i < len && s[i] == '.') {
        size_t start = ++i;
        while (i < len && is_digit(s[i]))
            i++;
        if (i == start)
            return 0;
    }
    int off = 0;
    if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < len && (s[i] == '+' || s[i] == '-') && len - i == 6 &&
               s[i + 3] == ':') {
        int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            return 0;
        off = (s[i] == '+' ? 1 : -1) * (oh * 60 + om);
        i += 6;
    } else {
        return 0;
    }
    if (i != len)
        return 0;
    if (sec == 60) {
        int utc = ((h * 60 + mi - off) % 1440 + 1440) % 1440;
        return utc == 23 * 60 + 59;
    }
    return 1;
}

static int check_date_time(const char *s, size_t len) {
    return len > 11 && (s[10] == 'T' || s[10] == 't') && check_date(s, 10) &&
           check_time(s + 11, len - 11);
}

/* Units of one part of a duration: each "digits unit", the units consecutive in order. */
static int duration_units(const char *s, size_t len, size_t *i, const char *order) {
    int count = 0;
    const char *last = NULL;
    while (*i < len && s[*i] != 'T') {
        size_t start = *i;
        while (*i < len && is_digit(s[*i]))
            (*i)++;
        const char *u = *i < len && s[*i] ? strchr(order, s[*i]) : NULL;
        if (*i == start || !u || (last && u != last + 1))
            return -1;
        last = u;
        count++;
        (*i)++;
    }
    return count;
}

/* RFC 3339 appendix A: P(nW | Y[M[D]] etc. [T H[M[S]] etc.]). */
static int check_duration(const char *s, size_t len) {
    size_t i = 1;
    if (len < 3 || s[0] != 'P')
        return 0;
    if (s[len - 1] == 'W') {
        for (i = 1; i < len - 1; i++)
            if (!is_digit(s[i]))
                return 0;
        return 1;
    }
    int date = duration_units(s, len, &i, "YMD"), time = 0;
    if (date < 0)
        return 0;
    if (i < len) { /* at "T" */
        i++;
        if ((time = duration_units(s, len, &i, "HMS")) <= 0)
            return 0;
    }
    return i == len && date + time > 0;
}

static int check_uuid(const char *s, size_t len) {
    if (len != 36)
        return 0;
    for (size_t i = 0; i < len; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !is_hex(s[i]))
            return 0;
    }
    return 1;
}

static int check_ipv4(const char *s, size_t len) {
    int parts = 0;
    size_t i = 0;
    while (parts < 4) {
        size_t start = i;
        int v = 0;
        while (i < len && is_digit(s[i]) && i - start < 3)
            v = v * 10 + s[i++] - '0';
        if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
            return 0;
        parts++;
        if (parts < 4 && (i >= len || s[i++] != '.'))
            return 0;
    }
    return i == len;
}

static int check_ipv6(const char *s, size_t len) {
    int groups = 0, gap = 0;
    size_t i = 0;
    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 1;
        i = 2;
    } else if (len && s[0] == ':') {
        return 0;
    }
    while (i < len) {
        size_t start = i;
        while (i < len && is_hex(s[i]) && i - start < 5)
            i++;
        if (i < len && s[i] == '.') {
            /* a trailing IPv4 counts as two groups */
            if (!check_ipv4(s + start, len - start))
                return 0;
            groups += 2;
            i = len;
            break;
        }
        if (i == start || i - start > 4)
            return 0;
        groups++;
        if (i == len)
            break;
        if (s[i] != ':')
            return 0;
        i++;
        if (i < len && s[i] == ':') {
            if (gap)
                return 0;
            gap = 1;
            i++;
        } else if (i == len) {
            return 0;
        }
    }
    return gap ? groups < 8 : groups == 8;
}

static int is_atext(int c, int utf8) {
    return is_alpha(c) || is_digit(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c)) ||
           (utf8 && (unsigned char)c >= 0x80);
}

/* RFC 5321 mailbox: dot-atom or quoted local part, @, host name or address literal. */
static int check_email(const char *s, size_t len, int utf8) {
    const char *at = NULL;
    size_t i = 0;
    if (len && s[0] == '"') {
        for (i = 1; i < len && s[i] != '"'; i++)
            if (s[i] == '\\')
                i++;
        if (i >= len)
            return 0;
        i++;
    } else {
        for (; i < len && s[i] != '@'; i++) {
            if (s[i] == '.' ? i == 0 || s[i - 1] == '.' || i + 1 >= len || s[i + 1] == '@'
                            : !is_atext(s[i], utf8))
                return 0;
        }
    }
    if (i == 0 || i >= len || s[i] != '@')
        return 0;
    at = s + i + 1;
    size_t dlen = len - i - 1;
    if (dlen >= 2 && at[0] == '[' && at[dlen - 1] == ']') {
        if (dlen > 7 && !strncmp(at + 1, "IPv6:", 5))
            return check_ipv6(at + 6, dlen - 7);
        return check_ipv4(at + 1, dlen - 2);
    }
    return dsr_jschema_hostname_check(at, dlen, utf8);
}

/* Characters RFC 3986 allows unescaped in a URI component beyond unreserved ones. */
static int uri_char(unsigned char c, const char *extra, int iri) {
    if (is_alpha(c) || is_digit(c) || (c && strchr("-._~!$&'()*+,;=", c)))
        return 1;
    return (c && strchr(extra, c)) || (iri && c >= 0x80);
}

/* Scans a component of allowed characters and %XX escapes; returns its end. */
static size_t uri_part(const char *s, size_t i, size_t len, const char *stop,
                       const char *extra, int iri) {
    while (i < len && !strchr(stop, s[i])) {
        if (s[i] == '%') {
            if (i + 2 >= len || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
                return (size_t)-1;
            i += 3;
        } else if (uri_char((unsigned char)s[i], extra, iri)) {
            i++;
        } else {
            return (size_t)-1;
        }
    }
    return i;
}

/* RFC 3986 IPvFuture: "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ). */
static int check_ipvfuture(const char *s, size_t len) {
    size_t i = 1;
    if (len < 4 || (s[0] != 'v' && s[0] != 'V'))
        return 0;
    while (i < len && is_hex(s[i]))
        i++;
    if (i == 1 || i + 1 >= len || s[i] != '.')
        return 0;
    for (i++; i < len; i++)
        if (!uri_char((unsigned char)s[i], ":", 0))
            return 0;
    return 1;
}

static int check_authority(const char *s, size_t len, int iri) {
    const char *at = memchr(s, '@', len);
    size_t i = 0;
    if (at) {
        if (uri_part(s, 0, (size_t)(at - s), "", ":", iri) != (size_t)(at - s))
            return 0;
        i = (size_t)(at - s) + 1;
    }
    if (i < len && s[i] == '[') {
        const char *close = memchr(s + i, ']', len - i);
        if (!close || !(check_ipv6(s + i + 1, (size_t)(close - s) - i - 1) ||
                        check_ipvfuture(s + i + 1, (size_t)(close - s) - i - 1)))
            return 0;
        i = (size_t)(close - s) + 1;
    } else {
        i = uri_part(s, i, len, ":", "", iri);
        if (i == (size_t)-1)
            return 0;
    }
    if (i < len && s[i] == ':')
        for (i++; i < len; i++)
            if (!is_digit(s[i]))
                return 0;
    return i == len;
}

/* RFC 3986 URI or relative reference (need_scheme 0); iri lets UTF-8 through (RFC 3987).
 */
static int check_uri(const char *s, size_t len, int need_scheme, int iri) {
    size_t i = 0, colon = strcspn(s, ":/?#");
    if (colon < len && s[colon] == ':' && colon > 0 && is_alpha(s[0])) {
        for (i = 1; i < colon; i++)
            if (!is_alpha(s[i]) && !is_digit(s[i]) && !strchr("+-.", s[i]))
                return 0;
        i = colon + 1;
    } else if (need_scheme) {
        return 0;
    }
    if (len - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
        size_t end = i + 2 + strcspn(s + i + 2, "/?#");
        if (end > len)
            end = len;
        if (!check_authority(s + i + 2, end - i - 2, iri))
            return 0;
        i = end;
    } else if (!i && memchr(s, ':', strcspn(s, "/?#") < len ? strcspn(s, "/?#") : len)) {
        return 0; /* a relative path's first segment cannot hold ":" */
    }
    if ((i = uri_part(s, i, len, "?#", ":@/", iri)) == (size_t)-1)
        return 0;
    if (i < len && s[i] == '?' &&
        (i = uri_part(s, i + 1, len, "#", ":@/?", iri)) == (size_t)-1)
        return 0;
    if (i < len && s[i] == '#' &&
        (i = uri_part(s, i + 1, len, "", ":@/?", iri)) == (size_t)-1)
        return 0;
    return i == len;
}

static int has_double_dot(const char *s, size_t n) {
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == '.' && s[i + 1] == '.')
            return 1;
    return 0;
}

/* RFC 6570: literals and {expressions} of variable names with modifiers. */
static int check_uri_template(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (s[i] == '}' || ch <= ' ' || ch == 0x7f || strchr("\"<>\\^`|", ch))
            return 0;
        if (s[i] == '%' && (i + 2 >= len || !is_hex(s[i + 1]) || !is_hex(s[i + 2])))
            return 0;
        if (s[i] != '{')
            continue;
        size_t end = i + 1;
        while (end < len && s[end] != '}')
            end++;
        if (end >= len || end == i + 1)
            return 0;
        size_t j = i + 1;
        if (strchr("+#./;?&=,!@|", s[j]))
            j++;
        for (size_t v = j; v <= end; v++) {
            if (v < end && s[v] != ',')
                continue;
            size_t name_end = v;
            if (name_end > j && s[name_end - 1] == '*')
                name_end--;
            const char *colon = memchr(s + j, ':', name_end - j);
            if (colon) {
                if (colon == s + name_end - 1 || s[name_end - 1] == '*')
                    return 0;
                for (const char *d = colon + 1; d < s + name_end; d++)
                    if (!is_digit(*d))
                        return 0;
                /* max-length: 1 to 9999, no leading zero */
                if (colon[1] == '0' || s + name_end - colon - 1 > 4)
                    return 0;
                name_end = (size_t)(colon - s);
            }
            if (name_end == j || s[j] == '.' || s[name_end - 1] == '.' ||
                has_double_dot(s + j, name_end - j))
                return 0;
            for (size_t c = j; c < name_end; c++)
                if (!is_alpha(s[c]) && !is_digit(s[c]) && s[c] != '_' && s[c] != '.' &&
                    s[c] != '%')
                    return 0;
            j = v + 1;
        }
        i = end;
    }
    return 1;
}

static int check_json_pointer(const char *s, size_t len) {
    if (len && s[0] != '/')
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '~' && (i + 1 >= len || (s[i + 1] != '0' && s[i + 1] != '1')))
            return 0;
    return 1;
}

static int check_relative_pointer(const char *s, size_t len) {
    size_t i = 0;
    while (i < len && is_digit(s[i]))
        i++;
    if (i == 0 || (i > 1 && s[0] == '0'))
        return 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) { /* index manipulation */
        size_t start = ++i;
        while (i < len && is_digit(s[i]))
            i++;
        if (i == start || (i - start > 1 && s[start] == '0'))
            return 0;
    }
    return (i + 1 == len && s[i] == '#') || check_json_pointer(s + i, len - i);
}

static int check_regex(const char *s, size_t len) {
    char why[128];
    /* PCRE2 syntax that ECMA-262 lacks: \a, (?P...), (?#...) and inline flag groups */
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] == '\\' && s[i + 1] == 'a')
            return 0;
        if (s[i] == '\\') {
            i++;
            continue;
        }
        if (s[i] == '(' && s[i + 1] == '?' && i + 2 < len &&
            (s[i + 2] == 'P' || s[i + 2] == '#' || is_alpha(s[i + 2])))
            return 0;
    }
    struct dsr_jschema_regex *re = dsr_jschema_regex_new(s, len, why, sizeof why);
    dsr_jschema_regex_free(re);
    return re != NULL;
}

int dsr_jschema_format_check(const char *format, const char *s, size_t len) {
    if (!strcmp(format, "date"))
        return check_date(s, len);
    if (!strcmp(format, "time"))
        return check_time(s, len);
    if (!strcmp(format, "date-time"))
        return check_date_time(s, len);
    if (!strcmp(format, "duration"))
        return check_duration(s, len);
    if (!strcmp(format, "email") || !strcmp(format, "idn-email"))
        return check_email(s, len, format[0] == 'i');
    if (!strcmp(format, "hostname") || !strcmp(format, "idn-hostname"))
        return dsr_jschema_hostname_check(s, len, format[0] == 'i');
    if (!strcmp(format, "ipv4"))
        return check_ipv4(s, len);
    if (!strcmp(format, "ipv6"))
        return check_ipv6(s, len);
    if (!strcmp(format, "uri") || !strcmp(format, "iri"))
        return check_uri(s, len, 1, format[0] == 'i');
    if (!strcmp(format, "uri-reference") || !strcmp(format, "iri-reference"))
        return check_uri(s, len, 0, format[0] == 'i');
    if (!strcmp(format, "uuid"))
        return check_uuid(s, len);
    if (!strcmp(format, "uri-template"))
        return check_uri_template(s, len);
    if (!strcmp(format, "json-pointer"))
        return check_json_pointer(s, len);
    if (!strcmp(format, "relative-json-pointer"))
        return check_relative_pointer(s, len);
    if (!strcmp(format, "regex"))
        return check_regex(s, len);
    return 1;
}
