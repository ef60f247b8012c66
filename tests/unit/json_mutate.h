/* Structural mutation of JSON documents for the readers' fuzz loops (seeded random()). */
#pragma once

#include <stdlib.h>

#include <jansson.h>

/** A value of a random shape: what a broken or hostile file may hold anywhere. */
static inline json_t *dv_json_odd_value(void)
{
	switch (random() % 12) {
	case 0: return json_null();
	case 1: return json_integer(-1);
	case 2: return json_integer(INT64_MAX);
	case 3: return json_real(1e300);
	case 4: return json_real(-1e-300);
	case 5: return json_string("x");
	case 6: return json_array();
	case 7: return json_object();
	case 8: return json_pack("[[i,i]]", (int)(random() % 2000) - 10, (int)random());
	case 9: return json_pack("[i]", 3);
	case 10: return json_true();
	default: return json_pack("[s,s]", "::1", "999.1.1.1");
	}
}

/**
 * Walk v and, with probability 1/odds at each node, replace a member or an
 * element with an odd value, delete it, or duplicate an array's element.
 */
static inline void dv_json_mutate(json_t *v, unsigned odds)
{
	if (json_is_object(v)) {
		const char *key;
		json_t *m;
		void *tmp;
		json_object_foreach_safe(v, tmp, key, m) {
			long r = random() % (long)odds;
			if (r == 0)
				json_object_set_new(v, key, dv_json_odd_value());
			else if (r == 1)
				json_object_del(v, key);
			else
				dv_json_mutate(m, odds);
		}
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			long r = random() % (long)odds;
			if (r == 0)
				json_array_set_new(v, i, dv_json_odd_value());
			else if (r == 1 && json_array_size(v) < 5000)
				json_array_append(v, json_array_get(v, i));
			else
				dv_json_mutate(json_array_get(v, i), odds);
		}
	}
}
