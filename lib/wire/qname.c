/**
 * @file qname.c
 * @brief Generated query names: a pattern compiled once into steps (a token,
 *        then the constant bytes after it), expanded per logical query straight
 *        into wire format, with the name's checksum sum from the values written.
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

/* struct dv_qname_op's flags. */
#define OP_OPEN  1u /**< the token is the first of a label of variable width */
#define OP_CLOSE 2u /**< ... and the last: the label's length byte follows from it */

#define LABEL_MAX  63
#define NAME_MAX_WIRE 255
#define SEQ_DIGITS   20   /**< UINT64_MAX */
#define LCORE_DIGITS 5
#define LCORE_MOD    100000u
#define RAND_MAX_N   32
#define RAND_ALPHABET 36

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

/* Partial sum of n constant bytes, as if they started at an even offset. */
static uint32_t bytes_sum(const uint8_t *b, unsigned n)
{
	uint32_t sum = 0;
	for (unsigned i = 0; i < n; i++)
		sum += (uint32_t)b[i] << (8 * (i & 1));
	return sum;
}

/* The constant bytes [run, wlen) follow op (the lead when NULL). */
static void end_run(struct dv_qname_pattern *p, struct dv_qname_op *op, unsigned run, unsigned wlen)
{
	uint32_t sum = bytes_sum(p->wire + run, wlen - run);
	if (op == NULL) {
		p->lead_len = (uint8_t)(wlen - run);
		p->lead_sum = sum;
	} else {
		op->copy_off = (uint16_t)run;
		op->copy_len = (uint8_t)(wlen - run);
		op->copy_sum = sum;
	}
}

/* Bytes of pieces [from, to) of one label (literals and {randN}: fixed). */
static unsigned fixed_width(const struct dv_qname_pattern *p, unsigned from, unsigned to)
{
	unsigned w = 0;
	for (unsigned k = from; k < to; k++)
		w += p->piece[k].len;
	return w;
}

/*
 * The pieces as steps: each token with the constant bytes after it. A label
 * of fixed width (literals, {randN}) has a constant length byte; a label
 * with {seq} or {lcore} gets its length from its first and last such token
 * (OP_OPEN, OP_CLOSE). Compile has checked that the name fits 255 bytes, so
 * the constant bytes do too, and there are fewer tokens than pieces.
 */
static void build_ops(struct dv_qname_pattern *p)
{
	unsigned wlen = 0, run = 0, i = 0;
	struct dv_qname_op *cur = NULL;
	p->nops = 0;
	while (i < p->npieces) {
		unsigned e = i, first_var = UINT32_MAX, last_var = UINT32_MAX;
		for (; p->piece[e].kind != PIECE_END; e++) {
			if (p->piece[e].kind == PIECE_SEQ || p->piece[e].kind == PIECE_LCORE) {
				if (first_var == UINT32_MAX)
					first_var = e;
				last_var = e;
			}
		}
		bool variable = first_var != UINT32_MAX;
		p->wire[wlen++] = variable ? 0 : (uint8_t)fixed_width(p, i, e);
		for (unsigned k = i; k < e; k++) {
			const struct dv_qname_piece *pc = &p->piece[k];
			if (pc->kind == PIECE_LITERAL) {
				memcpy(p->wire + wlen, p->text + pc->off, pc->len);
				wlen += pc->len;
				continue;
			}
			end_run(p, cur, run, wlen);
			cur = &p->op[p->nops++];
			*cur = (struct dv_qname_op){ .kind = pc->kind, .len = pc->len };
			if (k == first_var) {
				cur->flags |= OP_OPEN;
				cur->pre = (uint8_t)fixed_width(p, i, k);
			}
			if (k == last_var) {
				cur->flags |= OP_CLOSE;
				cur->post = (uint8_t)fixed_width(p, k + 1, e);
			}
			run = wlen;
		}
		i = e + 1;
	}
	p->wire[wlen++] = 0; /* root */
	end_run(p, cur, run, wlen);
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

/* The expansion and all its pieces are inlined into both entry points, so that
 * the one without a sum computes none. Left to itself GCC kept one copy, with
 * the sums, for both; with only expand() forced inline it moved the digits'
 * writer out of line instead (docs/performance-log.md, "Midday, 2026-12-05"). */
#define ALWAYS_INLINE static inline __attribute__((always_inline))

/*
 * The name is written left to right in whole 16- and 8-byte stores that may
 * run past what they mean to write: every later write overwrites the excess,
 * and out has DV_QNAME_SLACK bytes beyond the longest name for the last one
 * (wire[] has as many beyond the constant bytes, which are read as far).
 * Fixed-size stores cost no branch on the length, which the exact copies did.
 */

/* n bytes from s at d, and up to 15 more (n = 0 still writes 16). */
ALWAYS_INLINE void copy_over(uint8_t *d, const uint8_t *s, unsigned n)
{
	unsigned i = 0;
	do {
		memcpy(d + i, s + i, 16);
		i += 16;
	} while (i < n);
}

/*
 * What the fast expansion writes is a group of up to 8 bytes held in a
 * 64-bit word in memory order (little-endian: byte i is bits 8i..8i+7), so
 * that the same word gives the bytes' sum.
 */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "groups are little-endian words");

/* The low bytes of g at d (all 8 are stored). */
ALWAYS_INLINE void store_group(uint8_t *d, uint64_t g)
{
	memcpy(d, &g, 8);
}

/*
 * The name's partial sum, in one accumulator: a byte at an odd offset is the
 * high half of its 16-bit word, so a group that starts at one counts 256
 * times, which mod 0xffff is the byte swap of its sum (fold16 takes the rest).
 * A group adds less than 2^41, so no name can carry out of 64 bits.
 */
struct sums {
	uint64_t acc;
};

ALWAYS_INLINE void sum_group(struct sums *s, unsigned pos, uint64_t g)
{
	uint64_t w = (g & 0xffffffffu) + (g >> 32);
	s->acc += w << (8 * (pos & 1));
}

/* The eight decimal digits of v < 10^8 (leading zeros included) as byte
 * values 0..9 in memory order: halves, quarters, digits, each step one
 * multiply for all lanes (x * 10486 >> 20 is x / 100 below 43700, x * 103
 * >> 10 is x / 10 below 179). */
ALWAYS_INLINE uint64_t dec8(uint32_t v)
{
	uint64_t x = (uint64_t)(v / 10000) | (uint64_t)(v % 10000) << 32;
	uint64_t q = ((x * 10486) >> 20) & 0x0000007f0000007full;
	x = q | (x - q * 100) << 16;
	q = ((x * 103) >> 10) & 0x000f000f000f000full;
	return q | (x - q * 10) << 8;
}

#define ASCII_ZEROS 0x3030303030303030ull

/* v < 10^8 without leading zeros: its digits, as ASCII in the low *n bytes. */
ALWAYS_INLINE uint64_t dec_group(uint32_t v, unsigned *n)
{
	uint64_t d = dec8(v);
	unsigned lead = d == 0 ? 7 : (unsigned)__builtin_ctzll(d) / 8; /* leading zero digits */
	*n = 8 - lead;
	return (d >> (8 * lead)) + (ASCII_ZEROS >> (8 * lead));
}

/* v in decimal at out + pos, its sum into s. @return digits written */
ALWAYS_INLINE unsigned dec_write(uint8_t *out, unsigned pos, uint64_t v, struct sums *s)
{
	unsigned n, m = 0;
	uint64_t g;
	if (__builtin_expect(v >= 100000000ull, 0)) {
		uint64_t hi = v / 100000000ull;
		if (__builtin_expect(hi >= 100000000ull, 0)) {
			g = dec_group((uint32_t)(hi / 100000000ull), &n);
			store_group(out + pos, g);
			sum_group(s, pos, g);
			m = n;
			hi %= 100000000ull;
			g = dec8((uint32_t)hi) + ASCII_ZEROS;
			n = 8;
		} else {
			g = dec_group((uint32_t)hi, &n);
		}
		store_group(out + pos + m, g);
		sum_group(s, pos + m, g);
		m += n;
		g = dec8((uint32_t)(v % 100000000ull)) + ASCII_ZEROS;
		n = 8;
	} else {
		g = dec_group((uint32_t)v, &n);
	}
	store_group(out + pos + m, g);
	sum_group(s, pos + m, g);
	return m + n;
}

/* The next character of [a-z0-9] from the random fraction x, which goes on. */
ALWAYS_INLINE uint8_t rand_char(uint64_t *x)
{
	unsigned __int128 m = (unsigned __int128)*x * RAND_ALPHABET;
	*x = (uint64_t)m;
	return (uint8_t)rand_chars[(unsigned)(m >> 64)];
}

/* Every pair of characters of [a-z0-9], in memory order: one lookup gives two. */
#define RAND_PAIRS (RAND_ALPHABET * RAND_ALPHABET)
static uint16_t rand_pairs[RAND_PAIRS];

__attribute__((constructor)) static void rand_pairs_fill(void)
{
	for (unsigned i = 0; i < RAND_PAIRS; i++) {
		uint8_t b[2] = { (uint8_t)rand_chars[i / RAND_ALPHABET],
				 (uint8_t)rand_chars[i % RAND_ALPHABET] };
		memcpy(&rand_pairs[i], b, 2);
	}
}

/* The next pair of characters from the random fraction x, which goes on. */
ALWAYS_INLINE uint16_t rand_pair(uint64_t *x)
{
	unsigned __int128 m = (unsigned __int128)*x * RAND_PAIRS;
	*x = (uint64_t)m;
	return rand_pairs[(unsigned)(m >> 64)];
}

/**
 * Write n characters of [a-z0-9] at out + pos, their sum into s. A pair of
 * characters is the integer part of a random fraction times 36^2, the
 * fraction going on; each 64-bit draw gives two pairs (21 of its 64 bits),
 * so the bias stays below 2^-40 and four characters cost one draw and two
 * multiplications. The last n % 4 characters take one more draw, one
 * character per step.
 */
ALWAYS_INLINE void rand_write(uint8_t *out, unsigned pos, unsigned n, struct dv_rng *r,
			      struct sums *s)
{
	unsigned i = 0;
	for (; i + 4 <= n; i += 4) {
		uint64_t x = dv_rng_next(r);
		uint32_t a = rand_pair(&x);
		uint32_t g = a | (uint32_t)rand_pair(&x) << 16;
		memcpy(out + pos + i, &g, 4);
		sum_group(s, pos + i, g);
	}
	if (i < n) {
		uint64_t x = dv_rng_next(r), g = 0;
		for (unsigned k = 0; i + k < n; k++)
			g |= (uint64_t)rand_char(&x) << (8 * k);
		store_group(out + pos + i, g);
		sum_group(s, pos + i, g);
	}
}

/* A partial sum's 16 bits (end-around carry). */
ALWAYS_INLINE uint32_t fold16(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffu) + (s >> 16);
	s = (s & 0xffffu) + (s >> 16);
	return (uint32_t)s;
}

ALWAYS_INLINE uint8_t expand(const struct dv_qname_pattern *p, uint64_t seq, unsigned lcore,
			     struct dv_rng *r, uint8_t *out, uint32_t *sum)
{
	struct sums s = { p->lead_sum };
	unsigned pos = p->lead_len;
	unsigned label = 0; /* position of the open label's length byte */

	copy_over(out, p->wire, p->lead_len);
	for (const struct dv_qname_op *op = p->op, *end = op + p->nops; op < end; op++) {
		unsigned start = pos;
		if (op->kind == PIECE_RAND) {
			rand_write(out, pos, op->len, r, &s);
			pos += op->len;
		} else {
			/* Compile reserved 5 digits for {lcore}; lcore ids are far below that. */
			pos += dec_write(out, pos, op->kind == PIECE_SEQ ? seq : lcore % LCORE_MOD, &s);
		}
		if (op->flags & OP_OPEN)
			label = start - op->pre - 1;
		if (op->flags & OP_CLOSE) {
			uint8_t len = (uint8_t)(pos + op->post - label - 1);
			out[label] = len;
			sum_group(&s, label, len);
		}
		copy_over(out + pos, p->wire + op->copy_off, op->copy_len);
		sum_group(&s, pos, op->copy_sum);
		pos += op->copy_len;
	}
	if (sum != NULL)
		*sum = fold16(s.acc);
	return (uint8_t)pos;
}

uint8_t dv_qname_expand(const struct dv_qname_pattern *p, uint64_t seq, unsigned lcore,
			struct dv_rng *r, uint8_t *out)
{
	return expand(p, seq, lcore, r, out, NULL);
}

uint8_t dv_qname_expand_sum(const struct dv_qname_pattern *p, uint64_t seq, unsigned lcore,
			    struct dv_rng *r, uint8_t *out, uint32_t *sum)
{
	return expand(p, seq, lcore, r, out, sum);
}
