package netwatcher.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.InstantSource;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import netwatcher.agent.hostcfg.HostConfig;
import netwatcher.lab.ExecResult;
import netwatcher.lab.LabExtension;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;

/**
 * What an observer's routes say about a flow, on the real lab hosts: only the lookup the flow meets
 * as it crosses the host (the reply's route on the destination, the forwarded packet's lookup
 * elsewhere), only when it refuses the flow, and a forwarder's next hop.
 */
@Tag("netns")
class ObserverRouteLabTest {
    @RegisterExtension static final LabExtension LAB = LabExtension.defaultLab();

    /** app:40000 → db:1433 as the source resolved it. */
    static final Flow APP_TO_DB = new Flow("Tcp", "198.18.1.10", 40000, "198.18.3.10", null, 1433, null, null);

    static ObserverRoutes on(String host) {
        return new ObserverRoutes(new HostConfigEvaluation(new HostConfig(
                List.of("ip", "netns", "exec", LAB.lab().host(host).namespace()), InstantSource.system())));
    }

    static void exec(String host, String script) {
        ExecResult r = LAB.lab().exec(host, "sh", "-c", script);
        assertEquals(0, r.exitCode(), () -> host + ": " + script + " -> " + r);
    }

    @Test
    void forwarderOnThePath_namesNoRoute_andGivesItsNextHop() {
        ObserverRoutes.ObserverRoute route = on("fw1").of(APP_TO_DB);
        assertTrue(route.finding().isEmpty(), route::toString);
        assertNotNull(route.nextHop(), route::toString);
        assertEquals("198.18.2.2", route.nextHop().ipAddress());
    }

    @Test
    void destination_namesNothing_whenItsReplyRouteWorks() {
        ObserverRoutes.ObserverRoute route = on("db").of(APP_TO_DB);
        assertTrue(route.finding().isEmpty(), route::toString);
        assertNull(route.nextHop());
    }

    @Test
    void destination_withABlackholeBackToTheSource_namesItsReplyRoute() {
        exec("db", "ip route add blackhole 198.18.1.10/32");
        try {
            ObserverRoutes.ObserverRoute route = on("db").of(APP_TO_DB);
            CheckReport.Finding finding = route.finding().orElseThrow(() -> new AssertionError(route.toString()));
            assertEquals("UserDefinedRoute", finding.type());
            assertEquals("Blackhole", finding.context().get("RouteType"));
            assertTrue(finding.context().get("Route").contains("198.18.1.10"), finding::toString);
        } finally {
            exec("db", "ip route del blackhole 198.18.1.10/32");
        }
    }

    @Test
    void forwarderWithABlackholeToTheDestination_namesIt() {
        exec("fw2", "ip route add blackhole 198.18.3.10/32");
        try {
            ObserverRoutes.ObserverRoute route = on("fw2").of(APP_TO_DB);
            CheckReport.Finding finding = route.finding().orElseThrow(() -> new AssertionError(route.toString()));
            assertEquals("Blackhole", finding.context().get("RouteType"));
        } finally {
            exec("fw2", "ip route del blackhole 198.18.3.10/32");
        }
    }

    @Test
    void hostThatNeverSeesTheFlow_namesNothing() {
        // web does not forward: the kernel refuses a lookup for a packet from app arriving there, and that is no cause
        ObserverRoutes.ObserverRoute route = on("web").of(APP_TO_DB);
        assertTrue(route.finding().isEmpty(), route::toString);
    }
}
