package netwatcher.controller.compute;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Strict IP literals and host prefixes as agents report them ({@code 198.18.1.10/24},
 * {@code 2001:2::10/64}). Only literals parse: never a host name, never a DNS lookup, no legacy
 * IPv4 forms ({@code 127.1}, octal, hex), no zone ids, no IPv4-mapped IPv6. Immutable; thread-safe.
 *
 * @param address      the address
 * @param prefixLength the prefix length, or -1 for a bare literal
 */
public record IpLiteral(InetAddress address, int prefixLength) {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern PREFIX = Pattern.compile("0|[1-9]\\d{0,2}");

    /** A bare IP literal (no prefix), or empty when {@code text} is not one. */
    public static Optional<IpLiteral> address(String text) {
        if (text == null) return Optional.empty();
        if (IPV4.matcher(text).matches()) {
            return Optional.of(new IpLiteral(InetAddress.ofLiteral(text), -1));
        }
        if (text.indexOf(':') < 0 || !IPV6_CHARS.matcher(text).matches()) return Optional.empty();
        try {
            InetAddress a = InetAddress.ofLiteral(text);
            // Java turns ::ffff:a.b.c.d into an IPv4 address: refuse it rather than guess which was meant
            return a instanceof Inet6Address ? Optional.of(new IpLiteral(a, -1)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** An {@code address/prefix} with the prefix in range for the family, or empty. */
    public static Optional<IpLiteral> prefix(String text) {
        if (text == null) return Optional.empty();
        int slash = text.indexOf('/');
        if (slash < 0 || !PREFIX.matcher(text.substring(slash + 1)).matches()) return Optional.empty();
        Optional<IpLiteral> a = address(text.substring(0, slash));
        if (a.isEmpty()) return Optional.empty();
        int len = Integer.parseInt(text.substring(slash + 1));
        int max = a.get().address() instanceof Inet4Address ? 32 : 128;
        if (len < 1 || len > max) return Optional.empty();
        return Optional.of(new IpLiteral(a.get().address(), len));
    }

    /**
     * Why this address can never be a host's NIC address (loopback, unspecified, "this network"
     * 0.0.0.0/8, multicast, limited broadcast), or empty when it can.
     */
    public Optional<String> forbidden() {
        byte[] b = address.getAddress();
        if (address.isLoopbackAddress()) return Optional.of("a loopback address");
        if (address.isAnyLocalAddress() || (b.length == 4 && b[0] == 0)) return Optional.of("an unspecified address");
        if (address.isMulticastAddress()) return Optional.of("a multicast address");
        if (b.length == 4 && (b[0] & b[1] & b[2] & b[3]) == (byte) 0xff) return Optional.of("the broadcast address");
        return Optional.empty();
    }

    /** True when the address may own a hop of a path: allowed on a NIC and not link-local. */
    public boolean pathAddress() {
        return forbidden().isEmpty() && !address.isLinkLocalAddress();
    }

    /** The canonical text of the address (no prefix): dotted quad, or Java's full IPv6 form. */
    public String canonical() { return address.getHostAddress(); }

    /** True when {@code other} lies in this prefix (same family); false for a bare literal. */
    public boolean contains(InetAddress other) {
        byte[] n = address.getAddress();
        byte[] a = other.getAddress();
        if (prefixLength < 0 || a.length != n.length) return false;
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) if (a[i] != n[i]) return false;
        int rest = prefixLength % 8;
        if (rest == 0) return true;
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (n[full] & mask);
    }
}
