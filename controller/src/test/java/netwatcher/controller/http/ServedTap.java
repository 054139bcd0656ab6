package netwatcher.controller.http;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Test hook: tells a listener about every response the controller's dispatcher writes, just before its
 * first byte leaves (so a client never sees a response its test has not been told about). A Jetty handler
 * in front of the dispatcher ({@link HttpServer#insertHandler}); thread-safe if the listener is.
 */
public final class ServedTap extends Handler.Wrapper {
    /**
     * One request as served: what a recording test asserts on. {@code headers} holds the response
     * headers ARM clients act on (Location, Azure-AsyncOperation, Retry-After, x-ms-request-id), when set.
     */
    public record Served(String method, String path, String query, int status, Map<String, String> headers) {
        public String header(String name) { return headers.get(name); }
    }

    /** Observes every served request; called on the serving thread. Must not block. */
    public interface Listener {
        void served(Served served);
    }

    private static final List<String> RECORDED_HEADERS = List.of("Location", "Azure-AsyncOperation", "Retry-After", "x-ms-request-id");

    private final Listener listener;

    private ServedTap(Listener listener) { this.listener = listener; }

    /** Starts telling {@code listener} about every response {@code server} writes from now on. */
    public static void attach(HttpServer server, Listener listener) {
        server.insertHandler(new ServedTap(listener));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        return super.handle(request, new Response.Wrapper(request, response) {
            private boolean told;

            @Override
            public void write(boolean last, ByteBuffer content, Callback written) {
                if (!told) {
                    told = true;
                    tell(request, this);
                }
                super.write(last, content, written);
            }
        }, callback);
    }

    private void tell(Request request, Response response) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : RECORDED_HEADERS) {
            String value = response.getHeaders().get(name);
            if (value != null) headers.put(name, value);
        }
        listener.served(new Served(request.getMethod(), request.getHttpURI().getDecodedPath(), request.getHttpURI().getQuery(),
                response.getStatus(), Map.copyOf(headers)));
    }
}
