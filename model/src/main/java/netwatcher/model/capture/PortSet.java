package netwatcher.model.capture;

import java.util.ArrayList;
import java.util.List;

/**
 * The ports an ARM filter field names: one port ({@code 80}), one range ({@code 80-85}) or a list
 * ({@code 80;443;}), each 0-65535. Several ranges, or a range mixed with a list, are refused.
 *
 * @param ranges one range, or one single-port range per list entry; never empty
 */
public record PortSet(List<Range> ranges) {

    /** An inclusive port range. */
    public record Range(int from, int to) {
        public Range {
            if (from < 0 || to > 65535 || from > to) throw new IllegalArgumentException("bad port range " + from + "-" + to);
        }

        public boolean single() { return from == to; }
    }

    public PortSet {
        ranges = List.copyOf(ranges);
        if (ranges.isEmpty()) throw new IllegalArgumentException("empty port set");
    }

    /** Parses {@code value} for the filter field {@code field}; blank yields {@code null} (no constraint). */
    public static PortSet parse(String field, String value) {
        if (value == null || value.isBlank()) return null;
        Notation.Parts parts = Notation.split(field, value, "a port number (0-65535)", t -> t.matches("\\d{1,5}"));
        if (parts.range()) {
            int from = port(field, parts.items().get(0));
            int to = port(field, parts.items().get(1));
            if (from > to) throw new FilterNotationException(field, "range '" + value + "' starts above its end");
            return new PortSet(List.of(new Range(from, to)));
        }
        List<Range> items = new ArrayList<>();
        for (String part : parts.items()) {
            int p = port(field, part);
            items.add(new Range(p, p));
        }
        return new PortSet(items);
    }

    private static int port(String field, String text) {
        String t = text.trim();
        if (!t.matches("\\d{1,5}")) throw new FilterNotationException(field, "'" + text + "' is not a port number (0-65535)");
        int p = Integer.parseInt(t);
        if (p > 65535) throw new FilterNotationException(field, "port " + p + " is above 65535");
        return p;
    }

    /** The normalised notation ({@code 80}, {@code 80-85} or {@code 80;443;}). */
    public String notation() {
        if (ranges.size() == 1) {
            Range r = ranges.getFirst();
            return r.single() ? Integer.toString(r.from()) : r.from() + "-" + r.to();
        }
        StringBuilder sb = new StringBuilder();
        for (Range r : ranges) sb.append(r.from()).append(';');
        return sb.toString();
    }
}
