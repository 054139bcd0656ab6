package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import netwatcher.cli.lab.LabAgents;
import netwatcher.lab.LabExtension;
import netwatcher.lab.LabHost;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The web console in a real browser (Debian's chromium, headless, through chromedriver) against a real
 * controller and the lab's agents: login with the admin token and with a service principal, the fleet, a
 * capture on db created in the form, its counters moving live, stopped and downloaded; a Reader who cannot
 * stop; CSRF and CSP holding; axe-core finding no serious accessibility violation. The screenshots it takes are
 * the pictures of docs/console.md.
 */
@Tag("netns")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {
    static final LabWorld.DeferredLauncher AGENTS = new LabWorld.DeferredLauncher();

    @RegisterExtension
    static final LabExtension LAB = LabExtension.defaultLab().withAgentsStopped(AGENTS);

    static final Duration WAIT = Duration.ofSeconds(30);

    static LabWorld world;
    static Path downloads;
    static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        downloads = Files.createTempDirectory("nwit-console-");
        world = LabWorld.start(LAB.lab(), AGENTS, Map.of());
        browser = ConsoleBrowser.chromium(downloads);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (browser != null) browser.quit();
        } finally {
            try {
                if (world != null) world.close();
            } finally {
                LabWorld.deleteTree(downloads);
            }
        }
    }


    static String url(String path) {
        return world.baseUrl() + path;
    }

    static void await(String what, Supplier<Boolean> condition) throws InterruptedException {
        ConsoleBrowser.await(browser, what, condition, WAIT);
    }


    static void screenshot(String name) throws Exception {
        ConsoleBrowser.screenshot(browser, name);
    }

    static Object script(String js, Object... args) {
        return ConsoleBrowser.script(browser, js, args);
    }

    static Object asyncScript(String js, Object... args) {
        return ConsoleBrowser.asyncScript(browser, js, args);
    }

    static void logInWithToken(String token) throws InterruptedException {
        browser.get(url("/console/"));
        await("the login form", () -> browser.findElement(By.id("login")).isDisplayed());
        browser.findElement(By.id("token")).sendKeys(token);
        browser.findElement(By.id("login-token-submit")).click();
        await("the fleet after login", () -> browser.findElement(By.id("fleet")).isDisplayed());
    }

    static void logOut() throws InterruptedException {
        browser.findElement(By.id("logout")).click();
        await("the login form after logout", () -> browser.findElement(By.id("login")).isDisplayed());
    }

    static WebElement captureRow(String name) {
        return browser.findElement(By.cssSelector("#captures-table tr[data-name='" + name + "']"));
    }

    static long packets(String name) {
        return Long.parseLong(captureRow(name).findElement(By.cssSelector("td.packets")).getText());
    }

    @Test
    @Order(1)
    void adminToken_logsIn_andTheFleetShowsTheLabsVmsWithTheirAgents() throws Exception {
        browser.get(url("/console/"));
        await("the login form", () -> browser.findElement(By.id("login")).isDisplayed());
        screenshot("console-login.png");
        logInWithToken(world.token);
        List<String> agentHosts = LAB.lab().hosts().stream().filter(LabHost::agent).map(LabHost::name).toList();
        await("a row per lab VM", () -> browser.findElements(By.cssSelector("#fleet-table tbody tr")).size() >= agentHosts.size());
        for (String host : agentHosts) {
            WebElement row = browser.findElement(By.cssSelector("#fleet-table tr[data-vm='" + host + "']"));
            assertTrue(row.getText().contains("connected"), host + ": " + row.getText());
            assertTrue(row.getText().contains(LabAgents.RESOURCE_GROUP), host + ": " + row.getText());
        }
        WebElement db = browser.findElement(By.cssSelector("#fleet-table tr[data-vm='db']"));
        assertTrue(db.getText().contains(LabCaptureTest.DB), "db's NIC address: " + db.getText());
        assertTrue(db.getText().contains("capture"), "db's capabilities: " + db.getText());

        // the filter narrows the table without asking the server
        browser.findElement(By.id("fleet-search")).sendKeys("198.18.3.10");
        await("only db left", () -> browser.findElements(By.cssSelector("#fleet-table tbody tr")).size() == 1);
        browser.findElement(By.id("fleet-search")).sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        await("every VM again", () -> browser.findElements(By.cssSelector("#fleet-table tbody tr")).size() >= agentHosts.size());
        screenshot("console-fleet.png");
    }

    @Test
    @Order(2)
    void pages_carryAStrictContentSecurityPolicy_andAnInjectedInlineScriptDoesNotRun() throws Exception {
        LabWorld.Reply page = world.send("GET", "/console/", null);
        assertEquals(200, page.status());
        String csp = page.header("Content-Security-Policy");
        assertNotNull(csp);
        assertTrue(csp.contains("default-src 'self'") && csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), csp);
        assertFalse(csp.contains("unsafe-inline"), csp);
        assertEquals("nosniff", page.header("X-Content-Type-Options"));
        assertEquals("DENY", page.header("X-Frame-Options"));
        assertFalse(page.body().contains("<script>"), "the page itself has no inline script");

        Object ran = asyncScript("""
                const done = arguments[arguments.length - 1];
                let violated = false;
                document.addEventListener('securitypolicyviolation', () => { violated = true; });
                const s = document.createElement('script');
                s.textContent = 'window.nwInjected = true';
                document.body.append(s);
                const d = document.createElement('div');
                d.innerHTML = '<img src="x" onerror="window.nwInjected = true">';
                document.body.append(d);
                setTimeout(() => done({ injected: window.nwInjected === true, violated }), 500);
                """);
        @SuppressWarnings("unchecked") Map<String, Object> result = (Map<String, Object>) ran;
        assertEquals(false, result.get("injected"), "an inline script ran: " + result);
        assertEquals(true, result.get("violated"), "the browser reported no CSP violation: " + result);
    }

    @Test
    @Order(3)
    void stateChangingRequest_withTheCookieButWithoutTheCsrfToken_isRefused() throws Exception {
        String path = world.watcher() + "/packetCaptures/csrf-probe" + LabWorld.V;
        String body = "{\"properties\":{\"target\":\"" + world.vmId("db") + "\",\"storageLocation\":{\"filePath\":\"/var/captures/csrf.cap\"}}}";
        @SuppressWarnings("unchecked") Map<String, Object> refused = (Map<String, Object>) asyncScript("""
                const done = arguments[arguments.length - 1];
                fetch(arguments[0], { method: 'PUT', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: arguments[1] })
                  .then(async (r) => done({ status: r.status, body: await r.text() }));
                """, path, body);
        assertEquals(403L, refused.get("status"), refused.toString());
        assertTrue(refused.get("body").toString().contains("CSRF"), refused.toString());
        assertEquals(404, world.send("GET", path, null).status(), "nothing was created");

        // a login posted as a cross-site form (not JSON) is refused too
        LabWorld.Reply form = world.send("POST", "/console/api/session", null,
                Map.of("Content-Type", "application/x-www-form-urlencoded", "Origin", "https://attacker.example"));
        assertEquals(403, form.status(), form.body());
    }

    @Test
    @Order(4)
    void captureOnDb_createdInTheForm_countersMoveLive_thenStoppedAndDownloaded() throws Exception {
        browser.get(url("/console/#captures"));
        await("the capture form", () -> browser.findElement(By.id("create")).isDisplayed());
        await("db among the targets", () -> browser.findElements(By.cssSelector("#pc-target option")).size() > 1);
        script("window.nwMarker = 'same page'");

        // the API's validation error appears at its field
        browser.findElement(By.id("pc-name")).sendKeys("console-db");
        browser.findElement(By.cssSelector("#pc-target option[value='" + world.vmId("db") + "']")).click();
        WebElement perPacket = browser.findElement(By.id("pc-bytes-per-packet"));
        perPacket.clear();
        perPacket.sendKeys("-5");
        browser.findElement(By.id("create-submit")).click();
        await("the field's error", () -> !browser.findElements(By.id("pc-bytes-per-packet-error")).isEmpty());
        assertEquals("true", perPacket.getDomAttribute("aria-invalid"));
        screenshot("console-validation.png");

        perPacket.clear();
        perPacket.sendKeys("0");
        browser.findElement(By.id("pc-storage-id")).sendKeys(world.localAccountId());
        browser.findElement(By.id("create-submit")).click();
        await("the new capture's row", () -> !browser.findElements(By.cssSelector("#captures-table tr[data-name='console-db']")).isEmpty());
        await("console-db running", () -> "Running".equals(captureRow("console-db").getDomAttribute("data-status")));

        // traffic to db while the page watches: the counters move without a reload
        Thread traffic = Thread.ofPlatform().daemon().start(() -> world.bash("app", "ping -c 40 -i 0.2 " + LabCaptureTest.DB + " >/dev/null; true"));
        await("packets counted", () -> packets("console-db") > 0);
        long first = packets("console-db");
        await("packets counted again", () -> packets("console-db") > first);
        assertEquals("same page", script("return window.nwMarker"), "the page was reloaded");
        await("a sparkline", () -> !captureRow("console-db").findElements(By.cssSelector("svg.sparkline polyline")).isEmpty());
        screenshot("console-captures.png");
        traffic.join(Duration.ofSeconds(30));

        @SuppressWarnings("unchecked") List<Number> delays = new ArrayList<>((List<Number>) script("return window.nwConsoleLiveDelays"));
        assertFalse(delays.isEmpty(), "no live update arrived");
        delays.sort(null);
        System.out.printf("console live update delay (controller's record of a report -> page): n=%d median=%d ms max=%d ms%n",
                delays.size(), delays.get(delays.size() / 2).longValue(), delays.getLast().longValue());
        @SuppressWarnings("unchecked") List<Number> gaps = new ArrayList<>((List<Number>) script("return window.nwConsoleLiveGaps"));
        gaps.sort(null);
        if (!gaps.isEmpty()) {
            System.out.printf("console live update interval (one running capture's successive updates on the page): n=%d median=%d ms max=%d ms%n",
                    gaps.size(), gaps.get(gaps.size() / 2).longValue(), gaps.getLast().longValue());
        }

        // each live event replaces the row: a button found before an event is stale by the click, so find and click again
        await("the stop clicked", () -> {
            captureRow("console-db").findElement(By.cssSelector("button.stop")).click();
            return true;
        });
        await("console-db stopped", () -> "Stopped".equals(captureRow("console-db").getDomAttribute("data-status")));
        await("the download link", () -> !captureRow("console-db").findElements(By.cssSelector("a.download")).isEmpty());
        captureRow("console-db").findElement(By.cssSelector("a.download")).click();
        // the file keeps the name the storage account gives it (Content-Disposition), whatever the link suggests
        Path[] file = new Path[1];
        await("the downloaded file", () -> {
            try (var listing = Files.list(downloads)) {
                List<Path> done = listing.filter(p -> p.toString().endsWith(".cap")).toList();
                if (done.size() == 1) file[0] = done.getFirst();
                return file[0] != null;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] magic = Files.readAllBytes(file[0]);
        assertTrue(magic.length > 24, "a pcap file with packets");
        int m = (magic[0] & 0xff) | (magic[1] & 0xff) << 8 | (magic[2] & 0xff) << 16 | (magic[3] & 0xff) << 24;
        assertTrue(m == 0xa1b2c3d4 || m == 0xa1b23c4d, "pcap magic: " + Integer.toHexString(m));
    }

    static WebElement field(String id) {
        return browser.findElement(By.id(id));
    }

    static void choose(String selectId, String value) {
        browser.findElement(By.cssSelector("#" + selectId + " option[value='" + value + "']")).click();
    }

    /** Clears and types, so a field fixed after an error holds only the new value. */
    static void type(WebElement input, String text) {
        input.clear();
        input.sendKeys(text);
    }

    @Test
    @Order(5)
    void captureForm_ringWithFiltersAndAScaleSetCaptureWithScope_sendOnlyWhatWasSet() throws Exception {
        browser.get(url("/console/#captures"));
        browser.navigate().refresh(); // the same URL as before: a fresh form, not the last test's values
        await("the capture form", () -> browser.findElement(By.id("create")).isDisplayed());
        await("db among the targets", () -> !browser.findElements(By.cssSelector("#pc-target option[value='" + world.vmId("db") + "']")).isEmpty());

        // continuousCapture decides the storage field and shows the captureSettings fields
        assertFalse(field("pc-file-count").isDisplayed(), "captureSettings hidden until asked for");
        assertEquals("properties.storageLocation.filePath", field("pc-file-path").getDomAttribute("data-target"));
        field("pc-name").sendKeys("console-ring");
        choose("pc-target", world.vmId("db"));
        choose("pc-continuous", "true");
        await("the captureSettings fields, offered with continuousCapture", () -> field("pc-file-count").isDisplayed());
        assertEquals("properties.storageLocation.localPath", field("pc-file-path").getDomAttribute("data-target"));

        // a new field's validation error lands at that field
        type(field("pc-file-count"), "20000");
        type(field("pc-file-size"), "4096");
        field("pc-file-path").sendKeys("/var/captures/console-ring.cap");
        field("create-submit").click();
        await("fileCount's error", () -> !browser.findElements(By.id("pc-file-count-error")).isEmpty());
        assertEquals("true", field("pc-file-count").getDomAttribute("aria-invalid"));
        assertTrue(field("pc-file-count-error").getText().contains("fileCount"), field("pc-file-count-error").getText());

        // two filters; an error in the second one's port lands in the second row, not the first
        type(field("pc-file-count"), "3");
        field("pc-filter-add").click();
        field("pc-filter-add").click();
        List<WebElement> rows = browser.findElements(By.cssSelector("#pc-filters .filter"));
        assertEquals(2, rows.size());
        rows.get(0).findElement(By.cssSelector("option[value='TCP']")).click();
        rows.get(0).findElement(By.cssSelector("input[data-field='localPort']")).sendKeys("5432");
        rows.get(1).findElement(By.cssSelector("option[value='UDP']")).click();
        WebElement badPort = rows.get(1).findElement(By.cssSelector("input[data-field='localPort']"));
        badPort.sendKeys("not-a-port");
        field("create-submit").click();
        await("the second filter's error", () -> "true".equals(badPort.getDomAttribute("aria-invalid")));
        assertEquals("properties.filters[1].localPort", badPort.getDomAttribute("data-target"));
        assertEquals(null, rows.get(0).findElement(By.cssSelector("input[data-field='localPort']")).getDomAttribute("aria-invalid"));
        screenshot("console-capture-form.png");

        type(badPort, "53");
        field("create-submit").click();
        await("the ring's row", () -> !browser.findElements(By.cssSelector("#captures-table tr[data-name='console-ring']")).isEmpty());
        await("console-ring running", () -> "Running".equals(captureRow("console-ring").getDomAttribute("data-status")));
        // the request the page built holds exactly what was set: no default the user did not choose
        assertEquals(Map.of("properties", Map.of(
                "target", world.vmId("db"),
                "continuousCapture", true,
                "captureSettings", Map.of("fileCount", 3L, "fileSizeInBytes", 4096L),
                "storageLocation", Map.of("localPath", "/var/captures/console-ring.cap"),
                "filters", List.of(Map.of("protocol", "TCP", "localPort", "5432"), Map.of("protocol", "UDP", "localPort", "53")))),
                script("return window.nwConsoleLastCreate"));
        var stored = world.send("GET", world.watcher() + "/packetCaptures/console-ring" + LabWorld.V, null).json().path("properties");
        assertTrue(stored.path("continuousCapture").asBoolean(), stored.toString());
        assertEquals(3, stored.path("captureSettings").path("fileCount").asInt(), stored.toString());
        assertEquals(4096, stored.path("captureSettings").path("fileSizeInBytes").asLong(), stored.toString());
        assertEquals("/var/captures/console-ring.cap", stored.path("storageLocation").path("localPath").asText(), stored.toString());
        assertTrue(stored.path("storageLocation").path("filePath").isMissingNode() || stored.path("storageLocation").path("filePath").isNull()
                || stored.path("storageLocation").path("filePath").asText().isEmpty(), stored.toString());
        assertEquals(2, stored.path("filters").size(), stored.toString());
        // the row shows the ring's files as the agent reports them
        await("the ring's files in its row", () -> captureRow("console-ring").findElement(By.cssSelector("td.status")).getText().contains("written"));
        assertTrue(captureRow("console-ring").findElement(By.cssSelector("td.status .ring")).getText().contains("on host"));
        var ring = world.status("console-ring").path("ring");
        assertTrue(ring.path("continuous").asBoolean(), "queryStatus's ring: " + ring);
        assertEquals(3, ring.path("fileCount").asInt(), "queryStatus's ring: " + ring);

        // a scale-set capture: the picker lists dbss from the ARM API, scope.include names instance 0
        browser.findElements(By.cssSelector("#pc-filters .filter-remove")).forEach(WebElement::click);
        assertTrue(browser.findElements(By.cssSelector("#pc-filters .filter")).isEmpty());
        choose("pc-continuous", "");
        field("pc-settings").click(); // untick: no captureSettings for this one
        assertFalse(field("pc-file-count").isDisplayed(), "captureSettings hidden once unticked");
        type(field("pc-name"), "console-vmss");
        field("pc-file-path").clear();
        assertFalse(field("pc-scope-include").isDisplayed(), "scope hidden for a VM target");
        choose("pc-target-type", "AzureVMSS");
        String dbss = "/subscriptions/" + world.sub + "/resourceGroups/lab/providers/Microsoft.Compute/virtualMachineScaleSets/dbss";
        await("dbss among the targets", () -> !browser.findElements(By.cssSelector("#pc-target option[value='" + dbss + "']")).isEmpty());
        choose("pc-target", dbss);
        field("pc-scope-include").sendKeys("0");
        field("pc-storage-id").sendKeys(world.localAccountId());
        field("create-submit").click();
        await("the scale-set capture's row", () -> !browser.findElements(By.cssSelector("#captures-table tr[data-name='console-vmss']")).isEmpty());
        assertEquals(Map.of("properties", Map.of("target", dbss, "targetType", "AzureVMSS", "scope", Map.of("include", List.of("0")),
                "storageLocation", Map.of("storageId", world.localAccountId()))), script("return window.nwConsoleLastCreate"));
        var set = world.send("GET", world.watcher() + "/packetCaptures/console-vmss" + LabWorld.V, null).json().path("properties");
        assertEquals("AzureVMSS", set.path("targetType").asText(), set.toString());
        assertEquals(1, set.path("scope").path("include").size(), set.toString());
        assertEquals("0", set.path("scope").path("include").path(0).asText(), set.toString());
        assertTrue(set.path("continuousCapture").isMissingNode() || set.path("continuousCapture").isNull(), set.toString());
        world.stopCapture("console-ring");
        world.stopCapture("console-vmss");
    }

    @Test
    @Order(6)
    void servicePrincipalReader_seesCaptures_butCannotStopThem() throws Exception {
        world.createCapture("console-reader", "db", "{\"timeLimitInSeconds\":120,\"storageLocation\":{\"filePath\":\"/var/captures/console-reader.cap\"}}");
        world.awaitRunning("console-reader");
        var sp = world.send("POST", "/admin/v1/servicePrincipals", "{\"displayName\":\"console reader\"}").json();
        String clientId = sp.path("clientId").asText();
        var role = world.send("POST", "/admin/v1/roleAssignments",
                "{\"principalId\":\"" + clientId + "\",\"role\":\"Reader\",\"scope\":\"/subscriptions/" + world.sub + "\"}");
        assertEquals(201, role.status(), role.body());

        browser.get(url("/console/"));
        await("the fleet", () -> browser.findElement(By.id("fleet")).isDisplayed());
        logOut();
        browser.findElement(By.id("client-id")).sendKeys(clientId);
        browser.findElement(By.id("client-secret")).sendKeys(sp.path("clientSecret").asText());
        browser.findElement(By.id("login-sp-submit")).click();
        await("the fleet as the service principal", () -> browser.findElement(By.id("fleet")).isDisplayed());
        assertTrue(browser.findElement(By.id("who-name")).getText().contains("service principal"), browser.findElement(By.id("who-name")).getText());
        browser.get(url("/console/#captures"));
        await("console-reader's row", () -> !browser.findElements(By.cssSelector("#captures-table tr[data-name='console-reader']")).isEmpty());
        WebElement stop = captureRow("console-reader").findElement(By.cssSelector("button.stop"));
        assertFalse(stop.isEnabled(), "a Reader's stop button is disabled");

        // and the ARM API refuses the stop itself, CSRF token and all
        @SuppressWarnings("unchecked") Map<String, Object> refused = (Map<String, Object>) asyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/console/api/session').then((r) => r.json()).then((s) =>
                  fetch(arguments[0], { method: 'POST', headers: { 'X-CSRF-Token': s.csrfToken } }))
                  .then(async (r) => done({ status: r.status, body: await r.text() }));
                """, world.watcher() + "/packetCaptures/console-reader/stop" + LabWorld.V);
        assertEquals(403L, refused.get("status"), refused.toString());
        assertTrue(refused.get("body").toString().contains("AuthorizationFailed"), refused.toString());
        assertEquals("Running", world.status("console-reader").path("packetCaptureStatus").asText());
        screenshot("console-reader.png");
        world.stopCapture("console-reader");
    }

    @Test
    @Order(7)
    void axeCore_findsNoSeriousViolations_onLoginFleetAndCaptures() throws Exception {
        List<String> serious = new ArrayList<>();
        for (String page : List.of("#fleet", "#captures")) {
            browser.get(url("/console/" + page));
            await("the section " + page, () -> browser.findElement(By.cssSelector(page)).isDisplayed());
            Thread.sleep(500);
            serious.addAll(ConsoleBrowser.axeViolations(browser, page));
        }
        logOut();
        serious.addAll(ConsoleBrowser.axeViolations(browser, "login"));
        assertEquals(List.of(), serious, "serious or critical accessibility violations");
    }

}
