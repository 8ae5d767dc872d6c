package io.blockferry.hcssim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A private HCS/Dorado simulator for one test class: started through {@code scripts/hcs-sim.sh}
 * on free ports with a temporary state directory, configured from the exports of
 * {@code hcs-sim.sh env}, trusted through the CA file it names, and purged by {@link #close()}.
 * Only the JDK's HttpClient and Jackson: no Blockferry production code.
 */
public final class HcsSim implements AutoCloseable {

    public static final ObjectMapper JSON = new ObjectMapper();
    static final String ARRAY_SN = "2102351NPT10J3000001";
    static final String WWN_PREFIX = "658f987100b749bcc5d447af";
    public static final long MIB = 1L << 20;
    public static final long GIB = 1L << 30;
    /** Quick jobs and snapshots, so the whole suite stays short; tests that watch INIT slow them. */
    static final Map<String, Object> FAST = Map.of(
            "job_init_seconds", 0.05, "job_run_seconds", 0.15, "snapshot_create_seconds", 0.1);

    public final Path root;
    public final Path dir;
    public final Map<String, String> env;
    final Map<String, String> scriptEnv;
    final HttpClient http;
    public final String iamUrl;
    public final String ecsUrl;
    public final String evsUrl;
    public final String doradoUrl;
    public final String controlUrl;
    public final String projectId;
    public final String proxyServerId;
    public final Path deviceDir;
    public final String iamPassword;
    public final String doradoPassword;
    private String token;

    private HcsSim(Path root, Path dir, Map<String, String> scriptEnv, Map<String, String> env) {
        this.root = root;
        this.dir = dir;
        this.scriptEnv = scriptEnv;
        this.env = env;
        this.iamUrl = env.get("BLOCKFERRY_HCS_IAM_URL");
        this.ecsUrl = env.get("BLOCKFERRY_HCS_ECS_URL");
        this.evsUrl = env.get("BLOCKFERRY_HCS_EVS_URL");
        this.doradoUrl = env.get("BLOCKFERRY_HCS_DORADO_URL");
        this.controlUrl = env.get("BLOCKFERRY_HCS_SIM_CONTROL_URL");
        this.projectId = env.get("BLOCKFERRY_HCS_PROJECT_ID");
        this.proxyServerId = env.get("BLOCKFERRY_HCS_PROXY_SERVER_ID");
        this.deviceDir = Path.of(env.get("BLOCKFERRY_HCS_DEVICE_DIR"));
        this.iamPassword = firstLine(Path.of(env.get("BLOCKFERRY_HCS_PASSWORD_FILE")));
        this.doradoPassword = firstLine(Path.of(env.get("BLOCKFERRY_HCS_DORADO_PASSWORD_FILE")));
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .sslContext(env.get("BLOCKFERRY_HCS_CA_FILE").isEmpty() ? defaultContext()
                        : trusting(Path.of(env.get("BLOCKFERRY_HCS_CA_FILE"))))
                .build();
    }

    /** Starts a simulator with {@link #FAST} timings plus {@code settings}. */
    public static HcsSim start(Map<String, Object> settings) {
        return start(settings, Map.of());
    }

    /** ... with more variables for hcs-sim.sh (BLOCKFERRY_HCS_SIM_TLS=0, for example). */
    public static HcsSim start(Map<String, Object> settings, Map<String, String> moreEnv) {
        try {
            Path root = Files.createTempDirectory("hcs-sim-test-");
            Path dir = root.resolve("state");
            int[] ports = freePorts(3);
            Map<String, Object> all = new LinkedHashMap<>(FAST);
            all.putAll(settings);
            Map<String, String> scriptEnv = new HashMap<>();
            scriptEnv.put("BLOCKFERRY_HCS_SIM_DIR", dir.toString());
            scriptEnv.put("BLOCKFERRY_HCS_SIM_APIG_PORT", String.valueOf(ports[0]));
            scriptEnv.put("BLOCKFERRY_HCS_SIM_DORADO_PORT", String.valueOf(ports[1]));
            scriptEnv.put("BLOCKFERRY_HCS_SIM_CONTROL_PORT", String.valueOf(ports[2]));
            scriptEnv.put("BLOCKFERRY_HCS_SIM_SETTINGS", JSON.writeValueAsString(all));
            scriptEnv.putAll(moreEnv);
            Script r = script(root, scriptEnv, "start");
            assertEquals(0, r.exit, "hcs-sim.sh start failed:\n" + r.output);
            Script e = script(root, scriptEnv, "env");
            assertEquals(0, e.exit, "hcs-sim.sh env failed:\n" + e.output);
            return new HcsSim(root, dir, scriptEnv, parseExports(e.output));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    public static HcsSim start() {
        return start(Map.of());
    }

    public record Script(int exit, String output) {
    }

    /** Runs scripts/hcs-sim.sh with this simulator's environment (stdout and stderr together). */
    public Script script(String... args) {
        return script(root, scriptEnv, args);
    }

    static Script script(Path root, Map<String, String> env, String... args) {
        Path repo = Path.of("").toAbsolutePath();
        Path sh = repo.resolve("scripts/hcs-sim.sh");
        assertTrue(Files.isRegularFile(sh), "scripts/hcs-sim.sh not found from " + repo);
        List<String> cmd = new ArrayList<>(List.of("bash", sh.toString()));
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(root, "script-", ".out");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("hcs-sim.sh " + String.join(" ", args) + " did not finish in 90 s");
            }
            return new Script(p.exitValue(), Files.readString(out));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Map<String, String> parseExports(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith("export ")) {
                continue;
            }
            String kv = line.substring(7);
            int eq = kv.indexOf('=');
            String v = kv.substring(eq + 1);
            if (v.length() >= 2 && v.startsWith("'") && v.endsWith("'")) {
                v = v.substring(1, v.length() - 1);
            }
            m.put(kv.substring(0, eq), v);
        }
        return m;
    }

    @Override
    public void close() {
        Script r = script("purge");
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: the directory is under the system's temp dir
        }
        assertEquals(0, r.exit, "hcs-sim.sh purge failed:\n" + r.output);
    }

    // ------------------------------------------------------------------ HTTP

    public record Resp(int status, HttpHeaders headers, byte[] body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + text(), e);
            }
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    Resp send(String method, String url, Map<String, String> headers, Object body) {
        HttpRequest.BodyPublisher pub;
        String type = "application/json";
        if (body == null) {
            pub = HttpRequest.BodyPublishers.noBody();
        } else if (body instanceof byte[] b) {
            pub = HttpRequest.BodyPublishers.ofByteArray(b);
            type = "application/octet-stream";
        } else if (body instanceof String s) {
            pub = HttpRequest.BodyPublishers.ofString(s);
        } else {
            pub = HttpRequest.BodyPublishers.ofString(write(body));
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(180))
                .method(method, pub);
        if (body != null) {
            b.header("Content-Type", type);
        }
        headers.forEach(b::header);
        try {
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Resp(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode parse(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ control plane

    /** A control-plane call that must succeed; its JSON answer. */
    public JsonNode control(String method, String path, Object body) {
        Resp r = send(method, controlUrl + path, Map.of(), body);
        assertTrue(r.status() / 100 == 2, method + " /_sim" + path + " answered " + r.status() + ": " + r.text());
        return r.json();
    }

    public Resp controlRaw(String method, String path, Object body) {
        return send(method, controlUrl + path, Map.of(), body);
    }

    public void reset() {
        control("POST", "/reset", null);
        token = null;
    }

    public void settings(Map<String, Object> values) {
        control("PUT", "/settings", values);
    }

    /** A data disk (size in bytes) created through the control plane, optionally attached to a server. */
    public JsonNode volume(long sizeBytes, Map<String, Object> extra) {
        Map<String, Object> body = new LinkedHashMap<>(extra);
        body.put("size_bytes", sizeBytes);
        return control("POST", "/volumes", body);
    }

    public JsonNode server(String name, Map<String, Object> extra) {
        Map<String, Object> body = new LinkedHashMap<>(extra);
        body.put("name", name);
        return control("POST", "/servers", body);
    }

    public void write(String volumeId, long offset, byte[] data) {
        control("POST", "/volumes/" + volumeId + "/write",
                Map.of("offset", offset, "data_base64", java.util.Base64.getEncoder().encodeToString(data)));
    }

    public void writeOp(String volumeId, Map<String, Object> op) {
        control("POST", "/volumes/" + volumeId + "/write", op);
    }

    public String sha(String kind, String id) {
        return control("GET", "/" + kind + "/" + id + "/sha256", null).get("sha256").asText();
    }

    public byte[] data(String kind, String id, long offset, long length) {
        Resp r = controlRaw("GET", "/" + kind + "/" + id + "/data?offset=" + offset + "&length=" + length, null);
        assertEquals(200, r.status(), r.text());
        return r.body();
    }

    // ------------------------------------------------------------------ IAM, ECS, EVS

    ObjectNode tokenBody(String user, String password, String domain, String projectId) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode auth = body.putObject("auth");
        ObjectNode identity = auth.putObject("identity");
        identity.putArray("methods").add("password");
        ObjectNode u = identity.putObject("password").putObject("user");
        u.put("name", user).put("password", password).putObject("domain").put("name", domain);
        auth.putObject("scope").putObject("project").put("id", projectId);
        return body;
    }

    Resp requestToken() {
        return send("POST", iamUrl + "/v3/auth/tokens", Map.of(),
                tokenBody(env.get("BLOCKFERRY_HCS_USER"), iamPassword, env.get("BLOCKFERRY_HCS_DOMAIN"), projectId));
    }

    String token() {
        if (token == null) {
            Resp r = requestToken();
            assertEquals(201, r.status(), r.text());
            token = r.header("X-Subject-Token");
        }
        return token;
    }

    public void forgetToken() {
        token = null;
    }

    public Resp ecs(String method, String path, Object body) {
        return send(method, ecsUrl + path.replace("{p}", projectId), Map.of("X-Auth-Token", token()), body);
    }

    public Resp evs(String method, String path, Object body) {
        return send(method, evsUrl + path.replace("{p}", projectId), Map.of("X-Auth-Token", token()), body);
    }

    /** Polls a job on the given endpoint (ECS or EVS URL) until SUCCESS or FAIL; the final job. */
    JsonNode awaitJob(String endpoint, String jobId) {
        String url = endpoint + "/v1/" + projectId + "/jobs/" + jobId;
        return await(() -> send("GET", url, Map.of("X-Auth-Token", token()), null),
                r -> r.status() == 200 && (r.json().get("status").asText().equals("SUCCESS")
                        || r.json().get("status").asText().equals("FAIL")),
                Duration.ofSeconds(15), "job " + jobId).json();
    }

    String snapshot(String volumeId) {
        Resp r = evs("POST", "/v2/{p}/cloudsnapshots",
                Map.of("snapshot", Map.of("volume_id", volumeId, "force", true, "name", "bf-test")));
        assertEquals(202, r.status(), r.text());
        String id = r.json().at("/snapshot/id").asText();
        awaitSnapshot(id, "available");
        return id;
    }

    JsonNode awaitSnapshot(String id, String status) {
        return await(() -> evs("GET", "/v2/{p}/cloudsnapshots/" + id, null),
                r -> r.status() == 200 && r.json().at("/snapshot/status").asText().equals(status),
                Duration.ofSeconds(10), "snapshot " + id + " " + status).json().get("snapshot");
    }

    /** The Dorado object id of an EVS snapshot (provider_auth.lun_id). */
    String snapshotLun(String snapshotId) {
        JsonNode s = evs("GET", "/v2/{p}/cloudsnapshots/" + snapshotId, null).json().get("snapshot");
        return parse(s.get("provider_auth").asText()).get("lun_id").asText();
    }

    /** Creates a disk from a snapshot through EVS and waits for its job; the new volume id. */
    String cloneDisk(String snapshotId, String az) {
        Resp r = evs("POST", "/v2.1/{p}/cloudvolumes",
                Map.of("volume", Map.of("availability_zone", az, "snapshot_id", snapshotId, "name", "bf-clone")));
        assertEquals(202, r.status(), r.text());
        JsonNode job = awaitJob(evsUrl, r.json().get("job_id").asText());
        assertEquals("SUCCESS", job.get("status").asText(), job.toString());
        return job.at("/entities/volume_id").asText();
    }

    JsonNode attach(String serverId, String volumeId) {
        Resp r = ecs("POST", "/v1/{p}/cloudservers/" + serverId + "/attachvolume",
                Map.of("volumeAttachment", Map.of("volumeId", volumeId)));
        assertEquals(200, r.status(), r.text());
        return awaitJob(ecsUrl, r.json().get("job_id").asText());
    }

    JsonNode detach(String serverId, String volumeId) {
        Resp r = ecs("DELETE", "/v1/{p}/cloudservers/" + serverId + "/detachvolume/" + volumeId + "?delete_flag=0", null);
        assertEquals(200, r.status(), r.text());
        return awaitJob(ecsUrl, r.json().get("job_id").asText());
    }

    // ------------------------------------------------------------------ Dorado

    record Session(String token, String cookie) {
        Map<String, String> headers() {
            return Map.of("iBaseToken", token, "Cookie", cookie);
        }
    }

    Resp doradoLogin(String user, String password) {
        return send("POST", doradoUrl + "/xx/sessions", Map.of(),
                Map.of("username", user, "password", password, "scope", "0"));
    }

    Session dorado() {
        Resp r = doradoLogin(env.get("BLOCKFERRY_HCS_DORADO_USER"), doradoPassword);
        assertEquals(0, r.json().at("/error/code").asInt(), r.text());
        String setCookie = r.header("Set-Cookie");
        return new Session(r.json().at("/data/iBaseToken").asText(), setCookie.substring(0, setCookie.indexOf(';')));
    }

    /** A Dorado call for the array's device id; path like "lun/129". */
    Resp dorado(Session s, String method, String path, Object body) {
        return send(method, doradoUrl + "/" + ARRAY_SN + "/" + path, s == null ? Map.of() : s.headers(), body);
    }

    JsonNode doradoOk(Session s, String method, String path, Object body) {
        Resp r = dorado(s, method, path, body);
        assertEquals(200, r.status(), r.text());
        assertEquals(0, r.json().at("/error/code").asLong(), r.text());
        return r.json().get("data");
    }

    // ------------------------------------------------------------------ helpers

    public static <T> T await(Supplier<T> probe, Predicate<T> done, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            last = probe.get();
            if (done.test(last)) {
                return last;
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        throw new AssertionError("waited " + timeout.toMillis() + " ms for " + what + "; last seen: " + last);
    }

    /** Checks a condition again and again for a while: for what must NOT change (a stuck job). */
    static void during(Duration period, Runnable check) {
        long end = System.nanoTime() + period.toNanos();
        do {
            check.run();
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        } while (System.nanoTime() < end);
    }

    static String wwn(String lunId) {
        return WWN_PREFIX + String.format("%08x", Long.parseLong(lunId));
    }

    static String firstLine(Path p) {
        try {
            return Files.readAllLines(p).get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SSLContext defaultContext() {
        try {
            return SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SSLContext trusting(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            ks.setCertificateEntry("hcs-sim-ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException("cannot trust the simulator's CA " + caFile, e);
        }
    }

    private static int[] freePorts(int n) throws IOException {
        int[] ports = new int[n];
        ServerSocket[] socks = new ServerSocket[n];
        try {
            for (int i = 0; i < n; i++) {
                socks[i] = new ServerSocket(0);
                ports[i] = socks[i].getLocalPort();
            }
        } finally {
            for (ServerSocket s : socks) {
                if (s != null) {
                    s.close();
                }
            }
        }
        return ports;
    }
}
