package netwatcher.controller;

import netwatcher.model.check.CheckRole;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import netwatcher.model.check.CheckOrder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The destination port of a check by URL: the URL's own port, else the protocol's default. */
@Tag("e2e")
class ConnectivityUrlPortTest {
    static final String V = "?api-version=2025-05-01";

    @Test
    void connectivityCheck_urlWithPort_probesThatPortNotTheProtocolDefault() throws Exception {
        try (TestController c = new TestController(Duration.ofSeconds(30))) {
            TestAgent app = new TestAgent(c, "lab", "app", "westeurope", java.util.List.of("198.18.1.10/24"));
            String nw = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
            assertEquals(202, c.send("POST", nw + "/connectivityCheck" + V, """
                    {"source":{"resourceId":"%s"},"destination":{"address":"https://web.lab.test:8443/x"},"protocol":"Https"}"""
                    .formatted(app.vmId)).status());
            assertEquals(8443, sourceOrder(app).flow().destinationPort());
        }
        try (TestController c = new TestController(Duration.ofSeconds(30))) {
            TestAgent app = new TestAgent(c, "lab", "app", "westeurope", java.util.List.of("198.18.1.10/24"));
            String nw = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
            assertEquals(202, c.send("POST", nw + "/connectivityCheck" + V, """
                    {"source":{"resourceId":"%s"},"destination":{"address":"https://web.lab.test/x"},"protocol":"Https"}"""
                    .formatted(app.vmId)).status());
            assertEquals(443, sourceOrder(app).flow().destinationPort());
        }
    }

    private static CheckOrder sourceOrder(TestAgent a) throws Exception {
        for (int i = 0; i < 30; i++) {
            var o = a.orders(-1, 1).checks().stream().filter(x -> x.role().equals(CheckRole.SOURCE)).findFirst();
            if (o.isPresent()) return o.get();
        }
        throw new AssertionError("no source order");
    }
}
