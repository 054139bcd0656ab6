package netwatcher.agent.hostcfg;

import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static netwatcher.agent.hostcfg.Fixtures.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An observer's explanation as the agent runs it, on real namespaces (s → f → d, {@link ThreeHosts}) with real
 * nft, iptables-nft and traffic: the trace starts from the flow as known before probing (no source address or
 * port), the explanation gets the resolved flow. Rules are named whether or not they count, with the evidence
 * that proved them; a rule the flow does not reach is never named.
 */
@Tag("netns")
class RuleEvidenceNetnsTest {
    @RegisterExtension
    final ThreeHosts net = new ThreeHosts();

    /** Observes {@code port} from s to d on {@code observer} the way an armed observer does. */
    private List<CheckReport.Finding> observe(ThreeHosts.Host observer, int port, boolean trace) throws Exception {
        HostConfig hostConfig = observer.hostConfig();
        String destination = net.destination().address();
        Flow known = tcp(null, 0, destination, port); // as the observer's order has it when armed
        Flow resolved = tcp(net.source().address(), 0, destination, port);
        FirewallSnapshot before = hostConfig.snapshot();
        NftTrace.Seen seen = null;
        if (trace) {
            try (NftTrace running = hostConfig.startTrace(known)) {
                net.source().connect(destination, port, 2);
                seen = running.seen();
            }
        } else {
            net.source().connect(destination, port, 2);
        }
        List<CheckReport.Finding> findings = hostConfig.explain(before, hostConfig.snapshot(), resolved, false, seen);
        assertFalse(observer.exec("nft", "list", "tables").stdout().contains(NftTrace.TABLE_PREFIX), "trace table left behind");
        return findings;
    }

    private static CheckReport.Finding only(List<CheckReport.Finding> findings) {
        assertEquals(1, findings.size(), findings.toString());
        return findings.getFirst();
    }

    @Test
    void dropWithoutCounterAtDestinationInput_isNamedByTheTrace() throws Exception {
        ThreeHosts.Host db = net.destination();
        db.run("nft", "add", "table", "inet", "nwt_t");
        db.run("nft", "add chain inet nwt_t c { type filter hook input priority 0; }");
        db.run("nft", "add rule inet nwt_t c ip saddr " + net.source().address() + " tcp dport 1433 drop comment \"x\"");

        CheckReport.Finding finding = only(observe(db, 1433, true));

        assertEquals("GuestFirewall", finding.type());
        assertEquals("Inbound", finding.origin());
        assertEquals("trace", finding.evidence());
        assertEquals("x", finding.context().get("RuleName"));
        assertEquals("drop", finding.context().get("Verdict"));
        assertEquals("input", finding.context().get("Hook"));
        assertEquals("original", finding.context().get("Direction"));
        assertTrue(finding.context().get("Flow").endsWith("-> " + db.address() + ":1433"), finding.context().toString());
    }

    @Test
    void dropWithoutCounter_withoutATrace_isNamedByTheRulesetEvaluation() throws Exception {
        ThreeHosts.Host db = net.destination();
        db.nft("table inet nwt_t { chain c { type filter hook input priority 0; policy accept; ip saddr "
                + net.source().address() + " tcp dport 1433 drop comment \"x\"; }; }");

        CheckReport.Finding finding = only(observe(db, 1433, false));

        assertEquals("ruleset", finding.evidence());
        assertEquals("x", finding.context().get("RuleName"));
        assertEquals("rule", finding.context().get("DecidedBy"));
        assertEquals("GuestFirewall", finding.type());
        // the same evaluator as IP flow verify
        CheckReport.Verdict verify = db.hostConfig().verify(Fixtures.flow("TCP", net.source().address(), 40000, db.address(), 1433, "Inbound"));
        assertEquals("Deny", verify.access());
        assertEquals("x", verify.ruleName());
    }

    @Test
    void rejectOnRouterForward_isNamedOnTheRouterWithItsText() throws Exception {
        ThreeHosts.Host fw = net.firewall();
        fw.nft("table inet nwt_r { chain guard { type filter hook forward priority 0; policy accept; "
                + "tcp dport 1434 reject with icmp type admin-prohibited; }; }");

        CheckReport.Finding finding = only(observe(fw, 1434, true));

        assertEquals("NetworkSecurityRule", finding.type());
        assertEquals("trace", finding.evidence());
        assertEquals("reject", finding.context().get("Verdict"));
        assertEquals("forward", finding.context().get("Hook"));
        String handle = finding.context().get("Handle");
        assertEquals("inet/nwt_r/guard/" + handle, finding.context().get("RuleName")); // comment-less: by its place
        assertEquals("tcp dport 1434 reject with icmp admin-prohibited", finding.context().get("RuleText"));
        assertEquals("nft", finding.context().get("Backend"));
    }

    @Test
    void iptablesNftRule_isNamedByItsCommentWithCountersAndTrace() throws Exception {
        ThreeHosts.Host fw = net.firewall();
        fw.run("iptables-nft", "-A", "FORWARD", "-p", "tcp", "-m", "multiport", "--dports", "1435,1436",
                "-m", "comment", "--comment", "IptNft1435", "-j", "DROP");

        CheckReport.Finding finding = only(observe(fw, 1435, true));

        assertEquals("IptNft1435", finding.context().get("RuleName"));
        assertEquals("iptables-nft", finding.context().get("Backend"));
        assertEquals("trace", finding.evidence());
        assertTrue(finding.context().get("Counters").startsWith("+2 packets"), finding.context().toString());
        assertFalse(finding.context().containsKey("Unevaluated"), finding.context().toString());
        assertTrue(finding.context().get("RuleText").contains("--dports 1435,1436"), finding.context().toString());
    }

    @Test
    void acceptInAHigherPriorityChain_thenADropInALaterOne_namesTheDrop() throws Exception {
        ThreeHosts.Host db = net.destination();
        db.nft("""
                table inet nwt_p {
                  chain early { type filter hook input priority -10; policy accept; tcp dport 1437 accept comment "EarlyAccept"; }
                  chain late { type filter hook input priority 10; policy accept; tcp dport 1437 drop comment "LateDrop"; }
                }""");

        CheckReport.Finding traced = only(observe(db, 1437, true));
        CheckReport.Finding evaluated = only(observe(db, 1437, false));

        assertEquals("LateDrop", traced.context().get("RuleName"));
        assertEquals("LateDrop", evaluated.context().get("RuleName"));
        assertTrue(evaluated.context().get("Path").contains("EarlyAccept"), evaluated.context().toString());
    }

    @Test
    void aRuleTheFlowDoesNotMatch_isNeverNamed_theOneNextToItIs() throws Exception {
        ThreeHosts.Host fw = net.firewall();
        fw.nft("""
                table inet nwt_m {
                  chain guard {
                    type filter hook forward priority 0; policy accept;
                    ip saddr 198.18.250.9 tcp dport 1438 drop comment "NotThisFlow"
                    ip saddr %s tcp dport 1438 drop comment "ThisFlow"
                  }
                }""".formatted(net.source().address()));

        assertEquals("ThisFlow", only(observe(fw, 1438, true)).context().get("RuleName"));
        assertEquals("ThisFlow", only(observe(fw, 1438, false)).context().get("RuleName"));
    }

    @Test
    void aDropOnTheReplyPath_isNamedWithDirectionReply() throws Exception {
        ThreeHosts.Host fw = net.firewall();
        net.destination().run("bash", "-c", "nohup timeout 30 python3 -c 'import socket,time\n"
                + "s=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);s.bind((\"0.0.0.0\",1439));s.listen(8);time.sleep(30)'"
                + " >/dev/null 2>&1 &");
        Thread.sleep(300);
        fw.nft("""
                table inet nwt_reply {
                  chain guard {
                    type filter hook forward priority 0; policy drop;
                    ip daddr %s tcp dport 1439 accept comment "OnlyTheRequest"
                  }
                }""".formatted(net.destination().address()));

        CheckReport.Finding finding = only(observe(fw, 1439, true));

        assertEquals("reply", finding.context().get("Direction"));
        assertEquals("policy", finding.context().get("DecidedBy"));
        assertEquals("inet/nwt_reply/guard/policy", finding.context().get("RuleName"));
        assertEquals("trace", finding.evidence());
    }

    @Test
    void aDropOnTheIngressHook_beforePrerouting_isNamedByTraceAndByEvaluation() throws Exception {
        ThreeHosts.Host db = net.destination();
        db.nft("table netdev nwt_ing { chain early { type filter hook ingress device \"eth0\" priority 0; policy accept; "
                + "tcp dport 1441 drop comment \"IngressDrop\"; }; }");

        CheckReport.Finding traced = only(observe(db, 1441, true));
        CheckReport.Finding evaluated = only(observe(db, 1441, false));

        assertEquals("IngressDrop", traced.context().get("RuleName"));
        assertEquals("trace", traced.evidence());
        assertEquals("ingress", traced.context().get("Hook"));
        assertEquals("Inbound", traced.origin());
        assertEquals("IngressDrop", evaluated.context().get("RuleName"));
        assertEquals("ruleset", evaluated.evidence());
    }

    @Test
    void aRejectWithTcpReset_isNamedAsAReject() throws Exception {
        ThreeHosts.Host db = net.destination();
        db.nft("table inet nwt_rst { chain input { type filter hook input priority 0; policy accept; "
                + "tcp dport 1442 reject with tcp reset comment \"ResetSql\"; }; }");

        CheckReport.Finding finding = only(observe(db, 1442, true));

        assertEquals("ResetSql", finding.context().get("RuleName"));
        assertEquals("reject", finding.context().get("Verdict"));
        assertEquals("trace", finding.evidence());
    }

    @Test
    void withoutATrace_aDropRuleWithAMatchTheEvaluatorCannotJudge_isNotNamed() throws Exception {
        ThreeHosts.Host db = net.destination();
        db.nft("table inet nwt_mark { chain input { type filter hook input priority 0; policy accept; "
                + "meta mark 0x42 tcp dport 1443 drop comment \"OnlyMarked\"; }; }");

        assertEquals(List.of(), observe(db, 1443, false)); // a guess is no cause
        assertEquals(List.of(), observe(db, 1443, true)); // and the trace saw the packets pass
    }

    @Test
    void aDropBehindAPortForward_isNamedWithTheFlowAsTheRouterForwardsIt() throws Exception {
        ThreeHosts.Host fw = net.firewall();
        String db = net.destination().address();
        fw.nft("""
                table ip nwt_nat { chain pre { type nat hook prerouting priority -100; policy accept; tcp dport 8080 dnat to %s:1444; }; }
                table inet nwt_fwd { chain guard { type filter hook forward priority 0; policy accept; ip daddr %s tcp dport 1444 drop comment "BehindDnat"; }; }
                """.formatted(db, db));
        HostConfig hostConfig = fw.hostConfig();
        Flow resolved = tcp(net.source().address(), 0, fw.address(), 8080);

        for (boolean trace : List.of(true, false)) {
            FirewallSnapshot before = hostConfig.snapshot();
            NftTrace.Seen seen = null;
            if (trace) {
                try (NftTrace running = hostConfig.startTrace(tcp(null, 0, fw.address(), 8080))) {
                    net.source().connect(fw.address(), 8080, 2);
                    seen = running.seen();
                }
            }
            CheckReport.Finding finding = only(hostConfig.explain(before, hostConfig.snapshot(), resolved, false, seen));
            assertEquals("BehindDnat", finding.context().get("RuleName"), finding.toString());
            assertEquals("NetworkSecurityRule", finding.type());
            assertEquals(trace ? "trace" : "ruleset", finding.evidence());
            assertTrue(finding.context().get("Flow").endsWith("-> " + db + ":1444"), finding.context().toString());
        }
    }

    @Test
    void overIpv6_aCounterlessDropAtTheDestination_isNamedByTheTrace() throws Exception {
        ThreeHosts.Host db = net.destination();
        db.nft("table inet nwt_v6 { chain input { type filter hook input priority 0; policy accept; "
                + "ip6 saddr " + net.source().address6() + " tcp dport 1445 drop comment \"NoSqlV6\"; }; }");
        HostConfig hostConfig = db.hostConfig();
        // neighbour discovery on both links first: until a closed port answers with a reset
        for (int i = 0; i < 15 && !net.source().connect(db.address6(), 1446, 1).contains("refused"); i++) Thread.sleep(100);
        FirewallSnapshot before = hostConfig.snapshot();
        NftTrace.Seen seen;
        try (NftTrace trace = hostConfig.startTrace(tcp(null, 0, db.address6(), 1445))) {
            net.source().connect(db.address6(), 1445, 2);
            seen = trace.seen();
        }

        CheckReport.Finding finding = only(hostConfig.explain(before, hostConfig.snapshot(),
                tcp(net.source().address6(), 0, db.address6(), 1445), false, seen));

        assertEquals("NoSqlV6", finding.context().get("RuleName"));
        assertEquals("trace", finding.evidence());
        assertEquals("GuestFirewall", finding.type());
    }

    @Test
    void anIcmpEchoDropOnTheRouter_isNamedByTheTrace() throws Exception {
        ThreeHosts.Host fw = net.firewall();
        fw.nft("table inet nwt_icmp { chain guard { type filter hook forward priority 0; policy accept; "
                + "icmp type echo-request drop comment \"NoPing\"; }; }");
        HostConfig hostConfig = fw.hostConfig();
        String db = net.destination().address();
        Flow icmp = new Flow("Icmp", null, 0, db, null, 0, null, null);
        FirewallSnapshot before = hostConfig.snapshot();
        NftTrace.Seen seen;
        try (NftTrace trace = hostConfig.startTrace(icmp)) {
            net.source().exec("hping3", "-1", "-c", "2", "-i", "u200000", db); // ICMP echo requests, unanswered (CI installs hping3)
            seen = trace.seen();
        }

        CheckReport.Finding finding = only(hostConfig.explain(before, hostConfig.snapshot(),
                new Flow("Icmp", net.source().address(), 0, db, null, 0, null, null), false, seen));

        assertEquals("NoPing", finding.context().get("RuleName"));
        assertEquals("NetworkSecurityRule", finding.type());
        assertEquals("trace", finding.evidence());
        assertEquals("icmp " + net.source().address() + " -> " + db, finding.context().get("Flow"));
    }

    @Test
    void anObserverTheFlowNeverCrosses_namesNothing() throws Exception {
        // s's own input drops 1440 replies' source port range: irrelevant, and the flow to d never enters f's input
        ThreeHosts.Host fw = net.firewall();
        fw.nft("table inet nwt_in { chain input { type filter hook input priority 0; policy accept; tcp dport 1440 drop comment \"FwOwnInput\"; }; }");
        ThreeHosts.Host db = net.destination();
        db.nft("table inet nwt_d { chain input { type filter hook input priority 0; policy accept; tcp dport 1440 drop comment \"DbInput\"; }; }");

        List<CheckReport.Finding> onFw = observe(fw, 1440, true);

        assertEquals(List.of(), onFw);
        assertEquals("DbInput", only(observe(db, 1440, true)).context().get("RuleName"));
    }
}
