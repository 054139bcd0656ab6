package netwatcher.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import netwatcher.agent.probe.ProbeOutcome;
import netwatcher.agent.probe.ProbeResult;
import netwatcher.agent.probe.ProbeRun;
import netwatcher.agent.probe.TlsProblem;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;
import netwatcher.model.check.ProbeSpec;
import org.junit.jupiter.api.Test;

/** What the probes prove, one finding per class and answering hop; this host's own refusals and timeouts none. */
class ProbeFindingsTest {
    static final Flow FLOW = new Flow("Tcp", "198.18.1.10", 40000, "198.18.3.10", null, 2222, null, null);

    @Test
    void of_groupsByClassAndResponder_andCountsProbes() {
        List<ProbeResult> results = new ArrayList<>();
        for (int i = 0; i < 3; i++) results.add(new ProbeResult(ProbeOutcome.REFUSED, null, "198.18.3.10", null, null, "TCP RST"));
        results.add(new ProbeResult(ProbeOutcome.TIMEOUT, null, null, null, null, null));
        results.add(new ProbeResult(ProbeOutcome.REJECTED, null, "local", null, null, "connect: Operation not permitted"));
        results.add(new ProbeResult(ProbeOutcome.UNREACHABLE, null, "198.18.1.1", "host-unreachable", null, "ICMP"));
        List<CheckReport.Finding> found = ProbeFindings.of(new ProbeRun(results, null), FLOW, null);
        assertEquals(2, found.size(), found::toString);
        CheckReport.Finding closed = found.get(0);
        assertEquals("PortClosed", closed.type());
        assertEquals("198.18.3.10", closed.context().get("Address"));
        assertEquals("3 of 6", closed.context().get("Probes"));
        CheckReport.Finding icmp = found.get(1);
        assertEquals("IcmpUnreachable", icmp.type());
        assertEquals("198.18.1.1", icmp.context().get("Address"));
        assertEquals("host-unreachable", icmp.context().get("IcmpCode"));
    }

    @Test
    void of_httpAndTls_nameStatusExpectedCodesAndProblem() {
        ProbeSpec.Http http = new ProbeSpec.Http("Get", List.of(), List.of(200, 301), "/x");
        List<ProbeResult> results = List.of(
                new ProbeResult(ProbeOutcome.HTTP_STATUS_MISMATCH, null, "198.18.201.10", null, 404, "HTTP 404"),
                new ProbeResult(ProbeOutcome.TLS_FAILURE, null, "198.18.201.10", null, null, "TLS UntrustedCertificate: PKIX",
                        TlsProblem.UNTRUSTED_CERTIFICATE));
        List<CheckReport.Finding> found = ProbeFindings.of(new ProbeRun(results, null), FLOW, http);
        assertEquals("HttpStatus", found.get(0).type());
        assertEquals("404", found.get(0).context().get("Status"));
        assertEquals("200,301", found.get(0).context().get("ValidStatusCodes"));
        assertEquals("/x", found.get(0).context().get("Path"));
        assertEquals("TlsHandshake", found.get(1).type());
        assertEquals("UntrustedCertificate", found.get(1).context().get("Problem"));
    }

    @Test
    void of_anAnswerThatIsNotHttp_isUnknownOnTheResponderWithWhatTheProbeSaw() {
        List<ProbeResult> results = List.of(
                new ProbeResult(ProbeOutcome.ERROR, null, "198.18.3.10", null, null, "not an HTTP answer: SSH-2.0-OpenSSH"),
                new ProbeResult(ProbeOutcome.TIMEOUT, null, "198.18.3.10", null, null, "connected, but no HTTP status line within the timeout"),
                new ProbeResult(ProbeOutcome.TIMEOUT, null, null, null, null, null));
        List<CheckReport.Finding> found = ProbeFindings.of(new ProbeRun(results, null), FLOW, null);
        assertEquals(1, found.size(), found::toString);
        assertEquals("Unknown", found.getFirst().type());
        assertEquals("198.18.3.10", found.getFirst().context().get("Address"));
        assertEquals("not an HTTP answer: SSH-2.0-OpenSSH", found.getFirst().context().get("Reason"));
        assertEquals("2 of 3", found.getFirst().context().get("Probes"));
    }

    @Test
    void of_traceUnreachable_whenNoProbeSawIt_isIcmpUnreachableFromTheTrace() {
        List<ProbeResult> timeouts = List.of(new ProbeResult(ProbeOutcome.TIMEOUT, null, null, null, null, null));
        List<CheckReport.TraceHop> trace = List.of(new CheckReport.TraceHop(1, "198.18.1.1", List.of(0.2), "timeExceeded", null),
                new CheckReport.TraceHop(2, "198.18.200.2", List.of(0.3), "unreachable", "net-unreachable"));
        List<CheckReport.Finding> found = ProbeFindings.of(new ProbeRun(timeouts, null), FLOW, null, trace);
        assertEquals(1, found.size(), found::toString);
        assertEquals("198.18.200.2", found.getFirst().context().get("Address"));
        assertEquals("trace", found.getFirst().evidence());
        assertTrue(ProbeFindings.of(new ProbeRun(timeouts, null), FLOW, null, trace.subList(0, 1)).isEmpty());
    }
}
