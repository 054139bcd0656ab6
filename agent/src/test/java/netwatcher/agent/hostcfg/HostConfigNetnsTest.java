package netwatcher.agent.hostcfg;

import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Optional;

import static netwatcher.agent.hostcfg.Fixtures.flow;
import static netwatcher.agent.hostcfg.Fixtures.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HostConfig against real namespaces, real nftables and real traffic: source s → forwarding host f → destination d
 * ({@link ThreeHosts}, fresh per test). Tables are named nwt_*, inside namespaces deleted after each test.
 */
@Tag("netns")
class HostConfigNetnsTest {
    @RegisterExtension
    final ThreeHosts net = new ThreeHosts();

    private static List<CheckReport.Finding> ofType(List<CheckReport.Finding> findings, String type) {
        return findings.stream().filter(f -> f.type().equals(type)).toList();
    }

    @Test
    void explain_onForwardingHost_namesTheDropRuleWhoseCounterMovedForTheFlow() throws Exception {
        ThreeHosts.Host fw = net.firewall();
        fw.nft("""
                table inet nwt_filter {
                  chain forward {
                    type filter hook forward priority 0; policy accept;
                    tcp dport 80 counter drop comment "UserRule_Port80"
                    tcp dport 80 counter drop comment "ShadowedPort80"
                    udp dport 53 counter drop comment "OtherTraffic"
                  }
                }""");
        HostConfig hostConfig = fw.hostConfig();
        FirewallSnapshot before = hostConfig.snapshot();

        List<String> outcomes = net.source().connect(net.destination().address(), 80, 3);
        net.source().sendUdp(net.destination().address(), 53); // moves OtherTraffic, which does not match the flow
        FirewallSnapshot after = hostConfig.snapshot();

        assertEquals(List.of("timeout", "timeout", "timeout"), outcomes);
        assertTrue(after.rules().stream().anyMatch(r -> "OtherTraffic".equals(r.comment()) && r.packets() == 1));
        List<CheckReport.Finding> findings = hostConfig.explain(before, after,
                tcp(net.source().address(), 0, net.destination().address(), 80), false);
        assertEquals(1, findings.size(), findings.toString());
        CheckReport.Finding finding = findings.getFirst();
        assertEquals("NetworkSecurityRule", finding.type());
        assertEquals("Outbound", finding.origin());
        assertEquals("Error", finding.severity());
        assertEquals("counters", finding.evidence());
        assertEquals("UserRule_Port80", finding.context().get("RuleName"));
        assertEquals("nwt_filter", finding.context().get("Table"));
        assertEquals("forward", finding.context().get("Chain"));
        assertEquals("drop", finding.context().get("Verdict"));
        assertTrue(finding.context().get("Counters").startsWith("+3 packets"), finding.context().toString());
    }

    @Test
    void explain_whenMatchingRuleDidNotMove_namesNothing() throws Exception {
        ThreeHosts.Host fw = net.firewall();
        fw.nft("""
                table inet nwt_filter {
                  chain forward {
                    type filter hook forward priority 0; policy accept;
                    tcp dport 80 counter drop comment "UserRule_Port80"
                  }
                }""");
        HostConfig hostConfig = fw.hostConfig();
        FirewallSnapshot before = hostConfig.snapshot();
        FirewallSnapshot after = hostConfig.snapshot(); // no traffic in between

        List<CheckReport.Finding> findings = hostConfig.explain(before, after,
                tcp(net.source().address(), 0, net.destination().address(), 80), false);

        assertEquals(List.of(), findings);
    }

    @Test
    void explain_onDestination_namesTheRejectRuleAsInboundGuestFirewall() throws Exception {
        ThreeHosts.Host db = net.destination();
        db.nft("""
                table inet nwt_guest {
                  chain input {
                    type filter hook input priority 0; policy accept;
                    tcp dport 8080 counter reject with tcp reset comment "RejectWeb"
                  }
                }""");
        HostConfig hostConfig = db.hostConfig();
        FirewallSnapshot before = hostConfig.snapshot();

        List<String> outcomes = net.source().connect(db.address(), 8080, 2);
        FirewallSnapshot after = hostConfig.snapshot();

        assertEquals(List.of("refused", "refused"), outcomes);
        List<CheckReport.Finding> findings = hostConfig.explain(before, after,
                tcp(net.source().address(), 0, db.address(), 8080), false);
        assertEquals(1, findings.size(), findings.toString());
        assertEquals("GuestFirewall", findings.getFirst().type());
        assertEquals("Inbound", findings.getFirst().origin());
        assertEquals("RejectWeb", findings.getFirst().context().get("RuleName"));
        assertEquals("reject", findings.getFirst().context().get("Verdict"));
        assertEquals("input", findings.getFirst().context().get("Hook"));
    }

    @Test
    void explain_onSource_namesItsOutputDropAsOutboundGuestFirewallByTableChainHandle() throws Exception {
        ThreeHosts.Host app = net.source();
        app.nft("table ip nwt_out { chain output { type filter hook output priority 0; policy accept; ip daddr "
                + net.destination().address() + " tcp dport 9000 counter drop; }; }");
        HostConfig hostConfig = app.hostConfig();
        FirewallSnapshot before = hostConfig.snapshot();

        List<String> outcomes = app.connect(net.destination().address(), 9000, 2);
        FirewallSnapshot after = hostConfig.snapshot();

        assertFalse(outcomes.contains("connected"), outcomes.toString());
        List<CheckReport.Finding> findings = hostConfig.explain(before, after,
                tcp(app.address(), 0, net.destination().address(), 9000), true);
        assertEquals(1, findings.size(), findings.toString());
        CheckReport.Finding finding = findings.getFirst();
        assertEquals("GuestFirewall", finding.type());
        assertEquals("Outbound", finding.origin());
        long handle = after.rules().getFirst().handle();
        assertEquals("ip/nwt_out/output/" + handle, finding.context().get("RuleName"));
        assertEquals(Long.toString(handle), finding.context().get("Handle"));
    }

    @Test
    void routeFinding_whenSourceHasBlackholeRoute_reportsUserDefinedRouteWithRouteType() {
        ThreeHosts.Host app = net.source();
        app.run("ip", "route", "add", "blackhole", net.destination().address() + "/32");
        HostConfig hostConfig = app.hostConfig();
        FirewallSnapshot snapshot = hostConfig.snapshot();

        List<CheckReport.Finding> findings = hostConfig.explain(snapshot, snapshot,
                tcp(app.address(), 0, net.destination().address(), 443), true);

        assertEquals(1, findings.size(), findings.toString());
        CheckReport.Finding finding = findings.getFirst();
        assertEquals("UserDefinedRoute", finding.type());
        assertEquals("route-lookup", finding.evidence());
        assertEquals("Blackhole", finding.context().get("RouteType"));
        assertEquals("User", finding.context().get("RouteOrigin"));
        assertEquals("blackhole " + net.destination().address() + " proto boot", finding.context().get("Route"));
    }

    @Test
    void routeFinding_whenPolicyRuleSendsFlowToUnreachableTable_reportsPolicyRule() {
        ThreeHosts.Host app = net.source();
        String target = net.destination().address();
        app.run("ip", "route", "add", "unreachable", target + "/32", "table", "100");
        app.run("ip", "rule", "add", "to", target + "/32", "table", "100", "pref", "1000");

        Optional<CheckReport.Finding> finding = app.hostConfig().routeFinding(tcp(app.address(), 0, target, 80));

        assertTrue(finding.isPresent());
        assertEquals("PolicyRule", finding.get().context().get("RouteType"));
        assertEquals("1000: from all to " + target + " lookup 100", finding.get().context().get("Rule"));
        assertEquals("unreachable " + target + " table 100 proto boot", finding.get().context().get("Route"));
        assertEquals("No route to host", finding.get().context().get("KernelError"));
    }

    @Test
    void routeFinding_onForwardingHostWithProhibitRoute_reportsProhibit() {
        ThreeHosts.Host fw = net.firewall();
        fw.run("ip", "route", "add", "prohibit", net.destination().address() + "/32");

        Optional<CheckReport.Finding> finding = fw.hostConfig().routeFinding(
                tcp(net.source().address(), 0, net.destination().address(), 80));

        assertTrue(finding.isPresent());
        assertEquals("Prohibit", finding.get().context().get("RouteType"));
    }

    @Test
    void routeFinding_whenRouteIsFine_isEmpty() {
        assertEquals(Optional.empty(), net.source().hostConfig().routeFinding(
                tcp(net.source().address(), 0, net.destination().address(), 80)));
        assertEquals(Optional.empty(), net.firewall().hostConfig().routeFinding(
                tcp(net.source().address(), 0, net.destination().address(), 80)));
    }

    @Test
    void verify_inbound_allowsByRuleDeniesByRuleAndByPolicy() {
        ThreeHosts.Host db = net.destination();
        db.nft("""
                table inet nwt_guest {
                  chain input {
                    type filter hook input priority 0; policy drop;
                    ct state established,related accept
                    tcp dport 23 drop comment "NoTelnet"
                    tcp dport 1433 accept comment "AllowSql"
                  }
                }""");
        HostConfig hostConfig = db.hostConfig();
        String src = net.source().address();

        CheckReport.Verdict sql = hostConfig.verify(flow("TCP", src, 40000, db.address(), 1433, "Inbound"));
        CheckReport.Verdict telnet = hostConfig.verify(flow("TCP", src, 40000, db.address(), 23, "Inbound"));
        CheckReport.Verdict ssh = hostConfig.verify(flow("TCP", src, 40000, db.address(), 22, "Inbound"));

        assertEquals("Allow", sql.access());
        assertEquals("AllowSql", sql.ruleName());
        assertEquals("Deny", telnet.access());
        assertEquals("NoTelnet", telnet.ruleName());
        assertEquals("Deny", ssh.access());
        assertNull(ssh.ruleName());
        assertEquals("policy", ssh.context().get("DecidedBy"));
        assertEquals("drop", ssh.context().get("Policy"));
    }

    @Test
    void verify_outbound_usesTheRoutesSourceAddressAndOutputInterface() {
        ThreeHosts.Host app = net.source();
        app.nft("table inet nwt_guest { chain output { type filter hook output priority 0; policy accept; "
                + "oifname \"eth0\" ip saddr " + app.address() + " tcp dport 25 reject comment \"NoSmtpOut\"; }; }");
        HostConfig hostConfig = app.hostConfig();

        CheckReport.Verdict smtp = hostConfig.verify(flow("TCP", null, 0, net.destination().address(), 25, "Outbound"));
        CheckReport.Verdict web = hostConfig.verify(flow("TCP", null, 0, net.destination().address(), 443, "Outbound"));

        assertEquals("Deny", smtp.access());
        assertEquals("NoSmtpOut", smtp.ruleName());
        assertFalse(smtp.context().containsKey("Assumed"), smtp.context().toString());
        assertEquals("Allow", web.access());
        assertEquals("policy", web.context().get("DecidedBy"));
    }

    @Test
    void nextHop_viaGatewayConnectedAndBlackhole() {
        ThreeHosts.Host app = net.source();
        HostConfig hostConfig = app.hostConfig();

        CheckReport.NextHop remote = hostConfig.nextHop(tcp(app.address(), 0, net.destination().address(), 80));
        CheckReport.NextHop local = hostConfig.nextHop(tcp(null, 0, net.sourceGateway(), 80));
        app.run("ip", "route", "add", "blackhole", "198.18.250.0/24");
        CheckReport.NextHop none = hostConfig.nextHop(tcp(null, 0, "198.18.250.7", 80));

        assertEquals(new CheckReport.NextHop("VirtualAppliance", net.sourceGateway(), true,
                "default via " + net.sourceGateway() + " dev eth0 proto boot", "main"), remote);
        assertEquals("VnetLocal", local.type());
        assertNull(local.ipAddress());
        assertFalse(local.userDefined());
        assertEquals(new CheckReport.NextHop("None", null, true, "blackhole 198.18.250.0/24 proto boot", "main"), none);
    }

    @Test
    void explain_onForwardingHost_namesAnIptablesLegacyRuleByItsCounters() throws Exception {
        ThreeHosts.Host fw = net.firewall();
        fw.run("iptables-legacy", "-A", "FORWARD", "-s", "198.18.250.9", "-p", "tcp", "--dport", "7", "-j", "DROP");
        fw.run("iptables-legacy", "-A", "FORWARD", "-p", "tcp", "--dport", "7", "-j", "DROP");
        HostConfig hostConfig = fw.hostConfig();
        Flow flow = tcp(net.source().address(), 0, net.destination().address(), 7);

        List<CheckReport.Finding> findings = probeWithTrace(hostConfig, flow);

        assertTrue(net.destination().hostConfig().snapshot().rules().stream()
                .noneMatch(r -> r.backend() == FirewallSnapshot.Backend.IPTABLES_LEGACY), "legacy tables are per namespace");
        assertEquals(1, findings.size(), findings.toString());
        CheckReport.Finding finding = findings.getFirst();
        assertEquals("NetworkSecurityRule", finding.type());
        assertEquals("counters", finding.evidence());
        assertEquals("iptables-legacy/ip/filter/FORWARD/2", finding.context().get("RuleName"));
        assertEquals("iptables-legacy", finding.context().get("Backend"));
        assertEquals("-A FORWARD -p tcp -m tcp --dport 7 -j DROP", finding.context().get("RuleText"));
        assertTrue(finding.context().get("Counters").startsWith("+2 packets"), finding.context().toString());
    }

    @Test
    void verify_withoutDirection_isRejected() {
        Flow flow = tcp(net.source().address(), 0, net.destination().address(), 80);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> net.destination().hostConfig().verify(flow));
    }

    @Test
    void explain_withTrace_namesRuleWithoutCounterAndStrengthensCounterEvidence() throws Exception {
        ThreeHosts.Host fw = net.firewall();
        fw.nft("""
                table inet nwt_filter {
                  chain forward {
                    type filter hook forward priority 0; policy accept;
                    tcp dport 80 drop comment "NoCounter80"
                    tcp dport 81 counter drop comment "Counted81"
                  }
                }""");
        HostConfig hostConfig = fw.hostConfig();
        String src = net.source().address();
        String dst = net.destination().address();

        List<CheckReport.Finding> port80 = probeWithTrace(hostConfig, tcp(src, 0, dst, 80));
        List<CheckReport.Finding> port81 = probeWithTrace(hostConfig, tcp(src, 0, dst, 81));

        assertEquals(1, port80.size(), port80.toString());
        assertEquals("NoCounter80", port80.getFirst().context().get("RuleName"));
        assertEquals("trace", port80.getFirst().evidence());
        assertEquals("NetworkSecurityRule", port80.getFirst().type());
        assertEquals("2 packets", port80.getFirst().context().get("Traced"));
        assertEquals(1, port81.size(), port81.toString());
        assertEquals("Counted81", port81.getFirst().context().get("RuleName"));
        assertEquals("trace", port81.getFirst().evidence());
        assertTrue(port81.getFirst().context().get("Counters").startsWith("+2 packets"));
        assertFalse(fw.exec("nft", "list", "tables").stdout().contains("nw_trace_"), "trace table left behind");
    }

    @Test
    void explain_withTrace_namesAChainPolicyDropOnTheDestination() throws Exception {
        ThreeHosts.Host db = net.destination();
        db.nft("table inet nwt_guest { chain input { type filter hook input priority 0; policy drop; }; }");
        HostConfig hostConfig = db.hostConfig();

        List<CheckReport.Finding> findings = probeWithTrace(hostConfig, tcp(net.source().address(), 0, db.address(), 5432));

        assertEquals(1, findings.size(), findings.toString());
        CheckReport.Finding finding = findings.getFirst();
        assertEquals("GuestFirewall", finding.type());
        assertEquals("Inbound", finding.origin());
        assertEquals("inet/nwt_guest/input/policy", finding.context().get("RuleName"));
        assertEquals("policy", finding.context().get("DecidedBy"));
        assertEquals("trace", finding.evidence());
        assertFalse(db.exec("nft", "list", "tables").stdout().contains("nw_trace_"), "trace table left behind");
    }

    private List<CheckReport.Finding> probeWithTrace(HostConfig hostConfig, Flow flow) throws Exception {
        FirewallSnapshot before = hostConfig.snapshot();
        NftTrace.Seen seen;
        try (NftTrace trace = hostConfig.startTrace(flow)) {
            net.source().connect(flow.destinationAddress(), flow.destinationPort(), 2);
            seen = trace.seen();
        }
        FirewallSnapshot after = hostConfig.snapshot();
        return hostConfig.explain(before, after, flow, false, seen);
    }

    @Test
    void explainAndRoutes_overIpv6() throws Exception {
        ThreeHosts.Host fw = net.firewall();
        fw.nft("""
                table inet nwt_filter {
                  chain forward {
                    type filter hook forward priority 0; policy accept;
                    ip daddr 0.0.0.0/0 tcp dport 80 counter drop comment "Ipv4Only80"
                    ip6 daddr 2001:2::/48 tcp dport 80 counter drop comment "UserRule_Port80_v6"
                  }
                }""");
        HostConfig hostConfig = fw.hostConfig();
        Flow flow = tcp(net.source().address6(), 0, net.destination().address6(), 80);
        FirewallSnapshot before = hostConfig.snapshot();

        List<String> outcomes = net.source().connect(net.destination().address6(), 80, 2);
        List<CheckReport.Finding> findings = hostConfig.explain(before, hostConfig.snapshot(), flow, false);

        assertEquals(List.of("timeout", "timeout"), outcomes);
        assertEquals(1, findings.size(), findings.toString());
        assertEquals("UserRule_Port80_v6", findings.getFirst().context().get("RuleName"));

        ThreeHosts.Host app = net.source();
        CheckReport.NextHop nextHop = app.hostConfig().nextHop(flow);
        assertEquals("VirtualAppliance", nextHop.type());
        assertEquals(fw.address6(), nextHop.ipAddress());
        app.run("ip", "-6", "route", "add", "blackhole", net.destination().address6() + "/128");
        Optional<CheckReport.Finding> route = app.hostConfig().routeFinding(flow);
        assertTrue(route.isPresent());
        assertEquals("Blackhole", route.get().context().get("RouteType"));
        assertEquals("None", app.hostConfig().nextHop(flow).type());
    }
}
