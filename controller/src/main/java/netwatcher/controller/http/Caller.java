package netwatcher.controller.http;

/**
 * Who made a request, once authenticated.
 *
 * @param id     principal id (admin, a service principal's client id, an OIDC subject, an agent id)
 * @param kind   ADMIN, SERVICE_PRINCIPAL, OIDC_USER or AGENT
 * @param name   a display name for logs and messages
 * @param vmKey  for agents, the lower-cased id of the VM they act for; null otherwise
 */
public record Caller(String id, Kind kind, String name, String vmKey) {
    public enum Kind { ADMIN, SERVICE_PRINCIPAL, OIDC_USER, AGENT }

    public boolean admin() { return kind == Kind.ADMIN; }
}
