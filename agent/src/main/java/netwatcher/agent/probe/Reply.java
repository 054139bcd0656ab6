package netwatcher.agent.probe;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * What came back for one packet-level attempt (a TCP SYN or an ICMP echo), before it is classified.
 *
 * @param kind      what answered
 * @param rttNanos  time from send to the answer; 0 for {@link Kind#TIMEOUT} and local errors
 * @param from      who answered: the destination, the ICMP sender (offender), or null
 * @param icmpType  ICMP(v6) type for {@link Kind#ICMP}, else -1
 * @param icmpCode  ICMP(v6) code for {@link Kind#ICMP}, else -1
 * @param ipv6      true when the ICMP message is ICMPv6
 * @param errno     the socket error for {@link Kind#LOCAL_ERROR} (and the kernel's error for ICMP), else 0
 * @param stage     for local errors: socket, bind, connect, send
 * @param local     the local address and port the attempt used, when known
 */
record Reply(Kind kind, long rttNanos, InetAddress from, int icmpType, int icmpCode, boolean ipv6, int errno, String stage,
             InetSocketAddress local) {

    enum Kind {
        /** SYN-ACK or echo reply from the destination. */
        ANSWERED,
        /** TCP RST from the destination. */
        RESET,
        /** An ICMP error (time exceeded, destination unreachable) from {@code from}. */
        ICMP,
        /** Nothing within the timeout. */
        TIMEOUT,
        /** This host refused to send: bind failure, no route, own firewall (EPERM). */
        LOCAL_ERROR
    }

    static Reply timeout(InetSocketAddress local) { return new Reply(Kind.TIMEOUT, 0, null, -1, -1, false, 0, null, local); }

    static Reply local(int errno, String stage, InetSocketAddress local) {
        return new Reply(Kind.LOCAL_ERROR, 0, null, -1, -1, false, errno, stage, local);
    }

    boolean timeExceeded() { return kind == Kind.ICMP && (ipv6 ? icmpType == 3 : icmpType == 11); }

    /** The ICMP type/code as text, e.g. "admin-prohibited", "time-exceeded", or null. */
    String icmpText() { return kind == Kind.ICMP ? Icmp.describe(ipv6, icmpType, icmpCode) : null; }

    double rttMs() { return rttNanos / 1_000_000.0; }
}
