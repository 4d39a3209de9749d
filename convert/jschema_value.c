/*
 * JSON Schema's view of values: numbers compare by value whatever their form
 * (1 equals 1.0), and multipleOf is decided on decimals, not on binary
 * fractions, so 0.3 is a multiple of 0.1 as a person expects.
 *
 * jansson holds integers as long long and other numbers as double; integers
 * beyond 64 bits are bignums (jschema_bignum.c), compared and divided on
 * their decimal digits: a few hundred at most, as jansson refuses a number
 * that does not fit a double.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jschema.h"

__extension__ typedef unsigned __int128 u128;

/* A number as sign, decimal digits (no leading zeros; "0" for zero) and exponent. */
struct dec {
    int neg;
    char digits[400];
    int exp;
};

/* Drops the digits' trailing zeros into the exponent: one form per value. */
static void canonical(struct dec *d) {
    size_t n = strlen(d->digits);
    while (n > 1 && d->digits[n - 1] == '0') {
        d->digits[--n] = '\0';
        d->exp++;
    }
    if (!strcmp(d->digits, "0"))
        d->neg = 0, d->exp = 0;
}

/*
 * Fills d from a number; -1 when it is not one (or not finite). A real is the
 * decimal meant (its shortest form), or with exact = 1 the value the double
 * holds, once past 2^53: what comparing with a bignum needs.
 */
static int to_dec(const json_t *v, struct dec *d, int exact) {
    const char *big = dsr_jschema_bignum(v);
    char buf[64];
    d->exp = 0;
    if (big) {
        d->neg = big[0] == '-';
        snprintf(d->digits, sizeof d->digits, "%s", big + d->neg);
    } else if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        d->neg = i < 0;
        snprintf(d->digits, sizeof d->digits, "%llu",
                 i < 0 ? 0ULL - (unsigned long long)i : (unsigned long long)i);
    } else {
        double x = json_real_value(v);
        if (!json_is_real(v) || !isfinite(x))
            return -1;
        if (exact && fabs(x) >= 0x1p53) {
            /* an integer: printed exactly, every digit */
            snprintf(d->digits, sizeof d->digits, "%.0f", fabs(x));
            d->neg = x < 0;
            canonical(d);
            return 0;
        }
        /* the shortest form that reads back as the same double is the decimal meant */
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(buf, sizeof buf, "%.*e", prec - 1, x);
            if (strtod(buf, NULL) == x)
                break;
        }
        d->neg = buf[0] == '-';
        char *p = buf + d->neg, *e = strchr(p, 'e');
        size_t n = 0;
        int frac = 0, point = 0;
        for (; p < e; p++) {
            if (*p == '.') {
                point = 1;
                continue;
            }
            d->digits[n++] = *p;
            frac += point;
        }
        d->digits[n] = '\0';
        d->exp = atoi(e + 1) - frac;
    }
    canonical(d);
    return 0;
}

/* Compares the magnitudes of two canonical decimals. */
static int mag_cmp(const struct dec *a, const struct dec *b) {
    int za = !strcmp(a->digits, "0"), zb = !strcmp(b->digits, "0");
    if (za || zb)
        return zb - za;
    /* the position of the leading digit decides first */
    long ta = (long)strlen(a->digits) + a->exp, tb = (long)strlen(b->digits) + b->exp;
    if (ta != tb)
        return ta < tb ? -1 : 1;
    const char *x = a->digits, *y = b->digits;
    for (; *x && *y; x++, y++)
        if (*x != *y)
            return *x < *y ? -1 : 1;
    return (*x != '\0') - (*y != '\0');
}

/* dsr_jschema_num_cmp on decimal text, for bignums. */
static int big_cmp(const json_t *a, const json_t *b) {
    struct dec x, y;
    if (to_dec(a, &x, 1) || to_dec(b, &y, 1))
        return 0;
    int sx = !strcmp(x.digits, "0") ? 0 : x.neg ? -1 : 1;
    int sy = !strcmp(y.digits, "0") ? 0 : y.neg ? -1 : 1;
    if (sx != sy)
        return sx < sy ? -1 : 1;
    int m = mag_cmp(&x, &y);
    return sx < 0 ? -m : m;
}

/* Compares two digit strings without leading zeros as integers. */
static int int_cmp(const char *a, size_t na, const char *b, size_t nb) {
    if (na != nb)
        return na < nb ? -1 : 1;
    return memcmp(a, b, na);
}

/* 1 when the integer a (digits) is a multiple of the integer m (digits, not zero). */
static int digits_divisible(const char *a, size_t na, const char *m, size_t nm) {
    char *r = malloc(nm + 2);
    size_t nr = 0;
    if (!r)
        return 0;
    /* long division keeping the remainder only: r = r * 10 + digit, minus m while >= m */
    for (size_t i = 0; i < na; i++) {
        if (nr || a[i] != '0')
            r[nr++] = a[i];
        while (int_cmp(r, nr, m, nm) >= 0) {
            int borrow = 0;
            for (size_t k = 0; k < nr; k++) {
                int di = (int)(r[nr - 1 - k] - '0') - borrow -
                         (k < nm ? (int)(m[nm - 1 - k] - '0') : 0);
                borrow = di < 0;
                r[nr - 1 - k] = (char)('0' + di + 10 * borrow);
            }
            size_t lead = 0;
            while (lead < nr && r[lead] == '0')
                lead++;
            memmove(r, r + lead, nr - lead);
            nr -= lead;
        }
    }
    free(r);
    return nr == 0;
}

/* dsr_jschema_multiple_of on decimal text, for bignums. */
static int big_multiple_of(const json_t *a, const json_t *m) {
    struct dec x, y;
    if (to_dec(a, &x, 0) || to_dec(m, &y, 0) || !strcmp(y.digits, "0"))
        return 0;
    if (!strcmp(x.digits, "0"))
        return 1;
    /* x.digits * 10^(x.exp - e) against y.digits * 10^(y.exp - e), e the smaller exponent
     */
    int e = x.exp < y.exp ? x.exp : y.exp;
    size_t zx = (size_t)(x.exp - e), zy = (size_t)(y.exp - e);
    size_t nx = strlen(x.digits), ny = strlen(y.digits);
    char *a_text = malloc(nx + zx + 1), *m_text = malloc(ny + zy + 1);
    int ok = 0;
    if (a_text && m_text) {
        memcpy(a_text, x.digits, nx);
        memset(a_text + nx, '0', zx);
        memcpy(m_text, y.digits, ny);
        memset(m_text + ny, '0', zy);
        ok = digits_divisible(a_text, nx + zx, m_text, ny + zy);
    }
    free(a_text);
    free(m_text);
    return ok;
}

static long double num_value(const json_t *n) {
    return json_is_integer(n) ? (long double)json_integer_value(n)
                              : (long double)json_real_value(n);
}

int dsr_jschema_num_cmp(const json_t *a, const json_t *b) {
    if (dsr_jschema_bignum(a) || dsr_jschema_bignum(b))
        return big_cmp(a, b);
    if (json_is_integer(a) && json_is_integer(b)) {
        json_int_t x = json_integer_value(a), y = json_integer_value(b);
        return (x > y) - (x < y);
    }
    /* long double holds every long long and every double exactly on x86-64 */
    long double x = num_value(a), y = num_value(b);
    return (x > y) - (x < y);
}

int dsr_jschema_is_integral(const json_t *n) {
    if (json_is_integer(n) || dsr_jschema_bignum(n))
        return 1;
    double d = json_real_value(n);
    return json_is_real(n) && isfinite(d) && d == floor(d);
}

/* A number (not a bignum) as digits * 10^exp, digits below 10^19; -1 if not finite. */
static int to_decimal(const json_t *n, uint64_t *digits, int *exp, int *neg) {
    struct dec d;
    if (json_is_integer(n)) {
        json_int_t v = json_integer_value(n);
        *neg = v < 0;
        *digits = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        *exp = 0;
        return 0;
    }
    if (to_dec(n, &d, 0))
        return -1;
    *digits = strtoull(d.digits, NULL, 10);
    *exp = d.exp;
    *neg = d.neg;
    return 0;
}

static uint64_t pow10_mod(int e, uint64_t m) {
    u128 r = 1 % m, b = 10 % m;
    for (; e > 0; e >>= 1) {
        if (e & 1)
            r = r * b % m;
        b = b * b % m;
    }
    return (uint64_t)r;
}

int dsr_jschema_multiple_of(const json_t *a, const json_t *m) {
    uint64_t x, y;
    int ex, ey, neg;
    if (dsr_jschema_bignum(a) || dsr_jschema_bignum(m))
        return big_multiple_of(a, m);
    if (to_decimal(a, &x, &ex, &neg) || to_decimal(m, &y, &ey, &neg) || y == 0)
        return 0;
    if (x == 0)
        return 1;
    if (ex >= ey) {
        /* x * 10^(ex-ey) mod y */
        u128 r = (u128)(x % y) * pow10_mod(ex - ey, y) % y;
        return r == 0;
    }
    /* x mod (y * 10^(ey-ex)): a divisor above x leaves x itself */
    u128 d = y;
    for (int i = 0; i < ey - ex; i++) {
        d *= 10;
        if (d > x)
            return 0;
    }
    return x % (uint64_t)d == 0;
}

int dsr_jschema_equal(const json_t *a, const json_t *b) {
    int na = dsr_jschema_is_number(a), nb = dsr_jschema_is_number(b);
    if (na || nb)
        return na && nb && dsr_jschema_num_cmp(a, b) == 0;
    if (json_typeof(a) != json_typeof(b))
        return 0;
    switch (json_typeof(a)) {
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               !memcmp(json_string_value(a), json_string_value(b), json_string_length(a));
    case JSON_ARRAY:
        if (json_array_size(a) != json_array_size(b))
            return 0;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!dsr_jschema_equal(json_array_get(a, i), json_array_get(b, i)))
                return 0;
        return 1;
    case JSON_OBJECT: {
        if (json_object_size(a) != json_object_size(b))
            return 0;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)a, k, v) {
            const json_t *w = json_object_get(b, k);
            if (!w || !dsr_jschema_equal(v, w))
                return 0;
        }
        return 1;
    }
    default: return 1; /* true, false, null: same type is same value */
    }
}

/* Appends piece (len bytes) to buf (size n) at *o when it fits whole; 1 when it did. */
static int put_whole(char *buf, size_t n, size_t *o, const char *piece, size_t len) {
    if (*o + len >= n)
        return 0;
    memcpy(buf + *o, piece, len);
    *o += len;
    buf[*o] = '\0';
    return 1;
}

void dsr_jschema_quote(const char *s, size_t len, const char *quote, size_t max,
                       char *buf, size_t n) {
    size_t o = 0, q = strlen(quote), chars = 0, i = 0;
    if (n == 0)
        return;
    buf[0] = '\0';
    put_whole(buf, n, &o, quote, q);
    /* room kept for "..." and the closing quote */
    while (i < len && chars < max) {
        size_t step = 1;
        while (i + step < len && ((unsigned char)s[i + step] & 0xC0) == 0x80)
            step++;
        const char *piece = s[i] ? s + i : "\\u0000";
        size_t plen = s[i] ? step : 6;
        if (o + plen + 3 + q >= n || !put_whole(buf, n, &o, piece, plen))
            break;
        i += step;
        chars++;
    }
    if (i < len)
        put_whole(buf, n, &o, "...", 3);
    put_whole(buf, n, &o, quote, q);
}

void dsr_jschema_describe(const json_t *v, char *buf, size_t n) {
    const char *big = dsr_jschema_bignum(v);
    if (big) {
        dsr_jschema_quote(big, strlen(big), "", 60, buf, n);
        return;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT: snprintf(buf, n, "an object"); break;
    case JSON_ARRAY: snprintf(buf, n, "an array of %zu items", json_array_size(v)); break;
    case JSON_STRING:
        dsr_jschema_quote(json_string_value(v), json_string_length(v), "\"", 60, buf, n);
        break;
    case JSON_INTEGER: snprintf(buf, n, "%lld", (long long)json_integer_value(v)); break;
    case JSON_REAL:
        snprintf(buf, n, "%.17g", json_real_value(v));
        for (int p = 1; p <= 17; p++) {
            snprintf(buf, n, "%.*g", p, json_real_value(v));
            if (strtod(buf, NULL) == json_real_value(v))
                break;
        }
        break;
    case JSON_TRUE: snprintf(buf, n, "true"); break;
    case JSON_FALSE: snprintf(buf, n, "false"); break;
    default: snprintf(buf, n, "null");
    }
}
