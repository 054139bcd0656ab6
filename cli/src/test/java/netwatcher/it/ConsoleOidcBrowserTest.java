package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import netwatcher.controller.TestController;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The console's OIDC login clicked through in a real browser (Debian's chromium, headless): a real controller
 * configured with a real OIDC provider (mock-oauth2-server with its interactive login page), the console's
 * "Log in with idp" link, the provider's sign-in form, and back in the console as the provider's user; a login that
 * comes back with a wrong state ends on the login page with its reason. Takes the pictures of docs/console.md's
 * "Logging in". (A sibling of {@link ConsoleBrowserTest}, in its lane; it needs no lab.)
 */
@Tag("netns")
class ConsoleOidcBrowserTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static MockOAuth2Server provider;
    static TestController c;
    static ChromeDriver browser;
    static Path downloads;

    @BeforeAll
    static void start() throws Exception {
        provider = new MockOAuth2Server(OAuth2Config.Companion.fromJson("{\"interactiveLogin\":true}"));
        provider.start(java.net.InetAddress.getLoopbackAddress(), 0);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("auth.oidc.idp.issuer", provider.issuerUrl("idp").toString());
        settings.put("auth.oidc.idp.audiences", "nw-console");
        settings.put("auth.oidc.idp.jwksUri", provider.jwksUrl("idp").toString());
        settings.put("auth.oidc.idp.subjectClaim", "sub");
        settings.put("auth.oidc.idp.clientId", "nw-console");
        c = new TestController(Duration.ofSeconds(5), settings);
        downloads = Files.createTempDirectory("nwit-console-oidc-");
        browser = ConsoleBrowser.chromium(downloads);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (browser != null) browser.quit();
        } finally {
            try {
                if (c != null) c.close();
            } finally {
                if (provider != null) provider.shutdown();
                LabWorld.deleteTree(downloads);
            }
        }
    }

    static void await(String what, Supplier<Boolean> condition) throws InterruptedException {
        ConsoleBrowser.await(browser, what, condition, WAIT);
    }

    static void screenshot(String name) throws Exception {
        ConsoleBrowser.screenshot(browser, name);
    }

    @Test
    void loginWithTheProvider_throughItsSignInPage_opensTheConsoleAsItsUser_andAWrongStateShowsWhy() throws Exception {
        String base = c.controller.baseUrl();
        browser.get(base + "/console/");
        await("the login page's single sign-on link", () -> browser.findElement(By.id("login-oidc-idp")).isDisplayed());
        screenshot("console-oidc-login.png");
        browser.findElement(By.id("login-oidc-idp")).click();

        await("the provider's sign-in page", () -> browser.findElement(By.name("username")).isDisplayed());
        assertTrue(browser.getCurrentUrl().startsWith(provider.issuerUrl("idp").toString()), browser.getCurrentUrl());
        browser.findElement(By.name("username")).sendKeys("alice");
        screenshot("console-oidc-provider.png");
        browser.findElement(By.cssSelector("input[type=submit]")).click();

        await("the console as alice", () -> browser.findElement(By.id("who-name")).getText().contains("alice"));
        assertEquals(base + "/console/", browser.getCurrentUrl().replaceAll("#.*", ""));
        assertTrue(browser.manage().getCookieNamed("nw_console") != null, "the session cookie");
        // the page's own request with the session: the provider's principal, an OIDC user
        Object kind = browser.executeAsyncScript("const done = arguments[0]; fetch('/console/api/session').then(r => r.json())"
                + ".then(j => done(j.id + ' ' + j.kind));");
        assertEquals("idp:alice OIDC_USER", kind);

        browser.findElement(By.id("logout")).click();
        await("the login page after logout", () -> browser.findElement(By.id("login")).isDisplayed());

        // a callback that comes back with another state than the login started: the login page, with the reason
        browser.findElement(By.id("login-oidc-idp")).click();
        await("the provider's sign-in page again", () -> browser.findElement(By.name("username")).isDisplayed());
        String callback = base + "/console/oidc/callback?code=stolen&state=forged";
        browser.get(callback);
        await("the reason on the login page", () -> browser.findElement(By.id("alert")).getText().contains("state mismatch"));
        assertTrue(browser.manage().getCookieNamed("nw_console") == null, "no session");
        assertEquals(base + "/console/", browser.getCurrentUrl().replaceAll("#.*", ""), "the reason's parameter is taken off the address");
    }
}
