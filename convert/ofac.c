/*
 * What the two OFAC readers (ofac_csv.c, ofac_xml.c) share, so that an entry
 * reads the same from either: the notes' text, "label: value" parts joined
 * by " | ", and individuals' names in natural order.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void dsr_ofac_append(struct dsr_ofac_text *t, const char *s, size_t n) {
    if (t->failed)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *p = realloc(t->s, cap);
        if (!p) {
            t->failed = 1;
            return;
        }
        t->s = p;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

void dsr_ofac_note(struct dsr_ofac_text *t, const char *label, const char *value,
                   size_t n) {
    if (t->len)
        dsr_ofac_append(t, " | ", 3);
    dsr_ofac_append(t, label, strlen(label));
    dsr_ofac_append(t, ": ", 2);
    dsr_ofac_append(t, value, n);
}

char *dsr_ofac_natural_name(const char *name) {
    const char *comma = strchr(name, ',');
    if (!comma || strchr(comma + 1, ','))
        return strdup(name);
    const char *given = comma + 1;
    while (*given == ' ')
        given++;
    size_t surname = (size_t)(comma - name);
    while (surname > 0 && name[surname - 1] == ' ')
        surname--;
    if (!*given || !surname)
        return strdup(name);
    size_t n = strlen(given) + 1 + surname + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s %.*s", given, (int)surname, name);
    return s;
}
