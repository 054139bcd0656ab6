package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import netwatcher.lab.LabExtension;
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
import org.openqa.selenium.interactions.Actions;

/**
 * The console's connectivity views in a real browser (Debian's chromium, headless) against a real controller and
 * the lab's agents: {@code app → db:80} run in the form as the real ARM operation draws fw2's node marked with the
 * issue naming {@code UserRule_Port80}, whose badge (reached by keyboard) opens the rule's evidence and the probe
 * packets fw2 captured (downloaded with the session); {@code app → db:1433} is Reachable with nothing marked; a
 * validation error lands at its field; IP flow verify names the rule the host really has (a table this test adds
 * on db) in the chains it walked; next hop marks, among the route table's routes, the route the kernel picks; a
 * Reader may verify flows but not probe; axe-core finds no serious violation. The screenshots are docs/console.md's.
 */
@Tag("netns")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleConnectivityBrowserTest {
    static final LabWorld.DeferredLauncher AGENTS = new LabWorld.DeferredLauncher();

    @RegisterExtension
    static final LabExtension LAB = LabExtension.defaultLab().withAgentsStopped(AGENTS);

    static final Duration WAIT = Duration.ofSeconds(30);
    /** A connectivity check runs 100 probes and a trace, and the machine may be loaded. */
    static final Duration CHECK_WAIT = Duration.ofSeconds(180);
    static final String DB = "198.18.3.10";
    static final String APP = "198.18.1.10";

    static LabWorld world;
    static Path downloads;
    static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        downloads = Files.createTempDirectory("nwit-console-cc-");
        world = LabWorld.start(LAB.lab(), AGENTS, Map.of());
        browser = ConsoleBrowser.chromium(downloads);
        browser.get(world.baseUrl() + "/console/");
        await("the login form", () -> browser.findElement(By.id("login")).isDisplayed(), WAIT);
        browser.findElement(By.id("token")).sendKeys(world.token);
        browser.findElement(By.id("login-token-submit")).click();
        await("the fleet after login", () -> browser.findElement(By.id("fleet")).isDisplayed(), WAIT);
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

    static void await(String what, Supplier<Boolean> condition, Duration wait) throws InterruptedException {
        ConsoleBrowser.await(browser, what, condition, wait);
    }

    static Object script(String js, Object... args) {
        return ConsoleBrowser.script(browser, js, args);
    }

    static Object asyncScript(String js, Object... args) {
        return ConsoleBrowser.asyncScript(browser, js, args);
    }

    static void screenshot(String name) throws Exception {
        ConsoleBrowser.screenshot(browser, name);
    }

    static void open(String section) throws InterruptedException {
        browser.get(world.baseUrl() + "/console/#" + section);
        await("the section " + section, () -> browser.findElement(By.id(section)).isDisplayed(), WAIT);
    }

    static void type(String id, String text) {
        WebElement input = browser.findElement(By.id(id));
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        if (!text.isEmpty()) input.sendKeys(text);
    }

    static void choose(String selectId, String value) throws InterruptedException {
        await(value + " among " + selectId, () -> !browser.findElements(By.cssSelector("#" + selectId + " option[value='" + value + "']")).isEmpty(), WAIT);
        select(selectId, value);
    }

    /** Picks {@code value} in a select as a user does: the value, then the change event the page listens for. */
    static void select(String selectId, String value) {
        script("const s = document.getElementById(arguments[0]); s.value = arguments[1];"
                + " s.dispatchEvent(new Event('change', { bubbles: true }));", selectId, value);
        assertEquals(value, browser.findElement(By.id(selectId)).getDomProperty("value"), selectId);
    }

    /** Fills the connectivity form for app → db:{@code port} and runs it; returns when the page has drawn the answer. */
    static void runCheck(String port) throws InterruptedException {
        open("connectivity");
        script("document.querySelector('#cc-result').hidden = true");
        choose("cc-source", world.vmId("app"));
        choose("cc-dest-vm", world.vmId("db"));
        type("cc-dest-address", "");
        type("cc-dest-port", port);
        select("cc-protocol", "Tcp");
        await("the run button enabled for the admin", () -> browser.findElement(By.id("cc-submit")).isEnabled(), WAIT);
        browser.findElement(By.id("cc-submit")).click();
        await("the check's answer drawn", () -> browser.findElement(By.id("cc-result")).isDisplayed(), CHECK_WAIT);
    }

    static String hopHosts() {
        return browser.findElements(By.cssSelector("#cc-hops tbody tr")).stream().map(r -> r.getDomAttribute("data-host")).toList().toString();
    }

    @Test
    @Order(1)
    void blockedCheck_appToDb80_marksFw2WithUserRulePort80_andItsBadgeOpensTheEvidence() throws Exception {
        runCheck("80");
        assertTrue(browser.findElement(By.id("cc-summary")).getText().startsWith("Unreachable"), browser.findElement(By.id("cc-summary")).getText());
        List<WebElement> failing = browser.findElements(By.cssSelector("#cc-diagram svg g.hop.failing"));
        assertEquals(1, failing.size(), "exactly one hop marked failing; hosts " + hopHosts());
        WebElement fw2 = failing.getFirst();
        assertEquals("fw2", fw2.getDomAttribute("data-host"));
        WebElement badge = fw2.findElement(By.cssSelector("g.badge[role='button']"));
        assertTrue(badge.getDomAttribute("aria-label").contains("UserRule_Port80"), badge.getDomAttribute("aria-label"));
        // fw2's forward chain drops the flow on its way out (origin Outbound): the link leaving fw2 is the one marked
        List<String> cut = browser.findElements(By.cssSelector("#cc-diagram svg g.link.failing")).stream().map(l -> l.getDomAttribute("data-from")).toList();
        assertEquals(List.of(fw2.getDomAttribute("data-index")), cut, "the failing link; hosts " + hopHosts());
        // the text alternative says the same: fw2's row carries the issue as a button
        WebElement fw2Row = browser.findElement(By.cssSelector("#cc-hops tr[data-host='fw2']"));
        assertTrue(fw2Row.getText().contains("UserRule_Port80"), fw2Row.getText());

        // keyboard: the badge is in the tab order; Enter opens its evidence
        script("arguments[0].focus()", badge);
        assertEquals(badge, browser.switchTo().activeElement(), "the badge takes the focus");
        new Actions(browser).sendKeys(Keys.ENTER).perform();
        await("the evidence panel", () -> browser.findElement(By.id("cc-evidence")).isDisplayed(), WAIT);
        String evidence = browser.findElement(By.id("cc-evidence")).getText();
        assertTrue(evidence.contains("UserRule_Port80") && evidence.contains("RuleText") && evidence.contains("tcp dport 80"), evidence);
        WebElement download = browser.findElement(By.id("cc-evidence-download"));
        String href = download.getDomAttribute("href");
        assertTrue(href.startsWith("/storage/") && href.endsWith("/fw2.pcap"), href);
        screenshot("console-connectivity-blocked.png");

        // the probe packets, fetched with the session cookie alone (no token), are fw2's pcap
        @SuppressWarnings("unchecked") Map<String, Object> file = (Map<String, Object>) asyncScript("""
                const done = arguments[arguments.length - 1];
                const get = (left) => fetch(arguments[0], { credentials: 'same-origin' }).then(async (r) => {
                  if (r.status === 404 && left > 0) { setTimeout(() => get(left - 1), 300); return; }
                  const b = new Uint8Array(await r.arrayBuffer());
                  done({ status: r.status, size: b.length, magic: Array.from(b.slice(0, 4)) });
                });
                get(60);
                """, href);
        assertEquals(200L, file.get("status"), file.toString());
        assertTrue(((Number) file.get("size")).longValue() > 24, file.toString());
        // pcap, microsecond or nanosecond timestamps, as the host's libpcap wrote it (little-endian)
        assertTrue(List.of(List.of(0xd4L, 0xc3L, 0xb2L, 0xa1L), List.of(0x4dL, 0x3cL, 0xb2L, 0xa1L)).contains(file.get("magic")), "pcap magic: " + file);
    }

    @Test
    @Order(2)
    void reachableCheck_appToDb1433_hasNoMarkedHop_andShowsProbesAndLatency() throws Exception {
        runCheck("1433");
        String summary = browser.findElement(By.id("cc-summary")).getText();
        assertTrue(summary.startsWith("Reachable") && summary.contains("latency avg"), summary);
        assertTrue(browser.findElements(By.cssSelector("#cc-diagram svg g.hop.failing, #cc-diagram svg g.link.failing")).isEmpty(), hopHosts());
        List<String> hosts = browser.findElements(By.cssSelector("#cc-diagram svg g.hop")).stream().map(h -> h.getDomAttribute("data-host")).toList();
        assertEquals(List.of("app", "fw1", "fw2", "db"), hosts, "one node per hop, in path order");
        assertFalse(browser.findElements(By.cssSelector("#cc-diagram svg text.rtt")).isEmpty(), "links carry their RTT");
        WebElement outcomes = browser.findElement(By.id("cc-outcomes"));
        assertFalse(outcomes.findElements(By.tagName("li")).isEmpty(), outcomes.getText());
        script("document.getElementById('cc-summary').scrollIntoView()");
        screenshot("console-connectivity.png");
    }

    @Test
    @Order(3)
    void validationError_isShownAtItsField() throws Exception {
        open("connectivity");
        choose("cc-source", world.vmId("app"));
        choose("cc-dest-vm", world.vmId("db"));
        type("cc-dest-port", "70000");
        browser.findElement(By.id("cc-submit")).click();
        await("the port's error", () -> !browser.findElements(By.id("cc-dest-port-error")).isEmpty(), WAIT);
        assertEquals("true", browser.findElement(By.id("cc-dest-port")).getDomAttribute("aria-invalid"));
        type("cc-dest-port", "");
    }

    @Test
    @Order(4)
    void ipFlowVerify_namesTheHostsOwnRule_inTheChainsItWalked() throws Exception {
        world.bash("db", "nft add table inet nwt_console && nft add chain inet nwt_console c '{ type filter hook input priority 0; }'"
                + " && nft add rule inet nwt_console c ip saddr " + APP + " tcp dport 8443 drop comment '\"ConsoleDeny8443\"'");
        try {
            open("flows");
            choose("fv-target", world.vmId("db"));
            select("fv-direction", "Inbound");
            type("fv-local-ip", DB);
            type("fv-local-port", "8443");
            type("fv-remote-ip", APP);
            type("fv-remote-port", "40000");
            browser.findElement(By.id("fv-submit")).click();
            await("the verdict", () -> browser.findElement(By.id("fv-answer")).isDisplayed(), CHECK_WAIT);
            assertEquals("Deny", browser.findElement(By.id("fv-access")).getText());
            assertTrue(browser.findElement(By.id("fv-rule")).getText().endsWith("ConsoleDeny8443"), browser.findElement(By.id("fv-rule")).getText());
            List<WebElement> marked = browser.findElements(By.cssSelector("#fv-path li[aria-current='true']"));
            assertEquals(1, marked.size(), browser.findElement(By.id("fv-path")).getText());
            assertTrue(marked.getFirst().getText().contains("inet nwt_console c: drop"), marked.getFirst().getText());
            assertTrue(browser.findElement(By.id("fv-rule-text")).getText().contains("tcp dport 8443 drop"), browser.findElement(By.id("fv-rule-text")).getText());
            screenshot("console-ipflow.png");

            // the same flow to a port no rule drops is allowed
            type("fv-local-port", "1433");
            browser.findElement(By.id("fv-submit")).click();
            await("the second verdict", () -> "Allow".equals(browser.findElement(By.id("fv-access")).getText()), CHECK_WAIT);
        } finally {
            world.bash("db", "nft delete table inet nwt_console; true");
        }
    }

    @Test
    @Order(5)
    void nextHop_marksTheRouteTheKernelPicks_inTheRouteTable() throws Exception {
        open("flows");
        choose("nh-target", world.vmId("app"));
        type("nh-source-ip", APP);
        type("nh-dest-ip", DB);
        browser.findElement(By.id("nh-submit")).click();
        await("the route table", () -> !browser.findElements(By.cssSelector("#nh-routes tbody tr")).isEmpty(), CHECK_WAIT);
        assertEquals("VirtualAppliance", browser.findElement(By.id("nh-type")).getText());
        assertTrue(browser.findElement(By.id("nh-table")).getText().endsWith("/routeTables/app-main"), browser.findElement(By.id("nh-table")).getText());
        List<WebElement> used = browser.findElements(By.cssSelector("#nh-routes tbody tr[aria-current='true']"));
        assertEquals(1, used.size(), browser.findElement(By.id("nh-routes")).getText());
        assertEquals(kernelPrefix("app", DB), used.getFirst().getDomAttribute("data-prefix"));
        script("document.getElementById('nh-form').scrollIntoView()");
        screenshot("console-nexthop.png");
    }

    /** Ground truth from the host itself: the longest prefix in app's main table that matches {@code address}. */
    static String kernelPrefix(String host, String address) {
        var r = world.lab.exec(host, Duration.ofSeconds(30), List.of("ip", "-4", "-o", "route", "show", "table", "main", "match", address));
        assertEquals(0, r.exitCode(), r.stderr());
        return r.stdout().lines().map(String::trim).filter(l -> !l.isEmpty()).map(l -> {
            String[] w = l.split("\\s+");
            String dst = List.of("blackhole", "unreachable", "prohibit", "throw").contains(w[0]) ? w[1] : w[0];
            return dst.equals("default") ? "0.0.0.0/0" : dst.contains("/") ? dst : dst + "/32";
        }).max(Comparator.comparingInt(p -> Integer.parseInt(p.substring(p.indexOf('/') + 1)))).orElseThrow();
    }

    @Test
    @Order(6)
    void tenHopResult_isDrawn_andItsRenderTimeIsRecorded() throws Exception {
        open("connectivity");
        @SuppressWarnings("unchecked") List<Number> times = (List<Number>) asyncScript("""
                const done = arguments[arguments.length - 1];
                import('/console/js/connectivity.js').then((m) => {
                  const hops = [];
                  for (let i = 0; i < 10; i++) hops.push({ type: i === 0 ? 'Source' : i === 9 ? 'Destination' : 'VirtualAppliance',
                    id: 'h' + i, address: '198.18.9.' + (i + 1), resourceId: 'Unknown', nextHopIds: i < 9 ? ['h' + (i + 1)] : [],
                    previousLinks: i > 0 ? [{ nextHopId: 'h' + i, properties: { roundTripTimeMin: i, roundTripTimeAvg: i + 1, roundTripTimeMax: i + 2 } }] : [],
                    issues: i === 6 ? [{ origin: 'Outbound', severity: 'Error', type: 'GuestFirewall', context: [{ key: 'RuleName', value: 'r' + i }] }] : [] });
                  const result = { hops, connectionStatus: 'Unreachable', probesSent: 100, probesFailed: 100,
                    probeStatistics: { outcomes: { timeout: 100 } } };
                  const times = [];
                  for (let i = 0; i < 30; i++) {
                    const t0 = performance.now();
                    m.showResult(result);
                    document.body.getBoundingClientRect();
                    document.querySelector('#cc-diagram svg').getBBox();
                    times.push(performance.now() - t0);
                  }
                  done(times);
                });
                """);
        assertEquals(10, browser.findElements(By.cssSelector("#cc-diagram svg g.hop")).size());
        assertEquals(1, browser.findElements(By.cssSelector("#cc-diagram svg g.hop.failing")).size());
        assertEquals(1, browser.findElements(By.cssSelector("#cc-diagram svg g.link.failing")).size(), "hop 7's Outbound issue marks its link");
        List<Double> sorted = new ArrayList<>(times.stream().map(Number::doubleValue).sorted().toList());
        System.out.printf("console 10-hop render (diagram, table, probes, layout): n=%d median=%.2f ms max=%.2f ms%n",
                sorted.size(), sorted.get(sorted.size() / 2), sorted.getLast());
    }

    @Test
    @Order(7)
    void axeCore_findsNoSeriousViolations_onTheConnectivityViews() throws Exception {
        List<String> serious = new ArrayList<>();
        // the connectivity view as the previous test left it (a drawn result, its evidence panel) and the flows view
        serious.addAll(ConsoleBrowser.axeViolations(browser, "#connectivity"));
        WebElement badge = browser.findElement(By.cssSelector("#cc-diagram svg g.badge"));
        script("arguments[0].focus()", badge);
        new Actions(browser).sendKeys(Keys.SPACE).perform();
        await("the evidence panel", () -> browser.findElement(By.id("cc-evidence")).isDisplayed(), WAIT);
        serious.addAll(ConsoleBrowser.axeViolations(browser, "#connectivity with evidence"));
        open("flows");
        serious.addAll(ConsoleBrowser.axeViolations(browser, "#flows"));
        assertEquals(List.of(), serious, "serious or critical accessibility violations");
    }


    @Test
    @Order(8)
    void reader_mayVerifyFlows_butTheFormWillNotProbe_andTheApiAgrees() throws Exception {
        var sp = world.send("POST", "/admin/v1/servicePrincipals", "{\"displayName\":\"console cc reader\"}").json();
        String clientId = sp.path("clientId").asText();
        var role = world.send("POST", "/admin/v1/roleAssignments",
                "{\"principalId\":\"" + clientId + "\",\"role\":\"Reader\",\"scope\":\"/subscriptions/" + world.sub + "\"}");
        assertEquals(201, role.status(), role.body());
        browser.get(world.baseUrl() + "/console/");
        await("the fleet", () -> browser.findElement(By.id("fleet")).isDisplayed(), WAIT);
        browser.findElement(By.id("logout")).click();
        await("the login form", () -> browser.findElement(By.id("login")).isDisplayed(), WAIT);
        browser.findElement(By.id("client-id")).sendKeys(clientId);
        browser.findElement(By.id("client-secret")).sendKeys(sp.path("clientSecret").asText());
        browser.findElement(By.id("login-sp-submit")).click();
        await("the fleet as the Reader", () -> browser.findElement(By.id("fleet")).isDisplayed(), WAIT);

        open("connectivity");
        choose("cc-source", world.vmId("app"));
        await("the run button disabled", () -> !browser.findElement(By.id("cc-submit")).isEnabled(), WAIT);
        assertTrue(browser.findElement(By.id("cc-permission")).isDisplayed());
        @SuppressWarnings("unchecked") Map<String, Object> refused = (Map<String, Object>) asyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/console/api/session').then((r) => r.json()).then((s) => fetch(arguments[0], { method: 'POST',
                  headers: { 'X-CSRF-Token': s.csrfToken, 'Content-Type': 'application/json' }, body: arguments[1] }))
                  .then(async (r) => done({ status: r.status, body: await r.text() }));
                """, world.watcher() + "/connectivityCheck" + LabWorld.V,
                "{\"source\":{\"resourceId\":\"" + world.vmId("app") + "\"},\"destination\":{\"address\":\"" + DB + "\",\"port\":1433}}");
        assertEquals(403L, refused.get("status"), refused.toString());
        assertTrue(refused.get("body").toString().contains("AuthorizationFailed"), refused.toString());

        open("flows");
        choose("nh-target", world.vmId("app"));
        type("nh-source-ip", APP);
        type("nh-dest-ip", DB);
        browser.findElement(By.id("nh-submit")).click();
        await("the Reader's next hop", () -> browser.findElement(By.id("nh-answer")).isDisplayed(), CHECK_WAIT);
        assertEquals("VirtualAppliance", browser.findElement(By.id("nh-type")).getText());
    }
}
