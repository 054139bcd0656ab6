package netwatcher.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * What the console's browser tests share: Debian's headless chromium, waiting for the page, running its scripts,
 * the screenshots that are docs/console.md's pictures, and axe-core's serious or critical violations. Stateless.
 */
final class ConsoleBrowser {
    private ConsoleBrowser() {}

    /** Where the screenshots go: the docs' pictures are the ones these tests take. */
    static final Path DOCS_IMAGES = Path.of("..").toAbsolutePath().normalize().resolve("docs/images");

    /** Debian's chromium and chromedriver, never a downloaded one (Selenium Manager stays idle with both paths given). */
    static ChromeDriver chromium(Path downloadDir) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        // the controller's certificate comes from its own CA, which this throwaway profile does not hold
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1500,1000",
                "--ignore-certificate-errors", "--disable-gpu", "--no-first-run", "--disable-extensions");
        Map<String, Object> prefs = new HashMap<>();
        prefs.put("download.default_directory", downloadDir.toString());
        prefs.put("download.prompt_for_download", false);
        options.setExperimentalOption("prefs", prefs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow", "downloadPath", downloadDir.toString()));
        return driver;
    }

    /**
     * Waits until {@code condition} holds, asking again when the page re-rendered an element between lookup and read;
     * the failure names what was awaited, the page's alert and its address.
     */
    static void await(ChromeDriver browser, String what, Supplier<Boolean> condition, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(condition.get())) return;
            } catch (RuntimeException stale) {
                // the page is loading or re-rendered the element: ask again
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not within " + wait.toSeconds() + " s: " + what + "; alert: " + alertText(browser)
                + "; page: " + browser.getCurrentUrl());
    }

    /** The console's alert line, or "?" when the page has none. */
    static String alertText(ChromeDriver browser) {
        return browser.findElements(By.id("alert")).stream().map(WebElement::getText).findFirst().orElse("?");
    }

    static Object script(ChromeDriver browser, String js, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(js, args);
    }

    static Object asyncScript(ChromeDriver browser, String js, Object... args) {
        return ((JavascriptExecutor) browser).executeAsyncScript(js, args);
    }

    /** The page as it is now, as {@code docs/images/NAME}. */
    static void screenshot(ChromeDriver browser, String name) throws IOException {
        Files.createDirectories(DOCS_IMAGES);
        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, DOCS_IMAGES.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The function that runs axe-core (loaded by {@link #axeSource()}) on the page and resolves to its violations, each
     * {@code {id, impact, nodes}} with at most five nodes' selectors; Chromium's and Firefox's tests run the same one.
     */
    static final String AXE_RUN = """
            () => axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) =>
              ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) })))
            """;

    /** axe-core's script, vendored in the test resources. */
    static String axeSource() throws IOException {
        try (InputStream in = ConsoleBrowser.class.getResourceAsStream("/axe-core/axe.min.js")) {
            if (in == null) throw new IllegalStateException("axe-core is missing from the test resources (/axe-core/axe.min.js)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The violations that fail the tests: axe-core's serious and critical ones. */
    static boolean failsTheTest(String impact) {
        return impact.equals("serious") || impact.equals("critical");
    }

    /** axe-core's serious and critical violations on the page as it is now, each prefixed with {@code page}. */
    @SuppressWarnings("unchecked")
    static List<String> axeViolations(ChromeDriver browser, String page) throws IOException {
        script(browser, axeSource());
        List<Map<String, Object>> violations = (List<Map<String, Object>>) asyncScript(browser,
                "const done = arguments[arguments.length - 1]; (" + AXE_RUN.strip() + ")().then(done);");
        List<String> out = new ArrayList<>();
        for (Map<String, Object> v : violations) {
            if (failsTheTest(String.valueOf(v.get("impact")))) out.add(page + ": " + v.get("id") + " " + v.get("nodes"));
        }
        return out;
    }
}
