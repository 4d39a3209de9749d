/*
 * EDTF (ISO 8601-2) level-1 dates, the subset the record model needs:
 * 2012-02-16, 2008-06, 1996, seasons 2001-21..24, unspecified digits 199X,
 * the qualifiers ? ~ %, and intervals 1991/1992 with an open (..) or unknown
 * (empty) end. There is one spelling of each date, so a valid date is already
 * canonical; parsing checks it (month and day ranges, leap years, intervals
 * that do not run backwards).
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

struct edtf_date {
    int year, month, day; /* -1 = not given; parts with X are -2 */
};

/* Reads n digits, or (with allow_x) unspecified digits: X only from the right. */
static int digits(const char *s, int n, int allow_x, int *value) {
    int v = 0, x = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9' && !x)
            v = v * 10 + (s[i] - '0');
        else if (allow_x && s[i] == 'X')
            x++;
        else
            return -1;
    }
    if (x > allow_x)
        return -1;
    *value = x ? -2 : v;
    return 0;
}

static int days_in(int year, int month) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && year >= 0 &&
        (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
        return 29;
    return days[month - 1];
}

/* Parses one date of len bytes; on failure writes why into err. */
static int parse_date(const char *s, size_t len, struct edtf_date *d, char *err,
                      size_t n) {
    d->year = d->month = d->day = -1;
    if (len > 0 && (s[len - 1] == '?' || s[len - 1] == '~' || s[len - 1] == '%'))
        len--;
    if (len != 4 && len != 7 && len != 10) {
        snprintf(err, n, "expected YYYY, YYYY-MM or YYYY-MM-DD");
        return -1;
    }
    /* Level 1 leaves at most the last two digits of a year unspecified. */
    if (digits(s, 4, 2, &d->year) < 0 || (len > 4 && s[4] != '-') ||
        (len > 7 && s[7] != '-')) {
        snprintf(err, n, "expected YYYY, YYYY-MM or YYYY-MM-DD");
        return -1;
    }
    if (len >= 7 &&
        (digits(s + 5, 2, 2, &d->month) < 0 || (d->month == -2 && s[5] != 'X'))) {
        snprintf(err, n, "month is not two digits or XX");
        return -1;
    }
    if (len == 10 && (digits(s + 8, 2, 2, &d->day) < 0 || (d->day == -2 && s[8] != 'X') ||
                      (d->month == -2 && d->day != -2))) {
        snprintf(err, n, "day is not two digits or XX");
        return -1;
    }
    int season = d->month >= 21 && d->month <= 24;
    if (d->month == 0 || (d->month > 12 && !season) || (season && len == 10)) {
        snprintf(err, n, "month %.2s out of range", s + 5);
        return -1;
    }
    if (d->day == 0 || d->day > 31 ||
        (d->day > 0 && d->month > 0 && !season && d->day > days_in(d->year, d->month))) {
        snprintf(err, n, "day %.2s out of range for the month", s + 8);
        return -1;
    }
    return 0;
}

/* Compares the known leading parts; 0 when they cannot be ordered. */
static int date_cmp(const struct edtf_date *a, const struct edtf_date *b) {
    const int pa[] = {a->year, a->month, a->day}, pb[] = {b->year, b->month, b->day};
    for (int i = 0; i < 3; i++) {
        if (pa[i] < 0 || pb[i] < 0 ||
            (i == 1 && (pa[i] > 12 || pb[i] > 12))) /* X, season */
            return 0;
        if (pa[i] != pb[i])
            return pa[i] < pb[i] ? -1 : 1;
    }
    return 0;
}

int dsr_edtf_normalize(const char *s, char *out, size_t n) {
    size_t len = strlen(s);
    const char *slash = strchr(s, '/');
    if (!slash) {
        struct edtf_date d;
        if (parse_date(s, len, &d, out, n) < 0)
            return -1;
    } else {
        const char *end = slash + 1;
        size_t a_len = (size_t)(slash - s), b_len = strlen(end);
        int a_open = a_len == 0 || (a_len == 2 && !strncmp(s, "..", 2));
        int b_open = b_len == 0 || (b_len == 2 && !strcmp(end, ".."));
        struct edtf_date a, b;
        if (strchr(end, '/')) {
            snprintf(out, n, "more than one \"/\"");
            return -1;
        }
        if (a_open && b_open) {
            snprintf(out, n, "an interval needs at least one known end");
            return -1;
        }
        if (!a_open && parse_date(s, a_len, &a, out, n) < 0)
            return -1;
        if (!b_open && parse_date(end, b_len, &b, out, n) < 0)
            return -1;
        if (!a_open && !b_open && date_cmp(&a, &b) > 0) {
            snprintf(out, n, "the interval ends before it starts");
            return -1;
        }
    }
    if (len + 1 > n) {
        snprintf(out, n, "too long");
        return -1;
    }
    memcpy(out, s, len + 1);
    return 0;
}
