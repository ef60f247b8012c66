/*
 * libFuzzer harness: one received frame, through every parser a collector
 * (and the embedded responder) runs on it.
 *
 * The input is the frame, Ethernet header first. It is copied into a buffer
 * of exactly its size, so AddressSanitizer catches any read past the end.
 * Each parser is called as the collector calls it (by class) and also on
 * every frame: they are documented to classify or refuse any input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wire/answer.h"
#include "wire/arp_nd.h"
#include "wire/fragment.h"
#include "wire/frame_parse.h"
#include "wire/icmp.h"
#include "wire/response.h"

/* The embedded responder's frames fit a 2 KiB mbuf. */
#define ANSWER_CAP 2048

/* Touch what a parser pointed into, so a pointer outside the frame is caught. */
static uint8_t sink;

static void touch(const uint8_t *p, size_t n)
{
	for (size_t i = 0; p != NULL && i < n; i++)
		sink ^= p[i];
}

/* The fields of a DNS answer, as the matcher reads them. */
static void check_dns(const struct dv_resp_info *ri)
{
	touch(ri->dns, ri->dns_len);
	touch(ri->qname, ri->qname_len);
	if (ri->qname != NULL && !dv_name_valid(ri->qname, ri->qname_len))
		abort(); /* the parser promises an uncompressed, well-formed name */
}

static void parse_all(const uint8_t *f, size_t len)
{
	struct dv_resp_info ri;
	enum dv_pkt_class cls = dv_response_parse(f, len, 53, &ri);
	if (cls >= DV_PKT_CLASSES)
		abort();
	if (cls == DV_PKT_DNS)
		check_dns(&ri);
	touch((const uint8_t *)dv_pkt_class_name(cls), 1);

	struct dv_frag_info fi;
	int ret = dv_frag_parse(f, len, &fi);
	if (cls == DV_PKT_FRAGMENT && ret == 0) {
		touch(fi.src, fi.family == AF_INET6 ? 16 : 4);
		touch(fi.dst, fi.family == AF_INET6 ? 16 : 4);
		if (fi.l3_off >= len)
			abort();
	}

	struct dv_icmp_info ii;
	ret = dv_icmp_parse(f, len, &ii);
	if (ret == 0) {
		if (ii.kind >= DV_ICMP_KINDS)
			abort();
		touch(ii.reporter, ii.family == AF_INET6 ? 16 : 4);
		touch(ii.orig_dst, ii.family == AF_INET6 ? 16 : 4);
		touch((const uint8_t *)dv_icmp_kind_name(ii.kind), 1);
	}

	struct dv_nd_info ni;
	if (dv_nd_parse(f, len, &ni) == 0 && ni.kind == DV_ND_REQUEST) {
		/* The collector answers a request in place: the builder must fit its room. */
		uint8_t out[DV_ND_FRAME_MAX];
		static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
		if (dv_nd_build_reply(&ni, mac, out) > DV_ND_FRAME_MAX)
			abort();
	}

	struct dv_frame_view v;
	if (dv_frame_parse_udp(f, len, &v) == DV_PKT_DNS) {
		if ((size_t)v.l4_off + DV_UDP_HLEN > len)
			abort();
		size_t dns_off = (size_t)v.l4_off + DV_UDP_HLEN;
		struct dv_dns_view d;
		if (dv_dns_parse_question(f + dns_off, len - dns_off, &d) == 0)
			touch(d.qname, d.qname_len);
	}
	/* The question parser on its own: the input as a DNS message. */
	struct dv_dns_view d;
	if (dv_dns_parse_question(f, len, &d) == 0 && (d.q_end > len || d.q_end < DV_DNS_HLEN))
		abort();
}

/* The embedded responder answers in place, in a buffer of ANSWER_CAP bytes. */
static void answer(const uint8_t *f, size_t len)
{
	static struct dv_answer_cfg cfg;
	static uint8_t *buf;
	if (buf == NULL) {
		dv_answer_cfg_default(&cfg);
		buf = malloc(ANSWER_CAP);
		if (buf == NULL)
			abort();
	}
	if (len > ANSWER_CAP)
		return;
	/* The last input byte picks the answer's options (the frame keeps it). */
	uint8_t knob = len > 0 ? f[len - 1] : 0;
	cfg.ignore_edns = knob & 1;
	cfg.answer_size = (knob & 2) ? 600 : 0;
	cfg.mtu = (knob & 4) ? 1280 : 1500;
	memcpy(buf, f, len);
	int n = dv_answer_build(buf, len, ANSWER_CAP, &cfg);
	if (n > ANSWER_CAP)
		abort();
	if (n > 0)
		parse_all(buf, (size_t)n); /* our answer, as the collector would receive it */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A frame is at most a jumbo frame (the collector's scratch is 64 KiB). */
	if (size > 65535)
		return -1;
	uint8_t *f = malloc(size ? size : 1);
	if (f == NULL)
		abort();
	memcpy(f, data, size);
	parse_all(f, size);
	free(f);
	answer(data, size);
	return 0;
}
