package netwatcher.model.wire;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Lower-case wire words for enum constants. Stateless. */
public final class WireWords {
    private WireWords() {}

    /** The wire word of {@code value}: its name in lower case. */
    public static String of(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The constant of {@code type} whose wire word is {@code word}.
     *
     * @param what what the value is, for the error ("a check role")
     * @throws IllegalArgumentException naming the words there are, when {@code word} is none of them
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String word, String what) {
        for (E e : type.getEnumConstants()) if (of(e).equals(word)) return e;
        throw new IllegalArgumentException(what + " is one of "
                + Arrays.stream(type.getEnumConstants()).map(WireWords::of).collect(Collectors.joining(", ")));
    }
}
