package netwatcher.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The default lab, built once for the class by {@link LabExtension}: paths, firewall, DNS, servers. */
@Tag("netns")
class DefaultLabTest {

    @RegisterExtension
    static final LabExtension LAB = LabExtension.defaultLab();

    @Test
    void ping_appToDb_isAnsweredOverTwoRouters() {
        ExecResult reply = LAB.lab().exec("app", "hping3", "-n", "-1", "-c", "1", "198.18.3.10");

        assertEquals(0, reply.exitCode(), reply.toString());
        // Two forwarding hops decrement the TTL of db's reply (64) twice.
        assertTrue(reply.stdout().contains("ip=198.18.3.10 ttl=62"), reply.stdout());
    }

    @Test
    void ping_appToDb_withShortTtl_expiresAtFw1ThenFw2() {
        ExecResult first = LAB.lab().exec("app", "hping3", "-n", "-1", "-c", "1", "-t", "1", "198.18.3.10");
        ExecResult second = LAB.lab().exec("app", "hping3", "-n", "-1", "-c", "1", "-t", "2", "198.18.3.10");

        assertTrue(first.stdout().contains("TTL 0 during transit from ip=198.18.1.1"), first.toString());
        assertTrue(second.stdout().contains("TTL 0 during transit from ip=198.18.2.2"), second.toString());
    }

    @Test
    void routes_appAndDb_pointAtTheirFirewallsAndNeverAtManagement() {
        String appRoute = LAB.lab().exec("app", "ip", "route", "get", "198.18.3.10").orThrow().stdout();
        String dbRoute = LAB.lab().exec("db", "ip", "route", "get", "198.18.1.10").orThrow().stdout();
        String fw1Route = LAB.lab().exec("fw1", "ip", "route", "get", "198.18.3.10").orThrow().stdout();
        String appDefault = LAB.lab().exec("app", "ip", "route", "show", "default").orThrow().stdout();

        assertTrue(appRoute.contains("via 198.18.1.1 dev eth0"), appRoute);
        assertTrue(dbRoute.contains("via 198.18.3.1 dev eth0"), dbRoute);
        assertTrue(fw1Route.contains("via 198.18.2.2 dev eth1"), fw1Route);
        assertTrue(appDefault.contains("dev eth0") && !appDefault.contains("mgmt0"), appDefault);
    }

    @Test
    void tcp_appToDbOverIpv6_isRoutedThroughFw1AndEchoes() {
        // hping3 speaks IPv4 only: check the IPv6 path with the route lookup and a TCP round trip.
        String route = LAB.lab().exec("app", "ip", "-6", "route", "get", "2001:2:0:3::10").orThrow().stdout();
        ExecResult connect = tcpRoundTrip("app", "2001:2:0:3::10", 1433, 5);

        assertTrue(route.contains("via 2001:2:0:1::1 dev eth0"), route);
        assertEquals(0, connect.exitCode(), connect.toString());
        assertEquals("ping", connect.stdout().strip());
    }

    @Test
    void tcp_appToDb1433_connectsAndEchoes() {
        ExecResult result = tcpRoundTrip("app", "198.18.3.10", 1433, 5);

        assertEquals(0, result.exitCode(), result.toString());
        assertEquals("ping", result.stdout().strip());
    }

    @Test
    void tcp_appToDb80_isDroppedByFw2AndTheRuleCounts() {
        long before = userRulePort80Packets();

        ExecResult blocked = tcpRoundTrip("app", "198.18.3.10", 80, 2);
        ExecResult fromFw2Itself = tcpRoundTrip("fw2", "198.18.3.10", 80, 5);

        assertEquals(124, blocked.exitCode(), "expected a silent drop (timeout), got " + blocked);
        assertEquals(0, fromFw2Itself.exitCode(), "db listens on 80; only forwarded traffic is dropped: " + fromFw2Itself);
        assertTrue(userRulePort80Packets() > before, "UserRule_Port80 counter did not move");
    }

    @Test
    void https_webLabTest_isServedWithACertificateFromTheLabCa() {
        String ca = LAB.lab().caCertificate().toString();

        ExecResult trusted = LAB.lab().exec("app", "curl", "-sS", "--max-time", "10", "--cacert", ca, "https://web.lab.test/");
        ExecResult systemTrust = LAB.lab().exec("app", "curl", "-sS", "--max-time", "10", "--capath", "/nonexistent",
                "--cacert", "/dev/null", "https://web.lab.test/");

        assertEquals(0, trusted.exitCode(), trusted.toString());
        assertEquals("netwatcher lab: web", trusted.stdout().strip());
        assertNotEquals(0, systemTrust.exitCode(), "a client without the lab CA must not trust web: " + systemTrust);
    }

    @Test
    void http_statusPath_returnsThatStatus() {
        ExecResult result = LAB.lab().exec("app", "curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}",
                "http://web.lab.test/status/503");

        assertEquals("503", result.stdout(), result.toString());
    }

    @Test
    void dns_labNames_resolveToLabAddresses() {
        ExecResult web = resolve("web.lab.test", "A");
        ExecResult db = resolve("db.lab.test", "AAAA");
        ExecResult shortName = LAB.lab().exec("db", "getent", "ahostsv4", "app");

        assertEquals("NOERROR 198.18.201.10", web.stdout().strip(), web.toString());
        assertEquals("NOERROR 2001:2:0:3:0:0:0:10", db.stdout().strip(), db.toString());
        assertTrue(shortName.stdout().startsWith("198.18.1.10"), shortName.toString());
    }

    @Test
    void dns_unknownName_isNxdomainFromTheLabResolver() {
        ExecResult outside = resolve("example.com", "A");
        ExecResult inside = resolve("nosuch.lab.test", "A");
        ExecResult getent = LAB.lab().exec("app", "getent", "hosts", "example.com");

        assertEquals("NXDOMAIN", outside.stdout().strip(), outside.toString());
        assertEquals("NXDOMAIN", inside.stdout().strip(), inside.toString());
        assertEquals(2, getent.exitCode(), getent.toString());
    }

    @Test
    void resolvConf_inEveryHost_namesOnlyTheLabResolver() {
        for (LabHost host : LAB.lab().hosts()) {
            String resolvConf = LAB.lab().exec(host.name(), "cat", "/etc/resolv.conf").orThrow().stdout();

            List<String> servers = resolvConf.lines().filter(l -> l.startsWith("nameserver")).toList();
            assertEquals(List.of("nameserver 198.18.200.2"), servers, host.name());
        }
    }

    @Test
    void management_agentHostsReachTheRootAndOnlyAgentHostsHaveMgmt0() {
        LabHost app = LAB.lab().host("app");
        String controller = LAB.lab().controllerAddress();

        ExecResult reply = LAB.lab().exec("app", "hping3", "-n", "-1", "-c", "1", controller);
        ExecResult webLinks = LAB.lab().exec("web", "ip", "-o", "link", "show");

        assertEquals(0, reply.exitCode(), reply.toString());
        assertTrue(app.managementAddress().orElseThrow().endsWith(".10"), app.toString());
        assertTrue(LAB.lab().exec("app", "ip", "-o", "addr", "show", "mgmt0").stdout().contains(app.managementAddress().get() + "/24"));
        assertTrue(!webLinks.stdout().contains("mgmt0"), webLinks.stdout());
    }

    private static ExecResult tcpRoundTrip(String host, String address, int port, int seconds) {
        return LAB.lab().exec(host, Duration.ofSeconds(seconds + 5), List.of("timeout", Integer.toString(seconds), "bash", "-c",
                "exec 3<>/dev/tcp/" + address + "/" + port + " && echo ping >&3 && head -n 1 <&3"));
    }

    private static ExecResult resolve(String name, String type) {
        List<String> command = new ArrayList<>(ServiceLauncher.javaCommand());
        command.addAll(List.of(LabServers.class.getName(), "resolve", "--server", "198.18.200.2", name, type));
        return LAB.lab().exec("app", Duration.ofSeconds(30), command);
    }

    private static long userRulePort80Packets() {
        String table = LAB.lab().exec("fw2", "nft", "list", "table", "inet", "nw_filter").orThrow().stdout();
        Matcher matcher = Pattern.compile("counter packets (\\d+) bytes \\d+ drop comment \"UserRule_Port80\"").matcher(table);
        assertTrue(matcher.find(), table);
        return Long.parseLong(matcher.group(1));
    }
}
