package netwatcher.model.capture;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The IP addresses an ARM filter field names, in ARM's notation: one address ({@code 10.0.0.4}),
 * one range ({@code 10.0.0.1-10.0.0.255}) or a list ({@code 10.0.0.1;10.0.0.5;}). Several ranges,
 * or a range mixed with a list, are refused, as Azure documents. Addresses are literal IPv4 or IPv6
 * (never host names) and both ends of a range have the same family, lowest first.
 *
 * @param ranges one range, or one single-address range per list entry; never empty
 */
public record AddressSet(List<Range> ranges) {

    /** An inclusive range of addresses of one family. */
    public record Range(InetAddress from, InetAddress to) {
        public Range {
            if (from.getClass() != to.getClass()) throw new IllegalArgumentException("range mixes IPv4 and IPv6");
        }

        public boolean single() { return from.equals(to); }
    }

    public AddressSet {
        ranges = List.copyOf(ranges);
        if (ranges.isEmpty()) throw new IllegalArgumentException("empty address set");
    }

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    /** Parses {@code value} for the filter field {@code field}; blank yields {@code null} (no constraint). */
    public static AddressSet parse(String field, String value) {
        if (value == null || value.isBlank()) return null;
        Notation.Parts parts = Notation.split(field, value, "an IPv4 or IPv6 address",
                t -> IPV4.matcher(t).matches() || IPV6.matcher(t).matches());
        if (parts.range()) {
            InetAddress from = address(field, parts.items().get(0));
            InetAddress to = address(field, parts.items().get(1));
            if (from.getClass() != to.getClass()) {
                throw new FilterNotationException(field, "range '" + value + "' mixes IPv4 and IPv6");
            }
            if (compare(from, to) > 0) {
                throw new FilterNotationException(field, "range '" + value + "' starts above its end");
            }
            return new AddressSet(List.of(new Range(from, to)));
        }
        List<Range> items = new ArrayList<>();
        for (String part : parts.items()) {
            InetAddress a = address(field, part);
            items.add(new Range(a, a));
        }
        return new AddressSet(items);
    }

    private static InetAddress address(String field, String text) {
        String t = text.trim();
        if (!(IPV4.matcher(t).matches() || IPV6.matcher(t).matches())) {
            throw new FilterNotationException(field, "'" + text + "' is not an IPv4 or IPv6 address");
        }
        try {
            if (IPV4.matcher(t).matches()) {
                for (String octet : t.split("\\.")) {
                    if (Integer.parseInt(octet) > 255) throw new UnknownHostException();
                }
            }
            return InetAddress.getByName(t); // literal only: the patterns above exclude host names
        } catch (UnknownHostException | NumberFormatException e) {
            throw new FilterNotationException(field, "'" + text + "' is not an IPv4 or IPv6 address");
        }
    }

    /** Orders two addresses of one family numerically. */
    public static int compare(InetAddress a, InetAddress b) {
        return new BigInteger(1, a.getAddress()).compareTo(new BigInteger(1, b.getAddress()));
    }

    /** True when every address here is IPv4. */
    public boolean ipv4() { return ranges.stream().allMatch(r -> r.from() instanceof Inet4Address); }

    /** The notation this set was parsed from, normalised ({@code a}, {@code a-b} or {@code a;b;}). */
    public String notation() {
        if (ranges.size() == 1) {
            Range r = ranges.getFirst();
            return r.single() ? r.from().getHostAddress() : r.from().getHostAddress() + "-" + r.to().getHostAddress();
        }
        StringBuilder sb = new StringBuilder();
        for (Range r : ranges) sb.append(r.from().getHostAddress()).append(';');
        return sb.toString();
    }
}
