/* SPDX-License-Identifier: BSD-3-Clause
 *
 * ngep.io._cswc: the SWC table parser in C, an optional speed-up; the one C
 * extension of ngep.io, which also holds the tree passes of _ctree.c.
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
 * Numbers are converted exactly as Python's float() and a correctly rounding
 * strtod convert them (round to nearest, ties to even), by the first of three
 * paths that applies:
 *
 * 1. Clinger's fast path: with at most 2**53 as the integer m of the digits and
 *    |k| <= 22 for the power of ten, m and 10**|k| are exact doubles and one
 *    IEEE multiplication or division rounds m * 10**k correctly. SWC files
 *    written by tracing tools ("370.4272") take this path.
 * 2. The Eisel-Lemire algorithm (Lemire, "Number parsing at a gigabyte per
 *    second", 2021; ported from Go's strconv/eisel_lemire.go): for up to 19
 *    significant digits and any power of ten in [-342, 308], m times a 128-bit
 *    truncated mantissa of 10**k (_cswc_pow10.h) gives the correctly rounded
 *    result, or says it cannot decide (a product too close to a halfway point,
 *    a subnormal result). Full-precision files ("370.42720000000003", 17
 *    digits, repr of doubles) take this path.
 * 3. The rest (more than 19 significant digits that are not all zeros,
 *    subnormals, the undecided cases): the literal is copied, without its
 *    decimal point, as "[-]DIGITSe[-]EXP" into a NUL-terminated buffer and
 *    converted by the C library's strtod. This relies on strtod rounding
 *    correctly, as glibc's (multi-precision, any number of digits), musl's,
 *    macOS's and the Universal CRT's do; without a decimal point the locale
 *    does not matter. A result that overflows to infinity is declined (the
 *    careful parser rejects it with a line number); underflow gives 0 or a
 *    subnormal, as float() does.
 *
 * So a well-formed file never leaves C; tests/io/test_fuzz_swc.py checks each
 * path, its boundaries and hard cases (halfway points, 2**53 + 1, 20-digit
 * literals, subnormals) against float() bit for bit.
 *
 * The table is returned as (bytearray, n): 7 columns of n doubles one after
 * the other (column-major, as the checks in _swc.py read them). The GIL is
 * released while parsing.
 *
 * read_tree(data) parses the same grammar in the same way and goes on with
 * what _swc.py's _check_integral and _parent_indices do on the table, writing
 * the arrays of a Morphology directly: xyz (n, 3, row-major), radius, and as
 * int64 the ids, types and parent row indices. It accepts a file only where
 * those Python checks pass (integral ids, types and parents within 2**53,
 * coordinates and radii within 1e12, radii >= 0, unique ids, every parent
 * found, no node its own parent), and returns None for everything else: the
 * Python path (parse_table, then the checks) then runs as if read_tree did
 * not exist and raises its line-numbered error. It also says whether the
 * result is one tree with parents before children (parent[i] < i, one root)
 * and whether its soma passes _swc.py's _check_soma (decided in C for somata
 * of up to 64 points): the cases in which _select_tree and _check_soma have
 * nothing to do. The fuzz tests compare the reader with and without
 * this path (parser="careful" never takes it) bit for bit. With a length,
 * read_tree(data, length) reads the first `length` bytes of a buffer whose
 * next byte is NUL (the buffer _parse.py reuses from file to file).
 *
 * Speed: most literals ("370.4272", "-1") take parse_field's short loop
 * straight to Clinger's path (the same m and power of ten, hence the same
 * double); rows are counted beforehand (an upper bound: the line ends, with
 * 
 once) by byte-wide counters that compilers vectorise.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_COLUMNS 7
#define MAX_MANTISSA (UINT64_C(1) << 53)
#define MAX_POW10 22
#define MAX_DIGITS 19 /* significant digits that fit in 64 bits */
#define EXPONENT_LIMIT 100000 /* |exponent| beyond this: 0 or inf anyway */
#define STACK_LITERAL 128

#include "_cswc_pow10.h"
#include "_ctree.h"

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

/* The high and low 64 bits of a * b. */
static inline uint64_t mul_64x64(uint64_t a, uint64_t b, uint64_t *low)
{
#if defined(__SIZEOF_INT128__)
    unsigned __int128 r = (unsigned __int128)a * b;
    *low = (uint64_t)r;
    return (uint64_t)(r >> 64);
#else
    uint64_t a_lo = (uint32_t)a, a_hi = a >> 32, b_lo = (uint32_t)b, b_hi = b >> 32;
    uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
    uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
    *low = (mid << 32) | (uint32_t)ll;
    return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
}

static inline int leading_zeros(uint64_t x) /* x != 0 */
{
#if defined(__GNUC__)
    return __builtin_clzll(x);
#else
    int n = 0;
    while (!(x & (UINT64_C(1) << 63))) {
        x <<= 1;
        n++;
    }
    return n;
#endif
}

/* Eisel-Lemire: man * 10**exp10 correctly rounded into *out, or 0 where it
 * cannot decide (the caller then takes the exact path). man != 0, at most 19
 * digits. A line-by-line port of Go's strconv.eiselLemire64 (BSD-3-Clause). */
static int eisel_lemire(uint64_t man, long exp10, int negative, double *out)
{
    if (exp10 < POW10_128_MIN_EXP || exp10 > POW10_128_MAX_EXP)
        return 0;
    const uint64_t *pow = POW10_128[exp10 - POW10_128_MIN_EXP];
    int clz = leading_zeros(man);
    man <<= clz;
    /* floor(exp10 * log2(10)) + 64 + 1023 - clz; 217706 / 2**16 ~ log2(10) */
    int64_t scaled = (int64_t)217706 * exp10;
    int64_t log2_10 = scaled >= 0 ? scaled >> 16 : -((-scaled + 65535) >> 16);
    uint64_t ret_exp2 = (uint64_t)(log2_10 + 64 + 1023 - clz);
    uint64_t x_lo, x_hi = mul_64x64(man, pow[0], &x_lo);
    if ((x_hi & 0x1FF) == 0x1FF && x_lo + man < man) { /* wider approximation */
        uint64_t y_lo, y_hi = mul_64x64(man, pow[1], &y_lo);
        uint64_t merged_hi = x_hi, merged_lo = x_lo + y_hi;
        if (merged_lo < x_lo)
            merged_hi++;
        if ((merged_hi & 0x1FF) == 0x1FF && merged_lo + 1 == 0 && y_lo + man < man)
            return 0;
        x_hi = merged_hi;
        x_lo = merged_lo;
    }
    uint64_t msb = x_hi >> 63; /* shift to 54 bits */
    uint64_t mantissa = x_hi >> (msb + 9);
    ret_exp2 -= 1 ^ msb;
    if (x_lo == 0 && (x_hi & 0x1FF) == 0 && (mantissa & 3) == 1)
        return 0; /* halfway ambiguity */
    mantissa += mantissa & 1; /* 54 to 53 bits */
    mantissa >>= 1;
    if (mantissa >> 53) {
        mantissa >>= 1;
        ret_exp2 += 1;
    }
    if (ret_exp2 - 1 >= 0x7FF - 1)
        return 0; /* subnormal, zero or infinite: the exact path decides */
    uint64_t bits = ret_exp2 << 52 | (mantissa & UINT64_C(0x000FFFFFFFFFFFFF));
    if (negative)
        bits |= UINT64_C(1) << 63;
    memcpy(out, &bits, sizeof bits);
    return 1;
}

/* The exact path: strtod on "[-]DIGITSe[-]EXP", the literal's significant
 * digits without its decimal point (no locale can misread it). 0 if the
 * result is not finite. */
static int convert_exactly(const unsigned char *digits_start,
                           const unsigned char *digits_end, int negative,
                           long exponent, double *out)
{
    char stack[STACK_LITERAL];
    size_t cap = (size_t)(digits_end - digits_start) + 32;
    char *buf = cap <= sizeof stack ? stack : malloc(cap);
    if (buf == NULL)
        return 0;
    char *q = buf;
    if (negative)
        *q++ = '-';
    for (const unsigned char *p = digits_start; p < digits_end; p++)
        if (is_digit(*p))
            *q++ = (char)*p;
    snprintf(q, 24, "e%ld", exponent);
    double value = strtod(buf, NULL);
    if (buf != stack)
        free(buf);
    if (!isfinite(value))
        return 0; /* overflow: the careful parser names the line */
    *out = value;
    return 1;
}

/* Parse one decimal literal at *pp; 1 and *out on success (the field consumed),
 * 0 if the field is not a literal of the grammar or does not give a finite
 * number. The data end with a NUL byte (a sentinel at `end`): the loops over
 * digits stop there without comparing with `end`, as at any other non-digit.
 *
 * The value is D * 10**(written - n_fraction), D all the digits without the
 * point. The first 19 significant digits go into `mantissa`, and `exponent` is
 * the power of ten of the last of them, so that the value is exactly
 * mantissa * 10**exponent unless a later digit is not zero (`inexact`). */
static int parse_number(const unsigned char **pp, const unsigned char *end,
                        double *out)
{
    const unsigned char *p = *pp;
    int negative = 0, inexact = 0;
    uint64_t mantissa = 0;
    long n_significant = 0, n_fraction = 0, exponent = 0, written = 0;

    if (*p == '+' || *p == '-') {
        negative = (*p == '-');
        p++;
    }
    const unsigned char *first = p;
    for (; *p == '0'; p++) /* leading zeros are not significant */
        ;
    for (; is_digit(*p); p++, n_significant++) {
        if (n_significant < MAX_DIGITS)
            mantissa = mantissa * 10 + (uint64_t)(*p - '0');
        else {
            exponent++; /* the kept digits are worth ten times more */
            inexact |= (*p != '0');
        }
    }
    long n_digits = (long)(p - first);
    if (*p == '.') {
        const unsigned char *dot = ++p;
        if (n_significant == 0)
            for (; *p == '0'; p++)
                exponent--;
        for (; is_digit(*p); p++, n_significant++) {
            if (n_significant < MAX_DIGITS) {
                mantissa = mantissa * 10 + (uint64_t)(*p - '0');
                exponent--;
            } else
                inexact |= (*p != '0');
        }
        n_fraction = (long)(p - dot);
        n_digits += n_fraction;
    }
    const unsigned char *digits_end = p;
    if (n_digits == 0)
        return 0; /* "", "+", ".", "-.", "e5": not a number */
    if (*p == 'e' || *p == 'E') {
        int exp_negative = 0;
        p++;
        if (*p == '+' || *p == '-') {
            exp_negative = (*p == '-');
            p++;
        }
        const unsigned char *exp_first = p;
        for (; is_digit(*p); p++)
            if (written < EXPONENT_LIMIT)
                written = written * 10 + (*p - '0');
        if (p == exp_first)
            return 0; /* "1e", "1e+" */
        if (written >= EXPONENT_LIMIT && n_digits >= EXPONENT_LIMIT / 10)
            return 0; /* absurd: the careful parser decides */
        if (exp_negative)
            written = -written;
    }
    if (!ends_field(p, end))
        return 0; /* "1x", "1,5", "0x10", "1e3.5" */
    *pp = p;
    if (mantissa == 0 && !inexact) { /* every digit a zero */
        *out = negative ? -0.0 : 0.0;
        return 1;
    }
    exponent += written;
    if (!inexact) {
        if (mantissa <= MAX_MANTISSA && exponent >= -MAX_POW10
            && exponent <= MAX_POW10) { /* 1. Clinger */
            double value = exponent >= 0 ? (double)mantissa * POW10[exponent]
                                         : (double)mantissa / POW10[-exponent];
            *out = negative ? -value : value;
            return 1;
        }
        if (eisel_lemire(mantissa, exponent, negative, out)) /* 2. */
            return 1;
    }
    /* 3. strtod on all the digits, point removed */
    return convert_exactly(first, digits_end, negative, written - n_fraction, out);
}

/* The common literal, "[+-]DIGITS[.DIGITS]" with at most 19 digits in all
 * and at most 22 after the point, in a few operations per digit; everything
 * else goes to parse_number from the field's start. The value is the one
 * parse_number gives: m * 10**-n_fraction by Clinger's path (path 1), where
 * leading zeros add nothing to m and every digit is kept. */
static inline int parse_field(const unsigned char **pp, const unsigned char *end,
                              double *out)
{
    const unsigned char *p = *pp;
    int negative = (*p == '-');
    p += (*p == '-' || *p == '+');
    const unsigned char *first = p;
    uint64_t m = 0; /* wraps beyond 19 digits: then not used */
    for (; is_digit(*p); p++)
        m = m * 10 + (uint64_t)(*p - '0');
    size_t n_digits = (size_t)(p - first), n_fraction = 0;
    if (*p == '.') {
        const unsigned char *dot = ++p;
        for (; is_digit(*p); p++)
            m = m * 10 + (uint64_t)(*p - '0');
        n_fraction = (size_t)(p - dot);
        n_digits += n_fraction;
    }
    if (n_digits - 1 < MAX_DIGITS && n_fraction <= MAX_POW10 && m <= MAX_MANTISSA
        && ends_field(p, end)) { /* n_digits - 1 wraps for no digit at all */
        double value = n_fraction ? (double)m / POW10[n_fraction] : (double)m;
        *out = negative ? -value : value;
        *pp = p;
        return 1;
    }
    return parse_number(pp, end, out); /* exponents, long or odd literals */
}

/* Where parse_rows puts the 7 values of a row. The table: column c of rows
 * [0, cap) at table + c * cap. The tree (read_tree): columns 2-4 into xyz
 * (row-major), 5 into radius, and 0, 1 and 6 as integers into ids, types and
 * parents, declining what _check_integral in _swc.py rejects. */
typedef struct {
    double *table;           /* parse_table; NULL for read_tree */
    double *xyz, *radius;    /* read_tree */
    int64_t *ints[N_COLUMNS]; /* read_tree: ids, types, parents at 0, 1, 6 */
    Py_ssize_t cap;          /* rows there is room for */
    Py_ssize_t n_soma;       /* read_tree: rows of type 1 */
} Sink;

#define MAX_INT 9007199254740992.0 /* 2**53, _MAX_INT in _swc.py */
#define MAX_COORD 1e12             /* _MAX_COORD in _swc.py */

static inline int store(Sink *sink, Py_ssize_t row, int col, double value)
{
    if (sink->table != NULL) {
        sink->table[col * sink->cap + row] = value;
        return 1;
    }
    switch (col) {
    case 2: case 3: case 4:
        sink->xyz[3 * row + (col - 2)] = value;
        return fabs(value) <= MAX_COORD;
    case 5:
        sink->radius[row] = value;
        return value >= 0 && value <= MAX_COORD; /* -0.0 passes, as in numpy */
    default: /* 0, 1, 6: integers within 2**53 */
        if (!(fabs(value) <= MAX_INT) || value != (double)(int64_t)value)
            return 0;
        sink->ints[col][row] = (int64_t)value;
        sink->n_soma += (col == 1 && value == 1);
        return 1;
    }
}

/* Parse rows into the sink; the number of rows, or -1 to decline. */
static Py_ssize_t parse_rows(const unsigned char *p, const unsigned char *end,
                             Sink *sink)
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
                double value;
                if (row >= sink->cap)
                    return -1; /* cannot happen: cap counts lines */
                if (!parse_field(&p, end, &value) || !store(sink, row, col, value))
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

/* One field of read_tree's row, the col-th (a constant where inlined): the
 * blanks before it (after the first), then the number, stored. 0 to decline:
 * a line end, comment or end of data before the 7th field (a short line), a
 * field that is not a literal, or a value the checks reject. */
static inline int tree_field(const unsigned char **pp, const unsigned char *end,
                             Sink *sink, Py_ssize_t row, int col)
{
    const unsigned char *p = *pp;
    if (col > 0) {
        while (p < end && is_blank(*p))
            p++;
        if (p == end || is_eol(*p) || *p == '#')
            return 0;
    }
    double value;
    if (!parse_field(&p, end, &value) || !store(sink, row, col, value))
        return 0;
    *pp = p;
    return 1;
}

/* parse_rows for read_tree's sink, with the seven fields of a row in line:
 * the same grammar, rows and values (and the same declines). */
static Py_ssize_t parse_tree_rows(const unsigned char *p, const unsigned char *end,
                                  Sink *sink)
{
    Py_ssize_t row = 0;
    while (p < end) {
        while (p < end && is_blank(*p))
            p++;
        if (p < end && *p == '#') /* a comment runs to the end of the line */
            while (p < end && !is_eol(*p))
                p++;
        if (p < end && !is_eol(*p)) { /* a row */
            if (row >= sink->cap)
                return -1; /* cannot happen: cap counts lines */
            if (!tree_field(&p, end, sink, row, 0) || !tree_field(&p, end, sink, row, 1)
                || !tree_field(&p, end, sink, row, 2) || !tree_field(&p, end, sink, row, 3)
                || !tree_field(&p, end, sink, row, 4) || !tree_field(&p, end, sink, row, 5)
                || !tree_field(&p, end, sink, row, 6))
                return -1;
            row++;
            for (;;) { /* extra columns, ignored, and a comment */
                while (p < end && is_blank(*p))
                    p++;
                if (p == end || is_eol(*p))
                    break;
                if (*p == '#') {
                    while (p < end && !is_eol(*p))
                        p++;
                    break;
                }
                while (!ends_field(p, end))
                    p++;
            }
        }
        if (p < end)
            p++; /* the line end; "\r\n" gives an empty line, skipped */
    }
    return row;
}

/* The \n and \r bytes of [p, end), and the \r\n pairs. Blocks of 255 bytes
 * keep byte-wide counters, which compilers turn into vector compares and
 * adds. */
static void count_line_ends(const unsigned char *p, const unsigned char *end,
                            Py_ssize_t *lf, Py_ssize_t *cr)
{
    *lf = *cr = 0;
    while (p < end) {
        Py_ssize_t len = end - p < 255 ? end - p : 255;
        unsigned char block_lf = 0, block_cr = 0;
        for (Py_ssize_t i = 0; i < len; i++) {
            block_lf += (p[i] == '\n');
            block_cr += (p[i] == '\r');
        }
        *lf += block_lf;
        *cr += block_cr;
        p += len;
    }
}

static Py_ssize_t count_crlf(const unsigned char *p, const unsigned char *end)
{
    Py_ssize_t total = 0;
    while (end - p > 1) {
        Py_ssize_t len = end - p - 1 < 255 ? end - p - 1 : 255;
        unsigned char block = 0;
        for (Py_ssize_t i = 0; i < len; i++)
            block += (p[i] == '\r') & (p[i + 1] == '\n');
        total += block;
        p += len;
    }
    return total;
}

/* The number of lines, an upper bound on the rows: one more than the line
 * ends, \n, \r and \r\n (once). */
static Py_ssize_t count_lines(const unsigned char *p, const unsigned char *end)
{
    Py_ssize_t lf, cr;
    count_line_ends(p, end, &lf, &cr);
    return 1 + lf + cr - (lf && cr ? count_crlf(p, end) : 0);
}

/* The buffer of a bytes-like argument, NUL-terminated: bytes and bytearray
 * keep a NUL byte after their data, the sentinel that parse_number relies
 * on; other buffers are copied into a bytes object. *owned is released by
 * release_data. */
static int get_data(PyObject *arg, PyObject **owned, Py_buffer *view)
{
    if (PyBytes_Check(arg) || PyByteArray_Check(arg)) {
        *owned = arg;
        Py_INCREF(arg);
    } else {
        *owned = PyBytes_FromObject(arg);
        if (*owned == NULL)
            return -1;
    }
    if (PyObject_GetBuffer(*owned, view, PyBUF_SIMPLE) < 0) {
        Py_DECREF(*owned);
        return -1;
    }
    return 0;
}

static void release_data(PyObject *owned, Py_buffer *view)
{
    PyBuffer_Release(view);
    Py_DECREF(owned);
}

/* A bytearray of `rows` rows of 7 values of 8 bytes; *cap = rows. */
static PyObject *new_rows(Py_ssize_t rows)
{
    if (rows > PY_SSIZE_T_MAX / (Py_ssize_t)(N_COLUMNS * sizeof(double)))
        return PyErr_NoMemory();
    return PyByteArray_FromStringAndSize(
        NULL, rows * (Py_ssize_t)(N_COLUMNS * sizeof(double)));
}

static PyObject *parse_table(PyObject *module, PyObject *arg)
{
    (void)module;
    PyObject *owned;
    Py_buffer view;
    if (get_data(arg, &owned, &view) < 0)
        return NULL;
    const unsigned char *data = (const unsigned char *)view.buf;
    const unsigned char *end = data + view.len;

    Py_ssize_t cap = count_lines(data, end);
    PyObject *out = new_rows(cap);
    if (out == NULL) {
        release_data(owned, &view);
        return NULL;
    }
    Sink sink = {0};
    sink.table = (double *)PyByteArray_AS_STRING(out);
    sink.cap = cap;

    Py_ssize_t n;
    Py_BEGIN_ALLOW_THREADS
    n = parse_rows(data, end, &sink);
    if (n > 0 && n < cap) /* close the gaps between the columns */
        for (int col = 1; col < N_COLUMNS; col++)
            memmove(sink.table + col * n, sink.table + col * cap,
                    (size_t)n * sizeof(double));
    Py_END_ALLOW_THREADS
    release_data(owned, &view);

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

/* ---- read_tree: ids -> rows, as _parent_indices in _swc.py ---------------- */

typedef struct {
    int64_t id;
    Py_ssize_t row;
} IdRow;

static int compare_id_rows(const void *a, const void *b)
{
    int64_t x = ((const IdRow *)a)->id, y = ((const IdRow *)b)->id;
    return (x > y) - (x < y);
}

/* The row of `id` among n (id, row) pairs sorted by id, or -1. */
static Py_ssize_t find_id(const IdRow *pairs, Py_ssize_t n, int64_t id)
{
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (pairs[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && pairs[lo].id == id ? pairs[lo].row : -1;
}

/* Replace the parent ids in `parent` by row indices (-1 for a root: a
 * negative parent id). 1 on success; 0 where _parent_indices raises (a
 * duplicate id, a parent not found, a node its own parent); -1 out of memory.
 * *sorted_tree: one root and parent[i] < i for every row. */
static int resolve_parents(const int64_t *ids, int64_t *parent, Py_ssize_t n,
                           int *sorted_tree)
{
    int consecutive = 1, increasing = 1;
    for (Py_ssize_t i = 1; i < n; i++) {
        consecutive &= (ids[i] == ids[0] + i);
        increasing &= (ids[i] > ids[i - 1]);
    }
    IdRow *pairs = NULL;
    if (!consecutive) { /* rows sorted by id, then binary searches */
        pairs = malloc((size_t)n * sizeof *pairs);
        if (pairs == NULL)
            return -1;
        for (Py_ssize_t i = 0; i < n; i++) {
            pairs[i].id = ids[i];
            pairs[i].row = i;
        }
        if (!increasing) {
            qsort(pairs, (size_t)n, sizeof *pairs, compare_id_rows);
            for (Py_ssize_t i = 1; i < n; i++)
                if (pairs[i].id == pairs[i - 1].id) {
                    free(pairs);
                    return 0; /* a duplicate id */
                }
        }
    }
    Py_ssize_t n_roots = 0;
    int parents_first = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t id = parent[i];
        Py_ssize_t row;
        if (id < 0) {
            row = -1;
            n_roots++;
        } else {
            if (consecutive) /* |ids| <= 2**53: no overflow */
                row = (id - ids[0] >= 0 && id - ids[0] < n) ? (Py_ssize_t)(id - ids[0])
                                                            : -1;
            else
                row = find_id(pairs, n, id);
            if (row < 0 || row == i) {
                free(pairs);
                return 0; /* not found, or its own parent */
            }
            parents_first &= (row < i);
        }
        parent[i] = row;
    }
    free(pairs);
    *sorted_tree = n_roots == 1 && parents_first;
    return 1;
}

/* Whether _check_soma in _swc.py passes, decided for somata of at most
 * MAX_SOMA points (0 beyond: Python decides): every soma point's parent is a
 * root (-1) or a soma point, and no soma point has two soma children, except
 * in a 3-point soma whose two children hang from the first root. */
#define MAX_SOMA 64

static int soma_passes(const int64_t *types, const int64_t *parent, Py_ssize_t n,
                       Py_ssize_t n_soma)
{
    if (n_soma == 0)
        return 1;
    if (n_soma > MAX_SOMA)
        return 0;
    Py_ssize_t rows[MAX_SOMA], k = 0, first_root = -1;
    for (Py_ssize_t i = 0; i < n && (k < n_soma || first_root < 0); i++) {
        if (first_root < 0 && parent[i] < 0)
            first_root = i;
        if (types[i] == 1) {
            if (parent[i] >= 0 && types[parent[i]] != 1)
                return 0; /* a soma point below a neurite */
            rows[k++] = i;
        }
    }
    int fork = 0, root_children = 0; /* soma children of soma points */
    for (Py_ssize_t a = 0; a < k; a++) {
        Py_ssize_t children = 0;
        for (Py_ssize_t b = 0; b < k; b++)
            children += parent[rows[b]] == rows[a];
        fork |= children >= 2;
        if (rows[a] == first_root)
            root_children = (int)children;
    }
    return !fork || (n_soma == 3 && root_children == 2);
}

static PyObject *read_tree(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *arg, *owned;
    Py_ssize_t length = -1;
    if (!PyArg_ParseTuple(args, "O|n:read_tree", &arg, &length))
        return NULL;
    Py_buffer view;
    if (get_data(arg, &owned, &view) < 0)
        return NULL;
    const unsigned char *data = (const unsigned char *)view.buf;
    if (length >= 0) { /* the first `length` bytes, a NUL byte after them */
        if (length >= view.len || data[length] != 0) {
            release_data(owned, &view);
            PyErr_SetString(PyExc_ValueError,
                            "read_tree: data[length] must be a NUL byte of data");
            return NULL;
        }
    } else
        length = view.len;
    const unsigned char *end = data + length;

    /* one block: xyz (cap, 3), then radius, ids, types and parents (cap each) */
    Py_ssize_t cap = count_lines(data, end);
    PyObject *out = new_rows(cap);
    if (out == NULL) {
        release_data(owned, &view);
        return NULL;
    }
    double *block = (double *)PyByteArray_AS_STRING(out);
    Sink sink = {0};
    sink.xyz = block;
    sink.radius = block + 3 * cap;
    sink.ints[0] = (int64_t *)(block + 4 * cap);
    sink.ints[1] = (int64_t *)(block + 5 * cap);
    sink.ints[6] = (int64_t *)(block + 6 * cap);
    sink.cap = cap;

    Py_ssize_t n, stride = cap;
    int status = 0, sorted_tree = 0, simple_soma = 0;
    Py_BEGIN_ALLOW_THREADS
    n = parse_tree_rows(data, end, &sink);
    if (n > 0) {
        status = resolve_parents(sink.ints[0], sink.ints[6], n, &sorted_tree);
        if (status > 0)
            simple_soma = soma_passes(sink.ints[1], sink.ints[6], n, sink.n_soma);
        if (status > 0 && cap - n > cap / 16) { /* many blank lines: pack */
            for (int k = 3; k < N_COLUMNS; k++)
                memmove(block + k * n, block + k * cap, (size_t)n * sizeof(double));
            stride = n;
        }
    }
    Py_END_ALLOW_THREADS
    release_data(owned, &view);

    if (status <= 0) { /* declined; or out of memory: the Python path copes */
        Py_DECREF(out);
        Py_RETURN_NONE;
    }
    if (stride < cap
        && PyByteArray_Resize(out, stride * (Py_ssize_t)(N_COLUMNS * sizeof(double)))
               < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return Py_BuildValue("(NnnOO)", out, n, stride, sorted_tree ? Py_True : Py_False,
                         simple_soma ? Py_True : Py_False);
}

/* keep_rows(block, n, stride, keep): the rows of read_tree's block where
 * keep[i] (n bytes, 0 or 1) packed in place at the front of each array, with
 * the kept count as the new stride, and parent indices renumbered (-1 for a
 * root or a parent not kept). Arrays are moved in block order, each row to a
 * place at or before its own, so no source is overwritten before it is read.
 * What _swc.py's fragment filter computes with numpy, without new arrays. */
static PyObject *keep_rows(PyObject *module, PyObject *args)
{
    (void)module;
    Py_buffer block, keep;
    Py_ssize_t n, stride;
    if (!PyArg_ParseTuple(args, "w*nny*:keep_rows", &block, &n, &stride, &keep))
        return NULL;
    Py_ssize_t *new_index = NULL;
    PyObject *result = NULL;
    if (n < 1 || stride < n || keep.len != n
        || block.len < stride * (Py_ssize_t)(N_COLUMNS * sizeof(double))) {
        PyErr_SetString(PyExc_ValueError, "keep_rows: a read_tree block, n <= stride "
                                          "and n keep flags");
        goto done;
    }
    new_index = malloc((size_t)n * sizeof *new_index);
    if (new_index == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    const unsigned char *flags = keep.buf;
    double *values = block.buf;
    Py_ssize_t kept = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++)
        new_index[i] = flags[i] ? kept++ : -1;
    for (Py_ssize_t i = 0; i < n; i++) /* xyz: 3 values a row */
        if (new_index[i] >= 0)
            memmove(values + 3 * new_index[i], values + 3 * i, 3 * sizeof(double));
    for (Py_ssize_t i = 0; i < n; i++) /* radius */
        if (new_index[i] >= 0)
            values[3 * kept + new_index[i]] = values[3 * stride + i];
    for (int k = 4; k < N_COLUMNS - 1; k++) { /* ids, types */
        int64_t *from = (int64_t *)(values + k * stride);
        int64_t *to = (int64_t *)(values + k * kept);
        for (Py_ssize_t i = 0; i < n; i++)
            if (new_index[i] >= 0)
                to[new_index[i]] = from[i];
    }
    int64_t *from = (int64_t *)(values + (N_COLUMNS - 1) * stride);
    int64_t *to = (int64_t *)(values + (N_COLUMNS - 1) * kept);
    for (Py_ssize_t i = 0; i < n; i++)
        if (new_index[i] >= 0) /* parents */
            to[new_index[i]] = from[i] >= 0 && from[i] < n ? (int64_t)new_index[from[i]]
                                                           : -1;
    Py_END_ALLOW_THREADS
    result = PyLong_FromSsize_t(kept);
done:
    free(new_index);
    PyBuffer_Release(&block);
    PyBuffer_Release(&keep);
    return result;
}

PyDoc_STRVAR(keep_rows_doc,
"keep_rows(block, n, stride, keep, /)\n"
"--\n"
"\n"
"Pack the rows of a read_tree block where ``keep`` (n bytes) is true at the\n"
"front of each of its arrays, in place, with parent indices renumbered; the\n"
"number kept, which is the block's new stride.");

PyDoc_STRVAR(parse_table_doc,
"parse_table(data, /)\n"
"--\n"
"\n"
"The (n, 7) SWC table of ``data`` (a bytes-like object) as ``(bytearray, n)``:\n"
"7 columns of n float64, column after column. None where the Python parsers\n"
"must decide (malformed input, numbers outside the exact fast path, no rows).");

PyDoc_STRVAR(read_tree_doc,
"read_tree(data, length=-1, /)\n"
"--\n"
"\n"
"The checked node arrays of the SWC file ``data`` (a bytes-like object; with\n"
"``length`` >= 0 its first ``length`` bytes, ``data[length]`` being 0) as\n"
"``(block, n, stride, one_tree, simple_soma)``: ``block`` a bytearray of\n"
"7 * stride values of 8 bytes, xyz as (n, 3) float64 at 0, radius at\n"
"3 * stride (float64), ids, types and parent row indices (-1 for roots) at 4,\n"
"5 and 6 * stride (int64); ``one_tree``: one root and parents before\n"
"children; ``simple_soma``: the soma passes _check_soma (decided for somata\n"
"of up to 64 points). None wherever parse_table and the checks of\n"
"ngep.io._swc must decide (anything they would reject, or parse_table declines).");

static PyMethodDef methods[] = {
    {"parse_table", parse_table, METH_O, parse_table_doc},
    {"read_tree", read_tree, METH_VARARGS, read_tree_doc},
    {"keep_rows", keep_rows, METH_VARARGS, keep_rows_doc},
    /* the tree passes of _ctree.c */
    {"path_sum_runs", ctree_path_sum_runs, METH_VARARGS, ctree_path_sum_runs_doc},
    {"roots", ctree_roots, METH_VARARGS, ctree_roots_doc},
    {"forest", ctree_forest, METH_VARARGS, ctree_forest_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_cswc",
    "SWC reader and tree passes in C (optional speed-up of ngep.io).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__cswc(void) { return PyModule_Create(&module); }
