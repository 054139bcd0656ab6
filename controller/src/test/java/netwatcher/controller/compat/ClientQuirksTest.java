package netwatcher.controller.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import netwatcher.controller.http.ServedTap;
import netwatcher.controller.http.ServedTap.Served;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The requests the az CLI and MSAL make that the controller once refused, replayed over plain HTTPS
 * so they stay fixed even where az is not installed; and the recorder itself.
 */
@Tag("e2e")
class ClientQuirksTest {
    static TestController c;
    static TestAgent agent;
    static final Recorder recorder = new Recorder();

    @BeforeAll
    static void start() throws Exception {
        c = new TestController(Duration.ofSeconds(3));
        ServedTap.attach(c.controller.http(), recorder);
        agent = new TestAgent(c, "quirks", "qvm", "westeurope");
    }

    @AfterAll
    static void stop() throws Exception {
        c.close();
    }

    @Test
    void metadata_whenPathHasEmptySegment_returnsEndpoints() throws Exception {
        // az cloud register --endpoint-resource-manager https://host:port/ asks for https://host:port//metadata/endpoints.
        var r = c.send("GET", c.controller.baseUrl() + "//metadata/endpoints?api-version=2015-01-01", null, null);
        assertEquals(200, r.status(), r.body());
        assertEquals(c.controller.baseUrl() + "/adfs", r.json().path("authentication").path("loginEndpoint").asText());
    }

    @Test
    void openIdDiscovery_usesOidcMemberNames() throws Exception {
        // MSAL refuses a discovery document without authorization_endpoint and token_endpoint.
        var r = c.send("GET", "/adfs/.well-known/openid-configuration", null, null);
        assertEquals(200, r.status(), r.body());
        assertEquals(c.controller.baseUrl() + "/adfs/oauth2/token", r.json().path("token_endpoint").asText(), r.body());
        assertTrue(r.json().has("authorization_endpoint"), r.body());
        assertTrue(r.json().has("jwks_uri"), r.body());
    }

    @Test
    void tenantDiscovery_whenTenantIsAdfs_givesIssuerWhoseLastSegmentIsTheTenant() throws Exception {
        // az login --tenant adfs reads {activeDirectory}/adfs/.well-known/openid-configuration, tenant = issuer.split("/")[3].
        var r = c.send("GET", "/adfs/adfs/.well-known/openid-configuration", null, null);
        assertEquals(200, r.status(), r.body());
        assertEquals("adfs", r.json().path("issuer").asText().split("/")[3], r.body());
    }

    @Test
    void subscriptions_whenApiVersionIsAzureStackProfile_areListed() throws Exception {
        var r = c.send("GET", "/subscriptions?api-version=2016-06-01", null);
        assertEquals(200, r.status(), r.body());
        assertEquals(c.sub, r.json().path("value").get(0).path("subscriptionId").asText());
    }

    @Test
    void networkRoute_whenApiVersionPredatesNetworkWatcher_returns400() throws Exception {
        var r = c.send("GET", "/subscriptions/" + c.sub + "/providers/Microsoft.Network/networkWatchers?api-version=2016-06-01", null);
        assertEquals(400, r.status(), r.body());
        assertEquals("InvalidApiVersionParameter", r.errorCode());
    }

    @Test
    void capture_whenFilePathIsWindowsStyle_isStoredAsLinuxPath() throws Exception {
        // The az CLI's Azure Stack profiles send --file-path /var/captures/x.cap as \var\captures\x.cap.
        String nw = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
        var put = c.send("PUT", nw + "/packetCaptures/winpath?api-version=2018-11-01", """
                {"properties":{"target":"%s","storageLocation":{"filePath":"\\\\var\\\\captures\\\\win.cap"}}}""".formatted(agent.vmId));
        assertEquals(201, put.status(), put.body());
        assertEquals("/var/captures/win.cap", put.json().path("properties").path("storageLocation").path("filePath").asText());
        var mixed = c.send("PUT", nw + "/packetCaptures/winpath2?api-version=2018-11-01", """
                {"properties":{"target":"%s","storageLocation":{"filePath":"\\\\var/captures\\\\win.cap"}}}""".formatted(agent.vmId));
        assertEquals(400, mixed.status(), mixed.body());
        assertEquals("properties.storageLocation.filePath", mixed.json().path("error").path("target").asText());
    }

    @Test
    void recorder_seesStatusAndRequestIdOfEveryRequest() throws Exception {
        var r = c.send("GET", "/healthz?probe=recorder", null, null);
        assertEquals(200, r.status());
        Served s = recorder.all().stream().filter(x -> "probe=recorder".equals(x.query())).findFirst().orElseThrow();
        assertEquals("GET", s.method());
        assertEquals("/healthz", s.path());
        assertEquals(200, s.status());
        assertNotNull(s.header("x-ms-request-id"));
        assertEquals(r.header("x-ms-request-id"), s.header("x-ms-request-id"));
        var missing = c.send("GET", "/nothing/here?probe=missing", null, null);
        assertEquals(404, missing.status());
        assertEquals(404, recorder.all().stream().filter(x -> "probe=missing".equals(x.query())).findFirst().orElseThrow().status());
    }
}
