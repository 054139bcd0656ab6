package netwatcher.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import netwatcher.controller.testsupport.OneAgentWatcher;
import netwatcher.model.agent.CaptureOrder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The 2023-11-01 packet-capture fields over real HTTPS: continuousCapture, captureSettings, localPath,
 * targetType and scope go in with a PUT and come back in GET and list exactly as stored (absent stays
 * absent, captureSettings with the spec's defaults); what the agent cannot do is refused and changes nothing;
 * an api-version older than the fields refuses them as before.
 */
@Tag("e2e")
class PacketCaptureContractApiTest {
    @RegisterExtension
    static final OneAgentWatcher env = new OneAgentWatcher(Duration.ofSeconds(3), "ringvm");
    static TestController c;
    static TestAgent agent;
    static String nw;
    static final String NEW = "?api-version=2026-01-01";
    static final String BEFORE_CONTINUOUS = "?api-version=2023-09-01";

    @BeforeAll
    static void bind() {
        c = env.controller();
        agent = env.agent();
        nw = env.watcher();
    }

    /** One file in the 2023-11-01 spelling: continuousCapture false, captureSettings.fileCount 1, a localPath. */
    static String oneFile(String file, String continuous) {
        return """
                {"properties":{"target":"%s","targetType":"AzureVM","scope":{"include":["ringvm"]},
                 "continuousCapture":%s,"captureSettings":{"fileCount":1,"fileSizeInBytes":4096},
                 "storageLocation":{"localPath":"/var/captures/%s"}}}""".formatted(agent.vmId, continuous, file);
    }

    @Test
    void put_newFields_areReturnedByPutGetAndList_asStored() throws Exception {
        long gen = agent.orders(-1, 0).generation();
        var put = c.send("PUT", nw + "/packetCaptures/onefile" + NEW, oneFile("one.cap", "false"));
        assertEquals(201, put.status(), put.body());
        var get = c.send("GET", nw + "/packetCaptures/onefile" + NEW, null);
        assertEquals(200, get.status(), get.body());
        JsonNode listed = null;
        for (JsonNode item : c.send("GET", nw + "/packetCaptures" + NEW, null).json().path("value")) {
            if (item.path("name").asText().equals("onefile")) listed = item;
        }
        for (JsonNode body : new JsonNode[] {put.json(), get.json(), listed}) {
            JsonNode p = body.path("properties");
            assertTrue(p.path("continuousCapture").isBoolean(), p.toString());
            assertFalse(p.path("continuousCapture").asBoolean());
            assertEquals(1, p.path("captureSettings").path("fileCount").asLong());
            assertEquals(4096, p.path("captureSettings").path("fileSizeInBytes").asLong());
            assertEquals(86400, p.path("captureSettings").path("sessionTimeLimitInSeconds").asLong(), "the spec's default");
            assertEquals("/var/captures/one.cap", p.path("storageLocation").path("localPath").asText());
            assertTrue(p.path("storageLocation").path("filePath").isMissingNode(), p.toString());
            assertEquals("AzureVM", p.path("targetType").asText());
            assertEquals("ringvm", p.path("scope").path("include").get(0).asText());
            assertTrue(p.path("scope").path("exclude").isMissingNode(), "not given, not returned");
        }
        // the agent is told the one file's own limits (the body gave no totalBytesPerSession or timeLimitInSeconds)
        CaptureOrder order = agent.orders(gen, 5).captures().stream().filter(o -> o.captureId().endsWith("/onefile")).findFirst()
                .orElseThrow();
        assertEquals(4096, order.totalBytes());
        assertEquals(86400, order.timeLimitSeconds());
        assertEquals("/var/captures/one.cap", order.filePath());
    }

    @Test
    void put_withoutContinuousCapture_returnsNeitherItNorCaptureSettings() throws Exception {
        var put = c.send("PUT", nw + "/packetCaptures/classic" + NEW, """
                {"properties":{"target":"%s","storageLocation":{"filePath":"/var/captures/classic.cap"}}}""".formatted(agent.vmId));
        assertEquals(201, put.status(), put.body());
        JsonNode p = c.send("GET", nw + "/packetCaptures/classic" + NEW, null).json().path("properties");
        assertTrue(p.path("continuousCapture").isMissingNode(), "absent stays absent, never false: " + p);
        assertTrue(p.path("captureSettings").isMissingNode(), p.toString());
        assertTrue(p.path("scope").isMissingNode(), p.toString());
        assertEquals(18000, p.path("timeLimitInSeconds").asLong());
    }

    @Test
    void put_ofWhatTheAgentCannotDo_isUnsupportedFeature_andChangesNothing() throws Exception {
        String none = oneFile("ring.cap", "true").replace("\"fileCount\":1", "\"fileCount\":0");
        assertRefused(c.send("PUT", nw + "/packetCaptures/ring" + NEW, none), "UnsupportedFeature", "properties.captureSettings.fileCount");
        String tiny = oneFile("ring.cap", "false").replace("\"fileCount\":1", "\"fileCount\":5").replace("4096", "4000");
        assertRefused(c.send("PUT", nw + "/packetCaptures/ring" + NEW, tiny), "InvalidParameter", "properties.captureSettings.fileSizeInBytes");
        String scaleSet = oneFile("ring.cap", "false").replace("\"AzureVM\"", "\"AzureVMSS\"");
        // a scale-set capture needs a scale-set target (FleetCaptureApiTest drives the real thing)
        assertRefused(c.send("PUT", nw + "/packetCaptures/ring" + NEW, scaleSet), "InvalidParameter", "properties.target");
        String filePath = oneFile("ring.cap", "false").replace("localPath", "filePath");
        assertRefused(c.send("PUT", nw + "/packetCaptures/ring" + NEW, filePath), "InvalidParameter", "properties.storageLocation.filePath");
        assertEquals(404, c.send("GET", nw + "/packetCaptures/ring" + NEW, null).status());
        // nothing was claimed: the name and the file are free for a capture netwatcher can do
        assertEquals(201, c.send("PUT", nw + "/packetCaptures/ring" + NEW, oneFile("ring.cap", "false")).status());
    }

    @Test
    void put_beforeTheFieldsApiVersion_refusesThemAsBefore() throws Exception {
        var r = c.send("PUT", nw + "/packetCaptures/old" + BEFORE_CONTINUOUS, oneFile("old.cap", "false"));
        assertRefused(r, "UnsupportedFeature", "properties.captureSettings");
        assertTrue(r.json().path("error").path("message").asText().contains("2023-11-01"), r.body());
        assertEquals(404, c.send("GET", nw + "/packetCaptures/old" + NEW, null).status());
    }

    private static void assertRefused(TestController.Reply r, String code, String target) {
        assertEquals(400, r.status(), r.body());
        assertEquals(code, r.json().path("error").path("code").asText(), r.body());
        assertEquals(target, r.json().path("error").path("target").asText(), r.body());
    }
}
