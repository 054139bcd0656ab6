package netwatcher.agent.check;

import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import netwatcher.agent.evidence.EvidenceRecorder;
import netwatcher.model.check.CheckOrder;
import netwatcher.model.check.Flow;

/**
 * Arms a part's evidence capture ({@link EvidenceRecorder}) on a platform thread of its own, so libpcap arms
 * while the part reads the host's routes and firewall; the part joins it before its first probe. Thread-safe
 * when its recorder is.
 */
final class EvidenceArming {
    private final EvidenceRecorder evidence;

    EvidenceArming(EvidenceRecorder evidence) {
        this.evidence = evidence;
    }

    /** Starts arming the capture of {@code order}'s part for {@code flow}; an order without evidence spec needs no thread. */
    CompletableFuture<EvidenceRecorder.Recording> start(CheckOrder order, Flow flow) {
        CompletableFuture<EvidenceRecorder.Recording> arming = new CompletableFuture<>();
        if (order.evidence() == null) {
            arming.complete(arm(order, flow)); // nothing to arm: no thread
            return arming;
        }
        Thread.ofPlatform().daemon().name("nw-agent-evidence-arm").start(() -> {
            try {
                arming.complete(arm(order, flow));
            } catch (Throwable t) {
                arming.completeExceptionally(t);
            }
        });
        return arming;
    }

    /** The armed recording; an interrupted wait abandons it when it arrives. */
    static EvidenceRecorder.Recording join(CompletableFuture<EvidenceRecorder.Recording> arming) throws InterruptedException {
        try {
            return arming.get();
        } catch (InterruptedException e) {
            abandon(arming);
            throw e;
        } catch (ExecutionException e) {
            return EvidenceRecorder.unavailable("arming the capture failed: " + e.getCause());
        }
    }

    /** Abandons the recording when it arrives (the part ended before it joined it). */
    static void abandon(CompletableFuture<EvidenceRecorder.Recording> arming) {
        arming.thenAccept(EvidenceRecorder.Recording::abandon);
    }

    /** Arms this part's evidence capture for {@code flow} (its destination may still be a name: then it is left out). */
    private EvidenceRecorder.Recording arm(CheckOrder order, Flow flow) {
        InetAddress destination = null;
        if (flow != null && flow.destinationAddress() != null && !flow.destinationAddress().isBlank()) {
            try {
                destination = InetAddress.ofLiteral(flow.destinationAddress());
            } catch (IllegalArgumentException e) {
                destination = null;
            }
        }
        return evidence.arm(order.key() + "-" + order.role().wire(), order.evidence(), flow == null ? null : flow.protocol(), destination,
                flow == null ? 0 : flow.destinationPort(), flow == null ? 0 : flow.sourcePort());
    }
}
