package netwatcher.controller.http;

import java.util.Map;

/** Serves one route. {@code vars} holds the path variables by name, as written in the request. */
@FunctionalInterface
public interface Handler {
    void handle(Exchange exchange, Map<String, String> vars) throws Exception;
}
