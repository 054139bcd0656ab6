package netwatcher.model.capture;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * ARM's filter notation, shared by addresses and ports: one value, one range {@code a-b}, or a
 * list {@code a;b;} (trailing ';' allowed). Several ranges, or a range mixed with a list, are
 * refused, as Azure documents. Stateless.
 */
final class Notation {
    private Notation() {}

    /** The parts of a value: either one range (two ends, {@code range} true) or list entries. */
    record Parts(boolean range, List<String> items) {}

    /**
     * The parts of {@code value}: either one range (two ends, {@code range} true) or list entries.
     *
     * @param kind      what one element is, for messages ("a port number (0-65535)")
     * @param isElement whether a trimmed text is one element of that kind (so that {@code 1-2-3} is called "more than
     *                  one range" while {@code not-a-port}, whose dashes join no elements, is called what it is not)
     * @throws FilterNotationException naming {@code field}
     */
    static Parts split(String field, String value, String kind, Predicate<String> isElement) {
        String text = value.trim();
        boolean list = text.contains(";");
        boolean range = text.contains("-");
        if (range && !java.util.Arrays.stream(text.split("[-;]", -1)).map(String::trim).filter(e -> !e.isEmpty()).allMatch(isElement)) {
            // dashes that join no two elements make no range: say what the value is not, not how its ranges are wrong
            throw new FilterNotationException(field, "'" + value + "' is not " + kind + ", one range a-b or one list a;b;");
        }
        if (list && range) {
            throw new FilterNotationException(field, "'" + value + "' mixes a range with a list; use one range (a-b) or one list (a;b;)");
        }
        if (range) {
            String[] ends = text.split("-", -1);
            if (ends.length != 2) {
                throw new FilterNotationException(field, "'" + value + "' has more than one range; only one range a-b is supported");
            }
            return new Parts(true, List.of(ends[0], ends[1]));
        }
        List<String> items = new ArrayList<>();
        String[] parts = text.split(";", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].trim();
            if (part.isEmpty()) {
                if (i == parts.length - 1 && i > 0) continue; // the documented trailing ';'
                throw new FilterNotationException(field, "'" + value + "' has an empty list entry");
            }
            items.add(part);
        }
        return new Parts(false, items);
    }
}
