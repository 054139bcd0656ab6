package netwatcher.controller.http;

/** Authenticates agent credentials for {@link Router.Kind#AGENT} routes (and tells them apart on ARM routes). */
@FunctionalInterface
public interface AgentAuthenticator {
    Caller authenticate(String authorizationHeader);
}
