/*
 * A plain C implementation of the COCO RLE format, written for mmevolve's RLE bench from the format
 * as ../shared/REFERENCE.md states it (column-major runs starting with zeros; 5-bit chunks, '0'-based,
 * deltas against counts[i-2] from the fourth count on). It is the C anchor the bench compares against:
 * the same work a C library does (a counts array per mask, string <-> counts, merge-walk IoU), timed
 * as this process's CPU time (the machine may be shared; CPU time is what the comparison needs).
 *
 * Usage: coco-rle MASKS.bin N HEIGHT WIDTH STRINGS.out
 *   MASKS.bin: N masks of HEIGHT*WIDTH bytes each, column-major (as a C library takes them), 0/1.
 * Writes each encoded string on its own line to STRINGS.out, then for each mask i the IoU of strings
 * i and (i+1) mod N and the area of string i (also to STRINGS.out, as "iou area" lines), and prints one
 * JSON line of timings in milliseconds to stdout.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

typedef struct {
  uint32_t n;
  uint32_t *counts;
} Runs;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Minor page faults so far: first touches of fresh memory, which the bench reports beside decode times. */
static long minor_faults(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

static void encode(const uint8_t *mask, uint32_t pixels, Runs *runs) {
  uint32_t *counts = malloc(sizeof(uint32_t) * (pixels + 1));
  uint32_t n = 0, run = 0;
  uint8_t previous = 0;
  for (uint32_t j = 0; j < pixels; j++) {
    if (mask[j] != previous) {
      counts[n++] = run;
      run = 0;
      previous = mask[j];
    }
    run++;
  }
  counts[n++] = run;
  runs->n = n;
  runs->counts = counts;
}

static char *to_string(const Runs *runs) {
  char *text = malloc(runs->n * 6 + 1);
  uint32_t length = 0;
  for (uint32_t i = 0; i < runs->n; i++) {
    long x = runs->counts[i];
    if (i > 2) x -= (long)runs->counts[i - 2];
    int more = 1;
    while (more) {
      char c = x & 0x1f;
      x >>= 5;
      more = (c & 0x10) ? x != -1 : x != 0;
      if (more) c |= 0x20;
      text[length++] = (char)(c + 48);
    }
  }
  text[length] = 0;
  return text;
}

static void from_string(const char *text, Runs *runs) {
  size_t length = strlen(text);
  uint32_t *counts = malloc(sizeof(uint32_t) * length);
  uint32_t n = 0;
  size_t p = 0;
  while (p < length) {
    long x = 0;
    int k = 0, more = 1;
    while (more) {
      long c = (long)text[p] - 48;
      x |= (c & 0x1f) << (5 * k);
      more = c & 0x20;
      p++;
      k++;
      if (!more && (c & 0x10)) x |= -1L << (5 * k);
    }
    if (n > 2) x += (long)counts[n - 2];
    counts[n++] = (uint32_t)x;
  }
  runs->n = n;
  runs->counts = counts;
}

static void decode(const Runs *runs, uint8_t *mask) {
  uint8_t value = 0;
  uint32_t position = 0;
  for (uint32_t i = 0; i < runs->n; i++) {
    memset(mask + position, value, runs->counts[i]);
    position += runs->counts[i];
    value = !value;
  }
}

static uint64_t area(const Runs *runs) {
  uint64_t total = 0;
  for (uint32_t i = 1; i < runs->n; i += 2) total += runs->counts[i];
  return total;
}

static double iou(const Runs *a, const Runs *b) {
  uint64_t intersection = 0, unite = 0;
  uint32_t ia = 0, ib = 0, ra = a->n ? a->counts[0] : 0, rb = b->n ? b->counts[0] : 0;
  int va = 0, vb = 0;
  for (;;) {
    while (ra == 0 && ia + 1 < a->n) { ra = a->counts[++ia]; va ^= 1; }
    while (rb == 0 && ib + 1 < b->n) { rb = b->counts[++ib]; vb ^= 1; }
    if (ra == 0 || rb == 0) break;
    uint32_t step = ra < rb ? ra : rb;
    if (va & vb) intersection += step;
    if (va | vb) unite += step;
    ra -= step;
    rb -= step;
  }
  return unite == 0 ? 0.0 : (double)intersection / (double)unite;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: coco-rle MASKS.bin N HEIGHT WIDTH STRINGS.out\n");
    return 2;
  }
  uint32_t count = (uint32_t)atoi(argv[2]);
  uint32_t pixels = (uint32_t)atoi(argv[3]) * (uint32_t)atoi(argv[4]);
  uint8_t *masks = malloc((size_t)count * pixels);
  FILE *in = fopen(argv[1], "rb");
  if (!in || fread(masks, 1, (size_t)count * pixels, in) != (size_t)count * pixels) {
    fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  fclose(in);
  char **strings = malloc(sizeof(char *) * count);
  double started = now_ms();
  for (uint32_t i = 0; i < count; i++) {
    Runs runs;
    encode(masks + (size_t)i * pixels, pixels, &runs);
    strings[i] = to_string(&runs);
    free(runs.counts);
  }
  double encode_ms = now_ms() - started;

  uint64_t checksum = 0;
  long faults = minor_faults();
  started = now_ms();
  for (uint32_t i = 0; i < count; i++) {
    /* A fresh mask per decode, as a library returning a new array (pycocotools' decode) allocates;
       malloc hands back the block freed by the previous call, so its pages are already mapped. */
    uint8_t *mask = malloc(pixels);
    Runs runs;
    from_string(strings[i], &runs);
    decode(&runs, mask);
    checksum += mask[i % pixels];
    free(runs.counts);
    free(mask);
  }
  double decode_ms = now_ms() - started;
  long decode_faults = minor_faults() - faults;

  /* Into one buffer reused across calls (what decodeRleInto does on the TypeScript side). */
  uint8_t *reused = malloc(pixels);
  faults = minor_faults();
  started = now_ms();
  for (uint32_t i = 0; i < count; i++) {
    Runs runs;
    from_string(strings[i], &runs);
    decode(&runs, reused);
    checksum += reused[i % pixels];
    free(runs.counts);
  }
  double decode_into_ms = now_ms() - started;
  long decode_into_faults = minor_faults() - faults;
  free(reused);

  uint64_t *areas = malloc(sizeof(uint64_t) * count);
  started = now_ms();
  for (uint32_t i = 0; i < count; i++) {
    Runs runs;
    from_string(strings[i], &runs);
    areas[i] = area(&runs);
    free(runs.counts);
  }
  double area_ms = now_ms() - started;

  double *ious = malloc(sizeof(double) * count);
  started = now_ms();
  for (uint32_t i = 0; i < count; i++) {
    Runs a, b;
    from_string(strings[i], &a);
    from_string(strings[(i + 1) % count], &b);
    ious[i] = iou(&a, &b);
    free(a.counts);
    free(b.counts);
  }
  double iou_ms = now_ms() - started;

  FILE *out = fopen(argv[5], "w");
  for (uint32_t i = 0; i < count; i++) fprintf(out, "%s\n", strings[i]);
  for (uint32_t i = 0; i < count; i++) fprintf(out, "%.17g %llu\n", ious[i], (unsigned long long)areas[i]);
  fclose(out);
  printf("{\"encode\":%.3f,\"decode\":%.3f,\"decodeInto\":%.3f,\"area\":%.3f,\"iou\":%.3f,\"decodeFaults\":%ld,"
         "\"decodeIntoFaults\":%ld,\"checksum\":%llu}\n",
         encode_ms, decode_ms, decode_into_ms, area_ms, iou_ms, decode_faults, decode_into_faults, (unsigned long long)checksum);
  return 0;
}
