/* The practical limit for the benchmarks: CSR arrays walked by compiled code.
 *
 * Built at benchmark time with the system C compiler (cc -O2 -shared -fPIC) and called through
 * ctypes; never part of cryptokg itself. bfs2 is a two-sided breadth-first search that grows
 * the side with fewer relationships to walk and returns one shortest path; a relationship
 * filter (type table, minimum status, as-of day) is checked on each relationship walked.
 * capped is the 2-hop neighbourhood with a node cap: per layer, the distinct new entities,
 * cut to the best `room` by a precomputed priority rank (quickselect, no full sort).
 */
#include <stdint.h>
#include <stdlib.h>

typedef struct {
    const int64_t *indptr;
    const int32_t *nbr;
    const int32_t *eid;
    const uint8_t *etype;
    const uint8_t *status;
    const int32_t *start_lo;
    const int32_t *end_hi;
    const uint8_t *type_ok; /* NULL: every type */
    int min_status;         /* -1: any */
    int day;                /* 0: no as-of */
    int include_unknown;
} graph_t;

static int edge_ok(const graph_t *g, int32_t e) {
    if (g->type_ok && !g->type_ok[g->etype[e]]) return 0;
    if (g->min_status >= 0 && g->status[e] < g->min_status) return 0;
    if (g->day) {
        int32_t lo = g->start_lo[e];
        if (lo == 0) {
            if (!g->include_unknown) return 0;
        } else if (lo > g->day) {
            return 0;
        }
        if (g->end_hi[e] < g->day) return 0;
    }
    return 1;
}

/* Returns the number of hops (path written to out, max_hops + 1 entries) or -1. The work
 * arrays (n entries each) are reused between calls through the stamp. */
int bfs2(const int64_t *indptr, const int32_t *nbr, const int32_t *eid, const uint8_t *etype,
         const uint8_t *status, const int32_t *start_lo, const int32_t *end_hi, const uint8_t *type_ok,
         int min_status, int day, int include_unknown, int32_t s, int32_t t, int max_hops,
         int32_t *seen_s, int32_t *seen_t, int32_t *par_s, int32_t *par_t, int32_t *q_s, int32_t *q_t,
         int32_t stamp, int32_t *out) {
    graph_t g = {indptr, nbr, eid, etype, status, start_lo, end_hi, type_ok, min_status, day, include_unknown};
    if (s == t) {
        out[0] = s;
        return 0;
    }
    seen_s[s] = stamp;
    par_s[s] = -1;
    seen_t[t] = stamp;
    par_t[t] = -1;
    int64_t hs = 0, ts = 1, ht = 0, tt = 1; /* queue bounds of the current layer */
    q_s[0] = s;
    q_t[0] = t;
    int ds = 0, dt = 0;
    int32_t meet = -1;
    while (hs < ts && ht < tt && ds + dt < max_hops && meet < 0) {
        int64_t work_s = 0, work_t = 0;
        for (int64_t i = hs; i < ts; i++) work_s += indptr[q_s[i] + 1] - indptr[q_s[i]];
        for (int64_t i = ht; i < tt; i++) work_t += indptr[q_t[i] + 1] - indptr[q_t[i]];
        int grow_s = work_s <= work_t;
        int32_t *q = grow_s ? q_s : q_t, *seen = grow_s ? seen_s : seen_t, *par = grow_s ? par_s : par_t;
        int32_t *other = grow_s ? seen_t : seen_s;
        int64_t head = grow_s ? hs : ht, tail = grow_s ? ts : tt, end = tail;
        for (int64_t i = head; i < tail && meet < 0; i++) {
            int32_t u = q[i];
            for (int64_t j = indptr[u]; j < indptr[u + 1]; j++) {
                int32_t v = nbr[j];
                if (seen[v] == stamp || !edge_ok(&g, eid[j])) continue;
                seen[v] = stamp;
                par[v] = u;
                q[end++] = v;
                if (other[v] == stamp) {
                    meet = v;
                    break;
                }
            }
        }
        if (grow_s) {
            hs = tail;
            ts = end;
            ds++;
        } else {
            ht = tail;
            tt = end;
            dt++;
        }
    }
    if (meet < 0) return -1;
    int n = 0;
    int32_t buf[64];
    for (int32_t v = meet; v >= 0 && n < 64; v = par_s[v]) buf[n++] = v;
    int len = 0;
    for (int i = n - 1; i >= 0; i--) out[len++] = buf[i];
    for (int32_t v = par_t[meet]; v >= 0 && len < 64; v = par_t[v]) out[len++] = v;
    return len - 1;
}

static void select_smallest(int32_t *nodes, const int32_t *prio, int64_t count, int64_t k) {
    /* Quickselect: the k nodes of smallest priority end up in nodes[0..k). */
    int64_t lo = 0, hi = count - 1;
    while (lo < hi) {
        int32_t pivot = prio[nodes[(lo + hi) / 2]];
        int64_t i = lo, j = hi;
        while (i <= j) {
            while (prio[nodes[i]] < pivot) i++;
            while (prio[nodes[j]] > pivot) j--;
            if (i <= j) {
                int32_t tmp = nodes[i];
                nodes[i] = nodes[j];
                nodes[j] = tmp;
                i++;
                j--;
            }
        }
        if (k - 1 <= j) hi = j;
        else if (k - 1 >= i) lo = i;
        else break;
    }
}

/* Entities within depth of center, at most max_nodes; returns the count written to out and
 * sets *cut to the entities left out in the layer where the cap was hit. */
int64_t capped(const int64_t *indptr, const int32_t *nbr, const int32_t *prio, int32_t center, int depth,
               int64_t max_nodes, int32_t *seen, int32_t *cand, int32_t stamp, int32_t *out, int64_t *cut) {
    int64_t count = 1, head = 0;
    out[0] = center;
    seen[center] = stamp;
    *cut = 0;
    for (int d = 1; d <= depth; d++) {
        int64_t tail = count, found = 0;
        for (int64_t i = head; i < tail; i++) {
            int32_t u = out[i];
            for (int64_t j = indptr[u]; j < indptr[u + 1]; j++) {
                int32_t v = nbr[j];
                if (seen[v] == stamp) continue;
                seen[v] = stamp;
                cand[found++] = v;
            }
        }
        int64_t room = max_nodes - count;
        int truncated = found > room;
        if (truncated) {
            *cut = found - room;
            if (room > 0) select_smallest(cand, prio, found, room);
            found = room;
        }
        for (int64_t i = 0; i < found; i++) out[count++] = cand[i];
        head = tail;
        if (truncated || found == 0) break;
    }
    return count;
}
