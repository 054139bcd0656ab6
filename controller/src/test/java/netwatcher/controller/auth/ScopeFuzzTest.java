package netwatcher.controller.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzes the path parser authorization rests on: {@link Scope} (parse, segments, covers), with a
 * scope text and a request path. Scope may refuse only with an {@link IllegalArgumentException};
 * segments and covers never throw; a parsed scope covers its own path, and a path it covers starts
 * with its segments. Seeds: {@code ScopeFuzzTestInputs/scope}.
 */
@Tag("fuzz")
class ScopeFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void scope(FuzzedDataProvider data) {
        String scopeText = data.consumeString(300);
        String path = data.consumeRemainingAsString();
        Optional<List<String>> segments = Scope.segments(path);
        segments.ifPresent(s -> s.forEach(seg -> assertFalse(seg.isEmpty() || seg.equals(".") || seg.equals(".."))));
        Scope scope;
        try {
            scope = Scope.parse(scopeText);
        } catch (IllegalArgumentException e) {
            assertEquals(IllegalArgumentException.class, e.getClass());
            assertNotNull(e.getMessage());
            return;
        }
        assertTrue(scope.covers(scope.path()), scope::path);
        assertTrue(scope.covers(scope.path() + "/providers/Microsoft.Network/networkWatchers/nw"), scope::path);
        assertEquals(scope.key(), Scope.parse(scope.path()).key());
        if (scope.covers(path)) {
            List<String> own = Scope.segments(scope.path()).orElseThrow();
            List<String> given = segments.orElseThrow();
            assertTrue(given.size() >= own.size());
            for (int i = 0; i < own.size(); i++) assertTrue(own.get(i).equalsIgnoreCase(given.get(i)), path);
        }
    }
}
