package netwatcher.controller.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashSet;
import org.junit.jupiter.api.Test;

/** Path matching: literal segments ignore case, variables bind one non-empty segment, {rest...} the remainder. */
class RouterTest {
    private final Router router = new Router()
            .add("GET", "/storage/{account}/{path...}", Router.Kind.PUBLIC, (ex, v) -> { })
            .add("GET", "/subscriptions/{sub}", Router.Kind.ARM, (ex, v) -> { });

    @Test
    void variablesBindSegments_andRestTakesTheRemainder() {
        Router.Match m = router.match("GET", "/Storage/acct/a/b.cap", new HashSet<>());
        assertNotNull(m);
        assertEquals("acct", m.vars().get("account"));
        assertEquals("a/b.cap", m.vars().get("path"));
    }

    @Test
    void anEmptySegmentBindsNoVariable() {
        // found by fuzzing: '//' used to bind '' (no account, no subscription) and reach the handler
        assertNull(router.match("GET", "/storage//a/b", new HashSet<>()));
        assertNull(router.match("GET", "/storage/acct//b", new HashSet<>()));
        assertNull(router.match("GET", "/subscriptions//", new HashSet<>()));
        assertNotNull(router.match("GET", "/subscriptions/s1/", new HashSet<>()));
    }
}
