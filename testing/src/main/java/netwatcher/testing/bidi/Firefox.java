package netwatcher.testing.bidi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A headless Firefox driven over WebDriver BiDi, no geckodriver: one session, one tab, and what a page test needs on
 * it. Scripts run in the page ({@code script.callFunction}, promises awaited) and their results come back as plain
 * JSON; input is real input ({@code input.performActions}: the pointer clicks at an element, keys are typed into the
 * focused one), so the browser's own event handling, focus and form submission are what is tested. Every console log
 * entry of the page ({@code log.entryAdded}) is kept for {@link #logEntries()}.
 *
 * <p>{@link #close()} ends the browser, kills what is left of its processes and deletes the profile.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
public final class Firefox implements AutoCloseable {
    /** How long the browser may take to start, and each command to answer (the machine may be loaded). */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** WebDriver's key codes the tests type. */
    public static final String TAB = "\uE004", ENTER = "\uE007", SHIFT = "\uE008";

    /** One console entry: level ({@code debug}, {@code info}, {@code warn}, {@code error}), type ({@code console},
     * {@code javascript}) and text. */
    public record LogEntry(String level, String type, String text) {}

    private final FirefoxProcess process;
    private final BidiClient bidi;
    private final String context;
    private final List<LogEntry> log = new CopyOnWriteArrayList<>();

    private Firefox(FirefoxProcess process, BidiClient bidi, String context) {
        this.process = process;
        this.bidi = bidi;
        this.context = context;
    }

    /**
     * Starts Firefox trusting the CA in {@code caCertificate} (PEM) for web sites, opens a BiDi session that refuses
     * certificates it cannot verify ({@code acceptInsecureCerts} false), subscribes to the console log and sizes the
     * tab's viewport to {@code width} x {@code height}.
     */
    public static Firefox start(Path caCertificate, int width, int height) throws IOException, InterruptedException {
        FirefoxProcess process = FirefoxProcess.start(caCertificate, TIMEOUT);
        BidiClient bidi = null;
        try {
            bidi = BidiClient.connect(process.sessionEndpoint(), TIMEOUT);
            ObjectNode session = BidiFrames.params();
            session.putObject("capabilities").putObject("alwaysMatch").put("acceptInsecureCerts", false);
            bidi.call("session.new", session);
            String context = bidi.call("browsingContext.getTree", BidiFrames.params()).path("contexts").path(0).path("context").asText();
            if (context.isEmpty()) throw new IllegalStateException("Firefox has no browsing context; stderr: " + process.stderrTail());
            Firefox firefox = new Firefox(process, bidi, context);
            bidi.onEvent(event -> {
                if (event.method().equals("log.entryAdded")) firefox.log.add(new LogEntry(event.params().path("level").asText(),
                        event.params().path("type").asText(), event.params().path("text").asText()));
            });
            ObjectNode subscribe = BidiFrames.params();
            subscribe.putArray("events").add("log.entryAdded");
            bidi.call("session.subscribe", subscribe);
            ObjectNode viewport = BidiFrames.params().put("context", context);
            viewport.putObject("viewport").put("width", width).put("height", height);
            bidi.call("browsingContext.setViewport", viewport);
            return firefox;
        } catch (RuntimeException | Error e) {
            try {
                if (bidi != null) bidi.close();
            } finally {
                process.close();
            }
            throw e;
        }
    }

    /** The transport, for commands this class does not wrap. */
    public BidiClient bidi() {
        return bidi;
    }

    /** The tab's browsing context id. */
    public String context() {
        return context;
    }

    /** Where the profile saves downloads. */
    public Path downloads() {
        return process.profile().resolve("downloads");
    }

    /** Opens {@code url} in the tab and waits until the document has loaded. */
    public void navigate(String url) {
        bidi.call("browsingContext.navigate", BidiFrames.params().put("context", context).put("url", url).put("wait", "complete"));
    }

    /** Reloads the tab and waits until the document has loaded. */
    public void reload() {
        bidi.call("browsingContext.reload", BidiFrames.params().put("context", context).put("wait", "complete"));
    }

    /**
     * Calls {@code function} (a JavaScript function's source) in the page with {@code args} (see
     * {@link RemoteValues#local}), awaits the promise it may return and gives its result as plain JSON.
     *
     * @throws IllegalStateException when the script throws, with the page's message
     */
    public JsonNode call(String function, Object... args) {
        return RemoteValues.toJson(callRaw(function, args));
    }

    /**
     * Evaluates {@code expression} (a script's source) in the page as the browser's automation does, outside the
     * page's Content-Security-Policy, awaits the promise it may give and returns its value as plain JSON; how a test
     * loads a library into a page whose CSP forbids eval (axe-core).
     *
     * @throws IllegalStateException when the script throws, with the page's message
     */
    public JsonNode evaluate(String expression) {
        ObjectNode params = BidiFrames.params().put("expression", expression).put("awaitPromise", true);
        params.putObject("target").put("context", context);
        return RemoteValues.toJson(resultOf(bidi.call("script.evaluate", params), expression));
    }

    /** The first element {@code css} matches in the page. */
    public RemoteValues.Element element(String css) {
        return RemoteValues.element(callRaw("(css) => document.querySelector(css)", css), "'" + css + "'");
    }

    /** Clicks the middle of the element {@code css} matches with the mouse, after scrolling it into view. */
    public void click(String css) {
        RemoteValues.Element target = element(css);
        callRaw("(e) => e.scrollIntoView({ block: 'center' })", target);
        ObjectNode actions = BidiFrames.params().put("context", context);
        ObjectNode mouse = actions.putArray("actions").addObject().put("type", "pointer").put("id", "mouse");
        mouse.putObject("parameters").put("pointerType", "mouse");
        ArrayNode steps = mouse.putArray("actions");
        ObjectNode move = steps.addObject().put("type", "pointerMove").put("x", 0).put("y", 0);
        move.putObject("origin").put("type", "element").putObject("element").put("sharedId", target.sharedId());
        steps.addObject().put("type", "pointerDown").put("button", 0);
        steps.addObject().put("type", "pointerUp").put("button", 0);
        bidi.call("input.performActions", actions);
    }

    /** Clicks into the element {@code css} matches and types {@code text} there, key by key. */
    public void type(String css, String text) {
        click(css);
        keys(text);
    }

    /**
     * Presses and releases each character of {@code keys} in turn on whatever has the focus ({@link #TAB},
     * {@link #ENTER} and the other WebDriver key codes included).
     */
    public void keys(String keys) {
        ObjectNode actions = BidiFrames.params().put("context", context);
        ArrayNode steps = actions.putArray("actions").addObject().put("type", "key").put("id", "keyboard").putArray("actions");
        keys.codePoints().forEach(code -> {
            String key = Character.toString(code);
            steps.addObject().put("type", "keyDown").put("value", key);
            steps.addObject().put("type", "keyUp").put("value", key);
        });
        bidi.call("input.performActions", actions);
        bidi.call("input.releaseActions", BidiFrames.params().put("context", context));
    }

    /** Holds {@code modifier} (e.g. {@link #SHIFT}) down while pressing and releasing {@code key}. */
    public void chord(String modifier, String key) {
        ObjectNode actions = BidiFrames.params().put("context", context);
        ArrayNode steps = actions.putArray("actions").addObject().put("type", "key").put("id", "keyboard").putArray("actions");
        steps.addObject().put("type", "keyDown").put("value", modifier);
        steps.addObject().put("type", "keyDown").put("value", key);
        steps.addObject().put("type", "keyUp").put("value", key);
        steps.addObject().put("type", "keyUp").put("value", modifier);
        bidi.call("input.performActions", actions);
    }

    /** The viewport as a PNG. */
    public byte[] screenshot() {
        String data = bidi.call("browsingContext.captureScreenshot", BidiFrames.params().put("context", context)).path("data").asText();
        return Base64.getDecoder().decode(data);
    }

    /** Every console log entry the page produced since the browser started. */
    public List<LogEntry> logEntries() {
        return List.copyOf(log);
    }

    /** The process that runs the browser (for tests of this class). */
    FirefoxProcess process() {
        return process;
    }

    /** Firefox's last stderr lines, for failure messages. */
    public String stderrTail() {
        return process.stderrTail();
    }

    /** Asks the browser to close, then kills whatever is left of it and deletes its profile, whatever fails first. */
    @Override
    public void close() {
        try {
            process.rememberChildren();
            try {
                bidi.send("browser.close", BidiFrames.params()).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException alreadyGone) {
                // the browser may drop the connection before answering, or be gone: the process is killed below anyway
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                bidi.close();
            }
        } finally {
            process.close();
        }
    }

    private JsonNode callRaw(String function, Object... args) {
        ObjectNode params = BidiFrames.params().put("functionDeclaration", function).put("awaitPromise", true);
        params.putObject("target").put("context", context);
        ArrayNode arguments = params.putArray("arguments");
        for (Object arg : args) arguments.add(RemoteValues.local(arg));
        return resultOf(bidi.call("script.callFunction", params), function);
    }

    /** A script's result value, or the exception it threw as an error naming the script. */
    private static JsonNode resultOf(JsonNode result, String script) {
        if ("exception".equals(result.path("type").asText())) {
            JsonNode details = result.path("exceptionDetails");
            throw new IllegalStateException("the page's script threw: " + details.path("text").asText() + " (line "
                    + details.path("lineNumber").asText() + ") in: " + BidiFrames.abbreviate(script));
        }
        return result.path("result");
    }
}
