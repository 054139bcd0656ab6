/**
 * Live probing from this host for connectivity checks: {@link netwatcher.agent.probe.Prober} sends N
 * paced, time-bounded probes (TCP connect, HTTP(S) GET with the status checked against
 * {@code validStatusCodes}, ICMP echo) and classifies each as connected, refused (TCP RST), timeout
 * (silently dropped), rejected (ICMP administratively prohibited or port unreachable, or this host's
 * own firewall), unreachable (ICMP unreachable from an intermediate hop, named) or an HTTP status
 * mismatch; {@link netwatcher.agent.probe.ParisTracer} discovers hops with TTL-limited probes that
 * keep the flow's 5-tuple (TCP) or identifier and checksum (ICMP) constant. The packet-level work is
 * plain libc through FFM ({@code LibC}): TCP sockets with {@code IP_RECVERR}/{@code IPV6_RECVERR},
 * whose error queue ({@code MSG_ERRQUEUE}) carries the ICMP type, code and sender
 * ({@code SO_EE_OFFENDER}), and raw ICMP/ICMPv6 sockets (CAP_NET_RAW). All probing runs on the
 * calling platform thread, in whatever network namespace that thread is in.
 */
package netwatcher.agent.probe;
