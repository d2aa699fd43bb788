// SPDX-License-Identifier: Apache-2.0
/*
 * lskel_bench: open + load + destroy of a golden light skeleton with the C light-skeleton runtime
 * (skel_internal.h from Debian's libbpf-dev), doing what a `bpftool gen skeleton -L` skeleton's
 * __open_and_load() and __destroy() do. The per-object facts a generated skeleton would hard-code
 * come from a description file written by dev.lskel4j.runtime.BenchDescriptions.
 *
 * Usage: lskel_bench DESC ITERATIONS   -> prints the mean microseconds per open+load+destroy
 *        lskel_bench DESC -t MILLIS     -> the same, running for MILLIS ms (after MILLIS/10 ms of warm-up),
 *                                          then the mean on-CPU microseconds per cycle (user + system)
 *        lskel_bench DESC 0             -> the microseconds of one cold cycle, without warm-up
 * Build: cc -O2 -o lskel_bench lskel_bench.c   (header-only: no -lbpf needed)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/skel_internal.h>

#define MAX_DATA_MAPS 16

struct data_map {
	int idx;
	__u32 value_size;
	size_t mmap_sz;
	int prot;
	unsigned char *image;
};

struct desc {
	void *insns, *data;
	__u32 insns_sz, data_sz;
	__u32 ctx_sz, nr_maps, nr_progs;
	int nr_data;
	struct data_map maps[MAX_DATA_MAPS];
};

static void *read_file(const char *path, __u32 *size)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	buf = malloc(n);
	if (fread(buf, 1, n, f) != (size_t)n) {
		fprintf(stderr, "short read of %s\n", path);
		exit(2);
	}
	fclose(f);
	*size = n;
	return buf;
}

static void read_desc(const char *path, struct desc *d)
{
	char key[16], arg[4096];
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(2);
	}
	memset(d, 0, sizeof(*d));
	while (fscanf(f, "%15s", key) == 1) {
		if (!strcmp(key, "insns") && fscanf(f, "%4095s", arg) == 1) {
			d->insns = read_file(arg, &d->insns_sz);
		} else if (!strcmp(key, "data") && fscanf(f, "%4095s", arg) == 1) {
			d->data = read_file(arg, &d->data_sz);
		} else if (!strcmp(key, "ctx") && fscanf(f, "%u %u %u", &d->ctx_sz, &d->nr_maps, &d->nr_progs) == 3) {
			continue;
		} else if (!strcmp(key, "map") && d->nr_data < MAX_DATA_MAPS) {
			struct data_map *m = &d->maps[d->nr_data++];

			if (fscanf(f, "%d %u %zu %d %4095s", &m->idx, &m->value_size, &m->mmap_sz, &m->prot, arg) != 5) {
				fprintf(stderr, "bad map line in %s\n", path);
				exit(2);
			}
			m->image = calloc(1, m->value_size);
			for (__u32 i = 0; i < m->value_size && arg[2 * i]; i++)
				sscanf(arg + 2 * i, "%2hhx", &m->image[i]);
		} else {
			fprintf(stderr, "bad line '%s' in %s\n", key, path);
			exit(2);
		}
	}
	fclose(f);
}

/* one __open_and_load() + __destroy() of the generated skeleton */
static int cycle(const struct desc *d)
{
	struct bpf_loader_ctx *ctx = calloc(1, d->ctx_sz);
	struct bpf_map_desc *maps = (void *)(ctx + 1);
	struct bpf_prog_desc *progs = (void *)(maps + d->nr_maps);
	void *mapped[MAX_DATA_MAPS];
	struct bpf_load_and_run_opts opts = {};
	int err, i;

	ctx->sz = d->ctx_sz;
	for (i = 0; i < d->nr_data; i++) {               /* __open */
		mapped[i] = skel_prep_map_data(d->maps[i].image, d->maps[i].mmap_sz, d->maps[i].value_size);
		maps[d->maps[i].idx].initial_value = (__u64)(long)mapped[i];
	}
	opts.ctx = ctx;                                 /* __load */
	opts.data_sz = d->data_sz;
	opts.data = d->data;
	opts.insns_sz = d->insns_sz;
	opts.insns = d->insns;
	err = bpf_load_and_run(&opts);
	if (err < 0) {
		fprintf(stderr, "bpf_load_and_run: %s: %d\n", opts.errstr, err);
		return err;
	}
	for (i = 0; i < d->nr_data; i++)
		mapped[i] = skel_finalize_map_data(&maps[d->maps[i].idx].initial_value, d->maps[i].mmap_sz,
						   d->maps[i].prot, maps[d->maps[i].idx].map_fd);
	for (i = 0; i < (int)d->nr_progs; i++)          /* __destroy */
		skel_closenz(progs[i].prog_fd);
	for (i = 0; i < d->nr_data; i++)
		skel_free_map_data(mapped[i], maps[d->maps[i].idx].initial_value, d->maps[i].mmap_sz);
	for (i = 0; i < (int)d->nr_maps; i++)
		skel_closenz(maps[i].map_fd);
	free(ctx);
	return 0;
}

static double clock_us(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double now_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

/* runs cycles for at least us microseconds; returns how many */
static long run_for(const struct desc *d, double us)
{
	double start = now_us();
	long n = 0;

	do {
		if (cycle(d))
			exit(1);
		n++;
	} while (now_us() - start < us);
	return n;
}

int main(int argc, char **argv)
{
	struct desc d;
	int n, i;
	double start;

	if (argc == 4 && !strcmp(argv[2], "-t")) {
		double us = atof(argv[3]) * 1000, cpu;
		long done;

		read_desc(argv[1], &d);
		run_for(&d, us / 10);                           /* warm-up */
		start = now_us();
		cpu = clock_us(CLOCK_THREAD_CPUTIME_ID);
		done = run_for(&d, us);
		cpu = clock_us(CLOCK_THREAD_CPUTIME_ID) - cpu;
		printf("%.1f %.1f\n", (now_us() - start) / done, cpu / done);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: %s DESC ITERATIONS | %s DESC -t MILLIS\n", argv[0], argv[0]);
		return 2;
	}
	read_desc(argv[1], &d);
	n = atoi(argv[2]);
	if (n == 0) {                                   /* one cold cycle: the first load of a fresh process */
		start = now_us();
		if (cycle(&d))
			return 1;
		printf("%.1f\n", now_us() - start);
		return 0;
	}
	for (i = 0; i < n / 10 + 1; i++)                /* warm-up */
		if (cycle(&d))
			return 1;
	start = now_us();
	for (i = 0; i < n; i++)
		if (cycle(&d))
			return 1;
	printf("%.1f\n", (now_us() - start) / n);
	return 0;
}
