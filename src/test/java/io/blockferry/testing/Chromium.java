package io.blockferry.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's headless Chromium, driven through its DevTools protocol over a WebSocket on loopback
 * (the JDK's own client): no Playwright or browser download. Started with the flags this machine
 * needs (no sandbox as root, no background networking: the network is closed).
 */
public final class Chromium implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final WebSocket socket;
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final StringBuilder partial = new StringBuilder();

    private Chromium(Process process, String pageSocket) {
        this.process = process;
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(pageSocket), new Listener()).join();
    }

    /** The browser, if this machine has one: /usr/bin/chromium (apt-get install chromium). */
    public static boolean installed() {
        return Files.isExecutable(Path.of(binary()));
    }

    private static String binary() {
        return System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    }

    public static Chromium start(Path profile, int width, int height) {
        ProcessBuilder builder = new ProcessBuilder(binary(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0", "--user-data-dir=" + profile, "--window-size=" + width + "," + height,
                "about:blank");
        builder.redirectErrorStream(true);
        try {
            Process process = builder.start();
            AtomicReference<String> browser = new AtomicReference<>();
            StringBuilder said = new StringBuilder();
            Thread reader = new Thread(() -> read(process, browser, said), "chromium-output");
            reader.setDaemon(true);
            reader.start();
            String ws = Await.until(browser::get, s -> s != null || !process.isAlive(), Duration.ofSeconds(30),
                    "Chromium's DevTools address");
            if (ws == null) {
                throw new IllegalStateException("Chromium ended at start: " + said);
            }
            return new Chromium(process, pageSocket(URI.create(ws)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary(), e);
        }
    }

    private static void read(Process process, AtomicReference<String> browser, StringBuilder said) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                synchronized (said) {
                    if (said.length() < 8000) {
                        said.append(line).append('\n');
                    }
                }
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    browser.set(m.group(1));
                }
            }
        } catch (IOException e) {
            // the browser is gone; start() or the next command says so
        }
    }

    /** The WebSocket of the page Chromium opened at start (about:blank), from its /json/list. */
    private static String pageSocket(URI browser) {
        URI list = URI.create("http://" + browser.getHost() + ":" + browser.getPort() + "/json/list");
        HttpClient http = HttpClient.newHttpClient();
        return Await.until(() -> {
            try {
                for (JsonNode target : JSON.readTree(http.send(HttpRequest.newBuilder(list).build(),
                        HttpResponse.BodyHandlers.ofString()).body())) {
                    if (target.path("type").asText().equals("page")) {
                        return target.path("webSocketDebuggerUrl").asText();
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }, s -> s != null, Duration.ofSeconds(20), "Chromium's page target");
    }

    /** Sends one DevTools command and waits for its result. */
    public JsonNode send(String method, Map<String, Object> params) {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", JSON.valueToTree(params));
        socket.sendText(message.toString(), true).join();
        try {
            JsonNode reply = answer.get(60, TimeUnit.SECONDS);
            if (reply.has("error")) {
                throw new IllegalStateException(method + " failed: " + reply.get("error"));
            }
            return reply.path("result");
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(method + " got no answer", e);
        } finally {
            pending.remove(id);
        }
    }

    public void open(String url) {
        send("Page.enable", Map.of());
        send("Page.navigate", Map.of("url", url));
    }

    /** The value of a JavaScript expression in the page (promises are awaited). */
    public JsonNode evaluate(String expression) {
        JsonNode result = send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
                "awaitPromise", true));
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("the page threw: " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** A PNG of the whole page (the viewport grown to the page's height). */
    public void screenshot(Path png, int width) throws IOException {
        int height = Math.max(600, evaluate("document.documentElement.scrollHeight").asInt());
        send("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", 1,
                "mobile", false));
        JsonNode shot = send("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.write(png, Base64.getDecoder().decode(shot.path("data").asText()));
    }

    @Override
    public void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private final class Listener implements WebSocket.Listener {
        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode message = JSON.readTree(partial.toString());
                    CompletableFuture<JsonNode> waiter = pending.get(message.path("id").asInt(-1));
                    if (waiter != null) {
                        waiter.complete(message);
                    }
                } catch (IOException e) {
                    // not a reply of ours
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
