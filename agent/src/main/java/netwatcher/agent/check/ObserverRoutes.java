package netwatcher.agent.check;

import java.util.Optional;
import java.util.Set;

import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an observer's routes say about a flow as it crosses this host. Only the lookup the flow really meets
 * here counts: on the destination, the reply's route back to the source (sent from this host); elsewhere, the
 * lookup of the forwarded packet. A lookup that failed without a refusing route or rule behind it (a lookup for
 * a source this host would never see, forwarding off, reverse-path filtering) says nothing about the flow and is
 * dropped. The next hop is reported for forwarders, so the controller can follow the path through hosts that
 * stay silent on the wire. Thread-safe when its host evaluation is.
 */
final class ObserverRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(ObserverRoutes.class);

    /** Evidence of a route finding (the kernel's route lookup), as {@code HostConfig} marks it. */
    static final String ROUTE_LOOKUP = "route-lookup";

    /** Route kinds that name why the kernel refuses a packet; any other failed lookup is not named as a cause. */
    static final Set<String> REFUSING_ROUTES = Set.of("Blackhole", "Unreachable", "Prohibit", "PolicyRule", "NoRoute");

    /** A refusing route the flow meets on this host, if any, and this host's next hop for it (forwarders only, else null). */
    record ObserverRoute(Optional<CheckReport.Finding> finding, CheckReport.NextHop nextHop) {
        static final ObserverRoute NONE = new ObserverRoute(Optional.empty(), null);
    }

    private final HostEvaluation host;

    ObserverRoutes(HostEvaluation host) {
        this.host = host;
    }

    /** The route lookup {@code flow} (as the source resolved it) meets on this host. */
    ObserverRoute of(Flow flow) {
        if (flow == null || flow.destinationAddress() == null) return ObserverRoute.NONE;
        try {
            boolean destination = host.isLocal(flow.destinationAddress());
            if (destination && flow.sourceAddress() != null) {
                Flow reply = new Flow(flow.protocol(), flow.destinationAddress(), flow.destinationPort(), flow.sourceAddress(), null,
                        flow.sourcePort(), flow.direction(), flow.preferredIpVersion());
                return new ObserverRoute(host.routeFinding(reply).filter(ObserverRoutes::refusing), null);
            }
            if (destination) return ObserverRoute.NONE;
            Optional<CheckReport.Finding> finding = host.routeFinding(flow).filter(ObserverRoutes::refusing);
            CheckReport.NextHop next = null;
            try {
                next = host.nextHop(flow);
            } catch (RuntimeException e) {
                LOG.debug("no next hop for the forwarded flow: {}", e.getMessage());
            }
            return new ObserverRoute(finding, next);
        } catch (RuntimeException e) {
            LOG.debug("observer route lookup failed: {}", e.getMessage());
            return ObserverRoute.NONE;
        }
    }

    /** Whether {@code finding} comes from the route lookup (such findings count only through {@link #of}). */
    static boolean isRouteLookup(CheckReport.Finding finding) {
        return ROUTE_LOOKUP.equals(finding.evidence());
    }

    private static boolean refusing(CheckReport.Finding f) {
        return REFUSING_ROUTES.contains(f.context().get("RouteType"));
    }
}
