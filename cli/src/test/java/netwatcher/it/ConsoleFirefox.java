package netwatcher.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import netwatcher.testing.bidi.Firefox;

/**
 * What the console's Firefox test needs on top of {@link Firefox} (the BiDi client in the testing module), the
 * counterpart of {@link ConsoleBrowser} for Chromium: waiting for the page, reading elements, picking a select's
 * option, the screenshots that are docs/console.md's Firefox pictures, and axe-core's serious or critical violations
 * (the same vendored axe-core and the same run as Chromium's). Stateless.
 */
final class ConsoleFirefox {
    private ConsoleFirefox() {}

    /** The viewport of the screenshots: Chromium's window size, so the docs' pictures compare. */
    static final int WIDTH = 1500, HEIGHT = 1000;

    /**
     * Waits until {@code condition} holds, asking again while the page loads or re-renders (a script that throws
     * counts as "not yet"); the failure names what was awaited, the page's alert and its address.
     */
    static void await(Firefox browser, String what, Supplier<Boolean> condition, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(condition.get())) return;
            } catch (RuntimeException notYet) {
                last = notYet;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not within " + wait.toSeconds() + " s in Firefox: " + what + "; alert: " + alertText(browser)
                + "; page: " + safe(() -> browser.call("() => location.href").asText()) + (last == null ? "" : "; last error: " + last.getMessage()));
    }

    /** Whether an element matches {@code css} and is rendered (not hidden, not inside a hidden section). */
    static boolean visible(Firefox browser, String css) {
        return browser.call("(css) => { const e = document.querySelector(css); return !!e && e.checkVisibility(); }", css).asBoolean();
    }

    /** How many elements match {@code css}. */
    static int count(Firefox browser, String css) {
        return browser.call("(css) => document.querySelectorAll(css).length", css).asInt();
    }

    /** The rendered text of the first element {@code css} matches; empty when none does. */
    static String text(Firefox browser, String css) {
        return browser.call("(css) => { const e = document.querySelector(css); return e ? e.innerText : ''; }", css).asText();
    }

    /** An attribute of the first element {@code css} matches; null when there is no such element or attribute. */
    static String attribute(Firefox browser, String css, String name) {
        JsonNode value = browser.call("(css, name) => { const e = document.querySelector(css); return e ? e.getAttribute(name) : null; }", css, name);
        return value.isNull() ? null : value.asText();
    }

    /** The console's alert line, or "?" when it cannot be read. */
    static String alertText(Firefox browser) {
        return safe(() -> text(browser, "#alert"));
    }

    /**
     * Picks {@code value} in select {@code id} as a user's choice reaches the page: the value, then the change event it
     * listens for (a native select's drop-down is not part of the page, in either browser).
     */
    static void select(Firefox browser, String id, String value) {
        JsonNode chosen = browser.call("""
                (id, value) => { const s = document.getElementById(id); s.value = value;
                  s.dispatchEvent(new Event('change', { bubbles: true })); return s.value; }""", id, value);
        if (!chosen.asText().equals(value)) throw new IllegalStateException(id + " has no option " + value + " (holds '" + chosen.asText() + "')");
    }

    /** Clears the input {@code id} (select all, delete, as typed) and types {@code text} into it. */
    static void retype(Firefox browser, String id, String text) {
        browser.call("(id) => document.getElementById(id).select()", id);
        browser.keys("\uE017"); // Delete
        browser.type("#" + id, text);
    }

    /** The page as it is now, as {@code docs/images/NAME}. */
    static void screenshot(Firefox browser, String name) throws IOException {
        Files.createDirectories(ConsoleBrowser.DOCS_IMAGES);
        Files.write(ConsoleBrowser.DOCS_IMAGES.resolve(name), browser.screenshot());
    }

    /** axe-core's serious and critical violations on the page as it is now, each prefixed with {@code page}. */
    static List<String> axeViolations(Firefox browser, String page) throws IOException {
        // evaluated by the automation, outside the page's CSP (which allows no eval): as Chromium's executeScript does
        browser.evaluate(ConsoleBrowser.axeSource() + "\n;void 0");
        JsonNode violations = browser.call(ConsoleBrowser.AXE_RUN.strip());
        List<String> out = new ArrayList<>();
        for (JsonNode v : violations) {
            if (ConsoleBrowser.failsTheTest(v.path("impact").asText())) out.add(page + ": " + v.path("id").asText() + " " + v.path("nodes"));
        }
        return out;
    }

    private static String safe(Supplier<String> read) {
        try {
            return read.get();
        } catch (RuntimeException e) {
            return "?";
        }
    }
}
