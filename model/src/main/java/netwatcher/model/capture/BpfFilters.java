package netwatcher.model.capture;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns ARM's structured capture filters into libpcap filter text. netwatcher accepts no BPF text
 * from callers: this class is the only producer, so what reaches {@code pcap_compile} is built
 * from parsed addresses and numbers only.
 *
 * <p>Semantics: the filters of one capture are OR-ed, the fields of one filter AND-ed. "Local" is
 * the target host's side in both directions, so a filter becomes
 * {@code proto and ((src in local and dst in remote and src port in localPorts and dst port in remotePorts)
 * or (dst in local and src in remote and dst port in localPorts and src port in remotePorts))}.
 * A filter without local addresses takes the host's own addresses as the local side; when those
 * are unknown too, the local side is constrained by ports only. Address ranges are decomposed
 * exactly into CIDR blocks ({@code ip src net 10.0.0.0/30}), IPv4 with {@code ip} and IPv6 with
 * {@code ip6}; port ranges become {@code portrange a-b}; lists are OR-ed. Protocol {@code Any} with
 * ports matches TCP and UDP.
 *
 * <p>Limits. libpcap's compiler and optimiser are recursive and superlinear: an expression of
 * 45,000 characters overflows a 256 KiB thread stack (the agent died with SIGSEGV), and the
 * optimiser's time and memory grow with roughly the square of the expression (a list of 800 ports
 * took minutes and hundreds of MiB). So a capture takes at most {@link #MAX_FILTERS} filters whose
 * text is at most {@link #MAX_EXPRESSION_CHARS} characters. The worst shape measured at that size (a
 * port list with protocol {@code Any}, each port matched in both directions) compiles in about a
 * second with about 10 MiB of native memory; see docs/agent.md. The controller checks
 * {@link #limitProblem} with no host addresses when it accepts a capture (the least the agent can
 * produce) and the agent checks it again with the host's real addresses before compiling. This
 * class is the one place both limits are decided.
 *
 * <p>Thread-safety: stateless.
 */
public final class BpfFilters {
    /** Most filters one capture may have ({@code properties.filters}). */
    public static final int MAX_FILTERS = 50;
    /** Longest libpcap filter text the filters of one capture may produce, in characters. */
    public static final int MAX_EXPRESSION_CHARS = 4_000;

    private BpfFilters() {}

    /** Why {@code count} filters are too many, or empty when they are allowed (checkable before parsing them). */
    public static Optional<String> countProblem(int count) {
        if (count <= MAX_FILTERS) return Optional.empty();
        return Optional.of("has " + count + " filters; at most " + MAX_FILTERS + " are allowed");
    }

    /**
     * Why {@code filters} exceed a limit, or empty when they fit: more than {@link #MAX_FILTERS}
     * filters, or a filter text longer than {@link #MAX_EXPRESSION_CHARS} characters when "local"
     * means {@code localAddresses}. The message names both the value and the limit.
     */
    public static Optional<String> limitProblem(List<CaptureFilter> filters, List<InetAddress> localAddresses) {
        Optional<String> count = countProblem(filters.size());
        if (count.isPresent()) return count;
        // Each list entry or range becomes at least one term of MIN_TERM_CHARS or more, unless one filter
        // matches everything (no fields, no host addresses: the text is ""): a bound that refuses huge
        // lists without building megabytes of text first.
        boolean everything = localAddresses.isEmpty() && filters.stream().anyMatch(BpfFilters::unconstrained);
        long entries = filters.stream().mapToLong(BpfFilters::entries).sum();
        if (!everything && entries * MIN_TERM_CHARS > MAX_EXPRESSION_CHARS) {
            return Optional.of(tooLong("more than " + MAX_EXPRESSION_CHARS + " characters (" + entries + " address and port entries)"));
        }
        int chars = compile(filters, localAddresses).length();
        if (chars > MAX_EXPRESSION_CHARS) return Optional.of(tooLong(chars + " characters"));
        return Optional.empty();
    }

    /** The shortest term one address or port entry becomes ({@code src port 0}). */
    private static final int MIN_TERM_CHARS = 10;

    private static String tooLong(String size) {
        return "would produce a packet filter expression of " + size + "; at most " + MAX_EXPRESSION_CHARS
                + " characters are allowed (use fewer filters, fewer list entries, or ranges that are aligned address blocks)";
    }

    private static boolean unconstrained(CaptureFilter f) {
        return f.protocol() == FilterProtocol.ANY && entries(f) == 0;
    }

    private static long entries(CaptureFilter f) {
        long n = 0;
        for (AddressSet set : new AddressSet[] {f.localAddresses(), f.remoteAddresses()}) if (set != null) n += set.ranges().size();
        for (PortSet set : new PortSet[] {f.localPorts(), f.remotePorts()}) if (set != null) n += set.ranges().size();
        return n;
    }

    /**
     * The BPF text for {@code filters}; {@code ""} (everything) when the list is empty.
     *
     * @param localAddresses the host's own addresses, used as the local side of filters that name none
     */
    public static String compile(List<CaptureFilter> filters, List<InetAddress> localAddresses) {
        Objects.requireNonNull(filters, "filters");
        Objects.requireNonNull(localAddresses, "localAddresses");
        if (filters.isEmpty()) return "";
        List<String> alternatives = new ArrayList<>();
        for (CaptureFilter filter : filters) {
            String expression = filter(filter, localAddresses);
            if (expression.isEmpty()) return ""; // one filter matching everything makes the OR match everything
            alternatives.add(expression);
        }
        return or(alternatives);
    }

    private static String filter(CaptureFilter filter, List<InetAddress> hostAddresses) {
        boolean ports = filter.localPorts() != null || filter.remotePorts() != null;
        String protocol = switch (filter.protocol()) {
            case TCP -> "tcp";
            case UDP -> "udp";
            case ANY -> ports ? "(tcp or udp)" : "";
        };
        List<AddressSet.Range> local = filter.localAddresses() != null
                ? filter.localAddresses().ranges()
                : hostAddresses.stream().map(a -> new AddressSet.Range(a, a)).toList();
        List<AddressSet.Range> remote = filter.remoteAddresses() != null ? filter.remoteAddresses().ranges() : List.of();
        String direction = "";
        if (!local.isEmpty() || !remote.isEmpty() || ports) {
            String outbound = and(List.of(
                    addresses("src", local), addresses("dst", remote),
                    ports("src", filter.localPorts()), ports("dst", filter.remotePorts())));
            String inbound = and(List.of(
                    addresses("dst", local), addresses("src", remote),
                    ports("dst", filter.localPorts()), ports("src", filter.remotePorts())));
            direction = outbound.equals(inbound) ? outbound : or(List.of(outbound, inbound));
        }
        return and(List.of(protocol, direction));
    }

    private static String addresses(String direction, List<AddressSet.Range> ranges) {
        List<String> terms = new ArrayList<>();
        for (AddressSet.Range range : ranges) {
            boolean v4 = range.from() instanceof Inet4Address;
            String family = v4 ? "ip" : "ip6";
            int bits = v4 ? 32 : 128;
            for (Cidr block : cidrs(range.from(), range.to(), bits)) {
                terms.add(block.prefix == bits
                        ? family + " " + direction + " host " + block.address.getHostAddress()
                        : family + " " + direction + " net " + block.address.getHostAddress() + "/" + block.prefix);
            }
        }
        return or(terms);
    }

    private static String ports(String direction, PortSet ports) {
        if (ports == null) return "";
        List<String> terms = new ArrayList<>();
        for (PortSet.Range range : ports.ranges()) {
            terms.add(range.single()
                    ? direction + " port " + range.from()
                    : direction + " portrange " + range.from() + "-" + range.to());
        }
        return or(terms);
    }

    /**
     * In libpcap's filter language {@code and} and {@code or} have the same precedence and associate
     * to the left ({@code a and b or c and d} is {@code ((a and b) or c) and d}), so every
     * conjunction inside a disjunction gets its own parentheses, and every disjunction of more than
     * one term is parenthesised before it is AND-ed.
     */
    private static String or(List<String> terms) {
        List<String> present = terms.stream().filter(t -> !t.isEmpty()).toList();
        if (present.isEmpty()) return "";
        if (present.size() == 1) return present.getFirst();
        return present.stream().map(t -> t.contains(" and ") ? "(" + t + ")" : t)
                .collect(java.util.stream.Collectors.joining(" or ", "(", ")"));
    }

    private static String and(List<String> terms) {
        List<String> present = terms.stream().filter(t -> !t.isEmpty()).toList();
        return String.join(" and ", present);
    }

    /** One CIDR block. */
    public record Cidr(InetAddress address, int prefix) {}

    /** The smallest exact list of CIDR blocks covering {@code from}..{@code to} inclusive. */
    public static List<Cidr> cidrs(InetAddress from, InetAddress to, int bits) {
        BigInteger start = new BigInteger(1, from.getAddress());
        BigInteger end = new BigInteger(1, to.getAddress());
        List<Cidr> blocks = new ArrayList<>();
        while (start.compareTo(end) <= 0) {
            // largest block aligned at start ...
            int size = start.signum() == 0 ? bits : Math.min(start.getLowestSetBit(), bits);
            // ... that does not run past end
            BigInteger remaining = end.subtract(start).add(BigInteger.ONE);
            while (size > 0 && BigInteger.ONE.shiftLeft(size).compareTo(remaining) > 0) size--;
            blocks.add(new Cidr(toAddress(start, bits), bits - size));
            start = start.add(BigInteger.ONE.shiftLeft(size));
        }
        return blocks;
    }

    private static InetAddress toAddress(BigInteger value, int bits) {
        byte[] raw = value.toByteArray();
        byte[] bytes = new byte[bits / 8];
        int copy = Math.min(raw.length, bytes.length);
        System.arraycopy(raw, raw.length - copy, bytes, bytes.length - copy, copy);
        try {
            // Inet6Address explicitly: InetAddress.getByAddress turns ::ffff:a.b.c.d into IPv4
            return bits == 128 ? java.net.Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

}
