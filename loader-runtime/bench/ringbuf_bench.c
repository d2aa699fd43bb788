/* Ring buffer consumer of loader-runtime/bench/ringbuf.sh, with Debian's libbpf: loads
 * fixtures/obj/ringbuf_events.bpf.o (bpf_object__open_file), attaches emit_on_getpid, and
 * measures ring_buffer__consume() of BURST records the program writes on one getpid, as
 * RingBufferBenchmark does in Java. Prints the mean microseconds per consume.
 *   ringbuf_bench OBJECT BURST ITERATIONS */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static unsigned long long sum;

static int on_record(void *ctx, void *data, size_t size)
{
	sum += *(unsigned long long *)data;
	return 0;
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static void *section(struct bpf_object *obj, const char *suffix)
{
	struct bpf_map *m;
	size_t sz;

	bpf_object__for_each_map(m, obj) {
		const char *n = bpf_map__name(m);
		if (strlen(n) >= strlen(suffix) && !strcmp(n + strlen(n) - strlen(suffix), suffix))
			return (void *)bpf_map__initial_value(m, &sz);
	}
	fprintf(stderr, "no %s map\n", suffix);
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s OBJECT BURST ITERATIONS\n", argv[0]);
		return 2;
	}
	int burst = atoi(argv[2]), iterations = atoi(argv[3]);
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) { perror("bpf_object__open_file"); return 1; }
	*(int *)section(obj, ".rodata") = getpid();   /* target_pid: .rodata's only variable */
	if (bpf_object__load(obj)) { perror("bpf_object__load"); return 1; }
	struct bpf_program *p = bpf_object__find_program_by_name(obj, "emit_on_getpid");
	if (!p || !bpf_program__attach(p)) { perror("attach"); return 1; }
	/* burst: .data's only variable, set through the map (.data holds just it) */
	struct bpf_map *data = NULL, *m;
	bpf_object__for_each_map(m, obj)
		if (strstr(bpf_map__name(m), ".data"))
			data = m;
	unsigned int key = 0, value = burst;
	if (!data || bpf_map__value_size(data) != sizeof(value) || bpf_map_update_elem(bpf_map__fd(data), &key, &value, 0)) {
		perror("update .data");
		return 1;
	}
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(obj, "events")), on_record, NULL, NULL);
	if (!rb) { perror("ring_buffer__new"); return 1; }
	ring_buffer__consume(rb); /* what getpid calls of libbpf itself produced before burst was set */
	double total = 0;
	int warmup = iterations / 5;
	for (int i = 0; i < warmup + iterations; i++) {
		syscall(SYS_getpid);
		double t0 = now_us();
		int n = ring_buffer__consume(rb);
		double t1 = now_us();
		if (n != burst) { fprintf(stderr, "consumed %d records, not %d\n", n, burst); return 1; }
		if (i >= warmup) total += t1 - t0;
	}
	printf("%.2f\n", total / iterations);
	fprintf(stderr, "(checksum %llu)\n", sum);
	ring_buffer__free(rb);
	bpf_object__close(obj);
	return 0;
}
