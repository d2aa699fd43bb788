// SPDX-License-Identifier: Apache-2.0
/*
 * In-process loader generation with libbpf, the C side of loader-gen/bench/gen.sh: what
 * `bpftool gen skeleton -L` does per object, without the process and the header it prints.
 * Per iteration: bpf_object__open_mem() of the ELF bytes, bpf_object__gen_loader(), then
 * bpf_object__load() (which, in gen_loader mode, records the loader instead of loading) and
 * bpf_object__close(). The object is read once; libbpf's kernel feature probes run in the
 * warm-up only (libbpf caches them per process).
 *
 * Each generation is timed on its own and the median reported, as JMH's sample mode (p0.50) does
 * on the Java side: on a loaded machine a mean is mostly the time the process was not running.
 *
 *   gen_bench OBJ [SECONDS]   prints "OBJ <median µs> <p10> <p90> <generations> <insns> <data bytes>"
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* one generation; returns 0 or a negative errno, the loader's sizes in *insns_sz and *data_sz */
static int generate(const void *elf, size_t size, const char *name, __u32 *insns_sz, __u32 *data_sz)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .object_name = name);
	LIBBPF_OPTS(gen_loader_opts, gen_opts);
	struct bpf_object *obj;
	int err;

	obj = bpf_object__open_mem(elf, size, &open_opts);
	if (!obj)
		return -errno;
	err = bpf_object__gen_loader(obj, &gen_opts);
	if (!err)
		err = bpf_object__load(obj);
	*insns_sz = gen_opts.insns_sz;
	*data_sz = gen_opts.data_sz;
	bpf_object__close(obj);
	return err;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	double seconds = argc > 2 ? atof(argv[2]) : 5;
	__u32 insns_sz = 0, data_sz = 0;
	size_t size, n = 0, cap = 1 << 16;
	double *per_op, start, t;
	char name[64];
	void *elf;
	FILE *f;
	int i, err;

	if (argc < 2 || seconds <= 0) {
		fprintf(stderr, "usage: %s OBJ [SECONDS]\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f || fseek(f, 0, SEEK_END) || (long)(size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	elf = malloc(size);
	if (!elf || fread(elf, 1, size, f) != size) {
		fprintf(stderr, "%s: short read\n", argv[1]);
		return 1;
	}
	fclose(f);
	/* the object name bpftool derives: the file name up to its first '.' */
	snprintf(name, sizeof(name), "%s", strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1]);
	name[strcspn(name, ".")] = '\0';
	libbpf_set_print(quiet);

	/* warm-up: feature probes, caches, page faults */
	start = now_us();
	for (i = 0; i < 100 || now_us() - start < 1e6 * seconds / 5; i++) {
		err = generate(elf, size, name, &insns_sz, &data_sz);
		if (err) {
			fprintf(stderr, "%s: libbpf cannot generate it: %s\n", argv[1], strerror(-err));
			return 1;
		}
	}
	per_op = malloc(cap * sizeof(*per_op));
	start = now_us();
	while (n < cap && (t = now_us()) - start < 1e6 * seconds) {
		generate(elf, size, name, &insns_sz, &data_sz);
		per_op[n++] = now_us() - t;
	}
	qsort(per_op, n, sizeof(*per_op), by_value);
	printf("%s %.1f %.1f %.1f %zu %u %u\n", name, per_op[n / 2], per_op[n / 10], per_op[n * 9 / 10], n,
	       insns_sz / 8, data_sz);
	return 0;
}
