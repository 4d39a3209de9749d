/* EDTF dates: what the record model accepts, and why it refuses the rest. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static int failures;

static void expect(const char *date, const char *want_error) {
    char out[128];
    int rc = dsr_edtf_normalize(date, out, sizeof(out));
    int ok =
        want_error ? rc < 0 && !strcmp(out, want_error) : rc == 0 && !strcmp(out, date);
    printf("%s edtf %s\n", ok ? "ok" : "FAIL", date);
    if (!ok) {
        printf("  got %d \"%s\", expected %s\n", rc, out,
               want_error ? want_error : "valid");
        failures++;
    }
}

int main(void) {
    const char *valid[] = {
        "2012",       "2012-02-16", "2008-06",   "1993-11~",          "1993?",
        "2004%",      "1991/1992",  "2005/..",   "../2005",           "/2005",
        "2005/",      "199X",       "19XX",      "2001-21",           "2008-XX-XX",
        "2008-06-XX", "2000-02-29", "2004/2007", "2008-06/2009-01-16"};
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
        expect(valid[i], NULL);
    expect("../..", "an interval needs at least one known end");
    expect("/", "an interval needs at least one known end");
    expect("1XXX", "expected YYYY, YYYY-MM or YYYY-MM-DD");
    expect("12", "expected YYYY, YYYY-MM or YYYY-MM-DD");
    expect("2012/02/16", "more than one \"/\"");
    expect("16 February 2012", "expected YYYY, YYYY-MM or YYYY-MM-DD");
    expect("2012-13", "month 13 out of range");
    expect("2001-21-01", "month 21 out of range");
    expect("2008-1X", "month is not two digits or XX");
    expect("2008-XX-01", "day is not two digits or XX");
    expect("2012-02-30", "day 30 out of range for the month");
    expect("1900-02-29", "day 29 out of range for the month");
    expect("1992/1991", "the interval ends before it starts");
    expect("2012-02-16/2012-02-15", "the interval ends before it starts");
    return failures ? 1 : 0;
}
