package netwatcher.controller.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Generated secrets: 256 bits, URL-safe, and usable as a command-line flag value. */
class SecretsTest {

    @Test
    void generate_neverStartsWithADashOrUnderscore_soCommandLinesTakeItAsAValue() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 5000; i++) { // without the guard, ~156 of 5000 would start with '-' or '_'
            String s = Secrets.generate();
            assertFalse(s.startsWith("-") || s.startsWith("_"), s);
            assertEquals(43, s.length());
            assertTrue(s.matches("[A-Za-z0-9_-]+"), s);
            seen.add(s);
        }
        assertEquals(5000, seen.size());
    }

    @Test
    void matches_acceptsOnlyTheSecretItWasHashedFrom() {
        String secret = Secrets.generate();
        String hash = Secrets.hash(secret);
        assertTrue(Secrets.matches(secret, hash));
        assertFalse(Secrets.matches(secret + "x", hash));
    }
}
