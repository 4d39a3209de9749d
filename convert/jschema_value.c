/*
 * JSON Schema's view of values: numbers compare by value whatever their form
 * (1 equals 1.0), and multipleOf is decided on decimals, not on binary
 * fractions, so 0.3 is a multiple of 0.1 as a person expects.
 *
 * jansson holds integers as long long and other numbers as double; integers
 * beyond 64 bits are read as doubles by the CLI (JSON_DECODE_INT_AS_REAL is
 * its fallback), keeping their magnitude but not every digit.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jschema.h"

__extension__ typedef unsigned __int128 u128;

static long double num_value(const json_t *n) {
    return json_is_integer(n) ? (long double)json_integer_value(n)
                              : (long double)json_real_value(n);
}

int dsr_jschema_num_cmp(const json_t *a, const json_t *b) {
    if (json_is_integer(a) && json_is_integer(b)) {
        json_int_t x = json_integer_value(a), y = json_integer_value(b);
        return (x > y) - (x < y);
    }
    /* long double holds every long long and every double exactly on x86-64 */
    long double x = num_value(a), y = num_value(b);
    return (x > y) - (x < y);
}

int dsr_jschema_is_integral(const json_t *n) {
    if (json_is_integer(n))
        return 1;
    double d = json_real_value(n);
    return json_is_real(n) && isfinite(d) && d == floor(d);
}

/* A number as digits * 10^exp, digits below 10^19; -1 when not finite. */
static int to_decimal(const json_t *n, uint64_t *digits, int *exp, int *neg) {
    if (json_is_integer(n)) {
        json_int_t v = json_integer_value(n);
        *neg = v < 0;
        *digits = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        *exp = 0;
        return 0;
    }
    double d = json_real_value(n);
    if (!isfinite(d))
        return -1;
    char buf[40];
    /* the shortest form that reads back as the same double is the decimal meant */
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    *neg = buf[0] == '-';
    char *p = buf + *neg, *e = strchr(p, 'e');
    uint64_t v = 0;
    int frac = 0, seen_point = 0;
    for (; p < e; p++) {
        if (*p == '.') {
            seen_point = 1;
            continue;
        }
        v = v * 10 + (uint64_t)(*p - '0');
        frac += seen_point;
    }
    *digits = v;
    *exp = atoi(e + 1) - frac;
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
    if (json_is_number(a) && json_is_number(b))
        return dsr_jschema_num_cmp(a, b) == 0;
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

void dsr_jschema_describe(const json_t *v, char *buf, size_t n) {
    switch (json_typeof(v)) {
    case JSON_OBJECT: snprintf(buf, n, "an object"); break;
    case JSON_ARRAY: snprintf(buf, n, "an array of %zu items", json_array_size(v)); break;
    case JSON_STRING:
        snprintf(buf, n, "\"%.60s%s\"", json_string_value(v),
                 json_string_length(v) > 60 ? "..." : "");
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
