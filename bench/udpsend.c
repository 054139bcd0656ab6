/* udpsend: numbered UDP datagrams for bench/capture-vs-tcpdump.sh, bounded in count and time.
 * usage: udpsend DST_IPV4 PORT COUNT RATE_PPS MAX_SECONDS PAYLOAD_BYTES
 *   RATE_PPS 0 = as fast as sendmmsg goes (batches of 64). Payload: 8-byte big-endian sequence
 *   number (from 0), then zeros. Prints "sent N in S s (R pps)" on stdout. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

int main(int argc, char **argv) {
    if (argc != 7) { fprintf(stderr, "usage: %s DST PORT COUNT RATE_PPS MAX_SECONDS PAYLOAD\n", argv[0]); return 2; }
    struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
    if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) { fprintf(stderr, "bad address\n"); return 2; }
    uint64_t count = strtoull(argv[3], 0, 10);
    double rate = atof(argv[4]), max_s = atof(argv[5]);
    int len = atoi(argv[6]);
    if (len < 8 || len > 1400 || max_s <= 0 || max_s > 600) { fprintf(stderr, "payload 8..1400, seconds 0..600\n"); return 2; }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    static unsigned char buf[BATCH][1400];
    struct iovec iov[BATCH];
    struct mmsghdr msg[BATCH];
    memset(msg, 0, sizeof msg);
    for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = buf[i]; iov[i].iov_len = len;
        msg[i].msg_hdr.msg_iov = &iov[i]; msg[i].msg_hdr.msg_iovlen = 1;
        msg[i].msg_hdr.msg_name = &dst; msg[i].msg_hdr.msg_namelen = sizeof dst;
    }
    uint64_t seq = 0;
    double start = now(), end = start + max_s;
    while (seq < count) {
        double t = now();
        if (t >= end) break;
        int n = BATCH;
        if (rate > 0) {
            double due = start + seq / rate;           /* pace: one datagram at a time */
            if (t < due) { struct timespec d = { 0, (long)((due - t) * 1e9) }; nanosleep(&d, 0); continue; }
            n = 1;
        }
        if ((uint64_t)n > count - seq) n = (int)(count - seq);
        for (int i = 0; i < n; i++) {
            uint64_t s = seq + i;
            for (int b = 0; b < 8; b++) buf[i][b] = (unsigned char)(s >> (56 - 8 * b));
        }
        int r = sendmmsg(fd, msg, n, 0);
        if (r < 0) { if (errno == ENOBUFS || errno == EAGAIN) continue; perror("sendmmsg"); return 1; }
        seq += r;
    }
    double el = now() - start;
    printf("sent %llu in %.3f s (%.0f pps)\n", (unsigned long long)seq, el, seq / el);
    return 0;
}
