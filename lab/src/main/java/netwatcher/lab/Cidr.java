package netwatcher.lab;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IP address with a prefix length, as written in {@code ip addr add 198.18.1.10/24}: the address
 * keeps its host bits, {@link #network()} drops them. A bare address parses as a host prefix (/32, /128).
 *
 * <p>Immutable and thread-safe.
 *
 * @param address      the literal address (never resolved from a name)
 * @param prefixLength 0..32 for IPv4, 0..128 for IPv6
 */
public record Cidr(InetAddress address, int prefixLength) {

    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

    /** The only IPv4 space the lab may use (RFC 2544 benchmarking). */
    public static final Cidr LAB_IPV4 = parse("198.18.0.0/15");
    /** The only IPv6 space the lab may use (RFC 5180 benchmarking). */
    public static final Cidr LAB_IPV6 = parse("2001:2::/48");

    public Cidr {
        int max = bits(address);
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range 0.." + max);
        }
    }

    /** Parses {@code 198.18.1.10/24}, {@code 2001:2:1::10/64} or a bare literal address. */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("empty address");
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String literal = slash < 0 ? trimmed : trimmed.substring(0, slash);
        InetAddress address = literal(literal);
        int length;
        if (slash < 0) {
            length = bits(address);
        } else {
            try {
                length = Integer.parseInt(trimmed.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' has no numeric prefix length", e);
            }
        }
        return new Cidr(address, length);
    }

    /** Parses a literal IPv4 or IPv6 address; host names are refused (nothing is resolved). */
    public static InetAddress literal(String text) {
        if (text == null || !LITERAL.matcher(text).matches() || (!text.contains(".") && !text.contains(":"))) {
            throw new IllegalArgumentException("'" + text + "' is not a literal IP address");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not a literal IP address", e);
        }
    }

    public boolean ipv6() { return !(address instanceof Inet4Address); }

    /** The address with the host bits cleared, same prefix length. */
    public Cidr network() {
        return new Cidr(fromNumber(number(address).and(mask()), ipv6()), prefixLength);
    }

    /** Whether {@code other} (an address or a whole prefix) lies inside this prefix. */
    public boolean contains(Cidr other) {
        if (other.ipv6() != ipv6() || other.prefixLength < prefixLength) return false;
        return number(other.address).and(mask()).equals(number(address).and(mask()));
    }

    public boolean contains(InetAddress other) {
        return contains(new Cidr(other, bits(other)));
    }

    /** Whether this address or prefix lies inside the lab's address space (198.18.0.0/15, 2001:2::/48). */
    public boolean inLabSpace() {
        return ipv6() ? LAB_IPV6.contains(this) : LAB_IPV4.contains(this);
    }

    /** The {@code n}-th address of this prefix's network (0 = the network address). */
    public InetAddress host(long n) {
        BigInteger value = number(network().address).add(BigInteger.valueOf(n));
        if (!contains(fromNumber(value, ipv6()))) {
            throw new IllegalArgumentException("host " + n + " lies outside " + this);
        }
        return fromNumber(value, ipv6());
    }

    /** The address alone, in the usual text form ({@code 198.18.1.10}, {@code 2001:2:1::10}). */
    public String addressText() {
        return text(address);
    }

    /** The usual text form of a literal address, IPv6 compressed. */
    public static String text(InetAddress address) {
        if (address instanceof Inet4Address) return address.getHostAddress();
        // Compress the longest run of zero groups as RFC 5952 asks.
        String[] groups = address.getHostAddress().split("%")[0].split(":");
        int bestStart = -1, bestLength = 0;
        for (int i = 0; i < groups.length; ) {
            if (Integer.parseInt(groups[i], 16) != 0) { i++; continue; }
            int j = i;
            while (j < groups.length && Integer.parseInt(groups[j], 16) == 0) j++;
            if (j - i > bestLength && j - i > 1) { bestStart = i; bestLength = j - i; }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < groups.length; i++) {
            if (i == bestStart) {
                out.append(i == 0 ? "::" : ":");
                i += bestLength - 1;
                continue;
            }
            out.append(Integer.toHexString(Integer.parseInt(groups[i], 16)));
            if (i < groups.length - 1) out.append(':');
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return addressText() + "/" + prefixLength;
    }

    private BigInteger mask() {
        int total = bits(address);
        BigInteger all = BigInteger.ONE.shiftLeft(total).subtract(BigInteger.ONE);
        return all.shiftRight(total - prefixLength).shiftLeft(total - prefixLength);
    }

    private static int bits(InetAddress address) {
        return address instanceof Inet4Address ? 32 : 128;
    }

    private static BigInteger number(InetAddress address) {
        return new BigInteger(1, address.getAddress());
    }

    private static InetAddress fromNumber(BigInteger value, boolean ipv6) {
        int size = ipv6 ? 16 : 4;
        byte[] raw = value.toByteArray();
        byte[] bytes = new byte[size];
        int copy = Math.min(raw.length, size);
        System.arraycopy(raw, raw.length - copy, bytes, size - copy, copy);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
