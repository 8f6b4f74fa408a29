/* testcase_yaml.c: loading a YAML document from libyaml's events, with nesting bounded before it costs. */
#include "testcase_yaml.h"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* libyaml's own loader (yaml_parser_load) accepts any depth, and its scanner checks every open
 * flow level or indentation for each token: 40,000 levels take 10 s and more. A test case needs
 * six; refusing past TC_YAML_MAX_DEPTH keeps that cost to a few microseconds per token. */

typedef struct frame {
    int node;      /* the sequence or mapping being filled */
    int key;       /* a mapping's key waiting for its value; 0 when none */
} frame;

static int fail(vs_error *err, const char *path, yaml_mark_t m, const char *what)
{
    return vs_error_at(err, path, (unsigned)m.line + 1, (unsigned)m.column + 1, "%s", what);
}

/* Adds node id to the collection on top of the stack (as an item, a key or a value). */
static int attach(yaml_document_t *doc, frame *top, int id)
{
    yaml_node_t *parent = yaml_document_get_node(doc, top->node);
    if (parent->type == YAML_SEQUENCE_NODE)
        return yaml_document_append_sequence_item(doc, top->node, id);
    if (!top->key) {
        top->key = id;
        return 1;
    }
    int ok = yaml_document_append_mapping_pair(doc, top->node, top->key, id);
    top->key = 0;
    return ok;
}

static void set_marks(yaml_document_t *doc, int id, const yaml_event_t *ev)
{
    yaml_node_t *n = yaml_document_get_node(doc, id);
    n->start_mark = ev->start_mark;
    n->end_mark = ev->end_mark;
}

static int load_events(yaml_parser_t *parser, yaml_document_t *doc, const char *path, vs_error *err)
{
    frame stack[TC_YAML_MAX_DEPTH];
    size_t depth = 0;
    int have_doc = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(parser, &ev))
            return vs_error_at(err, path, (unsigned)parser->problem_mark.line + 1,
                               (unsigned)parser->problem_mark.column + 1, "%s%s%s",
                               parser->context ? parser->context : "", parser->context ? ": " : "",
                               parser->problem ? parser->problem : "malformed YAML");
        int rc = VSOLVE_OK, id = 0;
        switch (ev.type) {
        case YAML_STREAM_START_EVENT:
        case YAML_NO_EVENT:
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (have_doc)
                rc = fail(err, path, ev.start_mark, "expected one YAML document, found a second");
            else if (!yaml_document_initialize(doc, NULL, NULL, NULL, 1, 1))
                rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
            else
                have_doc = 1;
            break;
        case YAML_DOCUMENT_END_EVENT:
            break;
        case YAML_STREAM_END_EVENT:
            yaml_event_delete(&ev);
            if (!have_doc) {
                if (!yaml_document_initialize(doc, NULL, NULL, NULL, 1, 1))
                    return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
            }
            return VSOLVE_OK;
        case YAML_ALIAS_EVENT:
            rc = fail(err, path, ev.start_mark, "expected a value, found an alias (*NAME): a test case spells values out");
            break;
        case YAML_SCALAR_EVENT:
            id = yaml_document_add_scalar(doc, NULL, ev.data.scalar.value, (int)ev.data.scalar.length,
                                          ev.data.scalar.style);
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (depth == TC_YAML_MAX_DEPTH) {
                char what[96];
                snprintf(what, sizeof what, "expected at most %d nested lists and mappings", TC_YAML_MAX_DEPTH);
                rc = fail(err, path, ev.start_mark, what);
                break;
            }
            id = ev.type == YAML_SEQUENCE_START_EVENT
                     ? yaml_document_add_sequence(doc, NULL, ev.data.sequence_start.style)
                     : yaml_document_add_mapping(doc, NULL, ev.data.mapping_start.style);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: {
            frame done = stack[--depth];   /* the parser pairs every end with its start */
            yaml_node_t *n = yaml_document_get_node(doc, done.node);
            n->end_mark = ev.end_mark;
            if (depth && !attach(doc, &stack[depth - 1], done.node))
                rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
            break;
        }
        }
        if (rc == VSOLVE_OK && (ev.type == YAML_SCALAR_EVENT || ev.type == YAML_SEQUENCE_START_EVENT ||
                                ev.type == YAML_MAPPING_START_EVENT)) {
            if (!id) {
                rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
            } else {
                set_marks(doc, id, &ev);
                if (ev.type != YAML_SCALAR_EVENT)
                    stack[depth++] = (frame){ id, 0 };
                else if (depth && !attach(doc, &stack[depth - 1], id))
                    rc = vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
            }
        }
        yaml_event_delete(&ev);
        if (rc != VSOLVE_OK)
            return rc;
    }
}

/* Runs the parser prepared by the caller (input set) and frees it. */
static int load_with(yaml_parser_t *parser, yaml_document_t *doc, const char *path, vs_error *err)
{
    memset(doc, 0, sizeof *doc);
    int rc = load_events(parser, doc, path, err);
    if (rc != VSOLVE_OK)
        yaml_document_delete(doc);   /* safe on a zeroed or partly built document */
    yaml_parser_delete(parser);
    return rc;
}

int tc_yaml_load(yaml_document_t *doc, const char *path, vs_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vs_error_set(err, VSOLVE_EIO, "%s: cannot open", path);
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return vs_error_set(err, VSOLVE_EBADINPUT, "%s: expected a regular file", path);
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        fclose(f);
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    }
    yaml_parser_set_input_file(&parser, f);
    int rc = load_with(&parser, doc, path, err);
    fclose(f);
    return rc;
}

int tc_yaml_load_buffer(yaml_document_t *doc, const char *name, const char *data, size_t len, vs_error *err)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    return load_with(&parser, doc, name, err);
}
