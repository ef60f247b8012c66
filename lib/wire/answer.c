/**
 * @file answer.c
 * @brief The embedded responder: turn a query frame into its answer in place.
 *
 * The response reuses the query's header and question bytes; everything after
 * the question is rewritten. All writes stay below cap, whatever the input.
 */
#include "wire/answer.h"

#include <rte_ip.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "wire/frame_parse.h"
#include "wire/query.h"

#define DNS_RCODE_NOERROR 0
#define DNS_RCODE_FORMERR 1
#define DNS_RCODE_REFUSED 5
#define DNS_RCODE_BADVERS 16 /* extended: upper 8 bits go into the OPT TTL */

#define OPT_RR_LEN    11    /* root owner, type, class, TTL, RDLENGTH 0 */
#define RR_FIXED_LEN  10    /* type, class, TTL, RDLENGTH */
#define NAME_PTR_LEN  2
#define PAD_RR_MIN    (NAME_PTR_LEN + RR_FIXED_LEN + 1) /* TXT with one empty string */
#define EDNS_DO       0x8000
#define PLAIN_DNS_MAX 512   /* requestor's buffer without OPT (RFC 1035) */
#define TXT_DEFAULT   16
#define RESP_TTL      64    /* IP TTL / hop limit of responses */
#define EDNS_OPT_TCP_KEEPALIVE 11 /* edns-tcp-keepalive (RFC 7828) */
#define KEEPALIVE_OPT_LEN 6 /* its code, length and 16-bit TIMEOUT */

/** What the query's additional section said about EDNS. */
struct edns_info {
	bool present;
	bool do_bit;
	bool duplicate;   /**< more than one OPT: FORMERR (RFC 6891 6.1.1) */
	uint8_t version;
	uint16_t udp_size;
	uint16_t z;        /**< its flags word (DO and the rest) */
	const uint8_t *options; /**< its RDATA (options), in the query */
	uint16_t olen;
};

#define DNS_RCODE_NOTIMP 4
#define EDNS_OPT_COOKIE 10    /* RFC 7873 */
#define ECHO_MAX 64           /* option bytes the defects echo-option and bad-cookie copy */

/* The defects by name (--responder). */
static const struct {
	const char *name;
	unsigned flag;
} defect_names[] = {
	{ "bad-opcode", DV_ANSWER_BAD_OPCODE }, { "no-opt", DV_ANSWER_NO_OPT },
	{ "formerr", DV_ANSWER_FORMERR }, { "tc-over-tcp", DV_ANSWER_TC_TCP },
	{ "no-aa", DV_ANSWER_NO_AA }, { "no-badvers", DV_ANSWER_NO_BADVERS },
	{ "echo-option", DV_ANSWER_ECHO_OPTION }, { "echo-flags", DV_ANSWER_ECHO_FLAGS },
	{ "drop-do", DV_ANSWER_DROP_DO }, { "opcode-as-query", DV_ANSWER_OPCODE_QUERY },
	{ "notimp-no-opt", DV_ANSWER_NOTIMP_NO_OPT }, { "bad-cookie", DV_ANSWER_BAD_COOKIE },
	{ "bad-keepalive", DV_ANSWER_BAD_KEEPALIVE },
};

unsigned dv_answer_defect_of(const char *name)
{
	for (size_t i = 0; name != NULL && i < sizeof(defect_names) / sizeof(defect_names[0]); i++)
		if (strcmp(name, defect_names[i].name) == 0)
			return defect_names[i].flag;
	return 0;
}

/*
 * The options a defect puts in the response's OPT, copied out of the query
 * first (the answer is written over it): echo-option echoes the ones we do
 * not know; bad-cookie answers a COOKIE whose client part is not the query's.
 * @return their length in out (at most ECHO_MAX + 20)
 */
static size_t defect_options(const struct edns_info *e, unsigned defects, uint8_t *out)
{
	size_t n = 0, off = 0;
	while (e->options != NULL && off + 4 <= e->olen) {
		uint16_t code = dv_rd16(e->options + off), l = dv_rd16(e->options + off + 2);
		if (off + 4u + l > e->olen)
			break;
		if ((defects & DV_ANSWER_ECHO_OPTION) && code != EDNS_OPT_COOKIE &&
		    code != EDNS_OPT_TCP_KEEPALIVE && n + 4u + l <= ECHO_MAX) {
			memcpy(out + n, e->options + off, 4u + l);
			n += 4u + l;
		}
		if ((defects & DV_ANSWER_BAD_COOKIE) && code == EDNS_OPT_COOKIE && l >= 8) {
			dv_wr16(out + n, EDNS_OPT_COOKIE);
			dv_wr16(out + n + 2, 16);
			for (unsigned i = 0; i < 8; i++)
				out[n + 4 + i] = (uint8_t)~e->options[off + 4 + i];
			memcpy(out + n + 12, "dvserver", 8);
			n += 20;
		}
		off += 4u + l;
	}
	return n;
}

void dv_answer_cfg_default(struct dv_answer_cfg *cfg)
{
	static const uint8_t a[4] = { 198, 18, 0, 53 };
	static const uint8_t aaaa[16] = { 0x20, 0x01, 0x00, 0x02, [14] = 0x00, [15] = 0x53 };

	memset(cfg, 0, sizeof(*cfg));
	cfg->ttl = 300;
	memcpy(cfg->a, a, sizeof(a));
	memcpy(cfg->aaaa, aaaa, sizeof(aaaa));
	cfg->edns_size = 1232;
	cfg->mtu = 1500;
}

/**
 * Walk the answer, authority and additional sections to find the OPT RR.
 * Each RR takes at least 11 bytes, so the walk ends within len / 11 steps
 * even for absurd counts.
 */
static int scan_edns(const uint8_t *dns, size_t len, const struct dv_dns_view *d,
		     struct edns_info *e)
{
	size_t pos = d->q_end;
	size_t before_ar = (size_t)d->ancount + d->nscount;
	size_t total = before_ar + d->arcount;

	memset(e, 0, sizeof(*e));
	for (size_t i = 0; i < total; i++) {
		int ret = dv_dns_skip_name(dns, len, &pos);
		if (ret < 0)
			return ret;
		if (len - pos < RR_FIXED_LEN)
			return -EBADMSG;
		uint16_t type = dv_rd16(dns + pos);
		uint16_t rclass = dv_rd16(dns + pos + 2);
		uint32_t ttl = dv_rd32(dns + pos + 4);
		size_t rdlen = dv_rd16(dns + pos + 8);
		pos += RR_FIXED_LEN;
		if (len - pos < rdlen)
			return -EBADMSG;
		pos += rdlen;
		if (i < before_ar || type != DV_DNS_TYPE_OPT)
			continue;
		if (e->present) {
			e->duplicate = true;
			continue;
		}
		e->present = true;
		e->udp_size = rclass;
		e->version = (uint8_t)(ttl >> 16);
		e->do_bit = (ttl & EDNS_DO) != 0;
		e->z = (uint16_t)ttl;
		e->options = dns + pos - rdlen;
		e->olen = (uint16_t)rdlen;
	}
	return 0;
}

/** TXT RDATA size asked for by a first label "sNNNN" (any case), else the default. */
static size_t txt_size(const uint8_t *qname)
{
	uint8_t l = qname[0];
	if (l < 2 || (qname[1] | 0x20) != 's')
		return TXT_DEFAULT;
	size_t n = 0;
	for (size_t i = 2; i <= l; i++) {
		uint8_t c = qname[i];
		if (c < '0' || c > '9')
			return TXT_DEFAULT;
		/* Saturate: no message can hold more than 64 KiB anyway. */
		if (n <= UINT16_MAX)
			n = n * 10 + (size_t)(c - '0');
	}
	if (n > UINT16_MAX)
		n = UINT16_MAX;
	/* A TXT RDATA holds at least one (possibly empty) character-string. */
	return n == 0 ? 1 : n;
}

/** Fill rdlen bytes of TXT RDATA: character-strings of at most 255 bytes. */
static void write_txt(uint8_t *p, size_t rdlen)
{
	size_t k = 0;
	while (rdlen > 0) {
		size_t chunk = rdlen - 1 < 255 ? rdlen - 1 : 255;
		*p++ = (uint8_t)chunk;
		for (size_t i = 0; i < chunk; i++)
			*p++ = (uint8_t)('a' + (k++ % 26));
		rdlen -= chunk + 1;
	}
}

/** Owner (pointer to the question name), type, class IN, TTL, RDLENGTH. @return past them */
static uint8_t *write_rr_head(uint8_t *p, uint16_t type, uint32_t ttl, size_t rdlen)
{
	dv_wr16(p, 0xc000 | DV_DNS_HLEN);
	dv_wr16(p + 2, type);
	dv_wr16(p + 4, DV_DNS_CLASS_IN);
	dv_wr32(p + 6, ttl);
	dv_wr16(p + 10, (uint16_t)rdlen);
	return p + NAME_PTR_LEN + RR_FIXED_LEN;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/** Rewrite Ethernet, IP and UDP headers for a response of dns_len bytes. */
static void finish_headers(uint8_t *frame, const struct dv_frame_view *v, size_t dns_len)
{
	uint8_t tmp[16];
	uint8_t *ip = frame + v->l3_off;
	uint8_t *udp = frame + v->l4_off;
	uint16_t udp_len = (uint16_t)(DV_UDP_HLEN + dns_len);

	memcpy(tmp, frame, 6);
	memcpy(frame, frame + 6, 6);
	memcpy(frame + 6, tmp, 6);

	if (v->family == AF_INET) {
		memcpy(tmp, ip + 12, 4);
		memcpy(ip + 12, ip + 16, 4);
		memcpy(ip + 16, tmp, 4);
		dv_wr16(ip + 2, (uint16_t)(DV_IPV4_HLEN + udp_len));
		ip[8] = RESP_TTL;
		dv_wr16(ip + 10, 0);
		uint16_t hc = rte_ipv4_cksum((const struct rte_ipv4_hdr *)ip);
		memcpy(ip + 10, &hc, 2);
	} else {
		memcpy(tmp, ip + 8, 16);
		memcpy(ip + 8, ip + 24, 16);
		memcpy(ip + 24, tmp, 16);
		dv_wr16(ip + 4, udp_len);
		ip[7] = RESP_TTL;
	}

	memcpy(tmp, udp, 2);
	memcpy(udp, udp + 2, 2);
	memcpy(udp + 2, tmp, 2);
	dv_wr16(udp + 4, udp_len);
	dv_wr16(udp + 6, 0);
	uint16_t c = (uint16_t)~__rte_raw_cksum_reduce(
		__rte_raw_cksum(udp, udp_len, dv_pseudo_sum(v->family, ip)));
	if (c == 0)
		c = 0xffff; /* 0 means "no checksum" in UDP */
	memcpy(udp + 6, &c, 2);
}

/** Where a response must fit, in bytes of DNS message. */
struct answer_room {
	size_t room;     /**< the caller's buffer past the start of the message */
	size_t mtu_room; /**< the MTU's share for the message (SIZE_MAX: no MTU, a stream) */
	size_t limit;    /**< all limits together: beyond it the response is truncated */
	bool stream;     /**< TCP: never truncated (beyond the limit: an error) */
	int keepalive;   /**< edns-tcp-keepalive TIMEOUT for the OPT record, or -1 */
};

/*
 * The DNS part of dv_answer_build() and dv_answer_build_msg(): the query's
 * message at dns (qlen bytes) becomes its response, in place. d and e are
 * the query's question and EDNS. @return the response's length, or -errno
 */
static int answer_msg(uint8_t *dns, const struct dv_dns_view *d, const struct edns_info *e,
		      const struct answer_room *ar, const struct dv_answer_cfg *cfg)
{
	unsigned defects = cfg->defects;
	unsigned opcode = (d->flags & DV_DNS_OPCODE) >> 11;
	int rcode = DNS_RCODE_NOERROR;
	if (e->do_bit && (defects & DV_ANSWER_DROP_DO))
		return -EINVAL;
	if (defects & DV_ANSWER_FORMERR)
		rcode = DNS_RCODE_FORMERR;
	else if (e->duplicate)
		rcode = DNS_RCODE_FORMERR;
	else if (opcode != 0 && !(defects & DV_ANSWER_OPCODE_QUERY))
		rcode = DNS_RCODE_NOTIMP; /* RFC 1035 4.1.1; with an OPT if the query had one (RFC 6891 7) */
	else if (e->present && e->version != 0 && !(defects & DV_ANSWER_NO_BADVERS))
		rcode = DNS_RCODE_BADVERS;
	else if (d->qclass != DV_DNS_CLASS_IN)
		rcode = DNS_RCODE_REFUSED;
	uint8_t extra[ECHO_MAX + 20];
	size_t extra_len = e->present ? defect_options(e, defects, extra) : 0;

	size_t room = ar->room;
	size_t limit = ar->limit;
	size_t head = d->q_end; /* header + question, kept as received */
	bool opt = e->present && !(defects & DV_ANSWER_NO_OPT) &&
		   !(rcode == DNS_RCODE_NOTIMP && (defects & DV_ANSWER_NOTIMP_NO_OPT));
	bool bad_keepalive = ar->stream && (defects & DV_ANSWER_BAD_KEEPALIVE);
	bool keepalive = opt && (ar->keepalive >= 0 || bad_keepalive);
	size_t ka_len = keepalive ? KEEPALIVE_OPT_LEN + (bad_keepalive ? 1u : 0u) : 0;
	if (!opt)
		extra_len = 0;
	size_t opt_len = opt ? OPT_RR_LEN + ka_len + extra_len : 0;
	size_t rdlen = 0;
	bool has_answer = false;
	if (rcode == DNS_RCODE_NOERROR) {
		switch (d->qtype) {
		case DV_DNS_TYPE_A:
			rdlen = sizeof(cfg->a);
			has_answer = true;
			break;
		case DV_DNS_TYPE_AAAA:
			rdlen = sizeof(cfg->aaaa);
			has_answer = true;
			break;
		case DV_DNS_TYPE_TXT: {
			rdlen = txt_size(d->qname);
			/* Never more than the caller's buffer can hold; whether the
			 * requestor and the MTU accept it is decided below. */
			size_t fixed = head + NAME_PTR_LEN + RR_FIXED_LEN + opt_len;
			if (room > fixed + 1 && rdlen > room - fixed)
				rdlen = room - fixed;
			has_answer = true;
			break;
		}
		default:
			break; /* NODATA */
		}
	}

	size_t ans_len = has_answer ? NAME_PTR_LEN + RR_FIXED_LEN + rdlen : 0;
	/* Padding to cfg->answer_size: a TXT record in the additional section,
	 * or none if it cannot fit in what is left. */
	size_t base = head + ans_len + opt_len;
	size_t pad_len = 0;
	if (cfg->answer_size > base && cfg->answer_size - base >= PAD_RR_MIN)
		pad_len = cfg->answer_size - base;
	bool tc = false;
	if (base + pad_len > limit) {
		/* Over TCP the requestor's UDP size is no limit (RFC 7766 8):
		 * what does not fit the stream's own limit is not sent at all. */
		if (ar->stream)
			return -EMSGSIZE;
		tc = true;
		has_answer = false;
		pad_len = 0;
		if (head + opt_len > room)
			return -ENOSPC;
		if (head + opt_len > ar->mtu_room)
			return -EMSGSIZE;
	}

	/* Everything after the question is rewritten from here on. */
	uint8_t *p = dns + head;
	if (has_answer) {
		p = write_rr_head(p, d->qtype, cfg->ttl, rdlen);
		if (d->qtype == DV_DNS_TYPE_A)
			memcpy(p, cfg->a, rdlen);
		else if (d->qtype == DV_DNS_TYPE_AAAA)
			memcpy(p, cfg->aaaa, rdlen);
		else
			write_txt(p, rdlen);
		p += rdlen;
	}
	if (pad_len > 0) {
		size_t pad_rdlen = pad_len - NAME_PTR_LEN - RR_FIXED_LEN;
		p = write_rr_head(p, DV_DNS_TYPE_TXT, cfg->ttl, pad_rdlen);
		write_txt(p, pad_rdlen);
		p += pad_rdlen;
	}
	if (opt) {
		p[0] = 0; /* root owner */
		dv_wr16(p + 1, DV_DNS_TYPE_OPT);
		dv_wr16(p + 3, cfg->edns_size);
		uint16_t z = (defects & DV_ANSWER_ECHO_FLAGS) ? e->z : (e->do_bit ? EDNS_DO : 0);
		dv_wr32(p + 5, ((uint32_t)(rcode >> 4) << 24) | z);
		dv_wr16(p + 9, (uint16_t)(ka_len + extra_len));
		p += OPT_RR_LEN;
		if (keepalive) {
			/* bad-keepalive: a TIMEOUT of 3 bytes (RFC 7828 3.2 wants 2). */
			dv_wr16(p, EDNS_OPT_TCP_KEEPALIVE);
			dv_wr16(p + 2, bad_keepalive ? 3 : 2);
			dv_wr16(p + 4, (uint16_t)(ar->keepalive >= 0 ? ar->keepalive : 100));
			if (bad_keepalive)
				p[6] = 0;
			p += ka_len;
		}
		memcpy(p, extra, extra_len);
		p += extra_len;
	}

	if (ar->stream && (defects & DV_ANSWER_TC_TCP))
		tc = true;
	/* The query's opcode echoed (RFC 1035 4.1.1), unless bad-opcode says STATUS. */
	unsigned op = (defects & DV_ANSWER_BAD_OPCODE) ? 2u : opcode;
	uint16_t flags = DV_DNS_QR | ((defects & DV_ANSWER_NO_AA) ? 0 : DV_DNS_AA) |
			 (d->flags & DV_DNS_RD) | (tc ? DV_DNS_TC : 0) | (rcode & DV_DNS_RCODE) |
			 (uint16_t)(op << 11);
	dv_wr16(dns + 2, flags);
	dv_wr16(dns + 4, 1);
	dv_wr16(dns + 6, has_answer ? 1 : 0);
	dv_wr16(dns + 8, 0);
	dv_wr16(dns + 10, (uint16_t)((pad_len > 0 ? 1 : 0) + (opt ? 1 : 0)));
	return (int)(p - dns);
}

/* The query's question and EDNS, if it is a query we answer. @return 0 or -errno */
static int read_query(const uint8_t *dns, size_t qlen, struct dv_dns_view *d, struct edns_info *e)
{
	if (dv_dns_parse_question(dns, qlen, d) != 0)
		return -EBADMSG;
	if ((d->flags & DV_DNS_QR) != 0 || d->qdcount != 1)
		return -EINVAL;
	if (scan_edns(dns, qlen, d, e) != 0)
		return -EBADMSG;
	return 0;
}

/*
 * Errors (all mean "drop"): -EINVAL bad arguments or not a standard query
 * with one question; -EPROTONOSUPPORT not plain IPv4/IPv6 + UDP; -EBADMSG
 * malformed DNS; -ENOSPC / -EMSGSIZE even the truncated reply does not fit
 * cap / the MTU.
 */
int dv_answer_build(uint8_t *frame, size_t len, size_t cap, const struct dv_answer_cfg *cfg)
{
	struct dv_frame_view v;
	struct dv_dns_view d;
	struct edns_info e;

	if (frame == NULL || cfg == NULL || len > cap)
		return -EINVAL;
	if (dv_frame_parse_udp(frame, len, &v) != DV_PKT_DNS)
		return -EPROTONOSUPPORT;
	/* Options or extension headers would have to be reflected or rewritten;
	 * the generator never sends them, so the responder does not answer them. */
	if (v.ip_hlen != (v.family == AF_INET ? DV_IPV4_HLEN : DV_IPV6_HLEN))
		return -EPROTONOSUPPORT;

	size_t dns_off = (size_t)v.l4_off + DV_UDP_HLEN;
	uint8_t *dns = frame + dns_off;
	size_t qlen = v.udp_len - DV_UDP_HLEN;
	int rc = read_query(dns, qlen, &d, &e);
	if (rc != 0)
		return rc;

	/* The message may not exceed the requestor's buffer (unless told to
	 * ignore it), the IP MTU, the UDP/IP 16-bit length fields, or the
	 * caller's buffer. */
	size_t ip_udp = (size_t)v.ip_hlen + DV_UDP_HLEN;
	struct answer_room ar = { .room = cap - dns_off, .keepalive = -1 };
	size_t req = e.present ? (e.udp_size > PLAIN_DNS_MAX ? e.udp_size : PLAIN_DNS_MAX)
			       : PLAIN_DNS_MAX;
	if (cfg->ignore_edns)
		req = SIZE_MAX;
	ar.mtu_room = cfg->mtu > ip_udp ? cfg->mtu - ip_udp : 0;
	ar.limit = min_size(min_size(req, ar.mtu_room), min_size(ar.room, UINT16_MAX - ip_udp));

	rc = answer_msg(dns, &d, &e, &ar, cfg);
	if (rc < 0)
		return rc;
	finish_headers(frame, &v, (size_t)rc);
	return (int)dns_off + rc;
}

int dv_answer_build_msg(uint8_t *msg, size_t len, size_t cap, const struct dv_answer_cfg *cfg,
			int keepalive)
{
	struct dv_dns_view d;
	struct edns_info e;

	if (msg == NULL || cfg == NULL || len > cap || keepalive > UINT16_MAX)
		return -EINVAL;
	int rc = read_query(msg, len, &d, &e);
	if (rc != 0)
		return rc;
	/* A stream has no MTU and no requestor's UDP size: only the length
	 * prefix's 16 bits and the caller's buffer limit the message. */
	struct answer_room ar = { .room = min_size(cap, UINT16_MAX), .mtu_room = SIZE_MAX,
				  .stream = true, .keepalive = keepalive < 0 ? -1 : keepalive };
	ar.limit = ar.room;
	return answer_msg(msg, &d, &e, &ar, cfg);
}
