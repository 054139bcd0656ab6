package netwatcher.bench;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import netwatcher.controller.Controller;

/**
 * The web console's first page against a large fleet: an in-process controller on embedded H2 with {@code vms}
 * VMs (registered through the agent protocol, in 10 resource groups) and {@code captures} packet captures
 * (created through the ARM API, spread over the VMs). Measures, one request at a time over HTTPS keep-alive,
 * the reference {@code GET /healthz}, the page's files, {@code GET /console/api/fleet} and the first page of
 * {@code GET /console/api/captures} (50 rows, newest first), as the admin and as a service principal that is
 * Reader on one resource group (whose every row is authorized). Arguments:
 * {@code [vms=1000] [captures=10000] [requests=200] [rounds=3]}.
 */
public final class ConsoleBench {
    private ConsoleBench() {}

    static final String V = SeededController.V;
    static final int GROUPS = 10;

    public static void main(String[] args) throws Exception {
        int vms = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int captures = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int requests = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        try (SeededController seeded = SeededController.start("nwbench-console")) {
            Controller controller = seeded.controller;
            Https https = seeded.https;
            String sub = seeded.sub;
            long s0 = System.nanoTime();
            String[] vmIds = new String[vms];
            SeededController.parallel(vms, i -> vmIds[i] = new ProtocolAgent(https, controller.adminToken(), sub, String.format("bench%02d", i % GROUPS),
                    String.format("vm%04d", i), location(i)).vmId);
            System.out.printf(Locale.ROOT, "registered %d VMs through the agent protocol in %.1f s%n", vms, (System.nanoTime() - s0) / 1e9);
            s0 = System.nanoTime();
            seeded.seedCaptures(captures, i -> new SeededController.Capture(seeded.watcher(location(i % vms)), String.format("pc%05d", i), vmIds[i % vms]));
            System.out.printf(Locale.ROOT, "created %d captures through the ARM API in %.1f s; controller %s%n", captures,
                    (System.nanoTime() - s0) / 1e9, controller.baseUrl());

            var sp = https.send("POST", "/admin/v1/servicePrincipals", "{\"displayName\":\"bench reader\"}").expect(201).json();
            https.send("POST", "/admin/v1/roleAssignments", "{\"principalId\":\"" + sp.path("clientId").asText()
                    + "\",\"role\":\"Reader\",\"scope\":\"/subscriptions/" + sub + "/resourceGroups/NetworkWatcherRG\"}").expect(201);
            https.send("POST", "/admin/v1/roleAssignments", "{\"principalId\":\"" + sp.path("clientId").asText()
                    + "\",\"role\":\"Reader\",\"scope\":\"/subscriptions/" + sub + "/resourceGroups/bench03\"}").expect(201);
            String form = "grant_type=client_credentials&client_id=" + sp.path("clientId").asText() + "&client_secret="
                    + URLEncoder.encode(sp.path("clientSecret").asText(), StandardCharsets.UTF_8) + "&scope="
                    + URLEncoder.encode(controller.baseUrl() + "/.default", StandardCharsets.UTF_8);
            String readerToken = https.form("/adfs/oauth2/token", form).expect(200).json().path("access_token").asText();

            String admin = "Bearer " + controller.adminToken();
            String reader = "Bearer " + readerToken;
            String first = "/console/api/captures?sort=created&dir=desc&page=0&size=50";
            System.out.printf("captures listed: %s (reader: %s); ",
                    https.send("GET", first, null, admin).expect(200).json().path("total").asText(),
                    https.send("GET", first, null, reader).expect(200).json().path("total").asText());
            System.out.printf("response sizes: fleet %d B, first capture page %d B (reader: fleet %d B, captures %d B)%n",
                    https.send("GET", "/console/api/fleet", null, admin).expect(200).body().length(),
                    https.send("GET", first, null, admin).expect(200).body().length(),
                    https.send("GET", "/console/api/fleet", null, reader).expect(200).body().length(),
                    https.send("GET", first, null, reader).expect(200).body().length());
            java.util.concurrent.atomic.AtomicInteger roundWrites = new java.util.concurrent.atomic.AtomicInteger();
            for (int round = 1; round <= rounds; round++) {
                System.out.printf("round %d%n", round);
                measure(https, "GET /healthz (reference)", "/healthz", null, requests);
                measure(https, "GET /console/ (index.html)", "/console/", null, requests);
                measure(https, "GET /console/js/captures.js", "/console/js/captures.js", null, requests);
                measure(https, "GET /console/api/captures first page, admin", first, admin, requests);
                measure(https, "GET /console/api/captures first page, Reader on 2 groups", first, reader, requests);
                // H2 answers a repeated identical query from its result cache while the table is unchanged: pages in
                // turn (each a different query) and a page after a write show the cost without that cache
                measureEach(https, "GET /console/api/captures page i of 200 in turn, admin",
                        i -> "/console/api/captures?sort=created&dir=desc&size=50&page=" + (i % 200), admin, requests);
                measureEach(https, "GET /console/api/captures first page after a write, admin", i -> {
                    https.send("PUT", seeded.watcher("westeurope") + "/packetCaptures/w" + roundWrites.getAndIncrement() + V,
                            OrderLatencyBench.body(vmIds[0])).expect(201);
                    return first;
                }, admin, Math.max(10, requests / 4));
                measure(https, "GET /console/api/captures?status=Error, admin", first + "&status=Error", admin, requests);
                measure(https, "GET /console/api/captures?search=vm0042, admin", first + "&search=vm0042", admin, requests);
                measure(https, "GET /console/api/fleet, admin (" + vms + " VMs)", "/console/api/fleet", admin, Math.max(10, requests / 10));
                measure(https, "GET /console/api/fleet, Reader on 2 groups", "/console/api/fleet", reader, Math.max(10, requests / 10));
            }
        }
    }

    static String location(int vm) {
        return vm % 2 == 0 ? "westeurope" : "northeurope";
    }

    static void measure(Https https, String what, String path, String authorization, int requests) throws Exception {
        for (int i = 0; i < Math.min(20, requests); i++) https.send("GET", path, null, authorization).expect(200); // warm-up
        long[] nanos = new long[requests];
        for (int i = 0; i < requests; i++) {
            long t0 = System.nanoTime();
            https.send("GET", path, null, authorization).expect(200);
            nanos[i] = System.nanoTime() - t0;
        }
        System.out.printf(Locale.ROOT, "  %-58s %s%n", what, Stats.ofNanos(nanos));
    }

    interface PathOf {
        String path(int i) throws Exception;
    }

    /** As {@link #measure}, request {@code i} asking for {@code paths.path(i)} (prepared outside the timing). */
    static void measureEach(Https https, String what, PathOf paths, String authorization, int requests) throws Exception {
        long[] nanos = new long[requests];
        for (int i = 0; i < requests; i++) {
            String path = paths.path(i);
            long t0 = System.nanoTime();
            https.send("GET", path, null, authorization).expect(200);
            nanos[i] = System.nanoTime() - t0;
        }
        System.out.printf(Locale.ROOT, "  %-58s %s%n", what, Stats.ofNanos(nanos));
    }
}
