/* SPDX-License-Identifier: BSD-3-Clause
 *
 * ngep.io._cswc: the SWC table parser in C, an optional speed-up.
 *
 * parse_table(data) turns the bytes of an SWC file into its (n, 7) table of
 * float64, or returns None. It accepts only what the careful line-by-line
 * parser of ngep/io/_parse.py accepts, and returns exactly the values it
 * returns; everything else (a short line, a field that is not a plain decimal
 * literal, a number it cannot convert exactly, no rows) gives None, and the
 * Python parsers decide, with line-numbered errors. The fuzz tests in
 * tests/io/test_fuzz_swc.py check this agreement bit for bit.
 *
 * The grammar, as in _parse.py: lines end at \n, \r\n or \r; '#' starts a
 * comment that runs to the end of the line; fields are separated by runs of
 * spaces and tabs; a line with no fields is skipped; a line with fields has at
 * least 7, of which the first 7 must be decimal literals
 * [+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)? and the rest are ignored.
 *
 * Numbers are converted by Clinger's fast path: with at most 2**53 as the
 * integer m of the digits and |k| <= 22 for the power of ten, m and 10**|k|
 * are exact doubles, and one IEEE multiplication or division rounds
 * m * 10**k correctly: the result equals strtod's and Python's float(). SWC
 * files hold short decimals (ids, "370.4272"), so this covers them; a literal
 * outside it (more than 15-16 significant digits, a large exponent) makes the
 * whole file fall back to the Python parsers. No locale, no strtod.
 *
 * The table is returned as (bytearray, n): 7 columns of n doubles one after
 * the other (column-major, as the checks in _swc.py read them). The GIL is
 * released while parsing.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define N_COLUMNS 7
#define MAX_MANTISSA (UINT64_C(1) << 53)
#define MAX_POW10 22
#define MAX_EXPONENT_DIGITS 5

static const double POW10[MAX_POW10 + 1] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static inline int is_blank(unsigned char c) { return c == ' ' || c == '\t'; }
static inline int is_eol(unsigned char c) { return c == '\n' || c == '\r'; }
static inline int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* Does a field end here? Fields end at a blank, a line end, a comment or EOF. */
static inline int ends_field(const unsigned char *p, const unsigned char *end)
{
    return p == end || is_blank(*p) || is_eol(*p) || *p == '#';
}

/* Parse one decimal literal at *pp; 1 and *out on success (the field consumed),
 * 0 if the field is not a literal of the grammar or is outside the fast path.
 * The data end with a NUL byte (a sentinel at `end`): the loops over digits
 * stop there without comparing with `end`, as at any other non-digit. */
static int parse_number(const unsigned char **pp, const unsigned char *end,
                        double *out)
{
    const unsigned char *p = *pp;
    int negative = 0;
    uint64_t mantissa = 0;
    long n_digits, n_fraction = 0, exponent = 0;

    if (*p == '+' || *p == '-') {
        negative = (*p == '-');
        p++;
    }
    const unsigned char *first = p;
    for (; is_digit(*p); p++)
        mantissa = mantissa * 10 + (uint64_t)(*p - '0');
    n_digits = (long)(p - first);
    if (*p == '.') {
        const unsigned char *dot = ++p;
        for (; is_digit(*p); p++)
            mantissa = mantissa * 10 + (uint64_t)(*p - '0');
        n_fraction = (long)(p - dot);
        n_digits += n_fraction;
    }
    if (n_digits == 0)
        return 0; /* "", "+", ".", "-.", "e5": not a number */
    /* at most 19 digits cannot overflow 64 bits; beyond 2**53, not exact */
    if (n_digits > 19 || mantissa > MAX_MANTISSA)
        return 0;
    if (*p == 'e' || *p == 'E') {
        int exp_negative = 0;
        p++;
        if (*p == '+' || *p == '-') {
            exp_negative = (*p == '-');
            p++;
        }
        const unsigned char *exp_first = p;
        for (; is_digit(*p); p++) {
            if (p - exp_first >= MAX_EXPONENT_DIGITS)
                return 0;
            exponent = exponent * 10 + (*p - '0');
        }
        if (p == exp_first)
            return 0; /* "1e", "1e+" */
        if (exp_negative)
            exponent = -exponent;
    }
    if (!ends_field(p, end))
        return 0; /* "1x", "1,5", "0x10", "1e3.5" */
    exponent -= n_fraction;
    double value;
    if (mantissa == 0)
        value = 0.0;
    else if (exponent >= 0 && exponent <= MAX_POW10)
        value = (double)mantissa * POW10[exponent];
    else if (exponent < 0 && exponent >= -MAX_POW10)
        value = (double)mantissa / POW10[-exponent];
    else
        return 0; /* beyond the exact fast path: the Python parsers decide */
    *out = negative ? -value : value;
    *pp = p;
    return 1;
}

/* Fill columns (column c starts at table + c * cap); the number of rows, or -1
 * to decline. */
static Py_ssize_t parse_rows(const unsigned char *p, const unsigned char *end,
                             double *table, Py_ssize_t cap)
{
    Py_ssize_t row = 0;
    while (p < end) {
        int col = 0;
        for (;;) { /* the fields of one line */
            while (p < end && is_blank(*p))
                p++;
            if (p == end || is_eol(*p))
                break;
            if (*p == '#') { /* a comment runs to the end of the line */
                while (p < end && !is_eol(*p))
                    p++;
                break;
            }
            if (col < N_COLUMNS) {
                if (row >= cap)
                    return -1; /* cannot happen: cap counts lines */
                if (!parse_number(&p, end, table + col * cap + row))
                    return -1;
                col++;
            } else { /* an extra column: ignored, whatever it holds */
                while (!ends_field(p, end))
                    p++;
            }
        }
        if (col > 0) {
            if (col < N_COLUMNS)
                return -1; /* a short line: the careful parser names it */
            row++;
        }
        if (p < end)
            p++; /* the line end; "\r\n" gives an empty line, skipped */
    }
    return row;
}

static PyObject *parse_table(PyObject *module, PyObject *arg)
{
    /* bytes and bytearray keep a NUL byte after their data, the sentinel that
     * parse_number relies on; other buffers are copied into a bytes object */
    PyObject *owned;
    if (PyBytes_Check(arg) || PyByteArray_Check(arg)) {
        owned = arg;
        Py_INCREF(owned);
    } else {
        owned = PyBytes_FromObject(arg);
        if (owned == NULL)
            return NULL;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(owned, &view, PyBUF_SIMPLE) < 0) {
        Py_DECREF(owned);
        return NULL;
    }
    const unsigned char *data = (const unsigned char *)view.buf;
    const unsigned char *end = data + view.len;

    Py_ssize_t cap = 1; /* lines: one more than the line ends */
    for (const unsigned char *q = data; q < end; q++)
        cap += is_eol(*q);
    if (cap > PY_SSIZE_T_MAX / (Py_ssize_t)(N_COLUMNS * sizeof(double))) {
        PyBuffer_Release(&view);
        Py_DECREF(owned);
        return PyErr_NoMemory();
    }
    PyObject *out = PyByteArray_FromStringAndSize(
        NULL, cap * (Py_ssize_t)(N_COLUMNS * sizeof(double)));
    if (out == NULL) {
        PyBuffer_Release(&view);
        Py_DECREF(owned);
        return NULL;
    }
    double *table = (double *)PyByteArray_AS_STRING(out);

    Py_ssize_t n;
    Py_BEGIN_ALLOW_THREADS
    n = parse_rows(data, end, table, cap);
    if (n > 0 && n < cap) /* close the gaps between the columns */
        for (int col = 1; col < N_COLUMNS; col++)
            memmove(table + col * n, table + col * cap, (size_t)n * sizeof(double));
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    Py_DECREF(owned);

    if (n <= 0) { /* declined, or no rows: the Python parsers decide */
        Py_DECREF(out);
        Py_RETURN_NONE;
    }
    if (PyByteArray_Resize(out, n * (Py_ssize_t)(N_COLUMNS * sizeof(double))) < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return Py_BuildValue("(Nn)", out, n);
}

PyDoc_STRVAR(parse_table_doc,
"parse_table(data, /)\n"
"--\n"
"\n"
"The (n, 7) SWC table of ``data`` (a bytes-like object) as ``(bytearray, n)``:\n"
"7 columns of n float64, column after column. None where the Python parsers\n"
"must decide (malformed input, numbers outside the exact fast path, no rows).");

static PyMethodDef methods[] = {
    {"parse_table", parse_table, METH_O, parse_table_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_cswc",
    "SWC table parser in C (optional speed-up of ngep.io).", -1, methods,
};

PyMODINIT_FUNC PyInit__cswc(void) { return PyModule_Create(&module); }
