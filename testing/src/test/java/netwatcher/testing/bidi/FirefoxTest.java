package netwatcher.testing.bidi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The client against a real headless firefox-esr on a page of its own ({@code data:} URL, nothing served): scripts,
 * real input, the console log, errors, and a close that leaves no process and no profile behind.
 */
@Tag("external")
class FirefoxTest {
    /** Any PEM CA makes a profile; this one is in every Debian's ca-certificates. */
    static final Path SOME_CA = Path.of("/etc/ssl/certs/ISRG_Root_X1.pem");

    static final String PAGE = "data:text/html,<label for=t>T</label><input id=t>"
            + "<button id=b onclick=\"document.title='clicked'\">go</button><script>console.warn('page says hi')</script>";

    @Test
    void aPage_isDrivenWithScriptsAndRealInput_andItsConsoleIsLogged() throws Exception {
        try (Firefox firefox = Firefox.start(SOME_CA, 800, 600)) {
            firefox.navigate(PAGE);
            assertEquals("{\"n\":1,\"list\":[\"x\",null],\"title\":\"\"}", firefox.call("() => ({ n: 1, list: ['x', null], title: document.title })").toString());
            firefox.type("#t", "typed");
            assertEquals("typed", firefox.call("() => document.getElementById('t').value").asText());
            firefox.click("#b");
            assertEquals("clicked", firefox.call("() => new Promise((done) => setTimeout(() => done(document.title), 50))").asText());
            firefox.chord(Firefox.SHIFT, Firefox.TAB);
            assertEquals("t", firefox.call("() => document.activeElement.id").asText(), "Shift+Tab from the button reaches the input");
            assertEquals(42, firefox.call("(a, b) => a + b.length", 40, List.of(1, 2)).asInt());
            byte[] png = firefox.screenshot();
            assertTrue(png.length > 8 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG");
            assertTrue(firefox.logEntries().stream().anyMatch(e -> e.text().equals("page says hi") && e.level().equals("warn")),
                    firefox.logEntries().toString());
        }
    }

    @Test
    void aScriptThatThrows_andAMissingElement_failWithThePagesMessage() throws Exception {
        try (Firefox firefox = Firefox.start(SOME_CA, 800, 600)) {
            firefox.navigate(PAGE);
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> firefox.call("() => { throw new Error('nope'); }"));
            assertTrue(thrown.getMessage().contains("nope"), thrown.getMessage());
            IllegalStateException missing = assertThrows(IllegalStateException.class, () -> firefox.click("#absent"));
            assertTrue(missing.getMessage().contains("#absent"), missing.getMessage());
        }
    }

    @Test
    void close_leavesNoProcessAndNoProfile() throws Exception {
        Firefox firefox = Firefox.start(SOME_CA, 800, 600);
        ProcessHandle browser = firefox.process().handle();
        List<ProcessHandle> children = browser.descendants().toList();
        Path profile = firefox.process().profile();
        assertTrue(Files.isDirectory(profile));
        assertTrue(Files.isRegularFile(profile.resolve("cert9.db")), "the CA went into the profile's own certificate database");
        firefox.close();
        assertFalse(browser.isAlive(), "the browser is gone");
        assertTrue(children.stream().noneMatch(ProcessHandle::isAlive), "its content processes are gone");
        assertFalse(Files.exists(profile), "the profile is deleted");
    }
}
