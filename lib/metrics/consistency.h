/**
 * @file consistency.h
 * @brief Answer consistency over time: which A/AAAA records each answer
 *        carried, with which TTLs, per (qname, qtype).
 *
 * A resolver that caches A and AAAA of one owner with very different TTLs
 * (A 13 s, AAAA 83213 s) may answer, for a while, with one family and not
 * the other: IPv4-only clients then find no usable address (docs/design.md §1,
 * "TTL mismatch between A and AAAA"). The tracker is fed sampled answers
 * (DNS wire messages and their receive time) on the main lcore, off the hot
 * path, and keeps a bounded table:
 *
 * - at most DV_CONS_KEYS (qname, qtype) keys, DV_CONS_OWNERS owner names per
 *   key, DV_CONS_ADDRS addresses per (owner, family), DV_CONS_EPISODES
 *   vanishing episodes per (owner, family); what does not fit is counted;
 * - per key: answers sampled, record counts per section (min, max, and
 *   the first DV_CONS_CHANGES times they changed from one answer to the next);
 * - per (owner, family): the sections it was seen in, its addresses, the
 *   minimum and maximum TTL, how often the TTL went up (the record was
 *   fetched again), and the *episodes*: maximal runs of consecutive
 *   intervals with at least one answer that carried the owner's other
 *   family but not this one (after this one had been seen for the key).
 *
 * Episodes record changes only, so memory does not grow with the run's
 * length. Pure code: no DPDK; ldns parses the messages. Any bytes are
 * accepted: what does not parse is counted and ignored.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DV_CONS_KEYS 256     /**< (qname, qtype) keys tracked */
#define DV_CONS_OWNERS 16    /**< owner names per key */
#define DV_CONS_ADDRS 4      /**< addresses kept per (owner, family) */
#define DV_CONS_EPISODES 8   /**< vanishing episodes kept per (owner, family) */
#define DV_CONS_CHANGES 8    /**< changes of the record counts kept per key */
#define DV_CONS_MSG_MAX 4096 /**< the engine samples DNS messages up to this size */
#define DV_CONS_TTL_POINTS 64 /**< points of the TTL-over-time series per (owner, family) */

/** Index of a family in per-family arrays (A = IPv4, AAAA = IPv6). */
enum dv_cons_fam {
	DV_CONS_A = 0,
	DV_CONS_AAAA = 1,
	DV_CONS_FAMS = 2,
};

/** Sections of a message, as bits in dv_cons_family.sections and counts indexes. */
enum dv_cons_sec {
	DV_CONS_SEC_AN = 0, /**< answer */
	DV_CONS_SEC_NS = 1, /**< authority */
	DV_CONS_SEC_AR = 2, /**< additional */
	DV_CONS_SECS = 3,
};

/** A run of consecutive intervals in which a family vanished while the other remained. */
struct dv_cons_episode {
	uint32_t first_iv;   /**< first interval (index from the start of the run) */
	uint32_t last_iv;    /**< last interval (inclusive) */
	uint64_t first_ns;   /**< receive time of the first answer missing the family */
	uint64_t last_ns;    /**< ... and of the last one */
	uint64_t answers;    /**< sampled answers missing the family in these intervals */
};

/** The record counts per section changed between two answers of a key. */
struct dv_cons_change {
	uint32_t iv;                     /**< interval of the answer with the new counts */
	uint64_t t_ns;                   /**< its receive time */
	uint16_t from[DV_CONS_SECS];     /**< counts in the answer before */
	uint16_t to[DV_CONS_SECS];       /**< counts in this one */
};

/** One family of one owner name, within one key. */
struct dv_cons_family {
	uint64_t answers;        /**< sampled answers carrying it */
	uint8_t sections;        /**< bit (1 << DV_CONS_SEC_*) per section it was seen in */
	uint32_t ttl_min, ttl_max;
	uint32_t ttl_last;       /**< TTL in the latest answer carrying it */
	uint32_t refreshes;      /**< times the TTL went up between answers (fetched again) */
	uint8_t naddr;
	uint8_t addr[DV_CONS_ADDRS][16]; /**< 4 bytes for A, 16 for AAAA */
	uint8_t addr_sections[DV_CONS_ADDRS]; /**< sections each address was seen in */
	uint64_t addrs_dropped;  /**< addresses beyond DV_CONS_ADDRS (counted per record) */
	uint64_t missing;        /**< answers missing it while carrying the other family */
	bool missing_last;       /**< the latest answer with this owner was missing it */
	uint32_t nep;
	struct dv_cons_episode ep[DV_CONS_EPISODES];
	uint64_t ep_dropped;     /**< episodes beyond DV_CONS_EPISODES */
	uint32_t dropped_last_iv; /**< last interval of the latest episode that did not fit */
	/**
	 * TTL over time: the lowest TTL in each bucket of ttl_width intervals
	 * that had an answer carrying the family, in order. When the series is
	 * full, neighbouring buckets merge and the width doubles: a long run
	 * keeps its whole length at a coarser step, in fixed memory.
	 */
	uint32_t ttl_width;      /**< intervals per bucket, 0 before the first point */
	uint32_t nttl;
	struct {
		uint32_t bucket;     /**< bucket index: intervals [bucket * width, (bucket + 1) * width) */
		uint32_t ttl;        /**< lowest TTL seen in it */
	} ttl_at[DV_CONS_TTL_POINTS];
};

/** An owner name of A/AAAA records in the answers of one key. */
struct dv_cons_owner {
	uint8_t name[255];       /**< wire format, lower case */
	uint8_t name_len;
	struct dv_cons_family fam[DV_CONS_FAMS];
};

/** One (qname, qtype) as queried. */
struct dv_cons_key {
	uint8_t qname[255];      /**< wire format, lower case */
	uint8_t qname_len;
	uint16_t qtype;
	uint64_t answers;        /**< sampled answers */
	uint64_t first_ns, last_ns;
	uint16_t count_min[DV_CONS_SECS], count_max[DV_CONS_SECS]; /**< records per section */
	uint16_t count_last[DV_CONS_SECS]; /**< ... in the latest answer */
	uint32_t nchanges;
	struct dv_cons_change chg[DV_CONS_CHANGES]; /**< the first changes of the counts */
	uint64_t changes_dropped; /**< later ones, counted */
	uint16_t nowners;
	struct dv_cons_owner owner[DV_CONS_OWNERS];
	uint64_t owners_dropped; /**< records of owners beyond DV_CONS_OWNERS */
};

/** The tracker. Sized once (dv_cons_new); never grows. */
struct dv_cons {
	uint64_t interval_ns;    /**< length of an interval */
	uint64_t fed;            /**< messages given to dv_cons_add */
	uint64_t used;           /**< ... that were parsed and counted under a key */
	uint64_t malformed;      /**< did not parse (ldns), or not one question */
	uint64_t keys_dropped;   /**< answers of keys beyond DV_CONS_KEYS */
	uint64_t ring_dropped;   /**< filled by the engine: samples the hand-off ring had no room for */
	uint64_t too_large;      /**< filled by the engine: answers larger than a sample buffer */
	uint32_t last_iv;        /**< interval of the latest answer (for the report) */
	uint32_t nkeys;
	struct dv_cons_key key[DV_CONS_KEYS];
};

/**
 * Allocate an empty tracker.
 * @param interval_ns interval length in ns (> 0)
 * @return the tracker, or NULL (out of memory, or interval_ns 0)
 */
struct dv_cons *dv_cons_new(uint64_t interval_ns);

/** Release a tracker (NULL: nothing). */
void dv_cons_free(struct dv_cons *t);

/**
 * Account for one answer.
 * @param msg DNS message (wire format), any bytes
 * @param len its length
 * @param t_ns receive time in ns since the start of the run
 * @return 0 when counted under a key, -EINVAL when it does not parse,
 *         -ENOSPC when its key did not fit (counted either way)
 */
int dv_cons_add(struct dv_cons *t, const uint8_t *msg, size_t len, uint64_t t_ns);

/**
 * Whether an owner's A and AAAA TTLs disagree enough for one family to
 * expire from caches long before the other: both seen, the larger maximum
 * TTL at least twice the smaller and at least 60 s more.
 */
bool dv_cons_ttl_mismatch(const struct dv_cons_owner *o);

/**
 * Presentation form of a wire-format name ("mail1.example.").
 * @return buf (an empty string if the name is not valid)
 */
char *dv_cons_name_str(const uint8_t *name, uint8_t len, char *buf, size_t buflen);

/**
 * Presentation form of address i of a family ("198.18.0.1", "2001:2::1").
 * @return buf
 */
char *dv_cons_addr_str(const struct dv_cons_family *f, enum dv_cons_fam fam, unsigned i,
		       char *buf, size_t buflen);

/** RR type mnemonic ("MX", "TYPE65280"). @return buf */
char *dv_cons_type_str(uint16_t qtype, char *buf, size_t buflen);

/** "answer", "authority" or "additional". */
const char *dv_cons_section_name(enum dv_cons_sec sec);
