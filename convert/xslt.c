/*
 * --xslt: any other XML dialect mapped into dossier's model with a stylesheet
 * (libxslt). The stylesheet is the user's and may include files beside it;
 * the input is not trusted: it is parsed without network, DTD or entity
 * expansion (a DOCTYPE is refused, as in xml_read.c), and the transformation
 * may read, write or fetch nothing. The result, a dataset document, is read
 * by xml_read.c, so the XSD and the model check it like any XML input;
 * positions then refer to the transformed document.
 */
#include <string.h>

#include <libxml/parser.h>
#include <libxslt/security.h>
#include <libxslt/transform.h>
#include <libxslt/xsltutils.h>

#include "internal.h"

struct dsr_xslt {
    xsltStylesheetPtr style;   /* compiled once per run */
    xsltSecurityPrefsPtr deny; /* everything outside the documents forbidden */
};

/*
 * libxml2 and libxslt report through here, into one line. The handler is set
 * around each call and reset after: dossier runs one thread.
 */
struct collected {
    char message[DSR_MSG_MAX];
};

static void collect_error(void *ctx, const char *fmt, ...) {
    struct collected *c = ctx;
    size_t used = strlen(c->message);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message + used, sizeof(c->message) - used, fmt, ap);
    va_end(ap);
    /* Messages come in pieces ended by newlines: keep them on one line. */
    for (char *p = c->message + used; *p; p++)
        if (*p == '\n')
            *p = ' ';
}

/* The message gathered, without trailing spaces, or fallback. */
static const char *gathered(struct collected *c, const char *fallback) {
    size_t n = strlen(c->message);
    while (n > 0 && c->message[n - 1] == ' ')
        c->message[--n] = '\0';
    return n ? c->message : fallback;
}

/*
 * libxml2's and libxslt's generic error handlers are process-wide: ours is set
 * for one call and the caller's put back after it.
 */
struct handlers {
    xmlGenericErrorFunc xml, xslt;
    void *xml_ctx, *xslt_ctx;
};

static void handlers_set(struct handlers *saved, struct collected *c) {
    *saved = (struct handlers){xmlGenericError, xsltGenericError, xmlGenericErrorContext,
                               xsltGenericErrorContext};
    xmlSetGenericErrorFunc(c, collect_error);
    xsltSetGenericErrorFunc(c, collect_error);
}

static void handlers_restore(const struct handlers *saved) {
    xmlSetGenericErrorFunc(saved->xml_ctx, saved->xml);
    xsltSetGenericErrorFunc(saved->xslt_ctx, saved->xslt);
}

struct dsr_xslt *dsr_xslt_new(const char *path, struct dsr_diags *diags) {
    struct collected c = {""};
    struct handlers saved;
    struct dsr_xslt *x = calloc(1, sizeof(*x));
    if (!x)
        return NULL;
    handlers_set(&saved, &c);
    xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOCDATA);
    x->style = doc ? xsltParseStylesheetDoc(doc) : NULL;
    if (!x->style)
        xmlFreeDoc(doc);
    x->deny = xsltNewSecurityPrefs();
    if (x->deny)
        for (int p = XSLT_SECPREF_READ_FILE; p <= XSLT_SECPREF_WRITE_NETWORK; p++)
            xsltSetSecurityPrefs(x->deny, (xsltSecurityOption)p, xsltSecurityForbid);
    handlers_restore(&saved);
    if (!x->style || !x->deny) {
        dsr_diag_add(diags, DSR_DIAG_BAD_SCHEMA, path, 0, 0, NULL,
                     "cannot use this stylesheet: %s",
                     gathered(&c, "not an XSLT stylesheet"));
        dsr_xslt_free(x);
        return NULL;
    }
    return x;
}

void dsr_xslt_free(struct dsr_xslt *x) {
    if (!x)
        return;
    if (x->style)
        xsltFreeStylesheet(x->style);
    if (x->deny)
        xsltFreeSecurityPrefs(x->deny);
    free(x);
}

/* Reads all of in into memory: a transformation needs the whole tree. */
static char *slurp(FILE *fp, size_t *len) {
    size_t cap = 65536, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap) {
            char *more = realloc(buf, cap *= 2);
            if (!more) {
                free(buf);
                return NULL;
            }
            buf = more;
        }
    }
    *len = n;
    return buf;
}

int dsr_xslt_read(const struct dsr_xslt *x, const struct dsr_input *in,
                  dsr_record_fn emit, void *ctx, struct dsr_diags *diags) {
    struct collected c = {""};
    size_t len = 0;
    xmlChar *out = NULL;
    int out_len = 0, rc = -1;
    xmlDocPtr doc = NULL, result = NULL;
    xsltTransformContextPtr tctx = NULL;
    struct handlers saved;
    int restored = 1; /* 0 while our handlers are set */
    char *text = slurp(in->fp, &len);
    if (!text || ferror(in->fp)) {
        dsr_diag_add(diags, DSR_DIAG_IO, in->name, 0, 0, NULL, "cannot read: read error");
        goto out;
    }
    handlers_set(&saved, &c);
    restored = 0;
    doc = xmlReadMemory(text, (int)len, in->name, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOCDATA);
    if (!doc) {
        /* The first error says where; the rest follow from it. */
        xmlErrorPtr e = xmlGetLastError();
        struct collected first = {""};
        if (e && e->message)
            snprintf(first.message, sizeof(first.message), "%s", e->message);
        for (char *nl; (nl = strchr(first.message, '\n'));)
            *nl = ' ';
        dsr_diag_add(diags, DSR_DIAG_SYNTAX, in->name, e ? e->line : 0, e ? e->int2 : 0,
                     NULL, "not well-formed XML: %s", gathered(&first, "cannot parse"));
        goto out;
    }
    if (doc->intSubset) {
        dsr_diag_add(diags, DSR_DIAG_REFUSED, in->name, 0, 0, NULL,
                     "DOCTYPE refused: dossier reads no DTD and expands no entity");
        goto out;
    }
    tctx = xsltNewTransformContext(x->style, doc);
    if (!tctx || xsltSetCtxtSecurityPrefs(x->deny, tctx) != 0)
        goto oom;
    result = xsltApplyStylesheetUser(x->style, doc, NULL, NULL, NULL, tctx);
    if (!result || tctx->state != XSLT_STATE_OK) {
        dsr_diag_add(diags, DSR_DIAG_REFUSED, in->name, 0, 0, NULL,
                     "the stylesheet failed on this input: %s",
                     gathered(&c, "no result"));
        goto out;
    }
    if (xsltSaveResultToString(&out, &out_len, result, x->style) != 0 || !out)
        goto oom;
    FILE *fp = fmemopen(out, (size_t)out_len, "rb");
    if (!fp)
        goto oom;
    struct dsr_input mapped = {in->name, fp, DSR_FORMAT_XML, -1, 0, NULL};
    handlers_restore(&saved);
    restored = 1;
    rc = dsr_xml_read(&mapped, emit, ctx, diags);
    fclose(fp);
    goto out;
oom:
    dsr_diag_add(diags, DSR_DIAG_REFUSED, in->name, 0, 0, NULL, "out of memory");
out:
    if (!restored)
        handlers_restore(&saved);
    xmlFree(out);
    if (result)
        xmlFreeDoc(result);
    if (tctx)
        xsltFreeTransformContext(tctx);
    if (doc)
        xmlFreeDoc(doc);
    free(text);
    return rc;
}
