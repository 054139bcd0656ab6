/* An independent reference for probe latency: N blocking TCP connects (handshake time measured with
 * CLOCK_MONOTONIC around connect()), 10 ms apart, closed with RST. Prints "connect_ms=X" per success.
 * Usage: tcpconnect HOST_IPV4 PORT N */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s HOST PORT N\n", argv[0]); return 2; }
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short) atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1) { fprintf(stderr, "bad address\n"); return 2; }
    int n = atoi(argv[3]);
    for (int i = 0; i < n; i++) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct linger l = {1, 0};
        setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int rc = connect(s, (struct sockaddr *) &a, sizeof a);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (rc == 0) printf("connect_ms=%.3f\n", (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
        else perror("connect");
        close(s);
        usleep(10000);
    }
    return 0;
}
