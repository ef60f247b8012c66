/**
 * @file battery.h
 * @brief The compliance battery as data: each check a query to build and the
 *        properties its answer must have (RFC 8906 section 8, with RFC 6891,
 *        7766, 7873 and 7828 checks), built and verified with ldns, off the
 *        hot path.
 *
 * A check's query is built for a zone (the names are the zone's apex), with
 * the ID the caller gives; its answer is verified against the query it got,
 * field by field, and the first field that differs is said in words.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** How a check's query travels. */
enum dv_check_transport {
	DV_CHECK_UDP = 0,
	DV_CHECK_TCP,
};

/** An EDNS option code no server knows (RFC 8906 8.2.3 uses 100). */
#define DV_CHECK_UNKNOWN_OPTION 100
/** An EDNS flag no server knows (RFC 8906 8.2.4: dig +ednsflags=0x80). */
#define DV_CHECK_UNKNOWN_FLAG 0x0080
/** RFC 7873 COOKIE and RFC 7828 edns-tcp-keepalive option codes. */
#define DV_CHECK_OPT_COOKIE 10
#define DV_CHECK_OPT_KEEPALIVE 11
/** The client cookie the cookie check sends (8 bytes). */
#define DV_CHECK_CLIENT_COOKIE "\x64\x6e\x73\x76\x6f\x6c\x6c\x79"

/** What a check asks. */
struct dv_check_query {
	uint16_t qtype;
	uint8_t opcode;          /**< 0 QUERY; 15 for the unknown opcode */
	enum dv_check_transport transport;
	bool edns;               /**< an OPT record */
	uint8_t version;         /**< its EDNS version */
	uint16_t bufsize;        /**< its UDP payload size */
	bool dnssec_ok;          /**< DO */
	uint16_t flags;          /**< other EDNS flag bits (DV_CHECK_UNKNOWN_FLAG) */
	uint16_t option;         /**< an option to send (0: none): unknown, COOKIE or keepalive */
};

/** Whether something must be there, must not, or may. */
enum dv_check_must {
	DV_MAY = 0,
	DV_MUST,
	DV_MUST_NOT,
};

/** What its answer must be (every answer: QR set, ID, opcode and, unless the rcode excuses it, the question echoed). */
struct dv_check_expect {
	uint32_t rcodes;         /**< acceptable (extended) RCODEs: bit 1 << rcode */
	enum dv_check_must opt;  /**< an OPT record in the answer */
	enum dv_check_must aa;   /**< AA */
	bool no_answer;          /**< no records in the answer section (BADVERS, NOTIMP) */
	bool fits;               /**< no larger than the offered size (512 without EDNS), or TC */
};

/** One check of the battery. */
struct dv_check {
	const char *id;          /**< short name, e.g. "edns-version" */
	const char *rfc;         /**< e.g. "RFC 8906 8.2.2" */
	const char *what;        /**< what it asks, in words */
	struct dv_check_query q;
	struct dv_check_expect e;
};

/** The battery, in order. */
extern const struct dv_check dv_checks[];
extern const unsigned dv_checks_n;

/** The check with this id, or NULL. */
const struct dv_check *dv_check_find(const char *id);

/**
 * Build check c's query for zone (its apex is the name asked), with DNS ID id,
 * as a DNS message (no TCP length prefix).
 * @return its length, or -EINVAL (a zone that is no domain name), -ENOSPC, -ENOMEM
 */
int dv_check_build(const struct dv_check *c, const char *zone, uint16_t id, uint8_t *buf,
		   size_t len);

/** How a check ended. */
enum dv_check_verdict {
	DV_CHECK_PASS = 0,
	DV_CHECK_FAIL,           /**< an answer came, and a field differs (why says which) */
	DV_CHECK_NO_ANSWER,      /**< none came (the caller decides that) */
};

/**
 * Verify answer ans (a DNS message) to check c's query q.
 * @param why on failure: the field, what was expected and what came ("rcode: expected
 *            BADVERS, got NOERROR")
 * @return DV_CHECK_PASS or DV_CHECK_FAIL
 */
enum dv_check_verdict dv_check_verify(const struct dv_check *c, const uint8_t *q, size_t qlen,
				      const uint8_t *ans, size_t alen, char *why, size_t wlen);
