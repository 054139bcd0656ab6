package netwatcher.lab;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The lab's helper programs, run inside a host's namespace by {@code Lab.up} (JDK only, so they
 * start fast with nothing but the lab's classpath):
 *
 * <pre>
 * LabServers serve --name web --ready-file F [--tcp PORT]... [--http PORT]... [--https PORT --key-store P12 --key-store-password PW]...
 * LabServers resolve --server 198.18.200.2 NAME [A|AAAA]
 * </pre>
 *
 * <p>{@code serve}: {@code tcp} accepts connections and echoes what it reads; {@code http}/{@code https}
 * answer {@code GET /} with 200 and a short body naming the host, {@code /status/NNN} with status NNN
 * (for {@code validStatusCodes} checks), anything else with 404. It writes the ready file once every
 * port listens and runs until killed.
 *
 * <p>{@code resolve}: one DNS query over UDP, printing the response code and the addresses,
 * e.g. {@code NOERROR 198.18.201.10} or {@code NXDOMAIN}; exit status 0 when a response came, 3 when none.
 * Tests use it to tell NXDOMAIN from other failures, which {@code getent} cannot.
 *
 * <p>Each server runs on its own threads and never shares state between requests; the class itself
 * is only an entry point.
 */
public final class LabServers {
    private static final Pattern STATUS = Pattern.compile("/status/(\\d{3})/?");

    private LabServers() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) usage();
        switch (args[0]) {
            case "serve" -> serve(List.of(args).subList(1, args.length));
            case "resolve" -> System.exit(resolve(List.of(args).subList(1, args.length)));
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: LabServers serve --name HOST --ready-file F [--tcp P]... [--http P]... [--https P --key-store F --key-store-password PW]...\n"
                + "       LabServers resolve --server ADDRESS NAME [A|AAAA]");
        System.exit(2);
    }

    private static void serve(List<String> args) throws Exception {
        String name = "lab";
        Path ready = null;
        List<Integer> tcp = new ArrayList<>();
        List<Integer> http = new ArrayList<>();
        List<Integer> https = new ArrayList<>();
        Path keyStore = null;
        String password = "";
        for (int i = 0; i < args.size(); i += 2) {
            String value = i + 1 < args.size() ? args.get(i + 1) : null;
            if (value == null) usage();
            switch (args.get(i)) {
                case "--name" -> name = value;
                case "--ready-file" -> ready = Path.of(value);
                case "--tcp" -> tcp.add(Integer.parseInt(value));
                case "--http" -> http.add(Integer.parseInt(value));
                case "--https" -> https.add(Integer.parseInt(value));
                case "--key-store" -> keyStore = Path.of(value);
                case "--key-store-password" -> password = value;
                default -> usage();
            }
        }
        for (int port : tcp) startEcho(port);
        for (int port : http) {
            HttpServer server = HttpServer.create(new InetSocketAddress(port), 64);
            configure(server, name);
        }
        if (!https.isEmpty()) {
            if (keyStore == null) throw new IllegalArgumentException("--https needs --key-store");
            SSLContext context = sslContext(keyStore, password.toCharArray());
            for (int port : https) {
                HttpsServer server = HttpsServer.create(new InetSocketAddress(port), 64);
                server.setHttpsConfigurator(new HttpsConfigurator(context));
                configure(server, name);
            }
        }
        System.out.println("lab servers on " + name + ": tcp " + tcp + ", http " + http + ", https " + https);
        if (ready != null) Files.writeString(ready, "ready\n");
        Thread.currentThread().join();
    }

    private static void configure(HttpServer server, String name) {
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> answer(exchange, name));
        server.start();
    }

    private static void answer(HttpExchange exchange, String name) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            Matcher status = STATUS.matcher(path);
            int code;
            String body;
            if (path.equals("/")) {
                code = 200;
                body = "netwatcher lab: " + name + "\n";
            } else if (status.matches() && Integer.parseInt(status.group(1)) >= 200) {
                code = Integer.parseInt(status.group(1));
                body = "status " + code + " from " + name + "\n";
            } else {
                code = 404;
                body = "not found on " + name + ": " + path + "\n";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            boolean noBody = code == 204 || code == 304 || exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(code, noBody ? -1 : bytes.length);
            if (!noBody) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    private static void startEcho(int port) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(port), 64);
        Thread.ofVirtual().name("echo-" + port).start(() -> {
            while (true) {
                try {
                    Socket socket = server.accept();
                    Thread.ofVirtual().start(() -> echo(socket));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private static void echo(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // the client went away
        }
    }

    private static SSLContext sslContext(Path keyStore, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keyStore.toFile())) {
            store.load(in, password);
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, null);
        return context;
    }

    private static int resolve(List<String> args) throws IOException {
        String server = null;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--server") && i + 1 < args.size()) server = args.get(++i);
            else rest.add(args.get(i));
        }
        if (server == null || rest.isEmpty()) usage();
        String name = rest.get(0);
        int type = rest.size() > 1 && rest.get(1).equalsIgnoreCase("AAAA") ? 28 : 1;
        int id = ThreadLocalRandom.current().nextInt(1 << 16);
        ByteBuffer query = ByteBuffer.allocate(512);
        query.putShort((short) id).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0).putShort((short) 0).putShort((short) 0);
        for (String label : name.split("\\.")) {
            byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            query.put((byte) bytes.length).put(bytes);
        }
        query.put((byte) 0).putShort((short) type).putShort((short) 1);
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(2000);
            InetAddress address = InetAddress.getByName(server);
            socket.send(new DatagramPacket(query.array(), query.position(), address, 53));
            byte[] buffer = new byte[1500];
            DatagramPacket response = new DatagramPacket(buffer, buffer.length);
            do {
                socket.receive(response);
            } while (((buffer[0] & 0xff) << 8 | (buffer[1] & 0xff)) != id);
            System.out.println(describe(ByteBuffer.wrap(buffer, 0, response.getLength())));
            return 0;
        } catch (SocketTimeoutException e) {
            System.out.println("TIMEOUT");
            return 3;
        }
    }

    private static String describe(ByteBuffer message) throws IOException {
        message.getShort();
        int flags = message.getShort() & 0xffff;
        int questions = message.getShort() & 0xffff;
        int answers = message.getShort() & 0xffff;
        message.getShort();
        message.getShort();
        String[] codes = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"};
        int rcode = flags & 0xf;
        StringBuilder out = new StringBuilder(rcode < codes.length ? codes[rcode] : "RCODE" + rcode);
        for (int i = 0; i < questions; i++) {
            skipName(message);
            message.position(message.position() + 4);
        }
        for (int i = 0; i < answers; i++) {
            skipName(message);
            int type = message.getShort() & 0xffff;
            message.getShort();
            message.getInt();
            int length = message.getShort() & 0xffff;
            byte[] data = new byte[length];
            message.get(data);
            if (type == 1 || type == 28) out.append(' ').append(InetAddress.getByAddress(data).getHostAddress());
        }
        return out.toString();
    }

    private static void skipName(ByteBuffer message) {
        while (true) {
            int length = message.get() & 0xff;
            if (length == 0) return;
            if ((length & 0xc0) == 0xc0) {
                message.get();
                return;
            }
            message.position(message.position() + length);
        }
    }
}
