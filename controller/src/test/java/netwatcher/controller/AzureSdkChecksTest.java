package netwatcher.controller;

import org.junit.jupiter.api.Tag;
import netwatcher.model.check.CheckRole;
import netwatcher.model.check.ReportState;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import netwatcher.model.check.CheckOrder;
import netwatcher.model.check.CheckReport;
import org.junit.jupiter.api.Test;

/**
 * The Azure SDK for Java ({@code azure-resourcemanager-network}, the newest on Maven Central; see
 * docs/clients.md) runs IP flow verify and next hop through its fluent API against a real controller:
 * both are long-running operations the SDK polls to their results. The agent is played here (its
 * orders answered), so the test is about the client side; the lab tests cover the real answers.
 * ConnectivityCheckApiTest drives the SDK's checkConnectivity the same way.
 */
@Tag("e2e")
class AzureSdkChecksTest {

    @Test
    void sdk_verifyIpFlowAndNextHop_returnTheAgentsAnswers() throws Exception {
        try (TestController c = new TestController(Duration.ofSeconds(30))) {
            TestAgent db = new TestAgent(c, "sdkrg", "sdkdb", "westeurope", List.of("198.18.3.10/24"));
            var network = SdkClients.network(c);
            var watcher = network.networkWatchers().getByResourceGroup("NetworkWatcherRG", "NetworkWatcher_westeurope");
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread agent = Thread.ofPlatform().daemon().start(() -> {
                try {
                    CheckOrder o = order(db, CheckRole.VERIFY);
                    assertEquals("Inbound", o.flow().direction());
                    db.reportCheck(new CheckReport(o.key(), CheckRole.VERIFY, ReportState.DONE, null, null, null, null,
                            new CheckReport.Verdict("Deny", "UserRule_Db", Map.of()), null, null, null));
                    o = order(db, CheckRole.NEXTHOP);
                    db.reportCheck(new CheckReport(o.key(), CheckRole.NEXTHOP, ReportState.DONE, null, null, null, null, null,
                            new CheckReport.NextHop("VirtualAppliance", "198.18.3.1", true, "0.0.0.0/0"), null, null));
                } catch (Throwable e) {
                    failure.set(e);
                }
            });

            var flow = watcher.verifyIPFlow().withTargetResourceId(db.vmId).inbound().withTCP()
                    .withLocalIPAddress("198.18.3.10").withRemoteIPAddress("198.18.1.10")
                    .withLocalPort("1433").withRemotePort("*").execute();
            assertEquals("Deny", flow.access().toString(), String.valueOf(failure.get()));
            assertEquals("UserRule_Db", flow.ruleName());

            var hop = watcher.nextHop().withTargetResourceId(db.vmId).withSourceIpAddress("198.18.3.10")
                    .withDestinationIpAddress("198.18.1.10").execute();
            agent.join(30_000);
            assertEquals(null, failure.get());
            assertEquals("VirtualAppliance", hop.nextHopType().toString());
            assertEquals("198.18.3.1", hop.nextHopIpAddress());
        }
    }

    /** The agent's first check order of {@code role}, asking every 100 ms for up to 60 s. */
    private static CheckOrder order(TestAgent a, CheckRole role) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            var o = a.orders(-1, 0).checks().stream().filter(x -> x.role() == role).findFirst();
            if (o.isPresent()) return o.get();
            Thread.sleep(100);
        }
        throw new AssertionError("no " + role + " order for " + a.vmName);
    }
}
