/**
 * @file qname.c
 * @brief Generated query names: a pattern compiled once into pieces, expanded
 *        per logical query straight into wire format.
 */
#include "wire/qname.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum piece_kind {
	PIECE_LITERAL = 0,
	PIECE_SEQ = 1,
	PIECE_RAND = 2,
	PIECE_LCORE = 3,
	PIECE_END = 4, /**< end of label */
};

/* The expansion's steps (struct dv_qname_op). */
enum op_kind {
	OP_COPY = 0,  /**< constant wire bytes */
	OP_SEQ = 1,
	OP_RAND = 2,
	OP_LCORE = 3,
	OP_OPEN = 4,  /**< a label of variable width: its length byte, set by OP_CLOSE */
	OP_CLOSE = 5,
};

#define LABEL_MAX  63
#define NAME_MAX_WIRE 255
#define SEQ_DIGITS   20   /**< UINT64_MAX */
#define LCORE_DIGITS 5
#define LCORE_MOD    100000u
#define RAND_MAX_N   32
#define RAND_ALPHABET 36
#define RAND_PER_DRAW 8   /**< characters taken from one 64-bit draw */

static const char rand_chars[RAND_ALPHABET + 1] = "abcdefghijklmnopqrstuvwxyz0123456789";

/* Reasons that quote the pattern are formatted here: compile runs while the
 * plan is built, and each thread gets its own buffer. */
static __thread char why_buf[96];

static bool literal_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/** Append a piece. @return 0 or -EINVAL with *why set */
static int add_piece(struct dv_qname_pattern *p, uint8_t kind, uint8_t len, uint16_t off,
		     const char **why)
{
	if (p->npieces >= DV_QNAME_PIECES) {
		*why = "too many labels and tokens";
		return -EINVAL;
	}
	p->piece[p->npieces++] = (struct dv_qname_piece){ .kind = kind, .len = len, .off = off };
	return 0;
}

/**
 * Parse the token starting at s ('{'), add its piece, report its longest
 * expansion in *width and where it ends in *end.
 */
static int parse_token(struct dv_qname_pattern *p, const char *s, const char **end,
		       unsigned *width, bool *is_seq, const char **why)
{
	const char *close = strchr(s, '}');
	if (close == NULL) {
		*why = "unterminated '{'";
		return -EINVAL;
	}
	size_t n = (size_t)(close - s) + 1; /* with braces */
	*end = close + 1;
	*is_seq = false;
	if (n == 5 && memcmp(s, "{seq}", 5) == 0) {
		*is_seq = true;
		*width = SEQ_DIGITS;
		return add_piece(p, PIECE_SEQ, 0, 0, why);
	}
	if (n == 7 && memcmp(s, "{lcore}", 7) == 0) {
		*width = LCORE_DIGITS;
		return add_piece(p, PIECE_LCORE, 0, 0, why);
	}
	if (n > 6 && memcmp(s, "{rand", 5) == 0) {
		unsigned v = 0;
		bool digits = true;
		for (const char *c = s + 5; c < close; c++) {
			if (*c < '0' || *c > '9') {
				digits = false;
				break;
			}
			if (v <= RAND_MAX_N) /* saturate: anything above is refused anyway */
				v = v * 10 + (unsigned)(*c - '0');
		}
		if (digits) {
			if (v < 1 || v > RAND_MAX_N) {
				*why = "{randN} needs 1 <= N <= 32";
				return -EINVAL;
			}
			*width = v;
			return add_piece(p, PIECE_RAND, (uint8_t)v, 0, why);
		}
	}
	snprintf(why_buf, sizeof(why_buf), "unknown token '%.*s'",
		 (int)(n < 64 ? n : 64), s);
	*why = why_buf;
	return -EINVAL;
}

/* A step; the array holds every pattern compile accepts (two per piece, and the last copy). */
static void add_op(struct dv_qname_pattern *p, uint8_t kind, uint8_t len, uint16_t off)
{
	p->op[p->nops++] = (struct dv_qname_op){ .kind = kind, .len = len, .off = off };
}

/* The constant bytes since *run become one copy. */
static void flush_copy(struct dv_qname_pattern *p, unsigned wlen, unsigned *run)
{
	if (wlen > *run)
		add_op(p, OP_COPY, (uint8_t)(wlen - *run), (uint16_t)*run);
	*run = wlen;
}

/*
 * The pieces as steps: a label of fixed width (literals, {randN}) has a
 * constant length byte, which joins the copy of the constant bytes around
 * it; only a label with {seq} or {lcore} is opened and closed. Compile has
 * checked that the name fits 255 bytes, so the constant bytes do too.
 */
static void build_ops(struct dv_qname_pattern *p)
{
	unsigned wlen = 0, run = 0, i = 0;
	p->nops = 0;
	while (i < p->npieces) {
		unsigned e = i, width = 0;
		bool variable = false;
		for (; p->piece[e].kind != PIECE_END; e++) {
			variable |= p->piece[e].kind == PIECE_SEQ || p->piece[e].kind == PIECE_LCORE;
			width += p->piece[e].len;
		}
		if (variable) {
			flush_copy(p, wlen, &run);
			add_op(p, OP_OPEN, 0, 0);
		} else {
			p->wire[wlen++] = (uint8_t)width;
		}
		for (unsigned k = i; k < e; k++) {
			const struct dv_qname_piece *pc = &p->piece[k];
			if (pc->kind == PIECE_LITERAL) {
				memcpy(p->wire + wlen, p->text + pc->off, pc->len);
				wlen += pc->len;
				continue;
			}
			flush_copy(p, wlen, &run);
			add_op(p, pc->kind == PIECE_SEQ ? OP_SEQ : pc->kind == PIECE_RAND ? OP_RAND : OP_LCORE,
			       pc->len, 0);
		}
		if (variable) {
			flush_copy(p, wlen, &run);
			add_op(p, OP_CLOSE, 0, 0);
		}
		i = e + 1;
	}
	p->wire[wlen++] = 0; /* root */
	flush_copy(p, wlen, &run);
}

int dv_qname_compile(const char *pattern, struct dv_qname_pattern *p, const char **why)
{
	static const char *unused;
	if (why == NULL)
		why = &unused;
	*why = NULL;
	if (pattern == NULL || p == NULL) {
		*why = "no pattern";
		return -EINVAL;
	}
	memset(p, 0, sizeof(*p));

	size_t plen = strlen(pattern);
	if (plen > 0 && pattern[plen - 1] == '.')
		plen--; /* a trailing dot is optional: the root label is always added */

	const char *s = pattern;
	const char *stop = pattern + plen;
	bool have_seq = false;
	size_t name_max = 1; /* root label */
	size_t text_len = 0;
	int ret;

	while (s < stop) {
		/* One label: pieces up to the next '.' or the end. */
		size_t label_max = 0;
		while (s < stop && *s != '.') {
			if (*s == '{') {
				unsigned width = 0;
				bool is_seq = false;
				ret = parse_token(p, s, &s, &width, &is_seq, why);
				if (ret < 0)
					return ret;
				have_seq |= is_seq;
				label_max += width;
				continue;
			}
			const char *lit = s;
			while (s < stop && literal_char(*s))
				s++;
			size_t n = (size_t)(s - lit);
			if (n == 0) {
				unsigned char c = (unsigned char)*s;
				if (c >= 0x20 && c < 0x7f)
					snprintf(why_buf, sizeof(why_buf), "bad character '%c'", c);
				else
					snprintf(why_buf, sizeof(why_buf), "bad character '\\x%02x'", c);
				*why = why_buf;
				return -EINVAL;
			}
			/* Every literal character is a byte of the name. */
			if (text_len + n > NAME_MAX_WIRE || n > LABEL_MAX) {
				*why = n > LABEL_MAX ? "label longer than 63" : "name longer than 255";
				return -EINVAL;
			}
			memcpy(p->text + text_len, lit, n);
			ret = add_piece(p, PIECE_LITERAL, (uint8_t)n, (uint16_t)text_len, why);
			if (ret < 0)
				return ret;
			text_len += n;
			label_max += n;
		}
		if (label_max == 0) {
			*why = "empty label";
			return -EINVAL;
		}
		if (label_max > LABEL_MAX) {
			*why = "label longer than 63";
			return -EINVAL;
		}
		name_max += 1 + label_max;
		if (name_max > NAME_MAX_WIRE) {
			*why = "name longer than 255";
			return -EINVAL;
		}
		ret = add_piece(p, PIECE_END, 0, 0, why);
		if (ret < 0)
			return ret;
		if (s < stop)
			s++; /* the '.' */
		if (s == stop && stop > pattern && stop[-1] == '.') {
			/* "a..": the stripped dot left an empty last label. */
			*why = "empty label";
			return -EINVAL;
		}
	}
	if (!have_seq) {
		*why = "no {seq}";
		return -EINVAL;
	}
	build_ops(p);
	return 0;
}

/* "00" .. "99": decimal two digits per division. */
static const char two_digits[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static const uint64_t pow10[SEQ_DIGITS] = {
	1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
	100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
	10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
	100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull,
};

/** Write v in decimal at out. @return digits written */
static inline unsigned write_dec(uint8_t *out, uint64_t v)
{
	/* Count first (bits x log10(2), then one correction), then fill from the
	 * end: no reversal, one division per two digits. */
	unsigned bits = 64u - (unsigned)__builtin_clzll(v | 1);
	unsigned n = (bits * 1233u) >> 12; /* floor(bits x 0.30103): digits, or one less */
	if (n < SEQ_DIGITS && v >= pow10[n])
		n++;
	if (n == 0)
		n = 1;
	unsigned pos = n;
	while (v >= 100) {
		unsigned i = (unsigned)(v % 100) * 2;
		v /= 100;
		out[--pos] = (uint8_t)two_digits[i + 1];
		out[--pos] = (uint8_t)two_digits[i];
	}
	if (v >= 10) {
		out[1] = (uint8_t)two_digits[v * 2 + 1];
		out[0] = (uint8_t)two_digits[v * 2];
	} else {
		out[0] = (uint8_t)('0' + v);
	}
	return n;
}

/* Exactly n bytes, inline, in a few unaligned words that may overlap (a
 * call to memcpy costs more than the copy); nothing past d + n is written. */
static inline void copy_small(uint8_t *d, const uint8_t *s, unsigned n)
{
	uint64_t w8;
	uint32_t a4, b4;
	uint16_t a2, b2;
	if (n >= 8) {
		for (unsigned i = 0; i + 8 < n; i += 8) {
			memcpy(&w8, s + i, 8);
			memcpy(d + i, &w8, 8);
		}
		memcpy(&w8, s + n - 8, 8);
		memcpy(d + n - 8, &w8, 8);
	} else if (n >= 4) {
		memcpy(&a4, s, 4);
		memcpy(&b4, s + n - 4, 4);
		memcpy(d, &a4, 4);
		memcpy(d + n - 4, &b4, 4);
	} else if (n >= 2) {
		memcpy(&a2, s, 2);
		memcpy(&b2, s + n - 2, 2);
		memcpy(d, &a2, 2);
		memcpy(d + n - 2, &b2, 2);
	} else if (n == 1) {
		*d = *s;
	}
}

/* The next character of [a-z0-9] from the random fraction x, which goes on. */
static inline uint8_t rand_char(uint64_t *x)
{
	unsigned __int128 m = (unsigned __int128)*x * RAND_ALPHABET;
	*x = (uint64_t)m;
	return (uint8_t)rand_chars[(unsigned)(m >> 64)];
}

/* Every pair of characters of [a-z0-9], in memory order: one lookup writes two. */
#define RAND_PAIRS (RAND_ALPHABET * RAND_ALPHABET)
static uint8_t rand_pairs[RAND_PAIRS][2];

__attribute__((constructor)) static void rand_pairs_fill(void)
{
	for (unsigned i = 0; i < RAND_PAIRS; i++) {
		rand_pairs[i][0] = (uint8_t)rand_chars[i / RAND_ALPHABET];
		rand_pairs[i][1] = (uint8_t)rand_chars[i % RAND_ALPHABET];
	}
}

/* The next pair of characters from the random fraction x, which goes on. */
static inline const uint8_t *rand_pair(uint64_t *x)
{
	unsigned __int128 m = (unsigned __int128)*x * RAND_PAIRS;
	*x = (uint64_t)m;
	return rand_pairs[(unsigned)(m >> 64)];
}

/**
 * Write n characters of [a-z0-9]. A pair of characters is the integer part
 * of a random fraction times 36^2, the fraction going on; each 64-bit draw
 * gives two pairs (21 of its 64 bits), so the bias stays below 2^-40 and
 * four characters cost one draw and two multiplications. The last n % 4
 * characters take one more draw, one character per step.
 */
static void write_rand(uint8_t *out, unsigned n, struct dv_rng *r)
{
	unsigned i = 0;
	for (; i + 4 <= n; i += 4) {
		uint64_t x = dv_rng_next(r);
		memcpy(out + i, rand_pair(&x), 2);
		memcpy(out + i + 2, rand_pair(&x), 2);
	}
	if (i < n) {
		uint64_t x = dv_rng_next(r);
		for (; i < n; i++)
			out[i] = rand_char(&x);
	}
}

uint8_t dv_qname_expand(const struct dv_qname_pattern *p, uint64_t seq, unsigned lcore,
			struct dv_rng *r, uint8_t *out)
{
	unsigned pos = 0;
	unsigned label = 0; /* position of the open label's length byte */

	for (const struct dv_qname_op *op = p->op, *end = op + p->nops; op < end; op++) {
		switch (op->kind) {
		case OP_COPY:
			copy_small(out + pos, p->wire + op->off, op->len);
			pos += op->len;
			break;
		case OP_SEQ:
			pos += write_dec(out + pos, seq);
			break;
		case OP_RAND:
			write_rand(out + pos, op->len, r);
			pos += op->len;
			break;
		case OP_LCORE:
			/* Compile reserved 5 digits; lcore ids are far below that. */
			pos += write_dec(out + pos, lcore % LCORE_MOD);
			break;
		case OP_OPEN:
			label = pos++;
			break;
		default: /* OP_CLOSE */
			out[label] = (uint8_t)(pos - label - 1);
			break;
		}
	}
	return (uint8_t)pos;
}
