package netwatcher.arm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What every fuzz target asks of an ARM error: a status, a code, a sentence, and no library, class
 * or stack-trace text in the message. A marker counts only when the input itself does not contain
 * it (a message may echo the caller's own value).
 */
final class FuzzFindings {
    /** Text that only an implementation detail puts in a message. */
    static final List<String> LEAKS = List.of("jackson", "fasterxml", "streamreadconstraints", "netwatcher.", "java.",
            "exception", "feature", "\tat ", "`");

    private FuzzFindings() {}

    /** The input last seen, lower-cased once: a target checks many errors of one input (fuzzing is single-threaded). */
    private static byte[] lastInput;
    private static String lastLower;

    static void cleanArmError(ArmException e, byte[] input) {
        if (!Arrays.equals(input, lastInput)) {
            String utf8 = new String(input, StandardCharsets.UTF_8);
            // messages quote input with control characters escaped (a DEL as backslash-u007f): "f" + that + "asterxml" then holds a marker
            // that came from the input, not from the parser
            lastLower = (utf8 + " " + new String(input, StandardCharsets.ISO_8859_1) + " " + escapeControls(utf8))
                    .toLowerCase(Locale.ROOT);
            lastInput = input.clone();
        }
        cleanArmError(e, lastLower);
    }

    static void cleanArmError(ArmException e, String input) {
        assertNotNull(e.code());
        assertTrue(e.status() >= 400 && e.status() < 600, "status " + e.status());
        String message = e.error().message();
        assertNotNull(message);
        assertFalse(message.isBlank());
        String lower = message.toLowerCase(Locale.ROOT);
        String in = String.valueOf(input).toLowerCase(Locale.ROOT);
        for (String leak : LEAKS) {
            assertFalse(lower.contains(leak) && !in.contains(leak), () -> "message leaks '" + leak + "': " + message);
        }
    }

    /** {@code s} with ISO control characters written as {@code \\uXXXX}, as error messages quote input. */
    private static String escapeControls(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) b.append(String.format("\\u%04x", c));
            else b.appendCodePoint(c);
        });
        return b.toString();
    }
}
