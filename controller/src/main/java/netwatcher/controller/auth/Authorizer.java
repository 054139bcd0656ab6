package netwatcher.controller.auth;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import netwatcher.arm.ArmResourceId;

/**
 * Decides whether a principal may make an ARM call, from its role assignments.
 *
 * <p>Rules:
 * <ul>
 * <li>{@link Principal.Kind#ADMIN} may do everything; {@link Principal.Kind#AGENT} nothing (agent
 * credentials are for the agent protocol only, checked by its own routes).</li>
 * <li>GET, HEAD and OPTIONS need {@link Role#READER}. PUT, PATCH and DELETE need
 * {@link Role#CONTRIBUTOR}. POST needs Contributor, except the read-only actions in
 * {@link #READ_ONLY_ACTIONS} (the last path segment), which need Reader. This deliberately differs
 * from Azure, whose Reader role has no {@code .../action} permissions: these actions only read state
 * the Reader can already see (a capture's status, the topology, a route or firewall verdict
 * evaluated on the host without sending traffic). {@code connectivityCheck} sends probes and
 * {@code listKeys} reveals secrets, so both need Contributor.</li>
 * <li>Writes under {@code .../providers/Microsoft.Authorization/...} (role assignments) need
 * {@link Role#OWNER}.</li>
 * <li>Paths outside {@code /subscriptions/{sub}} (e.g. {@code /tenants},
 * {@code /providers/Microsoft.Network/operations}) and {@code GET /subscriptions} itself may be
 * read by every authenticated principal; the subscription list must be filtered with
 * {@link #visibleSubscriptions(Principal)}. Writing there is for the admin only.</li>
 * <li>{@code GET /subscriptions/{sub}} is allowed with any role anywhere in that subscription.</li>
 * <li>Otherwise the principal's strongest role among assignments whose {@link Scope} covers the
 * path must include the required role. Paths with {@code .} or {@code ..} segments are denied.</li>
 * </ul>
 *
 * <p>{@link #check(Principal, Role, netwatcher.arm.ArmResourceId)} answers the other question a
 * request raises: may the principal use a resource the request's body references (a capture's
 * target VM and storage account, a check's VMs)? See docs/security.md for the roles each needs.
 *
 * <p>Thread-safe; each call reads the principal's assignments from the repository.
 */
public final class Authorizer {
    /** POST actions (last path segment, case-insensitive) that need only Reader. */
    public static final Set<String> READ_ONLY_ACTIONS = Set.of(
            "querystatus", "topology", "ipflowverify", "nexthop", "securitygroupview",
            "querytroubleshootresult", "queryflowlogstatus", "networkconfigurationdiagnostic",
            "availableproviderslist", "azurereachabilityreport", "query");

    private final RoleAssignmentRepository assignments;

    public Authorizer(RoleAssignmentRepository assignments) {
        this.assignments = assignments;
    }

    /** Whether {@code principal} may call {@code httpMethod resourcePath}. */
    public Decision check(Principal principal, String httpMethod, String resourcePath) {
        if (principal.kind() == Principal.Kind.ADMIN) {
            return Decision.allow(null, "admin");
        }
        if (principal.kind() == Principal.Kind.AGENT) {
            return Decision.deny(null, "agent credentials are valid only for the agent protocol");
        }
        Optional<List<String>> parsed = Scope.segments(resourcePath);
        if (parsed.isEmpty()) {
            return Decision.deny(null, "invalid resource path");
        }
        List<String> segments = parsed.get();
        String method = httpMethod == null ? "" : httpMethod.toUpperCase(Locale.ROOT);
        boolean read = switch (method) {
            case "GET", "HEAD", "OPTIONS" -> true;
            case "PUT", "PATCH", "DELETE", "POST" -> false;
            default -> throw new IllegalArgumentException("unsupported HTTP method " + httpMethod);
        };
        Role required;
        if (read) {
            required = Role.READER;
        } else if (isAuthorizationPath(segments)) {
            required = Role.OWNER;
        } else if (method.equals("POST") && !segments.isEmpty()
                && READ_ONLY_ACTIONS.contains(segments.getLast().toLowerCase(Locale.ROOT))) {
            required = Role.READER;
        } else {
            required = Role.CONTRIBUTOR;
        }
        boolean underSubscription = segments.size() >= 2 && segments.getFirst().equalsIgnoreCase("subscriptions");
        if (!underSubscription) {
            return required == Role.READER && (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS"))
                    ? Decision.allow(Role.READER, "tenant-level read")
                    : Decision.deny(null, "only the admin may write outside a subscription");
        }
        List<RoleAssignment> mine = assignments.findByPrincipal(principal.id());
        if (read && segments.size() == 2) {
            boolean any = mine.stream().anyMatch(a -> a.parsedScope().inSubscription(segments.get(1)));
            return any ? Decision.allow(Role.READER, "has a role in the subscription")
                    : Decision.deny(Role.READER, "no role in subscription " + segments.get(1));
        }
        Optional<Role> strongest = mine.stream()
                .filter(a -> a.parsedScope().covers(resourcePath))
                .map(RoleAssignment::role)
                .max(Enum::compareTo);
        if (strongest.isPresent() && strongest.get().includes(required)) {
            return Decision.allow(required, "role " + strongest.get().displayName());
        }
        return Decision.deny(required, strongest.map(role -> "role " + role.displayName() + " is not enough")
                .orElse("no role assignment covers this scope"));
    }

    /**
     * Whether {@code principal} holds at least {@code required} on the resource {@code id}: an
     * assignment at its subscription, or at its resource group. Unlike {@link #check(Principal, String, String)}
     * this compares the id's parsed subscription and resource group, never a string prefix, so an id
     * that names a path trick ({@code ..}, {@code ?}, {@code #}, an empty or padded segment) is denied
     * rather than read as a shorter path. Used for the resources a request references in its body
     * (a capture's target VM and storage account, a check's VMs), the "linked access checks" of ARM.
     */
    public Decision check(Principal principal, Role required, ArmResourceId id) {
        if (principal.kind() == Principal.Kind.ADMIN) {
            return Decision.allow(required, "admin");
        }
        if (principal.kind() == Principal.Kind.AGENT) {
            return Decision.deny(required, "agent credentials are valid only for the agent protocol");
        }
        if (!wellFormed(id)) {
            return Decision.deny(required, "invalid resource id");
        }
        Optional<Role> strongest = assignments.findByPrincipal(principal.id()).stream()
                .filter(a -> a.parsedScope().inSubscription(id.subscriptionId()))
                .filter(a -> a.parsedScope().resourceGroup() == null
                        || (id.resourceGroup() != null && a.parsedScope().resourceGroup().equalsIgnoreCase(id.resourceGroup())))
                .map(RoleAssignment::role)
                .max(Enum::compareTo);
        if (strongest.isPresent() && strongest.get().includes(required)) {
            return Decision.allow(required, "role " + strongest.get().displayName());
        }
        return Decision.deny(required, strongest.map(role -> "role " + role.displayName() + " is not enough")
                .orElse("no role assignment covers this resource"));
    }

    private static boolean wellFormed(ArmResourceId id) {
        if (!Scope.validSegment(id.subscriptionId()) || (id.resourceGroup() != null && !Scope.validSegment(id.resourceGroup()))) {
            return false;
        }
        for (String name : id.names()) {
            if (!Scope.validSegment(name) || name.contains("#")) return false;
        }
        return !id.subscriptionId().contains("#") && (id.resourceGroup() == null || !id.resourceGroup().contains("#"));
    }

    /** The subscriptions in which the principal holds any role (the admin: use {@link #seesAllSubscriptions}). */
    public Set<String> visibleSubscriptions(Principal principal) {
        Set<String> ids = new LinkedHashSet<>();
        Set<String> seen = new LinkedHashSet<>();
        for (RoleAssignment assignment : assignments.findByPrincipal(principal.id())) {
            String id = assignment.parsedScope().subscriptionId();
            if (seen.add(id.toLowerCase(Locale.ROOT))) {
                ids.add(id);
            }
        }
        return Set.copyOf(ids);
    }

    /** Whether the principal sees every subscription (the admin does). */
    public boolean seesAllSubscriptions(Principal principal) {
        return principal.kind() == Principal.Kind.ADMIN;
    }

    /** Whether the principal may see subscription {@code subscriptionId} in {@code GET /subscriptions}. */
    public boolean canSeeSubscription(Principal principal, String subscriptionId) {
        return seesAllSubscriptions(principal)
                || visibleSubscriptions(principal).stream().anyMatch(id -> id.equalsIgnoreCase(subscriptionId));
    }

    /** Whether the principal may create or delete role assignments at {@code scope} (Owner there). */
    public boolean canManageAssignments(Principal principal, Scope scope) {
        return check(principal, "PUT", scope.path() + "/providers/Microsoft.Authorization/roleAssignments/x").allowed();
    }

    private static boolean isAuthorizationPath(List<String> segments) {
        for (int i = 0; i + 1 < segments.size(); i++) {
            if (segments.get(i).equalsIgnoreCase("providers") && segments.get(i + 1).equalsIgnoreCase("Microsoft.Authorization")) {
                return true;
            }
        }
        return false;
    }
}
